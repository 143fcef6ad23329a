// Package metrics owns the service's Prometheus registry: a registry of its own rather than the
// global one, so only what is registered here is exported, and tests get a fresh one each.
package metrics

import (
	"net/http"
	"runtime"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"gitlab.com/acme/platform/orders-api/internal/version"
)

// Metrics is the registry and the HTTP RED metrics recorded for the app listener.
type Metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	inFlight prometheus.Gauge
}

// New registers the Go runtime, process and build-info collectors and the HTTP metrics.
func New() *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "http_requests_total",
			Help: "HTTP requests served, by status code, method and route pattern.",
		}, []string{"code", "method", "route"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "http_request_duration_seconds",
			Help:    "Time to serve HTTP requests, by status code, method and route pattern.",
			Buckets: prometheus.DefBuckets,
		}, []string{"code", "method", "route"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "http_requests_in_flight",
			Help: "HTTP requests being served right now.",
		}),
	}
	buildInfo := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "build_info",
		Help: "Always 1; the labels say which build is running.",
		ConstLabels: prometheus.Labels{
			"version":   version.Version,
			"commit":    version.Commit,
			"goversion": runtime.Version(),
		},
	}, func() float64 { return 1 })
	m.registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		buildInfo,
		m.requests,
		m.duration,
		m.inFlight,
	)
	return m
}

// Handler serves the registry in the Prometheus exposition format (for the admin listener).
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{Registry: m.registry})
}

// Instrument records the RED metrics for next, which must be the *http.ServeMux itself: the route
// label is read from r.Pattern after the mux has matched, and a middleware in between that calls
// r.WithContext would hand the mux a copy, leaving the pattern empty here.
func (m *Metrics) Instrument(next http.Handler) http.Handler {
	route := promhttp.WithLabelFromRequest("route", routeLabel)
	return promhttp.InstrumentHandlerInFlight(m.inFlight,
		promhttp.InstrumentHandlerCounter(m.requests,
			promhttp.InstrumentHandlerDuration(m.duration, next, route),
			route,
		),
	)
}

// routeLabel is the matched pattern ("GET /v1/hello/{name}"), never the raw path, so the label's
// values stay bounded whatever clients request.
func routeLabel(r *http.Request) string {
	if r.Pattern == "" {
		return "unmatched"
	}
	return r.Pattern
}
