package server

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/acme/my-svc/internal/health"
	"github.com/acme/my-svc/internal/metrics"
)

type fixture struct {
	app, admin http.Handler
	state      *health.State
	logs       *strings.Builder
}

func newFixture() fixture {
	logs := &strings.Builder{}
	logger := slog.New(slog.NewJSONHandler(logs, nil))
	state := &health.State{}
	m := metrics.New()
	return fixture{app: NewHandler(logger, state, m), admin: NewAdminHandler(m), state: state, logs: logs}
}

func serve(t *testing.T, h http.Handler, method, target string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequestWithContext(t.Context(), method, target, nil))
	return rec
}

func TestRoutes(t *testing.T) {
	f := newFixture()
	f.state.MarkReady()
	tests := []struct {
		method, target string
		want           int
	}{
		{http.MethodGet, "/livez", http.StatusOK},
		{http.MethodGet, "/healthz", http.StatusOK},
		{http.MethodGet, "/readyz", http.StatusOK},
		{http.MethodGet, "/v1/hello/gopher", http.StatusOK},
		{http.MethodGet, "/no/such/route", http.StatusNotFound},
		{http.MethodGet, "/metrics", http.StatusNotFound}, // only on the admin listener
		{http.MethodPost, "/livez", http.StatusMethodNotAllowed},
		{http.MethodDelete, "/v1/hello/gopher", http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		if got := serve(t, f.app, tt.method, tt.target).Code; got != tt.want {
			t.Errorf("%s %s = %d, want %d", tt.method, tt.target, got, tt.want)
		}
	}
}

func TestHello(t *testing.T) {
	rec := serve(t, newFixture().app, http.MethodGet, "/v1/hello/gopher")
	var body struct{ Message string }
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("body %q: %v", rec.Body.String(), err)
	}
	if body.Message != "hello, gopher" || rec.Header().Get("Content-Type") != "application/json" {
		t.Errorf("hello = %q (%s)", body.Message, rec.Header().Get("Content-Type"))
	}
}

func TestReadyzFollowsState(t *testing.T) {
	f := newFixture()
	if got := serve(t, f.app, http.MethodGet, "/readyz").Code; got != http.StatusServiceUnavailable {
		t.Errorf("readyz before ready = %d, want 503", got)
	}
	f.state.MarkReady()
	if got := serve(t, f.app, http.MethodGet, "/readyz").Code; got != http.StatusOK {
		t.Errorf("readyz when ready = %d, want 200", got)
	}
	f.state.MarkDraining()
	if got := serve(t, f.app, http.MethodGet, "/readyz").Code; got != http.StatusServiceUnavailable {
		t.Errorf("readyz while draining = %d, want 503", got)
	}
}

func TestMetricsAfterRequests(t *testing.T) {
	f := newFixture()
	serve(t, f.app, http.MethodGet, "/v1/hello/a")
	serve(t, f.app, http.MethodGet, "/v1/hello/b")
	serve(t, f.app, http.MethodGet, "/missing")
	serve(t, f.app, http.MethodGet, "/livez")
	rec := serve(t, f.admin, http.MethodGet, "/metrics")
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /metrics = %d", rec.Code)
	}
	body := rec.Body.String()
	for _, want := range []string{
		"go_goroutines",
		`http_requests_total{code="200",method="get",route="GET /v1/hello/{name}"} 2`,
		`http_requests_total{code="404",method="get",route="unmatched"} 1`,
		`http_request_duration_seconds_bucket{code="200",method="get",route="GET /v1/hello/{name}",le="+Inf"} 2`,
		"http_requests_in_flight 0",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(body, "/livez") {
		t.Error("probe requests are counted in the request metrics")
	}
}

func TestRequestLogSkipsProbes(t *testing.T) {
	f := newFixture()
	serve(t, f.app, http.MethodGet, "/livez")
	serve(t, f.app, http.MethodGet, "/v1/hello/gopher")
	logs := f.logs.String()
	if strings.Contains(logs, "/livez") {
		t.Errorf("probe logged: %s", logs)
	}
	if !strings.Contains(logs, `"route":"GET /v1/hello/{name}"`) || !strings.Contains(logs, `"status":200`) {
		t.Errorf("request not logged with its route and status: %s", logs)
	}
}

func TestRecoverPanics(t *testing.T) {
	var logs strings.Builder
	h := recoverPanics(slog.New(slog.NewJSONHandler(&logs, nil)), http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic("boom")
	}))
	if got := serve(t, h, http.MethodGet, "/").Code; got != http.StatusInternalServerError {
		t.Errorf("panicking handler = %d, want 500", got)
	}
	if !strings.Contains(logs.String(), "boom") {
		t.Errorf("panic not logged: %s", logs.String())
	}
}

// An in-flight request completes when Shutdown is called; the server refuses new work meanwhile.
func TestShutdownWaitsForInFlightRequest(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	slow := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		close(started)
		<-release
		_, _ = io.WriteString(w, "done")
	})
	ts := httptest.NewUnstartedServer(slow)
	ts.Config = NewHTTPServer("", slow, slog.New(slog.DiscardHandler))
	ts.Start()
	t.Cleanup(ts.Close)

	type result struct {
		body string
		err  error
	}
	got := make(chan result, 1)
	go func() {
		req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, ts.URL, nil)
		if err != nil {
			got <- result{err: err}
			return
		}
		resp, err := ts.Client().Do(req)
		if err != nil {
			got <- result{err: err}
			return
		}
		defer func() { _ = resp.Body.Close() }()
		b, err := io.ReadAll(resp.Body)
		got <- result{body: string(b), err: err}
	}()
	<-started

	shutdownDone := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		shutdownDone <- ts.Config.Shutdown(ctx)
	}()
	select {
	case err := <-shutdownDone:
		t.Fatalf("Shutdown returned before the in-flight request finished: %v", err)
	case <-time.After(100 * time.Millisecond):
	}
	close(release)

	if r := <-got; r.err != nil || r.body != "done" {
		t.Errorf("in-flight request = %q, %v; want done", r.body, r.err)
	}
	if err := <-shutdownDone; err != nil {
		t.Errorf("Shutdown: %v", err)
	}
}
