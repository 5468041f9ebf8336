package refserver

import (
	"crypto/subtle"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/enos-go/batchprocessing/internal/signing"
)

// This file is the API gateway: the token service (spec sections 1.2.1 to 1.2.3) and the check
// of the token and signature headers on every other call (spec section 1.2.4).

// serveToken answers token/get (refresh false) or token/refresh (refresh true).
func (st *state) serveToken(w http.ResponseWriter, body []byte, refresh bool) {
	data, f := st.token(body, refresh)
	writeTokenAnswer(w, data, f)
}

// token runs the token service on one request body.
//
// Checks, in order: the body is JSON (1004), every field is present (1202), the app exists
// (1002), the timestamp is within the window of the server clock (1004), the encryption is
// right (1003) and was not used before (1001); for refresh, the token is this app's (1204) and
// has not expired (1203).
func (st *state) token(body []byte, refresh bool) (*tokenData, *failure) {
	var req tokenRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, errTokenInvalid
	}
	if req.AppKey == "" || req.Encryption == "" || !req.Timestamp.set || (refresh && req.AccessToken == "") {
		return nil, errTokenEmptyField
	}

	st.mu.Lock()
	defer st.mu.Unlock()
	now := st.now()
	st.pruneTokens(now)
	a := st.apps[req.AppKey]
	if a == nil {
		return nil, errTokenUnknownApp
	}
	// The real window is undocumented (spec section 1.2.4); ours also bounds how long used
	// encryptions must be remembered to refuse a replay.
	if !st.withinWindow(req.Timestamp.value, now) {
		return nil, errTokenTimestamp
	}
	want := signing.TokenEncryption(req.AppKey, a.secret, req.Timestamp.value)
	if subtle.ConstantTimeCompare([]byte(req.Encryption), []byte(want)) != 1 {
		return nil, errTokenEncryption
	}
	st.forgetOldEncryptions(now)
	if _, used := st.encryptions[want]; used {
		return nil, errTokenReplay
	}
	// The request is authentic from here on, so its encryption is spent even if a refresh
	// below fails.
	st.encryptions[want] = req.Timestamp.value
	st.spentEncryptions.push(spentEncryption{req.Timestamp.value, want})

	if refresh {
		return st.refreshToken(req.AppKey, req.AccessToken, now)
	}
	return st.getToken(req.AppKey, now), nil
}

// getToken hands out the app's current token while it has at least a second to live (spec
// section 1.2.1: get returns the same token before expiry), else a new one.
func (st *state) getToken(appKey string, now time.Time) *tokenData {
	if cur := st.tokens[st.apps[appKey].current]; cur != nil && cur.expires.Sub(now) >= time.Second {
		return &tokenData{AccessToken: st.apps[appKey].current, Expire: remaining(cur, now)}
	}
	return st.issueToken(appKey, now)
}

// refreshToken replaces the app's current token with a new one of full lifetime. The old token
// stays valid until its own expiry: the documentation does not say, and this is the tolerant
// reading (calls signed with the old token while the refresh is under way still pass).
func (st *state) refreshToken(appKey, accessToken string, now time.Time) (*tokenData, *failure) {
	old := st.tokens[accessToken]
	if old == nil || old.appKey != appKey {
		return nil, errTokenRefreshFailed
	}
	if !now.Before(old.expires) {
		return nil, errTokenExpired
	}
	return st.issueToken(appKey, now), nil
}

// issueToken makes a new token of full lifetime the app's current one.
func (st *state) issueToken(appKey string, now time.Time) *tokenData {
	value := randomHex(32)
	t := &token{appKey: appKey, expires: now.Add(st.tokenLife)}
	st.tokens[value] = t
	st.tokenExpiry.push(expiringToken{t.expires, value})
	st.apps[appKey].current = value
	return &tokenData{AccessToken: value, Expire: remaining(t, now)}
}

// expiringToken is an issued token by its expiry, in state.tokenExpiry.
type expiringToken struct {
	expires time.Time
	value   string
}

// spentEncryption is a used token-request encryption by its timestamp (ms), in
// state.spentEncryptions.
type spentEncryption struct {
	timestamp  int64
	encryption string
}

// pruneTokens forgets the tokens that expired more than the timestamp window ago, so that
// the store does not grow forever: the earliest expiry first, each a heap operation. Until
// then, refreshing an expired token answers 1203; afterwards the token is unknown and refresh
// answers 1204.
func (st *state) pruneTokens(now time.Time) {
	for st.tokenExpiry.Len() > 0 && now.Sub(st.tokenExpiry.top().expires) > st.window {
		delete(st.tokens, st.tokenExpiry.pop().value)
	}
}

// forgetOldEncryptions drops the used encryptions whose timestamps have fallen behind the
// window, the oldest first: a replay of them is refused by the timestamp check already. (One
// ahead of the window, possible only if the clock went back, is kept until the clock passes
// it: refusing its replay meanwhile is right too.)
func (st *state) forgetOldEncryptions(now time.Time) {
	for st.spentEncryptions.Len() > 0 && now.Sub(time.UnixMilli(st.spentEncryptions.top().timestamp)) > st.window {
		delete(st.encryptions, st.spentEncryptions.pop().encryption)
	}
}

// authenticate returns the app of a call that carries a known, unexpired token, a timestamp
// within the window of the server clock and the signature of exactly this query and body;
// nil otherwise.
func (st *state) authenticate(h http.Header, query url.Values, body []byte, now time.Time) *app {
	accessToken, stamp, signature := h.Get(signing.HeaderAccessToken), h.Get(signing.HeaderTimestamp), h.Get(signing.HeaderSignature)
	if accessToken == "" || stamp == "" || signature == "" {
		return nil
	}
	t := st.tokens[accessToken]
	if t == nil || !now.Before(t.expires) {
		return nil
	}
	ts, ok := parseMillis(stamp)
	if !ok || !st.withinWindow(ts, now) {
		return nil
	}
	a := st.apps[t.appKey]
	want := signing.Sign(accessToken, a.secret, ts, query, body)
	if subtle.ConstantTimeCompare([]byte(signature), []byte(want)) != 1 {
		return nil
	}
	return a
}

// parseMillis parses a decimal epoch-millisecond timestamp: digits only.
func parseMillis(s string) (int64, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	v, err := strconv.ParseInt(s, 10, 64)
	return v, err == nil
}

// remaining returns the whole seconds t has left to live at now.
func remaining(t *token, now time.Time) int64 {
	return int64(t.expires.Sub(now) / time.Second)
}
