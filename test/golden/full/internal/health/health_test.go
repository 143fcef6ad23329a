package health

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func probe(t *testing.T, h http.Handler) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/", nil))
	if got := rec.Header().Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", got)
	}
	return rec.Code, rec.Body.String()
}

func TestLivez(t *testing.T) {
	if code, body := probe(t, Livez()); code != http.StatusOK || body != "ok\n" {
		t.Errorf("livez = %d %q, want 200 ok", code, body)
	}
}

func TestReadyzTransitions(t *testing.T) {
	var s State
	steps := []struct {
		name string
		act  func()
		want int
	}{
		{"starting", func() {}, http.StatusServiceUnavailable},
		{"ready", s.MarkReady, http.StatusOK},
		{"draining", s.MarkDraining, http.StatusServiceUnavailable},
	}
	for _, step := range steps {
		step.act()
		if code, body := probe(t, s.Readyz()); code != step.want {
			t.Errorf("%s: readyz = %d %q, want %d", step.name, code, body, step.want)
		}
		if got, want := s.Ready(), step.want == http.StatusOK; got != want {
			t.Errorf("%s: Ready() = %v, want %v", step.name, got, want)
		}
	}
}

func TestDrainingBeforeReadyStaysUnavailable(t *testing.T) {
	var s State
	s.MarkDraining()
	s.MarkReady()
	if code, _ := probe(t, s.Readyz()); code != http.StatusServiceUnavailable {
		t.Errorf("readyz = %d, want 503 once draining", code)
	}
}
