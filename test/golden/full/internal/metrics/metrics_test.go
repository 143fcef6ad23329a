package metrics

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /metrics = %d", rec.Code)
	}
	return rec.Body.String()
}

func TestRegistryExportsRuntimeAndBuildInfo(t *testing.T) {
	body := scrape(t, New())
	for _, want := range []string{"go_goroutines", "build_info{", "http_requests_in_flight 0"} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

func TestInstrumentLabelsByRoutePattern(t *testing.T) {
	m := New()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "item")
	})
	h := m.Instrument(mux)
	for _, path := range []string{"/items/1", "/items/2", "/nope"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequestWithContext(t.Context(), http.MethodGet, path, nil))
	}
	body := scrape(t, m)
	for _, want := range []string{
		`http_requests_total{code="200",method="get",route="GET /items/{id}"} 2`,
		`http_requests_total{code="404",method="get",route="unmatched"} 1`,
		`http_request_duration_seconds_count{code="200",method="get",route="GET /items/{id}"} 2`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s\n%s", want, body)
		}
	}
}
