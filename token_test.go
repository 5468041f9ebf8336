package batchprocessing

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/enos-go/batchprocessing/internal/signing"
	"github.com/enos-go/batchprocessing/internal/signing/signingtest"
	"github.com/jarcoal/httpmock"
)

func TestTokenRequestAndCaching(t *testing.T) {
	t.Parallel()
	c, mt, clock := newTestClient(t)
	var rec recorder
	mt.RegisterResponder(http.MethodPost, tokenGetURL, rec.wrap(tokenResponder(testToken, 7200)))
	mt.RegisterResponder(http.MethodPost, flowsURL, okInstance("1-20191122012300"))
	for i := 0; i < 3; i++ {
		if _, err := trigger(c, 1); err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Minute)
	}
	reqs := rec.all()
	if len(reqs) != 1 {
		t.Fatalf("%d token requests for 3 calls, want 1", len(reqs))
	}
	// The documented body, vector V1: appKey, encryption, timestamp as a number.
	v1 := signingtest.Load(t, "testdata/signing-vectors.json").TokenRequests[0]
	if string(reqs[0].body) != v1.Body {
		t.Errorf("token request body = %s, want %s", reqs[0].body, v1.Body)
	}
	if ct := reqs[0].header.Get("Content-Type"); ct != contentTypeJSON {
		t.Errorf("Content-Type = %q", ct)
	}
	for _, h := range []string{HeaderAccessToken, HeaderSignature, HeaderTimestamp} {
		if reqs[0].header.Get(h) != "" {
			t.Errorf("token request carries %s", h)
		}
	}
}

func TestTokenRenewedBeforeExpiry(t *testing.T) {
	t.Parallel()
	c, mt, clock := newTestClient(t)
	var gets, refreshes recorder
	var api recorder
	mt.RegisterResponder(http.MethodPost, tokenGetURL, gets.wrap(tokenResponder("token-1", 600)))
	mt.RegisterResponder(http.MethodPost, tokenRefURL, refreshes.wrap(tokenResponder("token-2", 600)))
	mt.RegisterResponder(http.MethodPost, flowsURL, api.wrap(okInstance("1-20191122012300")))

	if _, err := trigger(c, 1); err != nil {
		t.Fatal(err)
	}
	// A 600 s token is renewed in its last 60 s.
	clock.Advance(539 * time.Second)
	if _, err := trigger(c, 1); err != nil {
		t.Fatal(err)
	}
	if n := len(refreshes.all()); n != 0 {
		t.Fatalf("renewed %d times 61 s before expiry", n)
	}
	clock.Advance(2 * time.Second)
	if _, err := trigger(c, 1); err != nil {
		t.Fatal(err)
	}
	ref := refreshes.all()
	if len(ref) != 1 || len(gets.all()) != 1 {
		t.Fatalf("%d refreshes and %d gets, want 1 and 1", len(ref), len(gets.all()))
	}
	body := decodeJSONMap(t, ref[0].body)
	if body["accessToken"] != "token-1" || body["appKey"] != testAccessKey || body["encryption"] == "" {
		t.Errorf("refresh body = %s", ref[0].body)
	}
	calls := api.all()
	for i, want := range []string{"token-1", "token-1", "token-2"} {
		if got := calls[i].header.Get(HeaderAccessToken); got != want {
			t.Errorf("call %d signed with %q, want %q", i, got, want)
		}
	}
}

func TestTokenRefreshRefusedFallsBackToGet(t *testing.T) {
	t.Parallel()
	c, mt, clock := newTestClient(t)
	mt.RegisterResponder(http.MethodPost, tokenGetURL, tokenResponder("token-1", 600).Then(tokenResponder("token-3", 600)))
	mt.RegisterResponder(http.MethodPost, tokenRefURL, jsonResponder(200, map[string]any{"status": 1204, "msg": "Failed to refresh access token"}))
	var api recorder
	mt.RegisterResponder(http.MethodPost, flowsURL, api.wrap(okInstance("1-20191122012300")))
	if _, err := trigger(c, 1); err != nil {
		t.Fatal(err)
	}
	clock.Advance(590 * time.Second)
	if _, err := trigger(c, 1); err != nil {
		t.Fatal(err)
	}
	if got := api.all()[1].header.Get(HeaderAccessToken); got != "token-3" {
		t.Errorf("signed with %q after a refused refresh, want token-3", got)
	}
	counts := mt.GetCallCountInfo()
	if counts["POST "+tokenGetURL] != 2 || counts["POST "+tokenRefURL] != 1 {
		t.Errorf("token calls = %v, want 2 gets and 1 refresh", counts)
	}
}

func TestTokenExpiredIsFetchedAgain(t *testing.T) {
	t.Parallel()
	c, mt, clock := newTestClient(t)
	mt.RegisterResponder(http.MethodPost, tokenGetURL, tokenResponder("token-1", 600).Then(tokenResponder("token-2", 600)))
	var api recorder
	mt.RegisterResponder(http.MethodPost, flowsURL, api.wrap(okInstance("1-20191122012300")))
	if _, err := trigger(c, 1); err != nil {
		t.Fatal(err)
	}
	clock.Advance(601 * time.Second)
	if _, err := trigger(c, 1); err != nil {
		t.Fatal(err)
	}
	if mt.GetCallCountInfo()["POST "+tokenRefURL] != 0 {
		t.Error("an expired token was refreshed instead of got anew")
	}
	if got := api.all()[1].header.Get(HeaderAccessToken); got != "token-2" {
		t.Errorf("signed with %q, want token-2", got)
	}
}

func TestTokenTimestampsStrictlyIncrease(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t)
	var gets recorder
	mt.RegisterResponder(http.MethodPost, tokenGetURL, gets.wrap(tokenResponder("t", 7200)))
	mt.RegisterResponder(http.MethodPost, flowsURL, jsonResponder(401, map[string]any{"message": "Invalid authentication credentials"}))
	// Each 401 drops the token, so each attempt gets a new one; the clock stands still.
	for i := 0; i < 3; i++ {
		if _, err := trigger(c, 1); !errors.Is(err, ErrUnauthorized) {
			t.Fatalf("err = %v", err)
		}
	}
	seen := map[string]bool{}
	reqs := gets.all()
	for _, r := range reqs {
		ts := decodeJSONMap(t, r.body)["timestamp"].(interface{ String() string }).String()
		if seen[ts] {
			t.Errorf("timestamp %s reused: the token service would answer 1001", ts)
		}
		seen[ts] = true
	}
	if len(reqs) != 6 {
		t.Errorf("%d token requests, want 6 (each call renews once after its 401)", len(reqs))
	}
}

func TestTokenOneRequestForManyGoroutines(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t)
	var tokenCalls atomic.Int32
	mt.RegisterResponder(http.MethodPost, tokenGetURL, func(req *http.Request) (*http.Response, error) {
		tokenCalls.Add(1)
		time.Sleep(50 * time.Millisecond)
		return tokenResponder(testToken, 7200)(req)
	})
	mt.RegisterResponder(http.MethodPost, flowsURL, okInstance("1-20191122012300"))
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := 0; i < 64; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := trigger(c, 1); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := tokenCalls.Load(); n != 1 {
		t.Errorf("%d token requests, want 1", n)
	}
}

// TestLateRefusalsKeepTheRenewedToken: the token service answers with the same token until
// it expires, as Get Access Token does. 64 calls signed with it are refused with 401, half
// of the refusals arriving after the renewal: the renewal brought the same value back, and
// those late refusals of the token as cached before must not forget it again. One renewal,
// two token requests in all.
func TestLateRefusalsKeepTheRenewedToken(t *testing.T) {
	t.Parallel()
	const calls = 64
	c, mt, _ := newTestClient(t)
	var tokenCalls, flowCalls atomic.Int32
	mt.RegisterResponder(http.MethodPost, tokenGetURL, func(req *http.Request) (*http.Response, error) {
		tokenCalls.Add(1)
		return tokenResponder(testToken, 7200)(req)
	})
	var arrived sync.WaitGroup
	arrived.Add(calls)
	unauthorized := jsonResponder(401, map[string]any{"message": "Invalid authentication credentials"})
	mt.RegisterResponder(http.MethodPost, flowsURL, func(req *http.Request) (*http.Response, error) {
		n := flowCalls.Add(1)
		if n > calls {
			return okInstance("1-20191122012300")(req)
		}
		arrived.Done()
		arrived.Wait() // every call has sent its first attempt, signed with the first token
		if n > calls/2 {
			for deadline := time.Now().Add(5 * time.Second); tokenCalls.Load() < 2 && time.Now().Before(deadline); {
				time.Sleep(time.Millisecond) // the late half: refused once the renewal is done
			}
			time.Sleep(10 * time.Millisecond)
		}
		return unauthorized(req)
	})
	var wg sync.WaitGroup
	for range calls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := trigger(c, 1); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := tokenCalls.Load(); n != 2 {
		t.Errorf("%d token requests, want 2: the first token and one renewal", n)
	}
}

func TestTokenFailureSharedByWaiters(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t)
	var tokenCalls atomic.Int32
	mt.RegisterResponder(http.MethodPost, tokenGetURL, func(req *http.Request) (*http.Response, error) {
		tokenCalls.Add(1)
		time.Sleep(50 * time.Millisecond)
		return jsonResponder(200, map[string]any{"status": 1002, "msg": "The appKey does not exist"})(req)
	})
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := trigger(c, 1); !errors.Is(err, ErrUnauthorized) {
				t.Errorf("err = %v, want ErrUnauthorized", err)
			}
		}()
	}
	wg.Wait()
	if n := tokenCalls.Load(); n != 1 {
		t.Errorf("%d token requests for one failure, want 1", n)
	}
	if n := mt.GetCallCountInfo()["POST "+flowsURL]; n != 0 {
		t.Errorf("%d API calls without a token", n)
	}
}

func TestTokenLeaderCancelledWaiterContinues(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t)
	release := make(chan struct{})
	first := true
	var mu sync.Mutex
	mt.RegisterResponder(http.MethodPost, tokenGetURL, func(req *http.Request) (*http.Response, error) {
		mu.Lock()
		isFirst := first
		first = false
		mu.Unlock()
		if isFirst {
			select { // the leader's request hangs until its context ends
			case <-req.Context().Done():
				return nil, req.Context().Err()
			case <-release:
			}
		}
		return tokenResponder(testToken, 7200)(req)
	})
	mt.RegisterResponder(http.MethodPost, flowsURL, okInstance("1-20191122012300"))
	leaderCtx, cancel := context.WithCancel(context.Background())
	leaderDone := make(chan error, 1)
	go func() {
		_, err := c.TriggerFlow(leaderCtx, TriggerFlowRequest{FlowID: 1})
		leaderDone <- err
	}()
	time.Sleep(20 * time.Millisecond) // let the leader start its token request
	waiterDone := make(chan error, 1)
	go func() {
		_, err := trigger(c, 1)
		waiterDone <- err
	}()
	time.Sleep(20 * time.Millisecond)
	cancel()
	if err := <-leaderDone; !errors.Is(err, context.Canceled) {
		t.Errorf("leader err = %v, want context.Canceled", err)
	}
	select {
	case err := <-waiterDone:
		if err != nil {
			t.Errorf("waiter err = %v, want success with its own token request", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("waiter stuck after the leader gave up")
	}
	close(release)
}

// TestTokenWaiterContextEnds: a caller whose context ends while it waits for another
// caller's token request gets the *TransportError the leader would get, naming the token
// request it waited for, and the leader's request goes on.
func TestTokenWaiterContextEnds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, op, path, url string
		cached              bool // the waiter waits for a refresh of a token that expired meanwhile
	}{
		{"get", "GetAccessToken", signing.TokenGetPath, tokenGetURL, false},
		{"refresh", "RefreshAccessToken", signing.TokenRefreshPath, tokenRefURL, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt, clock := newTestClient(t)
			mt.RegisterResponder(http.MethodPost, flowsURL, okInstance("1-20191122012300"))
			if tt.cached {
				if _, err := trigger(c, 1); err != nil {
					t.Fatal(err)
				}
				clock.Advance(7200*time.Second - time.Minute) // in the renewal margin
			}
			started, release := make(chan struct{}), make(chan struct{})
			mt.RegisterResponder(http.MethodPost, tt.url, func(req *http.Request) (*http.Response, error) {
				close(started)
				<-release
				return tokenResponder("token-2", 7200)(req)
			})
			leaderDone := make(chan error, 1)
			go func() {
				_, err := trigger(c, 1)
				leaderDone <- err
			}()
			<-started
			clock.Advance(2 * time.Minute) // past the cached token's expiry: the waiter needs the new one
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
			defer cancel()
			_, err := c.TriggerFlow(ctx, TriggerFlowRequest{FlowID: 1})
			var te *TransportError
			if !errors.As(err, &te) || te.Operation != tt.op || te.Method != http.MethodPost || te.Path != tt.path ||
				!errors.Is(err, context.DeadlineExceeded) || te.Timeout() {
				t.Errorf("waiter: %v (%T), want a *TransportError of %s %s that ended with its context", err, err, tt.op, tt.path)
			}
			close(release)
			if err := <-leaderDone; err != nil {
				t.Errorf("leader: %v", err)
			}
		})
	}
}

func TestTokenServiceErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		responder  httpmock.Responder
		sentinel   error
		code       int
		status     int
		unexpected bool
	}{
		{"1002 unknown appKey", jsonResponder(200, map[string]any{"status": 1002, "msg": "The appKey does not exist", "business": "apim-token-service"}), ErrUnauthorized, 1002, 200, false},
		{"1003 bad encryption", jsonResponder(200, map[string]any{"status": 1003, "msg": "The encryption is not valid"}), ErrUnauthorized, 1003, 200, false},
		{"1203 expired", jsonResponder(200, map[string]any{"status": 1203, "msg": "The access token has expired"}), ErrTokenExpired, 1203, 200, false},
		{"1001 replay", jsonResponder(200, map[string]any{"status": 1001, "msg": "Repeated requests"}), nil, 1001, 200, false},
		{"status as string", httpmock.NewStringResponder(200, `{"status":"1002","msg":"no app"}`), ErrUnauthorized, 1002, 200, false},
		{"gateway 429", jsonResponder(429, map[string]any{"message": "API rate limit exceeded"}), ErrRateLimited, 0, 429, false},
		{"html 502", httpmock.NewStringResponder(502, "<html>bad gateway</html>"), ErrUnexpectedResponse, 0, 502, true},
		{"empty", httpmock.NewStringResponder(200, ""), ErrUnexpectedResponse, 0, 200, true},
		{"no token", httpmock.NewStringResponder(200, `{"status":0,"msg":"SUCCESS","data":{}}`), ErrUnexpectedResponse, 0, 200, true},
		{"data null", httpmock.NewStringResponder(200, `{"status":0,"msg":"SUCCESS","data":null}`), ErrUnexpectedResponse, 0, 200, true},
		{"code envelope", httpmock.NewStringResponder(200, `{"code":0,"msg":"OK"}`), ErrUnexpectedResponse, 0, 200, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt, _ := newTestClient(t)
			mt.RegisterResponder(http.MethodPost, tokenGetURL, tt.responder)
			_, err := trigger(c, 1)
			var apiErr *APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("err = %v (%T), want *APIError", err, err)
			}
			if tt.sentinel != nil && !errors.Is(err, tt.sentinel) {
				t.Errorf("errors.Is(%v, %v) = false", err, tt.sentinel)
			}
			if apiErr.Operation != "GetAccessToken" || apiErr.Code != tt.code || apiErr.HTTPStatus != tt.status || apiErr.Unexpected != tt.unexpected {
				t.Errorf("got %+v", apiErr)
			}
			if n := mt.GetCallCountInfo()["POST "+flowsURL]; n != 0 {
				t.Errorf("%d API calls without a token", n)
			}
		})
	}
}

func TestTokenTolerantDecoding(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, body string }{
		{"documentation's typo stauts", `{"stauts":0,"msg":"SUCCESS","data":{"accessToken":"tok","expire":7200}}`},
		{"expire as string", `{"status":0,"msg":"SUCCESS","data":{"accessToken":"tok","expire":"7200"}}`},
		{"no expire", `{"status":0,"data":{"accessToken":"tok"}}`},
		{"no status", `{"data":{"accessToken":"tok","expire":7200}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt, _ := newTestClient(t)
			mt.RegisterResponder(http.MethodPost, tokenGetURL, httpmock.NewStringResponder(200, tt.body))
			var api recorder
			mt.RegisterResponder(http.MethodPost, flowsURL, api.wrap(okInstance("1-20191122012300")))
			if _, err := trigger(c, 1); err != nil {
				t.Fatal(err)
			}
			if got := api.all()[0].header.Get(HeaderAccessToken); got != "tok" {
				t.Errorf("signed with %q", got)
			}
		})
	}
}

// TestUnauthorizedRenewsToken: a 401 makes the client renew its token once and re-sign
// the same call; a second 401 is the caller's.
func TestUnauthorizedRenewsToken(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t)
	mt.RegisterResponder(http.MethodPost, tokenGetURL, tokenResponder("token-1", 7200).Then(tokenResponder("token-2", 7200)).
		Then(tokenResponder("token-3", 7200)))
	var api recorder
	unauthorized := jsonResponder(401, map[string]any{"message": "Invalid authentication credentials"})
	mt.RegisterResponder(http.MethodPost, flowsURL, api.wrap(unauthorized.Then(okInstance("1-20191122012300")).
		Then(unauthorized).Then(unauthorized)))
	if _, err := trigger(c, 1); err != nil {
		t.Fatalf("err = %v, want success after renewing the token", err)
	}
	if _, err := trigger(c, 1); !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("err = %v, want the second 401", err)
	}
	reqs := api.all()
	want := []string{"token-1", "token-2", "token-2", "token-3"}
	if len(reqs) != len(want) {
		t.Fatalf("%d attempts, want %d", len(reqs), len(want))
	}
	for i, r := range reqs {
		if got := r.header.Get(HeaderAccessToken); got != want[i] {
			t.Errorf("attempt %d signed with %q, want %q", i, got, want[i])
		}
	}
	if string(reqs[0].body) != string(reqs[1].body) || reqs[0].header.Get(HeaderSignature) == reqs[1].header.Get(HeaderSignature) {
		t.Error("the renewed attempt must send the same body with a new signature")
	}
}

func TestTokenNotInErrorBodies(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t)
	// An answer that holds a token but is not well formed: the sample must not show it.
	mt.RegisterResponder(http.MethodPost, tokenGetURL, httpmock.NewStringResponder(200,
		`{"status":0,"data":{"accessToken":"abcdef0123456789","expire":`))
	_, err := trigger(c, 1)
	if err == nil || strings.Contains(err.Error(), "abcdef0123456789") {
		t.Fatalf("err = %v", err)
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) || !strings.Contains(apiErr.Body, redactedText) {
		t.Errorf("Body = %q, want the token redacted", apiErr.Body)
	}
}

func TestTokenReplayResentWithLaterTimestamp(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t)
	var gets recorder
	replay := jsonResponder(200, map[string]any{"status": 1001, "msg": "Repeated requests with duplicated encryption"})
	mt.RegisterResponder(http.MethodPost, tokenGetURL, gets.wrap(func(req *http.Request) (*http.Response, error) {
		if len(gets.all()) < 3 {
			return replay(req)
		}
		return tokenResponder(testToken, 7200)(req)
	}))
	mt.RegisterResponder(http.MethodPost, flowsURL, okInstance("1-20191122012300"))
	if _, err := trigger(c, 1); err != nil {
		t.Fatal(err)
	}
	reqs := gets.all()
	if len(reqs) != 3 {
		t.Fatalf("%d token requests, want 3", len(reqs))
	}
	prev := ""
	for _, r := range reqs {
		ts := decodeJSONMap(t, r.body)["timestamp"].(interface{ String() string }).String()
		if ts <= prev {
			t.Errorf("timestamp %s does not follow %s", ts, prev)
		}
		prev = ts
	}

	// A replay that persists ends with the error after a bounded number of tries.
	c2, mt2, _ := newTestClient(t)
	mt2.RegisterResponder(http.MethodPost, tokenGetURL, replay)
	if _, err := trigger(c2, 1); err == nil || !strings.Contains(err.Error(), "code 1001") {
		t.Fatalf("err = %v, want code 1001", err)
	}
	if n := mt2.GetCallCountInfo()["POST "+tokenGetURL]; n != maxReplayRetries+1 {
		t.Errorf("%d token requests, want %d", n, maxReplayRetries+1)
	}
}

// TestEarlyRenewalFailureKeepsToken: a renewal that fails while the token still holds does
// not fail the call; it is tried again after a pause, not on every call.
func TestEarlyRenewalFailureKeepsToken(t *testing.T) {
	t.Parallel()
	c, mt, clock := newTestClient(t)
	mt.RegisterResponder(http.MethodPost, tokenGetURL, tokenResponder("token-1", 600).Then(gatewayError(503)))
	mt.RegisterResponder(http.MethodPost, tokenRefURL, gatewayError(503))
	mt.RegisterResponder(http.MethodPost, flowsURL, okInstance("1-20191122012300"))
	if _, err := trigger(c, 1); err != nil {
		t.Fatal(err)
	}
	clock.Advance(550 * time.Second) // in the renewal window, 50 s of life left
	for i := 0; i < 5; i++ {
		if _, err := trigger(c, 1); err != nil {
			t.Fatalf("call %d with a valid token: %v", i, err)
		}
	}
	if n := mt.GetCallCountInfo()["POST "+tokenRefURL]; n != 1 {
		t.Errorf("%d renewals for 5 calls within the pause, want 1", n)
	}
	clock.Advance(30 * time.Second)
	if _, err := trigger(c, 1); err != nil {
		t.Fatal(err)
	}
	if n := mt.GetCallCountInfo()["POST "+tokenRefURL]; n != 2 {
		t.Errorf("%d renewals after the pause, want 2", n)
	}
}

func TestTokenLifetimeBounds(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		expire string
		calls  int
		gets   int
	}{
		{`9300000000`, 3, 1}, // far future: a day, not an overflow
		{`0`, 3, 3},          // expired: each call gets a token
		{`-5`, 2, 2},
	} {
		c, mt, _ := newTestClient(t)
		mt.RegisterResponder(http.MethodPost, tokenGetURL,
			httpmock.NewStringResponder(200, `{"status":0,"data":{"accessToken":"t","expire":`+tt.expire+`}}`))
		mt.RegisterResponder(http.MethodPost, flowsURL, okInstance("1-20191122012300"))
		for i := 0; i < tt.calls; i++ {
			if _, err := trigger(c, 1); err != nil {
				t.Fatalf("expire %s: %v", tt.expire, err)
			}
		}
		if n := mt.GetCallCountInfo()["POST "+tokenGetURL]; n != tt.gets {
			t.Errorf("expire %s: %d token requests for %d calls, want %d", tt.expire, n, tt.calls, tt.gets)
		}
	}
}

// TestUnusableTokenRefused: a token that cannot be sent in a header is an unexpected answer
// of the token service, is not cached, and fails the call before anything is sent: a
// trigger says so, not that its outcome is unknown.
func TestUnusableTokenRefused(t *testing.T) {
	t.Parallel()
	for _, tok := range []string{"abc\r\nX-Injected: 1", "abc\x00def", "with space", strings.Repeat("a", 4097)} {
		c, mt, _ := newTestClient(t, fastRetries)
		mt.RegisterResponder(http.MethodPost, tokenGetURL, tokenResponder(tok, 7200))
		var triggers recorder
		mt.RegisterResponder(http.MethodPost, flowsURL, triggers.wrap(okInstance("1-20191122012300")))
		for i := 0; i < 2; i++ {
			_, err := trigger(c, 1)
			var apiErr *APIError
			if !errors.As(err, &apiErr) || !errors.Is(err, ErrUnexpectedResponse) || apiErr.Operation != "GetAccessToken" {
				t.Fatalf("token %q: err = %v, want an unexpected answer of the token service", tok, err)
			}
			if errors.Is(err, ErrOutcomeUnknown) {
				t.Errorf("token %q: outcome unknown although nothing was sent: %v", tok, err)
			}
		}
		if n := mt.GetCallCountInfo()["POST "+tokenGetURL]; n != 2 {
			t.Errorf("token %q: %d token requests for two calls, want 2 (not cached)", tok, n)
		}
		if n := len(triggers.all()); n != 0 {
			t.Errorf("token %q: %d triggers sent", tok, n)
		}
	}
}
