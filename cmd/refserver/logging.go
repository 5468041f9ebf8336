package main

import (
	"io"
	"log/slog"
	"net/http"
	"time"
)

// logRequests wraps h to log each request on w, one line each, with slog's text handler:
// time, method, path, action, HTTP status and duration. Values that hold spaces, quotes,
// newlines or other control characters are quoted, so a path or query cannot forge a line
// (GET /x%0Afake logs path="/x\nfake"). It logs no header, query value other than action, or
// body, so no key, token or signature.
func logRequests(h http.Handler, w io.Writer) http.Handler {
	logger := slog.New(slog.NewTextHandler(w, nil))
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: rw, status: http.StatusOK}
		h.ServeHTTP(rec, r)
		logger.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.String("action", r.URL.Query().Get("action")),
			slog.Int("status", rec.status),
			slog.Duration("duration", time.Since(start).Round(time.Microsecond)))
	})
}

// statusRecorder remembers the status a handler writes.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

// WriteHeader records the status and passes it on.
func (r *statusRecorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}
