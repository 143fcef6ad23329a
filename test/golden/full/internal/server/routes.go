package server

import (
	"log/slog"
	"net/http"

	"gitlab.com/acme/platform/orders-api/internal/health"
	"gitlab.com/acme/platform/orders-api/internal/metrics"
)

// addRoutes maps the app listener's whole API surface: add new routes here, with their method.
func addRoutes(mux *http.ServeMux, logger *slog.Logger, state *health.State) {
	mux.Handle("GET /livez", health.Livez())
	mux.Handle("GET /healthz", health.Livez()) // alias some tooling expects
	mux.Handle("GET /readyz", state.Readyz())
	mux.Handle("GET /v1/hello/{name}", handleHello(logger))
}

// addAdminRoutes maps the admin listener, which only the cluster (Prometheus) reaches.
func addAdminRoutes(mux *http.ServeMux, m *metrics.Metrics) {
	mux.Handle("GET /metrics", m.Handler())
}

// isProbe reports whether path is a probe endpoint: kubelet calls them every few seconds, so
// they are left out of the request log and the request metrics.
func isProbe(path string) bool {
	switch path {
	case "/livez", "/healthz", "/readyz":
		return true
	}
	return false
}
