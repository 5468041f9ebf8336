package batchprocessing

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/enos-go/batchprocessing/internal/ctxerr"
)

// stall says what a stallingGateway holds back, and how it is reached.
type stall struct {
	token   bool // the token service's answer too
	midBody bool // after the headers and part of the body, not before the headers
	h2      bool // over HTTP/2 and TLS, not HTTP/1.1
}

// stallingGateway answers the token request at once (unless s.token) and stalls every other
// request until it ends.
func stallingGateway(t *testing.T, s stall) *httptest.Server {
	t.Helper()
	release := make(chan struct{})
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/apim-token-service/v2.0/token/get" && !s.token {
			_, _ = w.Write([]byte(`{"status":0,"data":{"accessToken":"tok-0123456789","expire":7200}}`))
			return
		}
		if s.midBody {
			w.Header().Set("Content-Length", "1000")
			_, _ = w.Write([]byte(`{"code":0,"msg":"OK","data":{`))
			w.(http.Flusher).Flush()
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	if s.h2 {
		srv.EnableHTTP2 = true
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	return srv
}

// TestPerAttemptTimeout: an attempt that gets no whole answer in time, whether the
// headers, the body or the token service's answer is late, over HTTP/1.1 or HTTP/2, fails
// with a *TransportError whose Timeout reports true, that matches context.DeadlineExceeded
// as net/http's Client.Timeout errors do without holding the context's error (which would
// say that the caller's context ended), and that names the limit. The limit is
// WithTimeout's, else the Timeout of the WithHTTPClient client.
func TestPerAttemptTimeout(t *testing.T) {
	t.Parallel()
	const limit = 50 * time.Millisecond
	withTimeout := func(*httptest.Server) []Option { return []Option{WithTimeout(limit)} }
	overTLS := func(srv *httptest.Server) []Option { return []Option{WithHTTPClient(srv.Client()), WithTimeout(limit)} }
	tests := []struct {
		name  string
		stall stall
		opts  func(*httptest.Server) []Option
		op    string
	}{
		{"late headers", stall{}, withTimeout, "GetFlow"},
		{"late body", stall{midBody: true}, withTimeout, "GetFlow"},
		{"late token", stall{token: true}, withTimeout, "GetAccessToken"},
		{"HTTP/2, late headers", stall{h2: true}, overTLS, "GetFlow"},
		{"HTTP/2, late body", stall{midBody: true, h2: true}, overTLS, "GetFlow"},
		{"HTTP/2, late token", stall{token: true, h2: true}, overTLS, "GetAccessToken"},
		{"the WithHTTPClient client's Timeout", stall{midBody: true},
			func(*httptest.Server) []Option { return []Option{WithHTTPClient(&http.Client{Timeout: limit})} }, "GetFlow"},
		{"WithTimeout over the client's Timeout", stall{},
			func(*httptest.Server) []Option {
				return []Option{WithHTTPClient(&http.Client{Timeout: time.Hour}), WithTimeout(limit)}
			}, "GetFlow"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := stallingGateway(t, tt.stall)
			c, err := NewClient(srv.URL, "ak", "sk", append(tt.opts(srv), WithOrgID("o"), WithUserID("u"), WithoutRetries())...)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second) // a bound that is not the attempt's
			defer cancel()
			_, err = c.GetFlow(ctx, FlowRequest{FlowID: 1})
			var te *TransportError
			if !errors.As(err, &te) || !te.Timeout() || !errors.Is(err, context.DeadlineExceeded) || te.Operation != tt.op {
				t.Fatalf("err = %v, want a %s *TransportError that is a Timeout and matches context.DeadlineExceeded", err, tt.op)
			}
			if held := ctxerr.Held(err); held != nil {
				t.Errorf("err = %v holds %v itself, as if the caller's context had ended", err, held)
			}
			if want := "within the per-attempt timeout of 50ms"; !strings.Contains(err.Error(), want) {
				t.Errorf("err = %v, want it to say %q", err, want)
			}
		})
	}
}

// TestCallersDeadlineIsNoTimeout: the caller's deadline ending an attempt is no Timeout,
// though the error matches context.DeadlineExceeded.
func TestCallersDeadlineIsNoTimeout(t *testing.T) {
	t.Parallel()
	srv := stallingGateway(t, stall{})
	c, err := NewClient(srv.URL, "ak", "sk", WithOrgID("o"), WithUserID("u"), WithoutRetries())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = c.GetFlow(ctx, FlowRequest{FlowID: 1})
	var te *TransportError
	if !errors.As(err, &te) || te.Timeout() || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want context.DeadlineExceeded and no Timeout", err)
	}
	if strings.Contains(err.Error(), "per-attempt") {
		t.Errorf("err = %v names the per-attempt timeout", err)
	}
}

// TestNoPerAttemptTimeout: a WithHTTPClient client without a Timeout, and no WithTimeout,
// leaves attempts unbounded: only the caller's context ends them.
func TestNoPerAttemptTimeout(t *testing.T) {
	t.Parallel()
	srv := stallingGateway(t, stall{midBody: true})
	c, err := NewClient(srv.URL, "ak", "sk", WithHTTPClient(&http.Client{}), WithOrgID("o"), WithUserID("u"), WithoutRetries())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err = c.GetFlow(ctx, FlowRequest{FlowID: 1})
	var te *TransportError
	if !errors.As(err, &te) || te.Timeout() || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want the caller's deadline to end the call", err)
	}
}

// contextRecorder is a transport that answers every request and keeps each one's context.
type contextRecorder struct {
	answer http.RoundTripper
	mu     sync.Mutex
	seen   []context.Context
}

func (rec *contextRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	rec.mu.Lock()
	rec.seen = append(rec.seen, r.Context())
	rec.mu.Unlock()
	return rec.answer.RoundTrip(r)
}

// TestAttemptDeadline: each attempt, the token request's too, is sent with a deadline at
// most the limit away, released (its timer stopped) once the call has read the answer; the
// *http.Client the requests go through has no Timeout of its own, which would bound them
// a second time.
func TestAttemptDeadline(t *testing.T) {
	t.Parallel()
	_, mt, _ := newTestClient(t)
	mt.RegisterResponder(http.MethodPost, flowsURL, okInstance("1-20191122012300"))
	rec := &contextRecorder{answer: mt}
	c, err := NewClient(testEndpoint, "ak", "sk", WithHTTPClient(&http.Client{Transport: rec, Timeout: time.Hour}),
		WithTimeout(time.Minute), WithOrgID("o"), WithUserID("u"))
	if err != nil {
		t.Fatal(err)
	}
	if hc := c.http.(*httpSender).rest.GetClient(); hc.Timeout != 0 {
		t.Errorf("the client's *http.Client has Timeout %v, want none", hc.Timeout)
	}
	sent := time.Now()
	if _, err := trigger(c, 1); err != nil {
		t.Fatal(err)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.seen) != 2 {
		t.Fatalf("%d requests, want the token's and the trigger's", len(rec.seen))
	}
	for i, ctx := range rec.seen {
		deadline, ok := ctx.Deadline()
		if !ok || deadline.After(time.Now().Add(time.Minute)) || deadline.Before(sent.Add(time.Minute)) {
			t.Errorf("request %d: deadline %v (set %v), want a minute after it was sent", i, deadline, ok)
		}
		if !errors.Is(ctx.Err(), context.Canceled) {
			t.Errorf("request %d: its context's error after the call is %v, want it released (context.Canceled)", i, ctx.Err())
		}
	}
}
