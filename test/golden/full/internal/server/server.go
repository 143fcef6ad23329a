// Package server builds the service's HTTP handlers and servers. routes.go lists every route.
package server

import (
	"log/slog"
	"net/http"
	"time"

	"gitlab.com/acme/platform/orders-api/internal/health"
	"gitlab.com/acme/platform/orders-api/internal/metrics"
)

// Timeouts for both listeners. Without ReadHeaderTimeout a client can hold a connection open
// forever by sending headers slowly (Slowloris); WriteTimeout bounds the slowest handler.
const (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 15 * time.Second
	writeTimeout      = 30 * time.Second
	idleTimeout       = 120 * time.Second
)

// NewHandler builds the app listener's handler: the routes, instrumented, behind the panic
// recovery and request-log middleware. Dependencies come in as arguments; nothing is global.
func NewHandler(logger *slog.Logger, state *health.State, m *metrics.Metrics) http.Handler {
	mux := http.NewServeMux()
	addRoutes(mux, logger, state)
	h := instrument(m, mux)
	h = recoverPanics(logger, h)
	h = logRequests(logger, h)
	return h
}

// NewAdminHandler builds the admin listener's handler (metrics), kept off the public port.
func NewAdminHandler(m *metrics.Metrics) http.Handler {
	mux := http.NewServeMux()
	addAdminRoutes(mux, m)
	return mux
}

// NewHTTPServer wraps h in an http.Server with every timeout set and errors logged through logger.
func NewHTTPServer(addr string, h http.Handler, logger *slog.Logger) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelError),
	}
}
