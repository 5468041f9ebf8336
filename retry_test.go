package batchprocessing

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
)

// fastRetries is a retry policy for tests: three retries with millisecond pauses.
var fastRetries = WithRetryPolicy(RetryPolicy{MaxRetries: 3, MinBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond})

// refused fails a round trip the way a refused connection does.
func refused(*http.Request) (*http.Response, error) {
	return nil, &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
}

// lost fails a round trip the way a connection lost after sending does.
func lost(*http.Request) (*http.Response, error) { return nil, io.ErrUnexpectedEOF }

func codeAnswer(code int, msg string) httpmock.Responder {
	return jsonResponder(200, map[string]any{"code": code, "msg": msg, "data": nil})
}

func gatewayError(status int) httpmock.Responder {
	return jsonResponder(status, map[string]any{"message": http.StatusText(status)})
}

var getInstanceURL = testEndpoint + flowInstancesPath

func TestReadRetries(t *testing.T) {
	t.Parallel()
	ok := okData(`{"instanceId":"1-20191122012300","flowId":1,"status":2}`)
	tests := []struct {
		name     string
		first    httpmock.Responder
		attempts int // of GetFlowInstance
		wantErr  error
	}{
		{"refused connection", refused, 2, nil},
		{"connection lost", lost, 2, nil},
		{"429", gatewayError(429), 2, nil},
		{"502", gatewayError(502), 2, nil},
		{"503", gatewayError(503), 2, nil},
		{"504", gatewayError(504), 2, nil},
		{"62109", codeAnswer(62109, "Internal server exception"), 2, nil},
		{"62102 is final", codeAnswer(62102, "Instance not found"), 1, ErrInvalidParameter},
		{"400 is final", gatewayError(400), 1, nil},
		{"html 500 is final", httpmock.NewStringResponder(500, "<html>"), 1, ErrUnexpectedResponse},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt, _ := newTestClient(t, fastRetries)
			var rec recorder
			mt.RegisterResponder(http.MethodGet, getInstanceURL, rec.wrap(tt.first.Then(ok)))
			_, err := c.GetFlowInstance(context.Background(), GetFlowInstanceRequest{FlowInstanceID: "1-20191122012300"})
			if n := len(rec.all()); n != tt.attempts {
				t.Errorf("%d attempts, want %d", n, tt.attempts)
			}
			if tt.attempts == 2 && err != nil {
				t.Errorf("err = %v after a retry", err)
			}
			if tt.attempts == 1 && (err == nil || (tt.wantErr != nil && !errors.Is(err, tt.wantErr))) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
			for _, r := range rec.all() {
				if r.header.Get(HeaderSignature) == "" {
					t.Error("an attempt was not signed")
				}
			}
		})
	}
}

// TestRetrySpellings: each way to say a number of retries sends that many attempts against
// a gateway that always answers 503; 0 is the default wherever it is said.
func TestRetrySpellings(t *testing.T) {
	t.Parallel()
	fast := func(n int) Option {
		return WithRetryPolicy(RetryPolicy{MaxRetries: n, MinBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond})
	}
	tests := []struct {
		name     string
		opts     []Option
		attempts int
	}{
		{"RetryPolicy{MaxRetries: 0}", []Option{fast(0)}, 4},
		{"WithMaxRetries(0)", []Option{fastRetries, WithMaxRetries(0)}, 4},
		{"RetryPolicy{MaxRetries: 1}", []Option{fast(1)}, 2},
		{"WithMaxRetries(1)", []Option{fastRetries, WithMaxRetries(1)}, 2},
		{"WithoutRetries()", []Option{fastRetries, WithoutRetries()}, 1},
		{"RetryPolicy{MaxRetries: NoRetries}", []Option{fast(NoRetries)}, 1},
		{"WithMaxRetries(NoRetries)", []Option{fastRetries, WithMaxRetries(NoRetries)}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt, _ := newTestClient(t, tt.opts...)
			mt.RegisterResponder(http.MethodGet, getInstanceURL, gatewayError(503))
			_, err := c.GetFlowInstance(context.Background(), GetFlowInstanceRequest{FlowInstanceID: "1-20191122012300"})
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.HTTPStatus != 503 {
				t.Errorf("err = %v, want the last 503", err)
			}
			if got := mt.GetCallCountInfo()["GET "+getInstanceURL]; got != tt.attempts {
				t.Errorf("%d attempts, want %d", got, tt.attempts)
			}
		})
	}
}

// TestRetrySignsEachAttempt: every attempt carries the same body bytes and a fresh
// timestamp and signature.
func TestRetrySignsEachAttempt(t *testing.T) {
	t.Parallel()
	var ms atomic.Int64
	ms.Store(testNowMillis)
	ticking := func() time.Time { return time.UnixMilli(ms.Add(1)) }
	c, mt, _ := newTestClient(t, fastRetries, WithClock(ticking))
	var rec recorder
	mt.RegisterResponder(http.MethodPost, testEndpoint+flowsPath, rec.wrap(
		gatewayError(429).Then(gatewayError(429)).Then(okData(`""`))))
	if err := c.EnableFlow(context.Background(), FlowRequest{FlowID: 7}); err != nil {
		t.Fatal(err)
	}
	reqs := rec.all()
	if len(reqs) != 3 {
		t.Fatalf("%d attempts, want 3", len(reqs))
	}
	seenTS, seenSig := map[string]bool{}, map[string]bool{}
	for _, r := range reqs {
		if string(r.body) != `{"flowId":7}` {
			t.Errorf("body %s", r.body)
		}
		seenTS[r.header.Get(HeaderTimestamp)] = true
		seenSig[r.header.Get(HeaderSignature)] = true
	}
	if len(seenTS) != 3 || len(seenSig) != 3 {
		t.Errorf("%d timestamps and %d signatures over 3 attempts, want 3 each", len(seenTS), len(seenSig))
	}
}

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	t.Run("honoured", func(t *testing.T) {
		t.Parallel()
		c, mt, _ := newTestClient(t, fastRetries)
		mt.RegisterResponder(http.MethodGet, getInstanceURL,
			gatewayError(429).HeaderSet(http.Header{"Retry-After": {"1"}}).Then(okData(`{"instanceId":"1-20191122012300"}`)))
		start := time.Now()
		if _, err := c.GetFlowInstance(context.Background(), GetFlowInstanceRequest{FlowInstanceID: "1-20191122012300"}); err != nil {
			t.Fatal(err)
		}
		if waited := time.Since(start); waited < 900*time.Millisecond {
			t.Errorf("waited %v, want the second of Retry-After", waited)
		}
	})
	t.Run("longer than allowed", func(t *testing.T) {
		t.Parallel()
		c, mt, _ := newTestClient(t, WithRetryPolicy(RetryPolicy{MaxRetries: 3, MaxRetryAfter: time.Second}))
		mt.RegisterResponder(http.MethodGet, getInstanceURL, gatewayError(429).HeaderSet(http.Header{"Retry-After": {"120"}}))
		_, err := c.GetFlowInstance(context.Background(), GetFlowInstanceRequest{FlowInstanceID: "1-20191122012300"})
		if !errors.Is(err, ErrRateLimited) || mt.GetTotalCallCount() != 2 { // token + one attempt
			t.Errorf("err = %v after %d calls", err, mt.GetTotalCallCount())
		}
	})
	t.Run("pause", func(t *testing.T) {
		t.Parallel()
		p := DefaultRetryPolicy()
		now := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
		for _, tt := range []struct {
			header string
			want   time.Duration
			ok     bool
		}{
			{"3", 3 * time.Second, true},
			{now.Add(10 * time.Second).Format(http.TimeFormat), 10 * time.Second, true},
			{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
			{"3600", 0, false},
			{"9300000000", 0, false},              // seconds whose duration overflows int64 nanoseconds
			{"99999999999999999999999", 0, false}, // past uint64
		} {
			d, ok := p.pause(2, &response{status: 429, header: http.Header{"Retry-After": {tt.header}}}, now)
			if d != tt.want || ok != tt.ok {
				t.Errorf("Retry-After %q: %v %v, want %v %v", tt.header, d, ok, tt.want, tt.ok)
			}
		}
		// Without Retry-After: exponential, capped, jittered over [d/2, d].
		for next, ceiling := range map[int]time.Duration{2: 250 * time.Millisecond, 3: 500 * time.Millisecond, 4: time.Second, 12: 8 * time.Second} {
			for i := 0; i < 50; i++ {
				d, _ := p.pause(next, &response{status: 503}, now)
				if d < ceiling/2 || d > ceiling {
					t.Fatalf("attempt %d: pause %v outside [%v, %v]", next, d, ceiling/2, ceiling)
				}
			}
		}
	})
}

func TestRetryStopsWhenContextEnds(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, WithRetryPolicy(RetryPolicy{MaxRetries: 5, MinBackoff: 10 * time.Second, MaxBackoff: 10 * time.Second}))
	mt.RegisterResponder(http.MethodGet, getInstanceURL, gatewayError(503))
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.GetFlowInstance(ctx, GetFlowInstanceRequest{FlowInstanceID: "1-20191122012300"})
	if time.Since(start) > 5*time.Second {
		t.Fatal("the backoff outlived the context")
	}
	var apiErr *APIError
	if !errors.Is(err, context.DeadlineExceeded) || !errors.As(err, &apiErr) || apiErr.HTTPStatus != 503 {
		t.Errorf("err = %v, want the 503 and the deadline", err)
	}
}

func TestWritesThatAreNotSafeToRepeat(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		first    httpmock.Responder
		attempts int
	}{
		{"refused connection is resent", refused, 2},
		{"429 is resent", gatewayError(429), 2},
		{"503 is not", gatewayError(503), 1},
		{"connection lost is not", lost, 1},
		{"62109 is not", codeAnswer(62109, "Internal server exception"), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt, _ := newTestClient(t, fastRetries)
			var rec recorder
			mt.RegisterResponder(http.MethodPost, getInstanceURL, rec.wrap(tt.first.Then(okData(`""`))))
			err := c.CancelFlowInstance(context.Background(), CancelFlowInstanceRequest{FlowInstanceID: "1-20191122012300"})
			if n := len(rec.all()); n != tt.attempts {
				t.Errorf("%d attempts, want %d (err %v)", n, tt.attempts, err)
			}
		})
	}
	// Idempotent writes retry like reads.
	c, mt, _ := newTestClient(t, fastRetries)
	mt.RegisterResponder(http.MethodPost, flowsURL, gatewayError(503).Then(okData(`""`)))
	if err := c.DisableFlow(context.Background(), FlowRequest{FlowID: 3}); err != nil {
		t.Errorf("DisableFlow after a 503: %v", err)
	}
}

func TestTokenFailuresAndRetries(t *testing.T) {
	t.Parallel()
	t.Run("token service unavailable, then up", func(t *testing.T) {
		t.Parallel()
		c, mt, _ := newTestClient(t, fastRetries)
		mt.RegisterResponder(http.MethodPost, tokenGetURL, gatewayError(503).Then(tokenResponder(testToken, 7200)))
		mt.RegisterResponder(http.MethodPost, flowsURL, okInstance("1-20191122012300"))
		if _, err := trigger(c, 1); err != nil {
			t.Fatal(err)
		}
		if n := mt.GetCallCountInfo()["POST "+flowsURL]; n != 1 {
			t.Errorf("%d triggers sent, want 1", n)
		}
	})
	t.Run("wrong keys are final", func(t *testing.T) {
		t.Parallel()
		c, mt, _ := newTestClient(t, fastRetries)
		mt.RegisterResponder(http.MethodPost, tokenGetURL, jsonResponder(200, map[string]any{"status": 1002, "msg": "The appKey does not exist"}))
		if _, err := trigger(c, 1); !errors.Is(err, ErrUnauthorized) {
			t.Fatalf("err = %v", err)
		}
		if n := mt.GetCallCountInfo()["POST "+tokenGetURL]; n != 1 {
			t.Errorf("%d token requests, want 1", n)
		}
	})
	t.Run("1203 on a call renews the token", func(t *testing.T) {
		t.Parallel()
		c, mt, _ := newTestClient(t)
		mt.RegisterResponder(http.MethodPost, tokenGetURL, tokenResponder("old", 7200).Then(tokenResponder("new", 7200)))
		var rec recorder
		mt.RegisterResponder(http.MethodGet, getInstanceURL, rec.wrap(codeAnswer(CodeTokenExpired, "The access token has expired").
			Then(okData(`{"instanceId":"1-20191122012300"}`))))
		if _, err := c.GetFlowInstance(context.Background(), GetFlowInstanceRequest{FlowInstanceID: "1-20191122012300"}); err != nil {
			t.Fatal(err)
		}
		if reqs := rec.all(); len(reqs) != 2 || reqs[1].header.Get(HeaderAccessToken) != "new" {
			t.Errorf("attempts %d, second with %q", len(reqs), reqs[len(reqs)-1].header.Get(HeaderAccessToken))
		}
	})
}

// skewedGateway answers like the gateway: 401, with its Date, when a call's timestamp is
// more than 15 minutes from its clock.
func skewedGateway(server time.Time, next httpmock.Responder) httpmock.Responder {
	return func(req *http.Request) (*http.Response, error) {
		ts, _ := strconv.ParseInt(req.Header.Get(HeaderTimestamp), 10, 64)
		var resp *http.Response
		var err error
		if d := server.Sub(time.UnixMilli(ts)); d > 15*time.Minute || d < -15*time.Minute {
			resp, err = gatewayError(401)(req)
		} else {
			resp, err = next(req)
		}
		if resp != nil {
			resp.Header.Set("Date", server.Format(http.TimeFormat))
		}
		return resp, err
	}
}

func TestClockSkewCorrected(t *testing.T) {
	t.Parallel()
	server := time.UnixMilli(testNowMillis).Add(40 * time.Minute) // our clock is 40 min behind
	c, mt, clock := newTestClient(t)
	var rec recorder
	mt.RegisterResponder(http.MethodPost, flowsURL, rec.wrap(skewedGateway(server, okInstance("1-20191122012300"))))
	if _, err := trigger(c, 1); err != nil {
		t.Fatalf("err = %v, want success after correcting the clock", err)
	}
	reqs := rec.all()
	if len(reqs) != 2 {
		t.Fatalf("%d attempts, want 2", len(reqs))
	}
	ts, _ := strconv.ParseInt(reqs[1].header.Get(HeaderTimestamp), 10, 64)
	if d := time.UnixMilli(ts).Sub(server); d > 2*time.Second || d < -2*time.Second {
		t.Errorf("corrected timestamp off the server's clock by %v", d)
	}
	// The correction stays: the next call is signed right the first time.
	clock.Advance(time.Second)
	if _, err := trigger(c, 1); err != nil || len(rec.all()) != 3 {
		t.Errorf("err %v after %d attempts, want one more attempt", err, len(rec.all()))
	}
}

func TestNoLogFoundIsNotRetried(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, fastRetries)
	mt.RegisterResponder(http.MethodGet, testEndpoint+taskInstancesPath, codeAnswer(62109, "No log found"))
	_, err := c.GetTaskInstanceLog(context.Background(), GetTaskInstanceLogRequest{TaskInstanceID: "1-20191122012300"})
	if !errors.Is(err, ErrInternalServer) {
		t.Fatalf("err = %v", err)
	}
	if n := mt.GetCallCountInfo()["GET "+testEndpoint+taskInstancesPath]; n != 1 {
		t.Errorf("%d attempts, want 1", n)
	}
}

func TestRefusedCertificateIsNotRetried(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, fastRetries)
	mt.RegisterResponder(http.MethodGet, getInstanceURL, func(*http.Request) (*http.Response, error) {
		return nil, &tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}
	})
	_, err := c.GetFlowInstance(context.Background(), GetFlowInstanceRequest{FlowInstanceID: "1-20191122012300"})
	var certErr *tls.CertificateVerificationError
	if !errors.As(err, &certErr) {
		t.Fatalf("err = %v", err)
	}
	if n := mt.GetCallCountInfo()["GET "+getInstanceURL]; n != 1 {
		t.Errorf("%d attempts, want 1", n)
	}
}

func TestWithRetryPolicyZeroFields(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in   RetryPolicy
		want int
	}{
		{RetryPolicy{MinBackoff: time.Second}, 3}, // zero MaxRetries takes the default
		{RetryPolicy{MaxRetries: NoRetries}, 0},   // NoRetries turns retries off
		{RetryPolicy{}, 3},                        // the zero policy is the default
		{RetryPolicy{MaxRetries: 5}, 5},
	} {
		var s settings
		if err := WithRetryPolicy(tt.in)(&s); err != nil {
			t.Fatal(err)
		}
		if s.retry.MaxRetries != tt.want || s.retry.MaxBackoff < s.retry.MinBackoff || s.retry.MaxRetryAfter == 0 {
			t.Errorf("%+v gave %+v", tt.in, s.retry)
		}
	}
	var s settings
	if err := WithRetryPolicy(RetryPolicy{MinBackoff: time.Second, MaxBackoff: time.Millisecond})(&s); err == nil {
		t.Error("MaxBackoff below MinBackoff accepted")
	}
}

// cancelOnClose is a response body that ends a context when it is closed.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b cancelOnClose) Close() error {
	b.cancel()
	return b.ReadCloser.Close()
}

// TestDecisionsLogged: every decision after a failed attempt is a debug record with its
// reason, giving up included, whatever made the call give up.
func TestDecisionsLogged(t *testing.T) {
	t.Parallel()
	tooLong := gatewayError(429).HeaderSet(http.Header{"Retry-After": {"3600"}})
	for _, tt := range []struct {
		name    string
		answer  httpmock.Responder
		policy  CallOption
		cancels bool // the context ends once the answer is read
		want    []string
	}{
		{"retry, renew, a final answer", gatewayError(503).Then(gatewayError(401)).Then(gatewayError(403)), nil, false, []string{
			`msg="batchprocessing retry" operation=GetFlowInstance attempt=2`, `reason="a passing failure of the service: the call is safe to repeat"`,
			`msg="batchprocessing renew token"`, `reason="the gateway refused the access token"`,
			`msg="batchprocessing give up"`, `reason="a final response"`,
		}},
		{"no retries left", gatewayError(503), WithCallRetryPolicy(RetryPolicy{MaxRetries: 1, MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond}), false, []string{
			`msg="batchprocessing retry" operation=GetFlowInstance attempt=2`,
			`msg="batchprocessing give up" operation=GetFlowInstance attempt=2 reason="a passing failure of the service: the call is safe to repeat; no retries left"`,
		}},
		{"a pause longer than the policy allows", tooLong, nil, false, []string{
			`msg="batchprocessing give up" operation=GetFlowInstance attempt=1 reason="the gateway's rate limit; the server asked for a longer pause than the policy allows"`,
		}},
		{"a token refused again after its renewal", gatewayError(401), nil, false, []string{
			`msg="batchprocessing renew token" operation=GetFlowInstance attempt=1`,
			`msg="batchprocessing give up" operation=GetFlowInstance attempt=2 reason="the gateway refused the access token again, after a renewal"`,
		}},
		{"the context ended", gatewayError(503), nil, true, []string{
			`msg="batchprocessing give up" operation=GetFlowInstance attempt=1 reason="a passing failure of the service: the call is safe to repeat; the context ended"`,
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var logs bytes.Buffer
			logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			c, mt, _ := newTestClient(t, fastRetries, WithLogger(logger))
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			answer := tt.answer
			if tt.cancels { // once the answer is read: httpmock races a context that ends before
				answer = func(req *http.Request) (*http.Response, error) {
					resp, err := tt.answer(req)
					if err == nil {
						resp.Body = cancelOnClose{resp.Body, cancel}
					}
					return resp, err
				}
			}
			mt.RegisterResponder(http.MethodGet, getInstanceURL, answer)
			if _, err := c.GetFlowInstance(ctx, GetFlowInstanceRequest{FlowInstanceID: "1-20191122012300"}, tt.policy); err == nil {
				t.Fatal("the call succeeded")
			}
			for _, want := range tt.want {
				if !strings.Contains(logs.String(), want) {
					t.Errorf("log lacks %s:\n%s", want, logs.String())
				}
			}
		})
	}
}
