package config

import (
	"log/slog"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"
)

// env is a fake environment: Load only ever sees the getenv it is given.
type env map[string]string

func (e env) getenv(name string) string { return e[name] }

// with returns a copy of e with the given NAME=value pairs applied.
func (e env) with(pairs ...string) env {
	out := env{}
	maps.Copy(out, e)
	for _, pair := range pairs {
		name, value, _ := strings.Cut(pair, "=")
		out[name] = value
	}
	return out
}

// valid sets exactly the variables the service cannot start without.
func valid() env {
	e := env{}
	return e
}

// requiredNames lists the variables valid sets: each must be named when missing.
func requiredNames() []string {
	return slices.Collect(maps.Keys(valid()))
}

func TestLoadDefaults(t *testing.T) {
	cfg, err := Load(valid().getenv)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if cfg.Port != 8080 || cfg.AdminPort != 9090 || cfg.LogLevel != slog.LevelInfo ||
		cfg.ShutdownDelay != 5*time.Second || cfg.ShutdownTimeout != 20*time.Second {
		t.Errorf("built-in defaults not applied: %+v", cfg)
	}
}

func TestLoadExplicitValues(t *testing.T) {
	cfg, err := Load(valid().with("PORT=1234", "ADMIN_PORT=1235", "LOG_LEVEL=DEBUG", "SHUTDOWN_DELAY=0", "SHUTDOWN_TIMEOUT=1m30s").getenv)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := Config{Port: 1234, AdminPort: 1235, LogLevel: slog.LevelDebug, ShutdownDelay: 0, ShutdownTimeout: 90 * time.Second}
	if cfg.Port != want.Port || cfg.AdminPort != want.AdminPort || cfg.LogLevel != want.LogLevel ||
		cfg.ShutdownDelay != want.ShutdownDelay || cfg.ShutdownTimeout != want.ShutdownTimeout {
		t.Errorf("Load = %+v, want %+v", cfg, want)
	}
}

func TestLoadValidation(t *testing.T) {
	tests := []struct {
		name string
		env  env
		// wantErr lists the variable names the error must mention; empty means no error.
		wantErr []string
	}{
		{name: "all valid", env: valid()},
		{name: "nothing set", env: env{}, wantErr: requiredNames()},
		{name: "port not a number", env: valid().with("PORT=http"), wantErr: []string{"PORT"}},
		{name: "port out of range", env: valid().with("ADMIN_PORT=65536"), wantErr: []string{"ADMIN_PORT"}},
		{name: "port zero", env: valid().with("PORT=0"), wantErr: []string{"PORT"}},
		{name: "same ports", env: valid().with("PORT=8000", "ADMIN_PORT=8000"), wantErr: []string{"PORT and ADMIN_PORT"}},
		{name: "unknown log level", env: valid().with("LOG_LEVEL=verbose"), wantErr: []string{"LOG_LEVEL"}},
		{name: "duration without unit", env: valid().with("SHUTDOWN_DELAY=5"), wantErr: []string{"SHUTDOWN_DELAY"}},
		{name: "negative duration", env: valid().with("SHUTDOWN_DELAY=-1s"), wantErr: []string{"SHUTDOWN_DELAY"}},
		{name: "zero timeout", env: valid().with("SHUTDOWN_TIMEOUT=0s"), wantErr: []string{"SHUTDOWN_TIMEOUT"}},
		{
			name:    "every problem at once",
			env:     env{"PORT": "x", "ADMIN_PORT": "y", "LOG_LEVEL": "z", "SHUTDOWN_DELAY": "1", "SHUTDOWN_TIMEOUT": "2"},
			wantErr: append([]string{"PORT", "ADMIN_PORT", "LOG_LEVEL", "SHUTDOWN_DELAY", "SHUTDOWN_TIMEOUT"}, requiredNames()...),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(tt.env.getenv)
			if len(tt.wantErr) == 0 {
				if err != nil {
					t.Fatalf("Load: unexpected error: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Load: no error, want one naming %v", tt.wantErr)
			}
			for _, name := range tt.wantErr {
				if !strings.Contains(err.Error(), name) {
					t.Errorf("error does not name %s:\n%v", name, err)
				}
			}
			// Values may be secrets: no value may appear in the error.
			for name, value := range tt.env {
				if len(value) > 2 && strings.Contains(err.Error(), value) {
					t.Errorf("error reveals the value of %s:\n%v", name, err)
				}
			}
		})
	}
}
