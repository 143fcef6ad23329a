// Package config reads the service's settings from the environment, once, at startup.
//
// Every problem is reported at once, so one failed start tells the operator everything that is
// wrong. Errors name the variable, never its value: values may be secrets.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config is every setting the service reads. Fields are only set by Load.
type Config struct {
	// Port is the app listener's port (PORT): the API and the probes.
	Port int

	// AdminPort is the admin listener's port (ADMIN_PORT): /metrics, kept off the public port.
	AdminPort int

	// LogLevel is the minimum level logged (LOG_LEVEL: debug, info, warn or error).
	LogLevel slog.Level

	// ShutdownDelay is how long the service keeps serving, unready, after SIGTERM
	// (SHUTDOWN_DELAY), so load balancers stop routing to it before it closes.
	ShutdownDelay time.Duration

	// ShutdownTimeout bounds how long in-flight requests get to finish (SHUTDOWN_TIMEOUT).
	ShutdownTimeout time.Duration

	// UpstreamURL is UPSTREAM_URL (required).
	UpstreamURL string

	// Greeting is GREETING (optional).
	Greeting string

	// CacheTTL is CACHE_TTL (optional).
	CacheTTL string

	// DatabasePassword is DATABASE_PASSWORD, or the contents of the file named by DATABASE_PASSWORD_FILE.
	DatabasePassword Secret

	// APIToken is API_TOKEN, or the contents of the file named by API_TOKEN_FILE.
	APIToken Secret
}

// Defaults for the optional settings.
const (
	DefaultPort            = 9000
	DefaultAdminPort       = 9090
	DefaultShutdownDelay   = 5 * time.Second
	DefaultShutdownTimeout = 20 * time.Second
)

// Load parses the settings from getenv (os.Getenv in production, a map in tests). A variable set
// to the empty string counts as unset.
func Load(getenv func(string) string) (Config, error) {
	p := parser{getenv: getenv}
	cfg := Config{
		Port:            p.port("PORT", DefaultPort),
		AdminPort:       p.port("ADMIN_PORT", DefaultAdminPort),
		LogLevel:        p.logLevel("LOG_LEVEL"),
		ShutdownDelay:   p.duration("SHUTDOWN_DELAY", DefaultShutdownDelay, 0),
		ShutdownTimeout: p.duration("SHUTDOWN_TIMEOUT", DefaultShutdownTimeout, time.Nanosecond),
	}
	cfg.UpstreamURL = p.required("UPSTREAM_URL")
	p.checkURL("UPSTREAM_URL", cfg.UpstreamURL)
	cfg.Greeting = p.optional("GREETING", "hello, world")
	cfg.CacheTTL = p.optional("CACHE_TTL", "30s")
	cfg.DatabasePassword = p.secret("DATABASE_PASSWORD")
	cfg.APIToken = p.secret("API_TOKEN")
	if cfg.Port == cfg.AdminPort {
		p.fail("PORT and ADMIN_PORT", "must differ")
	}
	if err := errors.Join(p.errs...); err != nil {
		return Config{}, fmt.Errorf("invalid configuration:\n%w", err)
	}
	return cfg, nil
}

// parser collects every problem instead of stopping at the first.
type parser struct {
	getenv func(string) string
	errs   []error
}

func (p *parser) fail(name, problem string) {
	p.errs = append(p.errs, fmt.Errorf("%s %s", name, problem))
}

func (p *parser) port(name string, def int) int {
	s := p.getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 65535 {
		p.fail(name, "must be a port number from 1 to 65535")
		return def
	}
	return n
}

func (p *parser) logLevel(name string) slog.Level {
	switch strings.ToLower(p.getenv(name)) {
	case "", "info":
		return slog.LevelInfo
	case "debug":
		return slog.LevelDebug
	case "warn":
		return slog.LevelWarn
	case "error":
		return slog.LevelError
	default:
		p.fail(name, "must be one of debug, info, warn, error")
		return slog.LevelInfo
	}
}

func (p *parser) duration(name string, def, least time.Duration) time.Duration {
	s := p.getenv(name)
	if s == "" {
		return def
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < least {
		if least > 0 {
			p.fail(name, "must be a positive duration such as 10s or 1m30s")
		} else {
			p.fail(name, "must be a duration such as 5s or 500ms (0 for none)")
		}
		return def
	}
	return d
}

func (p *parser) required(name string) string {
	s := p.getenv(name)
	if strings.TrimSpace(s) == "" {
		p.fail(name, "is required")
	}
	return s
}

func (p *parser) optional(name, def string) string {
	if s := p.getenv(name); s != "" {
		return s
	}
	return def
}

// checkURL accepts absolute URLs only (scheme://host...): a relative or schemeless value is
// almost always a mistake that would otherwise surface at the first request.
func (p *parser) checkURL(name, s string) {
	if s == "" {
		return
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" || u.Host == "" {
		p.fail(name, "must be an absolute URL such as https://host/path")
	}
}

// Secret is a string that does not print: fmt (%v, %+v, %#v), JSON and slog all show [REDACTED],
// so logging the whole Config cannot leak it. Call Reveal where the value is actually needed.
type Secret string

// Reveal returns the secret's value.
func (s Secret) Reveal() string { return string(s) }

// String implements fmt.Stringer.
func (Secret) String() string { return "[REDACTED]" }

// GoString implements fmt.GoStringer (%#v).
func (Secret) GoString() string { return "[REDACTED]" }

// MarshalText implements encoding.TextMarshaler, which encoding/json also uses.
func (Secret) MarshalText() ([]byte, error) { return []byte("[REDACTED]"), nil }

// LogValue implements slog.LogValuer.
func (Secret) LogValue() slog.Value { return slog.StringValue("[REDACTED]") }

// secret reads NAME, or when NAME is unset the file named by NAME_FILE (how Kubernetes and
// Docker mount secrets). Setting both is ambiguous and refused. One trailing newline is dropped.
func (p *parser) secret(name string) Secret {
	value, file := p.getenv(name), p.getenv(name+"_FILE")
	switch {
	case value != "" && file != "":
		p.fail(name+" and "+name+"_FILE", "are both set: set only one")
		return ""
	case file != "":
		b, err := os.ReadFile(filepath.Clean(file))
		if err != nil {
			p.fail(name+"_FILE", "names a file that cannot be read")
			return ""
		}
		value = strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
	}
	if strings.TrimSpace(value) == "" {
		p.fail(name, "is required (or "+name+"_FILE)")
	}
	return Secret(value)
}
