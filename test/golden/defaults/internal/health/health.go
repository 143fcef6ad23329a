// Package health serves the Kubernetes probes from in-process state only: a probe that does I/O
// turns a slow dependency into restarts (liveness) or a fleet-wide outage (readiness).
package health

import (
	"net/http"
	"sync/atomic"
)

// State is the process's readiness: not ready until startup completes, and not ready again once
// shutdown begins, so the load balancer stops sending traffic before the servers close.
type State struct {
	ready    atomic.Bool
	draining atomic.Bool
}

// MarkReady records that startup completed and the listeners are serving.
func (s *State) MarkReady() { s.ready.Store(true) }

// MarkDraining records that shutdown began; readiness fails from now on.
func (s *State) MarkDraining() { s.draining.Store(true) }

// Ready reports whether the process should receive traffic.
func (s *State) Ready() bool { return s.ready.Load() && !s.draining.Load() }

// Livez answers 200 while the process can serve HTTP at all. It never checks dependencies:
// restarting this process would not fix them.
func Livez() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		write(w, http.StatusOK, "ok")
	})
}

// Readyz answers 200 only between MarkReady and MarkDraining, 503 otherwise.
func (s *State) Readyz() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		switch {
		case s.draining.Load():
			write(w, http.StatusServiceUnavailable, "draining")
		case !s.ready.Load():
			write(w, http.StatusServiceUnavailable, "starting")
		default:
			write(w, http.StatusOK, "ok")
		}
	})
}

func write(w http.ResponseWriter, code int, body string) {
	// A cached probe answer is a wrong answer.
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(code)
	_, _ = w.Write([]byte(body + "\n"))
}
