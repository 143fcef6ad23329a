package server

import (
	"encoding/json"
	"log/slog"
	"net/http"
)

// handleHello is the example endpoint: GET /v1/hello/{name} answers {"message": "hello, <name>"}.
func handleHello(logger *slog.Logger) http.Handler {
	type response struct {
		Message string `json:"message"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, r, logger, http.StatusOK, response{Message: "hello, " + r.PathValue("name")})
	})
}

// writeJSON encodes v as the response body. An encoding error after the header is sent can only
// be logged.
func writeJSON(w http.ResponseWriter, r *http.Request, logger *slog.Logger, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		logger.ErrorContext(r.Context(), "writing response", slog.Any("error", err))
	}
}
