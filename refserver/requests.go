package refserver

import (
	"net/http"

	"github.com/enos-go/batchprocessing/internal/gatewayquery"
)

// This file keeps the server's log of the last requests and how each was judged, which the
// control API shows (GET /_refserver/state).

// maxRequestLog is how many requests the log keeps: the most recent ones.
const maxRequestLog = 200

// verdict is how the server judged a request: the HTTP status, the business code or token
// service status (0 for success), the message, and for a refusal, why.
type verdict struct {
	status int
	code   int
	msg    string
	reason string
}

// verdictOf is the verdict of an answer with HTTP status and failure f (nil: success).
func verdictOf(status int, f *failure, reason string) verdict {
	if f == nil {
		return verdict{status: status, reason: reason}
	}
	return verdict{status: status, code: f.code, msg: f.msg, reason: reason}
}

// requestLog is a ring of the last maxRequestLog requests, as Requests returns them.
type requestLog struct {
	items []Request
	next  int // where the next one goes once the ring is full
}

// add records one request.
func (l *requestLog) add(r Request) {
	if len(l.items) < maxRequestLog {
		l.items = append(l.items, r)
		return
	}
	l.items[l.next] = r
	l.next = (l.next + 1) % maxRequestLog
}

// last returns a copy of the n most recent requests, oldest first.
func (l *requestLog) last(n int) []Request {
	ordered := append(append([]Request(nil), l.items[l.next:]...), l.items[:l.next]...)
	return ordered[max(len(ordered)-n, 0):]
}

// record adds a judged request to the log, at the server clock.
func (st *state) record(r *http.Request, v verdict) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.requests.add(Request{Time: st.now(), Method: r.Method, Path: r.URL.Path, Action: gatewayquery.Parse(r.URL.RawQuery).Get("action"),
		Status: v.status, Code: v.code, Msg: v.msg, Reason: v.reason})
}
