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
// time, method, path, action, HTTP status (0 when none was sent: the connection dropped by
// an injected fault, or the client went away first), duration and, for a refused request,
// the reason the server gives in its X-Refserver-Reason header. Values that hold spaces,
// quotes, newlines or other control characters are quoted, so a path or query cannot forge
// a line (GET /x%0Afake logs path="/x\nfake"). It logs no request header, query value other
// than action, or body; the reason shows no SecretKey and tokens only shortened.
func logRequests(h http.Handler, w io.Writer) http.Handler {
	logger := slog.New(slog.NewTextHandler(w, nil))
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: rw}
		defer func() {
			aborted := recover() // http.ErrAbortHandler: a dropped connection, logged too
			attrs := []slog.Attr{
				slog.String("method", r.Method),
				slog.String("path", r.URL.Path),
				slog.String("action", gatewayquery.Parse(r.URL.RawQuery).Get("action")),
				slog.Int("status", rec.sent(r, aborted != nil)),
				slog.Duration("duration", time.Since(start).Round(time.Microsecond)),
			}
			if reason := rw.Header().Get(refserver.HeaderReason); reason != "" {
				attrs = append(attrs, slog.String("reason", reason))
			}
			logger.LogAttrs(r.Context(), slog.LevelInfo, "request", attrs...)
			if aborted != nil {
				panic(aborted)
			}
		}()
		h.ServeHTTP(rec, r)
	})
}

// statusRecorder remembers the status a handler writes. It unwraps to the writer it wraps,
// so that http.NewResponseController reaches the connection (the handler's read deadlines).
type statusRecorder struct {
	http.ResponseWriter
	status int // 0 until the handler writes
}

// WriteHeader records the status and passes it on.
func (r *statusRecorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
	r.ResponseWriter.WriteHeader(status)
}

// Write records the implicit 200 of a body written without a status, and passes it on.
func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// Unwrap returns the writer r wraps, for http.NewResponseController.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// sent is the status the client got: none (0) when the handler aborted the connection or
// wrote nothing for a client that went away, else the one written (net/http's implicit 200
// for a handler that wrote nothing).
func (r *statusRecorder) sent(req *http.Request, aborted bool) int {
	switch {
	case aborted, r.status == 0 && req.Context().Err() != nil:
		return 0
	case r.status == 0:
		return http.StatusOK
	}
	return r.status
}
