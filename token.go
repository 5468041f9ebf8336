package batchprocessing

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/enos-go/batchprocessing/internal/signing"
)

// Token lifetime handling.
const (
	// defaultTokenLifetime is assumed when the token service gives no usable expire.
	defaultTokenLifetime = 7200 * time.Second
	// maxRenewMargin bounds how long before expiry a token is renewed.
	maxRenewMargin = 5 * time.Minute
	// renewRetryPause is the pause before trying again a renewal that failed while the
	// current token still holds.
	renewRetryPause = 30 * time.Second
	// maxTokenLifetime bounds the lifetime taken from the token service's expire.
	maxTokenLifetime = 24 * time.Hour
)

// tokenSource gets, caches and renews the application's access token. One token request
// runs at a time, however many goroutines ask; while a renewal runs, callers keep using
// the current token if it has not expired yet.
type tokenSource struct {
	http      sender // token requests are not signed
	endpoint  string // the gateway, without a trailing slash
	maxBody   int    // the largest response read
	timeout   attemptTimeout
	appKey    string
	appSecret string
	clock     *skewClock
	log       *slog.Logger

	// fresh is the current token while it needs no renewal (nil otherwise): most calls read
	// it without taking mu, which all the goroutines of a client would otherwise queue on.
	// It changes only under mu, with current and renewAt.
	fresh atomic.Pointer[freshToken]

	mu       sync.Mutex
	current  string      // cached access token, "" if none
	gen      uint64      // counts the tokens cached: the token service may hand out current again
	expiry   time.Time   // when current expires
	renewAt  time.Time   // when to start renewing current
	lastTS   int64       // last timestamp used in a token request
	inflight *tokenFetch // the running token request, if any
}

// freshToken is a token and the time to start renewing it.
type freshToken struct {
	token   issuedToken
	renewAt time.Time
}

// issuedToken is an access token as the cache handed it out: its value, and which caching
// of it. Get Access Token answers with the same token until it expires, so a refusal of a
// token cached before the last renewal must not forget the renewed one of the same value.
type issuedToken struct {
	value string
	gen   uint64
}

// tokenFetch is one token request that several callers may wait for.
type tokenFetch struct {
	done chan struct{}
	err  error
	// refresh reports a request that refreshes the token the client holds (else it gets one).
	refresh bool
	// leaderGaveUp reports that the request failed because the context of the caller that
	// sent it ended; waiters with a live context then send their own.
	leaderGaveUp bool
}

func newTokenSource(h sender, endpoint string, maxBody int, timeout attemptTimeout, appKey, appSecret string, clock *skewClock, log *slog.Logger) *tokenSource {
	return &tokenSource{http: h, endpoint: endpoint, maxBody: maxBody, timeout: timeout, appKey: appKey, appSecret: appSecret, clock: clock, log: log}
}

// token returns a valid access token, fetching or renewing it when needed.
func (s *tokenSource) token(ctx context.Context) (issuedToken, error) {
	if f := s.fresh.Load(); f != nil && s.clock.Now().Before(f.renewAt) {
		return f.token, nil // what claim would return, without the lock
	}
	for {
		tok, running, lead, refreshing := s.claim()
		switch {
		case tok.value != "":
			return tok, nil
		case running != nil:
			select {
			case <-running.done:
			case <-ctx.Done():
				return issuedToken{}, running.contextEnded(ctx)
			}
			if running.err != nil && !running.leaderGaveUp {
				return issuedToken{}, running.err
			}
			continue // the leader gave up, or succeeded: look again
		}
		return s.lead(ctx, lead, refreshing)
	}
}

// claim looks at the cache: it returns a token to use as it is; or the running request to
// wait for; or, when there is neither, a new request that the caller leads, refreshing
// the current token if it still holds.
func (s *tokenSource) claim() (tok issuedToken, running, lead *tokenFetch, refreshing string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	valid := s.current != "" && now.Before(s.expiry)
	switch {
	case valid && now.Before(s.renewAt):
		return s.issued(), nil, nil, ""
	case s.inflight != nil && valid:
		return s.issued(), nil, nil, "" // a renewal runs: the current token still holds
	case s.inflight != nil:
		return issuedToken{}, s.inflight, nil, ""
	}
	s.inflight = &tokenFetch{done: make(chan struct{}), refresh: valid}
	if valid {
		refreshing = s.current
	}
	return issuedToken{}, nil, s.inflight, refreshing
}

// contextEnded is the error of a caller whose context ended while it waited for f: the
// *TransportError that the caller leading f gets when its own context ends.
func (f *tokenFetch) contextEnded(ctx context.Context) error {
	tc := tokenGet
	if f.refresh {
		tc = tokenRefresh
	}
	return contextEnded(tc.op, http.MethodPost, tc.path, context.Cause(ctx))
}

// issued returns the current token as the cache hands it out; s.mu must be held.
func (s *tokenSource) issued() issuedToken { return issuedToken{value: s.current, gen: s.gen} }

// lead sends the token request f that the caller leads, and records its outcome for the
// callers waiting on it. An early renewal that fails while the current token still holds
// keeps that token, and is tried again after a pause, not on every call.
func (s *tokenSource) lead(ctx context.Context, f *tokenFetch, refreshing string) (issuedToken, error) {
	value, lifetime, err := s.fetch(ctx, refreshing)
	s.mu.Lock()
	now := s.clock.Now()
	if err == nil {
		s.current, s.expiry, s.gen = value, now.Add(lifetime), s.gen+1
		s.renewAt = s.expiry.Add(-min(maxRenewMargin, lifetime/10))
	} else {
		f.err, f.leaderGaveUp = err, ctx.Err() != nil
	}
	s.inflight = nil
	close(f.done)
	keep := err != nil && refreshing != "" && s.current == refreshing && now.Before(s.expiry)
	if keep {
		s.renewAt = now.Add(min(renewRetryPause, s.expiry.Sub(now)/2))
	}
	tok := s.issued()
	if s.current != "" {
		s.fresh.Store(&freshToken{token: tok, renewAt: s.renewAt})
	}
	expiresIn := s.expiry.Sub(now)
	s.mu.Unlock()
	if keep {
		s.log.LogAttrs(ctx, slog.LevelWarn, "batchprocessing access token renewal failed; the current token still holds",
			slog.Duration("expires_in", expiresIn), slog.String("error", err.Error()))
		return tok, nil
	}
	if err != nil {
		return issuedToken{}, err
	}
	return tok, nil
}

// invalidate forgets tok if it is still the cached token (the gateway refused it): the
// same caching of it, not a renewal that brought the same value back.
func (s *tokenSource) invalidate(tok issuedToken) {
	if tok.value == "" {
		return
	}
	s.mu.Lock()
	if s.current == tok.value && s.gen == tok.gen {
		s.current = ""
		s.fresh.Store(nil)
	}
	s.mu.Unlock()
}

// fetch gets a new token: by refreshing current when there is one, falling back to a
// plain get when the token service refuses the refresh (1203, 1204, ...).
func (s *tokenSource) fetch(ctx context.Context, current string) (string, time.Duration, error) {
	if current != "" {
		refresh := tokenRefresh
		refresh.refresh, refresh.held = current, current
		tok, lifetime, err := s.request(ctx, refresh)
		var apiErr *APIError
		if err == nil || !errors.As(err, &apiErr) || apiErr.Code == 0 {
			return tok, lifetime, err // success, or the gateway is not answering: a get would not help
		}
		s.log.LogAttrs(ctx, slog.LevelDebug, "batchprocessing access token refresh refused, getting a new one",
			slog.Int("code", apiErr.Code), slog.String("message", apiErr.Message))
	}
	// The token still held is a secret in whatever the get's answer says, too.
	get := tokenGet
	get.held = current
	return s.request(ctx, get)
}

// tokenCall is one token request: its operation and path, the token it refreshes (empty
// for a get), and the token the client holds (empty for none), a secret to keep out of
// the errors and logs of the answer, whichever request it is.
type tokenCall struct {
	op, path      string
	refresh, held string
}

// The two token requests, without the tokens they carry.
var (
	tokenGet     = tokenCall{op: "GetAccessToken", path: signing.TokenGetPath}
	tokenRefresh = tokenCall{op: "RefreshAccessToken", path: signing.TokenRefreshPath}
)

// Resends of a token request refused as a replay: at most maxReplayRetries, each with a
// timestamp up to replayJitter milliseconds past the last one, so that clients that collided
// in one millisecond do not collide again on the next (a burst of new clients of one app
// would, each taking the millisecond after the one before).
const (
	maxReplayRetries = 5
	replayJitter     = 50
)

// request sends one token get or refresh. The token service refuses an encryption it has
// seen (code 1001), which happens when another client of the same application sent a
// token request in the same millisecond: then it resends with a later timestamp, picked at
// random a little ahead. When it refuses the timestamp or the encryption (1004, 1003) and
// its Date header shows that our clock is off, the clock is corrected and the request
// resent once. A token it hands out corrects the clock too: a clock off by less than the
// service's window gets its tokens, and would otherwise sign times and send trigger times
// that are off for ever.
func (s *tokenSource) request(ctx context.Context, tc tokenCall) (string, time.Duration, error) {
	skewFixed := false
	for replays := 0; ; {
		tok, lifetime, r, err := s.send(ctx, tc)
		var apiErr *APIError
		if err == nil {
			s.clock.correctFrom(ctx, s.log, r)
		}
		if !errors.As(err, &apiErr) {
			return tok, lifetime, err
		}
		switch {
		case apiErr.Code == CodeTokenReplayed && replays < maxReplayRetries:
			replays++
			s.mu.Lock()
			s.lastTS += 1 + rand.Int64N(replayJitter)
			s.mu.Unlock()
			continue
		case (apiErr.Code == CodeTokenInvalidParameter || apiErr.Code == CodeTokenBadEncryption) && !skewFixed &&
			s.clock.correctFrom(ctx, s.log, r):
			skewFixed = true
			continue
		}
		return tok, lifetime, err
	}
}

// tokenRequestBody is the body of a token get or refresh ("Get Access Token",
// https://support.enos-iot.com/docs/apim/en/2.4.0/token/get_access_token.html, and "Refresh
// Access Token", https://support.enos-iot.com/docs/apim/en/2.4.0/token/refresh_access_token.html).
// The timestamp is sent as a number, as documented.
type tokenRequestBody struct {
	AppKey      string `json:"appKey"`
	Encryption  string `json:"encryption"`
	Timestamp   int64  `json:"timestamp"`
	AccessToken string `json:"accessToken,omitempty"`
}

// tokenEnvelope is the token service's response: {status, msg, business, data}.
type tokenEnvelope struct {
	Status optionalInt `json:"status"`
	// Stauts: the documentation's own sample misspells status; accept both.
	Stauts  optionalInt `json:"stauts"`
	Msg     *string     `json:"msg"`
	Message *string     `json:"message"`
	Data    *struct {
		AccessToken string      `json:"accessToken"`
		Expire      optionalInt `json:"expire"`
	} `json:"data"`
	RequestID requestID `json:"requestId"`
}

// send sends one token get or refresh and decodes the response, which it also returns (nil
// if none came) for the clock-skew check.
func (s *tokenSource) send(ctx context.Context, tc tokenCall) (string, time.Duration, *response, error) {
	op := tc.op
	req := s.newRequestBody(tc.refresh)
	body, err := json.Marshal(req)
	if err != nil {
		return "", 0, nil, err
	}
	start := time.Now()
	r := &response{op: op, method: http.MethodPost, path: tc.path, start: s.clock.base()}
	// The encryption is a credential too: with the AppKey and the timestamp, it gets a token
	// until the timestamp leaves the service's window, if the service never saw it.
	r.keepSecret(s.appSecret, tc.held, req.Encryption)
	answered, err := exchange(ctx, s.http, s.timeout, outgoing{method: http.MethodPost, url: s.endpoint + tc.path, body: body}, s.maxBody, r)
	if !answered {
		return "", 0, nil, transportError(ctx, r, err)
	}
	r.end = s.clock.base()
	if err != nil {
		return "", 0, r, transportError(ctx, r, err)
	}
	tok, lifetime, err := decodeToken(r)
	r.release() // decoded: the token and the error hold copies
	level := slog.LevelDebug
	if err != nil {
		level = slog.LevelWarn
	}
	attrs := []slog.Attr{slog.String("operation", op), slog.Int("status", r.status), slog.Duration("duration", time.Since(start))}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	} else {
		attrs = append(attrs, slog.Duration("expires_in", lifetime))
	}
	s.log.LogAttrs(ctx, level, "batchprocessing access token", attrs...)
	return tok, lifetime, r, err
}

// newRequestBody builds a token request body with a fresh timestamp and its encryption.
// Timestamps strictly increase, because the token service refuses a repeated encryption
// (code 1001) and a test clock may stand still; but a clock corrected back by skewThreshold
// or more (the gateway's Date is behind ours) is followed, or the correction would never
// take effect. A timestamp stepped back to may have been spent before the correction: the
// service then refuses it as a replay, and request resends with a later one.
func (s *tokenSource) newRequestBody(current string) tokenRequestBody {
	s.mu.Lock()
	ts := s.clock.Now().UnixMilli()
	if ts <= s.lastTS && s.lastTS-ts < skewThreshold.Milliseconds() {
		ts = s.lastTS + 1
	}
	s.lastTS = ts
	s.mu.Unlock()
	return tokenRequestBody{
		AppKey:      s.appKey,
		Encryption:  signing.TokenEncryption(s.appKey, s.appSecret, ts),
		Timestamp:   ts,
		AccessToken: current,
	}
}

// decodeToken decodes the token service's envelope.
func decodeToken(r *response) (string, time.Duration, error) {
	var env tokenEnvelope
	if err := json.Unmarshal(r.body, &env); err != nil {
		return "", 0, r.unexpected(err)
	}
	if !env.Status.set {
		env.Status = env.Stauts
	}
	if err := env.failure(r); err != nil {
		return "", 0, err
	}
	tok := env.Data.AccessToken
	if !usableToken(tok) {
		// Cached, it would fail every call until it expired, each before being sent.
		return "", 0, r.unexpected(errors.New("the access token cannot be sent in a header: " +
			"want 1 to 4096 visible ASCII characters"))
	}
	// expire is the token's remaining life in seconds: absent means the documented 7200;
	// 0 or less, a token to use for this call only; more than a day is taken as a day.
	lifetime := defaultTokenLifetime
	if e := env.Data.Expire; e.set {
		lifetime = time.Duration(max(min(int64(e.value), int64(maxTokenLifetime/time.Second)), 0)) * time.Second
	}
	return tok, lifetime, nil
}

// failure returns the error of a token response that gives no token, or nil when it gives
// one. Tolerant reading: a response with a token but without a status is a success.
func (env *tokenEnvelope) failure(r *response) error {
	msg := msgText(env.Msg, env.Message)
	hasToken := env.Data != nil && env.Data.AccessToken != ""
	switch {
	case !isSuccessStatus(r.status) && !env.Status.set && env.Msg == nil && env.Message == nil:
		return r.unexpected(nil)
	case !isSuccessStatus(r.status) && !env.Status.set:
		return r.apiError(0, msg, string(env.RequestID))
	case !isSuccessStatus(r.status), env.Status.set && env.Status.value != 0:
		return r.apiError(int(env.Status.value), msg, string(env.RequestID))
	case !env.Status.set && !hasToken:
		return r.unexpected(errors.New("no status in the token service's response"))
	case !hasToken:
		return r.unexpected(errors.New("no access token in the token service's response"))
	}
	return nil
}

// maxTokenLen bounds the access token the client accepts; the gateway's are 64 characters.
const maxTokenLen = 4096

// usableToken reports whether tok can be sent as the apim-accesstoken header as it is:
// visible ASCII only, no spaces, control characters or line breaks.
func usableToken(tok string) bool {
	if tok == "" || len(tok) > maxTokenLen {
		return false
	}
	for i := 0; i < len(tok); i++ {
		if tok[i] < 0x21 || tok[i] > 0x7e {
			return false
		}
	}
	return true
}
