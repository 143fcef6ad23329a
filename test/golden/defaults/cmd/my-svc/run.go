package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/acme/my-svc/internal/config"
	"github.com/acme/my-svc/internal/health"
	"github.com/acme/my-svc/internal/metrics"
	"github.com/acme/my-svc/internal/server"
	"github.com/acme/my-svc/internal/version"
)

// serviceName labels every log line.
const serviceName = "my-svc"

// run is the whole program. It takes the operating system as arguments (args, environment,
// output) so tests can run it in-process; it returns when ctx is canceled or a signal arrives,
// after a graceful shutdown. Only main exits the process.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	flags := flag.NewFlagSet(serviceName, flag.ContinueOnError)
	flags.SetOutput(stderr)
	showVersion := flags.Bool("version", false, "print the version and exit")
	if len(args) > 0 {
		args = args[1:]
	}
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil // -h: the usage went to stderr; asking for help is not a failure
		}
		return err
	}
	if *showVersion {
		_, err := fmt.Fprintf(stdout, "%s %s (commit %s)\n", serviceName, version.Version, version.Commit)
		return err
	}

	// Configuration is complete and valid before anything listens: a bad deploy fails fast,
	// naming every problem, instead of half-starting.
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}

	logLevel := new(slog.LevelVar)
	logLevel.Set(cfg.LogLevel)
	logger := slog.New(slog.NewJSONHandler(stdout, &slog.HandlerOptions{Level: logLevel})).With(
		slog.String("service", serviceName),
		slog.String("version", version.Version),
		slog.String("commit", version.Commit),
	)
	slog.SetDefault(logger)

	state := &health.State{}
	m := metrics.New()
	servers := []*http.Server{
		server.NewHTTPServer(net.JoinHostPort("", strconv.Itoa(cfg.Port)), server.NewHandler(logger, state, m), logger),
		server.NewHTTPServer(net.JoinHostPort("", strconv.Itoa(cfg.AdminPort)), server.NewAdminHandler(m), logger),
	}

	// Listen before serving so a port already in use is an error here, not in a goroutine.
	var lc net.ListenConfig
	listeners := make([]net.Listener, 0, len(servers))
	for _, srv := range servers {
		ln, err := lc.Listen(ctx, "tcp", srv.Addr)
		if err != nil {
			for _, l := range listeners {
				_ = l.Close()
			}
			return fmt.Errorf("listen on %s: %w", srv.Addr, err)
		}
		listeners = append(listeners, ln)
	}

	serveErrs := make(chan error, len(servers))
	for i, srv := range servers {
		logger.InfoContext(ctx, "listening", slog.String("addr", listeners[i].Addr().String()))
		go func() {
			if err := srv.Serve(listeners[i]); !errors.Is(err, http.ErrServerClosed) {
				serveErrs <- fmt.Errorf("serve %s: %w", srv.Addr, err)
				return
			}
			serveErrs <- nil
		}()
	}
	state.MarkReady()

	var serveErr error
	select {
	case <-ctx.Done():
		logger.InfoContext(ctx, "shutting down", slog.String("delay", cfg.ShutdownDelay.String()))
		// Fail readiness first and keep serving for a while: endpoints controllers and load
		// balancers take a few seconds to stop routing here, and requests still arrive meanwhile.
		state.MarkDraining()
		time.Sleep(cfg.ShutdownDelay)
	case serveErr = <-serveErrs:
		// One server failed: shut the other down too and report it.
		state.MarkDraining()
	}

	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownTimeout)
	defer cancel()
	var errs []error
	for _, srv := range servers {
		if err := srv.Shutdown(shutdownCtx); err != nil {
			errs = append(errs, fmt.Errorf("shutdown %s: %w", srv.Addr, err))
		}
	}
	// Collect the serve goroutines' results (one may have been consumed by the select above).
	remaining := len(servers)
	if serveErr != nil {
		remaining--
		errs = append(errs, serveErr)
	}
	for range remaining {
		if err := <-serveErrs; err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	logger.InfoContext(shutdownCtx, "stopped")
	return nil
}
