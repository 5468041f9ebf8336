package refserver

import (
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/enos-go/batchprocessing/internal/signing"
)

// This file is the API gateway: the token service
// (https://support.enos-iot.com/docs/apim/en/2.4.0/token/get_access_token.html and
// refresh_access_token.html) and the check of the token and signature headers on every other call
// (https://support.enos-iot.com/docs/apim/en/2.4.0/token/invoke_api_with_access_token.html).

// token runs the token service on one request body.
//
// Checks, in order: the body is JSON (1004), every field is present (1202), the app exists
// (1002), the timestamp is within the window of the server clock (1004), the encryption is
// right (1003) and was not used before (1001); for refresh, the token is this app's (1204) and
// has not expired (1203).
func (st *state) token(body []byte, refresh bool) (*tokenData, *failure, string) {
	var req tokenRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, errTokenInvalid, "the body is not a JSON object of appKey, encryption and timestamp: " + err.Error()
	}
	if empty := req.emptyFields(refresh); len(empty) > 0 {
		return nil, errTokenEmptyField, "empty or missing: " + strings.Join(empty, ", ")
	}

	st.mu.Lock()
	defer st.mu.Unlock()
	now := st.now()
	st.pruneTokens(now)
	a := st.apps[req.AppKey]
	if a == nil {
		return nil, errTokenUnknownApp, "appKey " + quote(req.AppKey) + " is not registered"
	}
	// The real window is undocumented (Invoke API with Access Token names none); ours also bounds
	// how long used encryptions must be remembered to refuse a replay.
	if !st.withinWindow(req.Timestamp.value, now) {
		return nil, errTokenTimestamp, "timestamp is " + offBy(req.Timestamp.value, now, st.window)
	}
	want := signing.TokenEncryption(req.AppKey, a.secret, req.Timestamp.value)
	if subtle.ConstantTimeCompare([]byte(req.Encryption), []byte(want)) != 1 {
		return nil, errTokenEncryption, st.explainEncryption(&req, want)
	}
	st.forgetOldEncryptions(now)
	if _, used := st.encryptions[want]; used {
		return nil, errTokenReplay, fmt.Sprintf("this encryption (appKey %s, timestamp %d) was used before; each token request needs a new timestamp", quote(req.AppKey), req.Timestamp.value)
	}
	// The request is authentic from here on, so its encryption is spent even if a refresh
	// below fails.
	st.encryptions[want] = req.Timestamp.value
	st.spentEncryptions.push(spentEncryption{req.Timestamp.value, want})

	if refresh {
		return st.refreshToken(req.AppKey, req.AccessToken, now)
	}
	return st.getToken(req.AppKey, now), nil, ""
}

// emptyFields names the fields of a token request that are empty or missing.
func (req *tokenRequest) emptyFields(refresh bool) []string {
	var out []string
	for _, f := range []struct {
		name  string
		empty bool
	}{
		{"appKey", req.AppKey == ""}, {"encryption", req.Encryption == ""}, {"timestamp", !req.Timestamp.set},
		{"accessToken", refresh && req.AccessToken == ""},
	} {
		if f.empty {
			out = append(out, f.name)
		}
	}
	return out
}

// explainEncryption says why a token request's encryption is not want.
func (st *state) explainEncryption(req *tokenRequest, want string) string {
	s := "encryption is not sha256(" + quote(req.AppKey) + " + " + quote(strconv.FormatInt(req.Timestamp.value, 10)) + " + " + secretPlaceholder + ")"
	switch {
	case strings.ToLower(req.Encryption) == want:
		return s + ": it is upper-case hex; the gateway compares lower-case hex"
	case req.Encryption == signing.TokenEncryption(req.AppKey, st.apps[req.AppKey].secret, req.Timestamp.value/1000):
		return s + ": it was computed with the timestamp in seconds; use the milliseconds sent in timestamp"
	}
	for key, other := range st.apps {
		if key != req.AppKey && req.Encryption == signing.TokenEncryption(req.AppKey, other.secret, req.Timestamp.value) {
			return s + fmt.Sprintf(": it was computed with the SecretKey of app %q", key)
		}
	}
	return s
}

// getToken hands out the app's current token while it has at least a second to live (Get
// Access Token returns the same token before expiry), else a new one.
func (st *state) getToken(appKey string, now time.Time) *tokenData {
	if cur := st.tokens[st.apps[appKey].current]; cur != nil && cur.expires.Sub(now) >= time.Second {
		return &tokenData{AccessToken: st.apps[appKey].current, Expire: remaining(cur, now)}
	}
	return st.issueToken(appKey, now)
}

// refreshToken replaces the app's current token with a new one of full lifetime. The old token
// stays valid until its own expiry: the documentation does not say, and this is the tolerant
// reading (calls signed with the old token while the refresh is under way still pass).
func (st *state) refreshToken(appKey, accessToken string, now time.Time) (*tokenData, *failure, string) {
	old := st.tokens[accessToken]
	switch {
	case old == nil:
		return nil, errTokenRefreshFailed, "the access token " + quote(shorten(accessToken)) + " is unknown (or expired long ago): get a new one"
	case old.appKey != appKey:
		return nil, errTokenRefreshFailed, "the access token " + quote(shorten(accessToken)) + " belongs to another app, not " + quote(appKey)
	case !now.Before(old.expires):
		return nil, errTokenExpired, fmt.Sprintf("the access token %s expired %v ago; get a new one", quote(shorten(accessToken)), now.Sub(old.expires).Round(time.Second))
	}
	return st.issueToken(appKey, now), nil, ""
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
// otherwise nil and the reason it was refused, or, for a wrong signature, what explaining it
// needs (its explain runs once the store is unlocked).
func (st *state) authenticate(r *http.Request, query url.Values, body []byte, now time.Time) (*app, string, *badSignature) {
	h := r.Header
	if missing := missingHeaders(h); len(missing) > 0 {
		return nil, "missing header " + strings.Join(missing, ", "), nil
	}
	c := &signatureCall{
		accessToken: h.Get(signing.HeaderAccessToken), stamp: h.Get(signing.HeaderTimestamp),
		signature: h.Get(signing.HeaderSignature), query: query, rawQuery: r.URL.RawQuery, body: body,
		clientString: h.Get(HeaderStringToSign),
	}
	t := st.tokens[c.accessToken]
	switch {
	case t == nil:
		return nil, "the access token " + quote(shorten(c.accessToken)) + " is unknown: get one from " + signing.TokenGetPath, nil
	case !now.Before(t.expires):
		return nil, fmt.Sprintf("the access token %s expired %v ago; get a new one", quote(shorten(c.accessToken)), now.Sub(t.expires).Round(time.Second)), nil
	}
	ts, ok := parseMillis(c.stamp)
	if !ok {
		return nil, "apim-timestamp " + shown(c.stamp) + " is not a decimal epoch-millisecond timestamp", nil
	}
	if len(c.stamp) > 1 && c.stamp[0] == '0' {
		// The signed string holds decimal(timestampMs), and apim-timestamp is documented as
		// that same string: a padded one is neither, and its signature is ambiguous.
		return nil, "apim-timestamp " + shown(c.stamp) + " has a leading zero: send decimal(timestampMs), the string the signature holds", nil
	}
	if !st.withinWindow(ts, now) {
		return nil, "apim-timestamp is " + offBy(ts, now, st.window), nil
	}
	c.ts = ts
	a := st.apps[t.appKey]
	want := signing.Sign(c.accessToken, a.secret, ts, query, body)
	if subtle.ConstantTimeCompare([]byte(c.signature), []byte(want)) != 1 {
		return nil, "", st.badSignatureOf(c, a, want)
	}
	return a, "", nil
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
