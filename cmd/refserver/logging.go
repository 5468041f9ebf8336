package main

import (
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/enos-go/batchprocessing/internal/gatewayquery"
	"github.com/enos-go/batchprocessing/refserver"
)

// logRequests wraps h to log each request on w, one line each, with slog's text handler:
// time, method, path, action, HTTP status, duration and, for a refused request, the reason
// the server gives in its X-Refserver-Reason header. Values that hold spaces, quotes,
// newlines or other control characters are quoted, so a path or query cannot forge a line
// (GET /x%0Afake logs path="/x\nfake"). It logs no request header, query value other than
// action, or body; the reason shows no SecretKey and tokens only shortened.
func logRequests(h http.Handler, w io.Writer) http.Handler {
	logger := slog.New(slog.NewTextHandler(w, nil))
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: rw, status: http.StatusOK}
		h.ServeHTTP(rec, r)
		attrs := []slog.Attr{
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.String("action", gatewayquery.Parse(r.URL.RawQuery).Get("action")),
			slog.Int("status", rec.status),
			slog.Duration("duration", time.Since(start).Round(time.Microsecond)),
		}
		if reason := rw.Header().Get(refserver.HeaderReason); reason != "" {
			attrs = append(attrs, slog.String("reason", reason))
		}
		logger.LogAttrs(r.Context(), slog.LevelInfo, "request", attrs...)
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
