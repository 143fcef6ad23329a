package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"maps"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is an io.Writer that the servers' goroutines and the test can share.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// withRequired adds the variables the service cannot start without to env.
func withRequired(env map[string]string) map[string]string {
	env["UPSTREAM_URL"] = "https://example.com"
	env["DATABASE_PASSWORD"] = "test-secret"
	env["API_TOKEN"] = "test-secret"
	return env
}

// freePort asks the OS for a port nobody is listening on.
func freePort(t *testing.T) string {
	t.Helper()
	var lc net.ListenConfig
	ln, err := lc.Listen(t.Context(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ln.Close() }()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

func get(ctx context.Context, url string) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), err
}

// waitFor polls url until it answers want, instead of guessing how long startup takes.
func waitFor(t *testing.T, url string, want int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		code, _, err := get(t.Context(), url)
		if err == nil && code == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not answer %d within 10s (last: %d, %v)", url, want, code, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestRunRejectsInvalidConfigBeforeListening(t *testing.T) {
	env := map[string]string{"PORT": "not-a-port"}
	var stdout, stderr bytes.Buffer
	err := run(t.Context(), []string{"orders-api"}, func(k string) string { return env[k] }, &stdout, &stderr)
	if err == nil {
		t.Fatal("run: no error with an invalid configuration")
	}
	for _, name := range append([]string{"PORT"}, slices.Collect(maps.Keys(withRequired(map[string]string{})))...) {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error does not name %s: %v", name, err)
		}
	}
	if strings.Contains(stdout.String(), "listening") {
		t.Error("run opened a listener before rejecting the configuration")
	}
}

func TestRunVersionFlag(t *testing.T) {
	var stdout bytes.Buffer
	if err := run(t.Context(), []string{"orders-api", "-version"}, func(string) string { return "" }, &stdout, io.Discard); err != nil {
		t.Fatalf("run -version: %v", err)
	}
	if !strings.HasPrefix(stdout.String(), "orders-api dev") {
		t.Errorf("run -version printed %q", stdout.String())
	}
}

func TestRunServesAndShutsDownGracefully(t *testing.T) {
	port, adminPort := freePort(t), freePort(t)
	env := withRequired(map[string]string{
		"PORT":             port,
		"ADMIN_PORT":       adminPort,
		"SHUTDOWN_DELAY":   "200ms",
		"SHUTDOWN_TIMEOUT": "5s",
	})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var stdout syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"orders-api"}, func(k string) string { return env[k] }, &stdout, io.Discard)
	}()

	app, admin := "http://127.0.0.1:"+port, "http://127.0.0.1:"+adminPort
	waitFor(t, app+"/readyz", http.StatusOK)
	for _, path := range []string{"/livez", "/healthz", "/v1/hello/test"} {
		if code, body, err := get(t.Context(), app+path); err != nil || code != http.StatusOK {
			t.Errorf("GET %s = %d %q, %v", path, code, body, err)
		}
	}
	code, metrics, err := get(t.Context(), admin+"/metrics")
	if err != nil || code != http.StatusOK {
		t.Fatalf("GET /metrics = %d, %v", code, err)
	}
	for _, want := range []string{"go_goroutines", "http_requests_total", "build_info"} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}

	cancel() // what SIGTERM does in production
	waitFor(t, app+"/readyz", http.StatusServiceUnavailable)
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return after cancel")
	}
	if _, _, err := get(t.Context(), app+"/livez"); err == nil {
		t.Error("app listener still serving after run returned")
	}
	logs := stdout.String()
	for _, want := range []string{`"msg":"listening"`, `"service":"orders-api"`, `"msg":"shutting down"`, `"msg":"stopped"`} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %s:\n%s", want, logs)
		}
	}
}

func TestRunFailsWhenPortIsTaken(t *testing.T) {
	var lc net.ListenConfig
	ln, err := lc.Listen(t.Context(), "tcp", ":0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ln.Close() }()
	env := withRequired(map[string]string{
		"PORT":       strconv.Itoa(ln.Addr().(*net.TCPAddr).Port),
		"ADMIN_PORT": freePort(t),
	})
	err = run(t.Context(), []string{"orders-api"}, func(k string) string { return env[k] }, io.Discard, io.Discard)
	if _, ok := errors.AsType[*net.OpError](err); !ok {
		t.Fatalf("run = %v, want a listen error", err)
	}
}
