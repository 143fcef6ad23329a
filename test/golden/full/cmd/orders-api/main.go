// Command orders-api serves the orders-api HTTP API. Configuration comes from the environment; the
// README lists every variable.
package main

import (
	"context"
	"log/slog"
	"os"
)

func main() {
	if err := run(context.Background(), os.Args, os.Getenv, os.Stdout, os.Stderr); err != nil {
		logger := slog.New(slog.NewJSONHandler(os.Stderr, nil))
		logger.Error("exiting", slog.String("service", serviceName), slog.Any("error", err))
		os.Exit(1)
	}
}
