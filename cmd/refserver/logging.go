package main

import (
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// logRequests wraps h to log each request on w: method, path, action, HTTP status and
// duration. It logs no header, query value other than action, or body, so no key, token or
// signature.
func logRequests(h http.Handler, w io.Writer) http.Handler {
	var mu sync.Mutex
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: rw, status: http.StatusOK}
		h.ServeHTTP(rec, r)
		action := ""
		if a := r.URL.Query().Get("action"); a != "" {
			action = " action=" + a
		}
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(w, "%s %s %s%s %d %s\n", start.Format("15:04:05.000"), r.Method, r.URL.Path, action,
			rec.status, time.Since(start).Round(time.Microsecond))
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
