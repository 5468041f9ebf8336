package refserver_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/enos-go/batchprocessing/refserver"
)

var hex64 = regexp.MustCompile(`^[0-9a-f]{64}$`)

func TestTokenGetCodes(t *testing.T) {
	t.Parallel()
	ts := epoch.UnixMilli()
	good := encryptionOf(refserver.DemoAccessKey, ts, refserver.DemoSecretKey)
	window := 15 * time.Minute
	stale := epoch.Add(-window - time.Millisecond).UnixMilli()
	future := epoch.Add(window + time.Millisecond).UnixMilli()
	edgePast := epoch.Add(-window).UnixMilli()
	edgeFuture := epoch.Add(window).UnixMilli()

	tests := []struct {
		name       string
		body       []byte
		wantStatus int
		wantMsg    string
	}{
		{"number timestamp", tokenBody(ts, good, nil), 0, "SUCCESS"},
		{"string timestamp", tokenBody(strconv.FormatInt(ts, 10), good, nil), 0, "SUCCESS"},
		{"window edge in the past", tokenBody(edgePast, encryptionOf(refserver.DemoAccessKey, edgePast, refserver.DemoSecretKey), nil), 0, "SUCCESS"},
		{"window edge in the future", tokenBody(edgeFuture, encryptionOf(refserver.DemoAccessKey, edgeFuture, refserver.DemoSecretKey), nil), 0, "SUCCESS"},
		{"malformed JSON", []byte(`{"appKey":`), 1004, "Invalid parameter"},
		{"not an object", []byte(`[1,2]`), 1004, "Invalid parameter"},
		{"appKey not a string", []byte(`{"appKey":5,"encryption":"x","timestamp":1}`), 1004, "Invalid parameter"},
		{"timestamp not an integer", tokenBody("soon", good, nil), 1004, "Invalid parameter"},
		{"empty body", nil, 1004, "Invalid parameter"},
		{"missing appKey", tokenBody(ts, good, map[string]any{"appKey": nil}), 1202, "The parameter is empty"},
		{"empty appKey", tokenBody(ts, good, map[string]any{"appKey": ""}), 1202, "The parameter is empty"},
		{"empty encryption", tokenBody(ts, "", nil), 1202, "The parameter is empty"},
		{"missing timestamp", tokenBody(nil, good, nil), 1202, "The parameter is empty"},
		{"empty string timestamp", tokenBody("", good, nil), 1202, "The parameter is empty"},
		{"unknown appKey", tokenBody(ts, good, map[string]any{"appKey": "nobody"}), 1002, "The appKey does not exist"},
		{"stale timestamp", tokenBody(stale, encryptionOf(refserver.DemoAccessKey, stale, refserver.DemoSecretKey), nil), 1004, "Invalid parameter: timestamp"},
		{"future timestamp", tokenBody(future, encryptionOf(refserver.DemoAccessKey, future, refserver.DemoSecretKey), nil), 1004, "Invalid parameter: timestamp"},
		{"wrong secret", tokenBody(ts, encryptionOf(refserver.DemoAccessKey, ts, "wrong"), nil), 1003, "The encryption is not valid"},
		{"encryption of another timestamp", tokenBody(ts, encryptionOf(refserver.DemoAccessKey, ts+1, refserver.DemoSecretKey), nil), 1003, "The encryption is not valid"},
		{"uppercase encryption", tokenBody(ts, strings.ToUpper(good), nil), 1003, "The encryption is not valid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t)
			a := r.postToken(tokenGet, tt.body)
			if a.Status != tt.wantStatus || a.Msg != tt.wantMsg {
				t.Fatalf("got %d %q, want %d %q", a.Status, a.Msg, tt.wantStatus, tt.wantMsg)
			}
			if tt.wantStatus != 0 {
				if a.Data != nil {
					t.Errorf("data = %+v, want null", a.Data)
				}
				return
			}
			if a.Data == nil || !hex64.MatchString(a.Data.AccessToken) || a.Data.Expire != 7200 {
				t.Errorf("data = %+v, want a 64-hex token expiring in 7200 s", a.Data)
			}
		})
	}
}

func TestTokenGetReplay(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ts := r.clock.Millis()
	body := tokenBody(ts, encryptionOf(refserver.DemoAccessKey, ts, refserver.DemoSecretKey), nil)
	if a := r.postToken(tokenGet, body); a.Status != 0 {
		t.Fatalf("first: %+v", a)
	}
	r.clock.Advance(time.Second)
	a := r.postToken(tokenGet, body)
	if a.Status != 1001 || a.Msg != "Repeated requests with duplicated encryption" || a.Data != nil {
		t.Fatalf("replay: %+v, want 1001", a)
	}
	// The same timestamp sent as a string is the same encryption, so also a replay.
	a = r.postToken(tokenGet, tokenBody(strconv.FormatInt(ts, 10), encryptionOf(refserver.DemoAccessKey, ts, refserver.DemoSecretKey), nil))
	if a.Status != 1001 {
		t.Fatalf("replay as string: %+v, want 1001", a)
	}
	// Once the timestamp has left the window, it is refused as stale, not as a replay.
	r.clock.Advance(15 * time.Minute)
	if a := r.postToken(tokenGet, body); a.Status != 1004 {
		t.Fatalf("old replay: %+v, want 1004", a)
	}
}

func TestTokenGetReturnsSameTokenUntilExpiry(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	first := r.token()
	r.clock.Advance(100 * time.Second)
	ts := r.clock.Millis()
	a := r.postToken(tokenGet, tokenBody(ts, encryptionOf(refserver.DemoAccessKey, ts, refserver.DemoSecretKey), nil))
	if a.Status != 0 || a.Data.AccessToken != first || a.Data.Expire != 7100 {
		t.Fatalf("second get: %+v, want the same token with 7100 s left", a)
	}

	r.clock.Advance(7100 * time.Second)
	if got := r.token(); got == first {
		t.Fatalf("get after expiry returned the expired token")
	}
}

func TestTokenExpiryFollowsClock(t *testing.T) {
	t.Parallel()
	r := newRig(t, refserver.WithTokenLifetime(time.Minute))
	ts := r.clock.Millis()
	a := r.postToken(tokenGet, tokenBody(ts, encryptionOf(refserver.DemoAccessKey, ts, refserver.DemoSecretKey), nil))
	if a.Data == nil || a.Data.Expire != 60 {
		t.Fatalf("got %+v, want expire 60", a)
	}
	tok := a.Data.AccessToken

	r.clock.Advance(time.Minute - time.Millisecond)
	if resp, body := r.do(r.signed(tok, http.MethodPost, flowsPath+"?action=none", nil)); resp.StatusCode != http.StatusOK {
		t.Fatalf("just before expiry: HTTP %d %s", resp.StatusCode, body)
	}
	r.clock.Advance(time.Millisecond)
	if resp, body := r.do(r.signed(tok, http.MethodPost, flowsPath+"?action=none", nil)); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("at expiry: HTTP %d %s, want 401", resp.StatusCode, body)
	}
}

func TestTokenRefresh(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	old := r.token()
	r.clock.Advance(time.Hour)

	ts := r.clock.Millis()
	a := r.postToken(tokenRefresh, tokenBody(ts, encryptionOf(refserver.DemoAccessKey, ts, refserver.DemoSecretKey), map[string]any{"accessToken": old}))
	if a.Status != 0 || a.Msg != "SUCCESS" || a.Data == nil {
		t.Fatalf("refresh: %+v", a)
	}
	fresh := a.Data.AccessToken
	if fresh == old || !hex64.MatchString(fresh) || a.Data.Expire != 7200 {
		t.Fatalf("refresh gave %+v, want a new token with 7200 s", a.Data)
	}

	// get now hands out the new token.
	r.clock.Advance(time.Second)
	if got := r.token(); got != fresh {
		t.Errorf("get after refresh = %s, want the refreshed token", got)
	}
	// The old token works until its own expiry, then stops.
	if resp, _ := r.do(r.signed(old, http.MethodPost, flowsPath+"?action=none", nil)); resp.StatusCode != http.StatusOK {
		t.Errorf("old token before its expiry: HTTP %d, want 200", resp.StatusCode)
	}
	r.clock.Advance(time.Hour)
	if resp, _ := r.do(r.signed(old, http.MethodPost, flowsPath+"?action=none", nil)); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("old token after its expiry: HTTP %d, want 401", resp.StatusCode)
	}
	if resp, _ := r.do(r.signed(fresh, http.MethodPost, flowsPath+"?action=none", nil)); resp.StatusCode != http.StatusOK {
		t.Errorf("new token: HTTP %d, want 200", resp.StatusCode)
	}
}

func TestTokenRefreshCodes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		prepare    func(r *rig) (accessToken any) // returns the token to refresh
		mutate     func(body map[string]any)
		wantStatus int
		wantMsg    string
	}{
		{"ok", func(r *rig) any { return r.token() }, nil, 0, "SUCCESS"},
		{"missing accessToken", func(r *rig) any { r.token(); return nil }, nil, 1202, "The parameter is empty"},
		{"empty accessToken", func(r *rig) any { return "" }, nil, 1202, "The parameter is empty"},
		{"unknown token", func(r *rig) any { return strings.Repeat("ab", 32) }, nil, 1204, "Failed to refresh access token"},
		{"another app's token", func(r *rig) any {
			r.srv.AddApp("otherKey", "otherSecret")
			ts := r.clock.Millis() - 1
			a := r.postToken(tokenGet, tokenBody(ts, encryptionOf("otherKey", ts, "otherSecret"), map[string]any{"appKey": "otherKey"}))
			return a.Data.AccessToken
		}, nil, 1204, "Failed to refresh access token"},
		{"expired token", func(r *rig) any {
			tok := r.token()
			r.clock.Advance(7200 * time.Second)
			return tok
		}, nil, 1203, "The access token has expired"},
		{"unknown appKey", func(r *rig) any { return r.token() }, func(b map[string]any) { b["appKey"] = "nobody" }, 1002, "The appKey does not exist"},
		{"wrong encryption", func(r *rig) any { return r.token() }, func(b map[string]any) { b["encryption"] = strings.Repeat("0", 64) }, 1003, "The encryption is not valid"},
		{"stale timestamp", func(r *rig) any { return r.token() }, func(b map[string]any) { b["timestamp"] = int64(1) }, 1004, "Invalid parameter: timestamp"},
		{"missing timestamp", func(r *rig) any { return r.token() }, func(b map[string]any) { delete(b, "timestamp") }, 1202, "The parameter is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t)
			tok := tt.prepare(r)
			r.clock.Advance(time.Second) // a timestamp of its own, not a replay of prepare's
			ts := r.clock.Millis()
			body := map[string]any{
				"appKey":     refserver.DemoAccessKey,
				"encryption": encryptionOf(refserver.DemoAccessKey, ts, refserver.DemoSecretKey),
				"timestamp":  strconv.FormatInt(ts, 10),
			}
			if tok != nil {
				body["accessToken"] = tok
			}
			if tt.mutate != nil {
				tt.mutate(body)
			}
			a := r.postToken(tokenRefresh, mustJSON(body))
			if a.Status != tt.wantStatus || a.Msg != tt.wantMsg {
				t.Fatalf("got %d %q, want %d %q", a.Status, a.Msg, tt.wantStatus, tt.wantMsg)
			}
			if (a.Data != nil) != (tt.wantStatus == 0) {
				t.Errorf("data = %+v", a.Data)
			}
		})
	}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func TestRefreshReplay(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	tok := r.token()
	r.clock.Advance(time.Second)
	ts := r.clock.Millis()
	body := tokenBody(ts, encryptionOf(refserver.DemoAccessKey, ts, refserver.DemoSecretKey), map[string]any{"accessToken": tok})
	if a := r.postToken(tokenRefresh, body); a.Status != 0 {
		t.Fatalf("refresh: %+v", a)
	}
	if a := r.postToken(tokenRefresh, body); a.Status != 1001 {
		t.Fatalf("replayed refresh: %+v, want 1001", a)
	}
	// get with the timestamp of that refresh is a replay too: same encryption.
	if a := r.postToken(tokenGet, tokenBody(ts, encryptionOf(refserver.DemoAccessKey, ts, refserver.DemoSecretKey), nil)); a.Status != 1001 {
		t.Fatalf("get with a used timestamp: %+v, want 1001", a)
	}
}

func TestGatewayRefusesBadCredentials(t *testing.T) {
	t.Parallel()
	const path = flowsPath + "?action=nosuch&orgId=yourOrgId&userId=yourUserId"
	body := []byte(`{"flowId":3377}`)
	window := 15 * time.Minute

	tests := []struct {
		name string
		// build returns the request to send; ts is the clock, tok a valid token.
		build func(r *rig, tok string, ts int64) *http.Request
		want  int
	}{
		{"valid", func(r *rig, tok string, ts int64) *http.Request {
			return r.signed(tok, http.MethodPost, path, body)
		}, http.StatusOK},
		{"window edge in the past", func(r *rig, tok string, ts int64) *http.Request {
			req := r.newRequest(http.MethodPost, path, body)
			sign(req, tok, r.secret, ts-window.Milliseconds(), req.URL.Query(), body)
			return req
		}, http.StatusOK},
		{"window edge in the future", func(r *rig, tok string, ts int64) *http.Request {
			req := r.newRequest(http.MethodPost, path, body)
			sign(req, tok, r.secret, ts+window.Milliseconds(), req.URL.Query(), body)
			return req
		}, http.StatusOK},
		{"no access token header", func(r *rig, tok string, ts int64) *http.Request {
			req := r.signed(tok, http.MethodPost, path, body)
			req.Header.Del("apim-accesstoken")
			return req
		}, http.StatusUnauthorized},
		{"no timestamp header", func(r *rig, tok string, ts int64) *http.Request {
			req := r.signed(tok, http.MethodPost, path, body)
			req.Header.Del("apim-timestamp")
			return req
		}, http.StatusUnauthorized},
		{"no signature header", func(r *rig, tok string, ts int64) *http.Request {
			req := r.signed(tok, http.MethodPost, path, body)
			req.Header.Del("apim-signature")
			return req
		}, http.StatusUnauthorized},
		{"no headers at all", func(r *rig, tok string, ts int64) *http.Request {
			return r.newRequest(http.MethodPost, path, body)
		}, http.StatusUnauthorized},
		{"signed with the wrong secret", func(r *rig, tok string, ts int64) *http.Request {
			req := r.newRequest(http.MethodPost, path, body)
			sign(req, tok, "wrong", ts, req.URL.Query(), body)
			return req
		}, http.StatusUnauthorized},
		{"signature in uppercase", func(r *rig, tok string, ts int64) *http.Request {
			req := r.signed(tok, http.MethodPost, path, body)
			req.Header.Set("apim-signature", strings.ToUpper(req.Header.Get("apim-signature")))
			return req
		}, http.StatusUnauthorized},
		{"mutated body", func(r *rig, tok string, ts int64) *http.Request {
			req := r.newRequest(http.MethodPost, path, []byte(`{"flowId":3378}`))
			sign(req, tok, r.secret, ts, req.URL.Query(), body)
			return req
		}, http.StatusUnauthorized},
		{"body reformatted", func(r *rig, tok string, ts int64) *http.Request {
			req := r.newRequest(http.MethodPost, path, []byte(`{"flowId": 3377}`))
			sign(req, tok, r.secret, ts, req.URL.Query(), body)
			return req
		}, http.StatusUnauthorized},
		{"mutated query value", func(r *rig, tok string, ts int64) *http.Request {
			req := r.newRequest(http.MethodPost, strings.Replace(path, "yourOrgId", "otherOrgId", 1), body)
			signedQuery, _ := url.ParseQuery(strings.SplitN(path, "?", 2)[1])
			sign(req, tok, r.secret, ts, signedQuery, body)
			return req
		}, http.StatusUnauthorized},
		{"added query parameter", func(r *rig, tok string, ts int64) *http.Request {
			req := r.newRequest(http.MethodPost, path+"&extra=1", body)
			signedQuery, _ := url.ParseQuery(strings.SplitN(path, "?", 2)[1])
			sign(req, tok, r.secret, ts, signedQuery, body)
			return req
		}, http.StatusUnauthorized},
		{"stale timestamp", func(r *rig, tok string, ts int64) *http.Request {
			req := r.newRequest(http.MethodPost, path, body)
			sign(req, tok, r.secret, ts-window.Milliseconds()-1, req.URL.Query(), body)
			return req
		}, http.StatusUnauthorized},
		{"future timestamp", func(r *rig, tok string, ts int64) *http.Request {
			req := r.newRequest(http.MethodPost, path, body)
			sign(req, tok, r.secret, ts+window.Milliseconds()+1, req.URL.Query(), body)
			return req
		}, http.StatusUnauthorized},
		{"timestamp in seconds", func(r *rig, tok string, ts int64) *http.Request {
			req := r.newRequest(http.MethodPost, path, body)
			sign(req, tok, r.secret, ts/1000, req.URL.Query(), body)
			return req
		}, http.StatusUnauthorized},
		{"timestamp not an integer", func(r *rig, tok string, ts int64) *http.Request {
			req := r.signed(tok, http.MethodPost, path, body)
			req.Header.Set("apim-timestamp", strconv.FormatInt(ts, 10)+".0")
			return req
		}, http.StatusUnauthorized},
		{"timestamp with a leading zero", func(r *rig, tok string, ts int64) *http.Request {
			req := r.signed(tok, http.MethodPost, path, body)
			req.Header.Set("apim-timestamp", "0"+strconv.FormatInt(ts, 10))
			return req
		}, http.StatusUnauthorized},
		{"unknown token", func(r *rig, tok string, ts int64) *http.Request {
			return r.signed(strings.Repeat("ab", 32), http.MethodPost, path, body)
		}, http.StatusUnauthorized},
		{"expired token", func(r *rig, tok string, ts int64) *http.Request {
			r.clock.Advance(7200 * time.Second)
			return r.signed(tok, http.MethodPost, path, body)
		}, http.StatusUnauthorized},
		{"query values signed encoded", func(r *rig, tok string, ts int64) *http.Request {
			req := r.newRequest(http.MethodPost, flowsPath+"?action=nosuch&expression=a%20b&orgId=yourOrgId&userId=yourUserId", body)
			sign(req, tok, r.secret, ts, url.Values{"action": {"nosuch"}, "expression": {"a%20b"}, "orgId": {"yourOrgId"}, "userId": {"yourUserId"}}, body)
			return req
		}, http.StatusUnauthorized},
		{"body not signed", func(r *rig, tok string, ts int64) *http.Request {
			req := r.newRequest(http.MethodPost, path, body)
			sign(req, tok, r.secret, ts, req.URL.Query(), nil)
			return req
		}, http.StatusUnauthorized},
		{"action not signed", func(r *rig, tok string, ts int64) *http.Request {
			req := r.newRequest(http.MethodPost, path, body)
			sign(req, tok, r.secret, ts, url.Values{"orgId": {"yourOrgId"}, "userId": {"yourUserId"}}, body)
			return req
		}, http.StatusUnauthorized},
		{"another app's secret", func(r *rig, tok string, ts int64) *http.Request {
			r.srv.AddApp("otherKey", "otherSecretValue", refserver.DemoOrgID)
			req := r.newRequest(http.MethodPost, path, body)
			sign(req, tok, "otherSecretValue", ts, req.URL.Query(), body)
			return req
		}, http.StatusUnauthorized},
		{"client's string: body re-serialized", func(r *rig, tok string, ts int64) *http.Request {
			req := r.newRequest(http.MethodPost, path, []byte(`{"flowId": 3377}`))
			sign(req, tok, r.secret, ts, req.URL.Query(), body)
			signed := tok + "actionnosuchorgIdyourOrgIduserIdyourUserId" + string(body) + strconv.FormatInt(ts, 10) + r.secret
			req.Header.Set("X-Refserver-String-To-Sign", base64.StdEncoding.EncodeToString([]byte(signed)))
			return req
		}, http.StatusUnauthorized},
		{"client's string: query differs", func(r *rig, tok string, ts int64) *http.Request {
			req := r.newRequest(http.MethodPost, path, body)
			signed := tok + "action=nosuch&orgId=yourOrgId&userId=yourUserId" + string(body) + strconv.FormatInt(ts, 10) + "<SecretKey>"
			req.Header.Set("apim-accesstoken", tok)
			req.Header.Set("apim-timestamp", strconv.FormatInt(ts, 10))
			req.Header.Set("apim-signature", strings.Repeat("0", 64))
			req.Header.Set("X-Refserver-String-To-Sign", base64.StdEncoding.EncodeToString([]byte(signed)))
			return req
		}, http.StatusUnauthorized},
		{"app not in the org", func(r *rig, tok string, ts int64) *http.Request {
			return r.signed(tok, http.MethodPost, flowsPath+"?action=nosuch&orgId=elsewhere&userId=yourUserId", body)
		}, http.StatusForbidden},
	}
	// reasons holds a part of the X-Refserver-Reason each refusal must carry.
	reasons := map[string]string{
		"no access token header":              "missing header apim-accesstoken",
		"no timestamp header":                 "missing header apim-timestamp",
		"no signature header":                 "missing header apim-signature",
		"no headers at all":                   "missing header apim-accesstoken, apim-timestamp, apim-signature",
		"signed with the wrong secret":        `wrong apim-signature; the gateway signed sha256(`,
		"signature in uppercase":              "upper-case hex",
		"mutated body":                        `"{\"flowId\":3378}" + "`,
		"body reformatted":                    `"{\"flowId\": 3377}"`,
		"mutated query value":                 `"actionnosuchorgIdotherOrgIduserIdyourUserId"`,
		"added query parameter":               `"actionnosuchextra1orgIdyourOrgIduserIdyourUserId"`,
		"stale timestamp":                     "15m0.001s behind the server clock (2019-11-22T01:23:44Z); the window is +/-15m0s",
		"future timestamp":                    "15m0.001s ahead of the server clock",
		"timestamp in seconds":                "it looks like seconds",
		"timestamp not an integer":            `apim-timestamp "1574385824000.0" is not a decimal epoch-millisecond timestamp`,
		"timestamp with a leading zero":       `apim-timestamp "01574385824000" has a leading zero: send decimal(timestampMs)`,
		"unknown token":                       `the access token "abab...abab" is unknown`,
		"expired token":                       "expired 0s ago",
		"query values signed encoded":         "signed percent-encoded",
		"body not signed":                     "the body was left out",
		"action not signed":                   "the action parameter was left out",
		"another app's secret":                `SecretKey of app "otherKey"`,
		"client's string: body re-serialized": "the body part differs: you signed 15 bytes, the request carried 16",
		"client's string: query differs":      "the query part differs: at byte 6",
		"app not in the org":                  `app "yourAppAccessKey" is not registered in organization "elsewhere"`,
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t)
			tok := r.token()
			resp, raw := r.do(tt.build(r, tok, r.clock.Millis()))
			if resp.StatusCode != tt.want {
				t.Fatalf("HTTP %d %s, want %d", resp.StatusCode, raw, tt.want)
			}
			reason := resp.Header.Get("X-Refserver-Reason")
			// Every request here is refused: by the gateway, or (HTTP 200) by the service,
			// whose 62102 "Invalid parameter: action" says why too.
			want := reasons[tt.name]
			if tt.want == http.StatusOK {
				want = `action "nosuch": /flows has no such operation`
			}
			if !strings.Contains(reason, want) || reason == "" {
				t.Errorf("X-Refserver-Reason = %s\nwant it to hold %s", reason, want)
			}
			checkReasonReadable(t, reason)
			for _, secret := range []string{r.secret, "otherSecretValue", tok} {
				if strings.Contains(reason, secret) || strings.Contains(string(raw), secret) {
					t.Errorf("the answer shows a secret or the whole token: %s %s", reason, raw)
				}
			}
			if tt.want == http.StatusForbidden {
				return
			}
			if tt.want == http.StatusOK {
				a := decodeAnswer(t, resp.StatusCode, resp.Header, raw)
				if a.Code != 62102 || a.Msg != "Invalid parameter: action" {
					t.Errorf("got %d %q, want the action error", a.Code, a.Msg)
				}
				return
			}
			if string(raw) != `{"message":"Invalid authentication credentials"}` {
				t.Errorf("body = %s", raw)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q", ct)
			}
		})
	}
}

func TestGatewayUnknownRoute(t *testing.T) {
	t.Parallel()
	paths := []struct{ method, path string }{
		{http.MethodGet, "/"},
		{http.MethodPost, "/batch-processing-service/v2.1/flow"},
		{http.MethodPost, "/batch-processing-service/v2.1/flows/"},
		{http.MethodPost, "/batch-processing-service/v2.0/flows"},
		{http.MethodPost, "/batch-processing-service/v2.1"},
		{http.MethodGet, tokenGet},
		{http.MethodPost, "/apim-token-service/v2.0/token/revoke"},
	}
	r := newRig(t)
	for _, p := range paths {
		// No credentials: the route check comes first, as in Kong.
		resp, raw := r.do(r.newRequest(p.method, p.path+"?action=trigger", nil))
		if resp.StatusCode != http.StatusNotFound || string(raw) != `{"message":"no Route matched with those values"}` {
			t.Errorf("%s %s: HTTP %d %s, want 404", p.method, p.path, resp.StatusCode, raw)
		}
	}
	// Each known resource path passes the route check and asks for credentials.
	for _, res := range []string{"flows", "flowInstances", "taskInstances", "directories", "time"} {
		resp, _ := r.do(r.newRequest(http.MethodGet, "/batch-processing-service/v2.1/"+res+"?action=get", nil))
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("/%s: HTTP %d, want 401", res, resp.StatusCode)
		}
	}
}

func TestGatewayBodyLimit(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	tests := []struct {
		name string
		path string
		size int
		want int
	}{
		{"api over the limit", flowsPath + demoQuery, refserver.MaxBodyBytes + 1, http.StatusRequestEntityTooLarge},
		{"api at the limit", flowsPath + demoQuery, refserver.MaxBodyBytes, http.StatusUnauthorized},
		{"token over the limit", tokenGet, refserver.MaxBodyBytes + 1, http.StatusRequestEntityTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := bytes.Repeat([]byte(" "), tt.size)
			resp, raw := r.do(r.newRequest(http.MethodPost, tt.path, body))
			if resp.StatusCode != tt.want {
				t.Fatalf("HTTP %d %s, want %d", resp.StatusCode, raw, tt.want)
			}
			if tt.want == http.StatusRequestEntityTooLarge && string(raw) != `{"message":"Request size limit exceeded"}` {
				t.Errorf("body = %s", raw)
			}
		})
	}
	// Without a Content-Length (chunked), the limit holds too.
	req := httptest.NewRequest(http.MethodPost, flowsPath, struct{ *bytes.Reader }{bytes.NewReader(make([]byte, refserver.MaxBodyBytes+1))})
	req.ContentLength = -1
	if rec := r.serve(req); rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("chunked: HTTP %d, want 413", rec.Code)
	}
}

func TestDateHeaderFollowsClock(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	want := "Fri, 22 Nov 2019 01:23:44 GMT"
	check := func(what string, resp *http.Response) {
		t.Helper()
		if got := resp.Header.Get("Date"); got != want {
			t.Errorf("%s: Date = %q, want %q", what, got, want)
		}
	}
	tok := r.token()
	resp, _ := r.do(r.newRequest(http.MethodGet, "/nowhere", nil))
	check("404", resp)
	resp, _ = r.do(r.newRequest(http.MethodPost, flowsPath, nil))
	check("401", resp)
	resp, _ = r.do(r.newRequest(http.MethodPost, tokenGet, nil))
	check("token service", resp)

	r.clock.Advance(36*time.Hour + 90*time.Second)
	want = "Sat, 23 Nov 2019 13:25:14 GMT"
	resp, _ = r.do(r.signed(tok, http.MethodPost, flowsPath+"?action=none", nil))
	check("200", resp)

	// The Date header is always GMT, whatever the server's time zone.
	r2 := newRig(t, refserver.WithLocation(time.FixedZone("GMT+8", 8*3600)))
	resp, _ = r2.do(r2.newRequest(http.MethodGet, "/", nil))
	want = "Fri, 22 Nov 2019 01:23:44 GMT"
	check("GMT+8 server", resp)
}

func TestTimestampWindowOption(t *testing.T) {
	t.Parallel()
	r := newRig(t, refserver.WithTimestampWindow(time.Minute))
	ts := r.clock.Now().Add(-61 * time.Second).UnixMilli()
	if a := r.postToken(tokenGet, tokenBody(ts, encryptionOf(refserver.DemoAccessKey, ts, refserver.DemoSecretKey), nil)); a.Status != 1004 {
		t.Errorf("token 61 s old: %+v, want 1004", a)
	}
	tok := r.token()
	for _, tc := range []struct {
		skew time.Duration
		want int
	}{{-time.Minute, 200}, {time.Minute, 200}, {-time.Minute - time.Millisecond, 401}, {time.Minute + time.Millisecond, 401}} {
		req := r.newRequest(http.MethodPost, flowsPath+"?action=none", nil)
		sign(req, tok, r.secret, r.clock.Now().Add(tc.skew).UnixMilli(), req.URL.Query(), nil)
		if resp, _ := r.do(req); resp.StatusCode != tc.want {
			t.Errorf("skew %v: HTTP %d, want %d", tc.skew, resp.StatusCode, tc.want)
		}
	}
}

// TestTokenPrunedAfterWindow: an expired token is remembered for one timestamp window (a
// refresh says 1203), then forgotten on the next token request (a refresh says 1204).
func TestTokenPrunedAfterWindow(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	old := r.token()
	refresh := func() tokenAnswer {
		ts := r.clock.Millis()
		return r.postToken(tokenRefresh, tokenBody(ts, encryptionOf(refserver.DemoAccessKey, ts, refserver.DemoSecretKey), map[string]any{"accessToken": old}))
	}
	r.clock.Advance(7200*time.Second + 15*time.Minute)
	if a := refresh(); a.Status != 1203 {
		t.Fatalf("expired a window ago: %+v, want 1203", a)
	}
	r.clock.Advance(time.Millisecond)
	if a := refresh(); a.Status != 1204 || a.Msg != "Failed to refresh access token" {
		t.Fatalf("expired longer ago: %+v, want 1204", a)
	}
	// get still works and hands out a new token.
	r.clock.Advance(time.Millisecond)
	if fresh := r.token(); fresh == old {
		t.Error("get handed out the pruned token")
	}
}

// checkReasonReadable checks that a reason is a header every HTTP client reads: plain
// printable ASCII, at most 8 KiB.
func checkReasonReadable(t *testing.T, reason string) {
	t.Helper()
	if len(reason) > 8<<10 {
		t.Errorf("reason of %d bytes, want at most 8 KiB", len(reason))
	}
	for _, c := range []byte(reason) {
		if c < ' ' || c > '~' {
			t.Errorf("reason holds byte %#x, want printable ASCII: %.200s", c, reason)
			return
		}
	}
}

// TestTokenServiceReasons: each refusal of the token service says why in X-Refserver-Reason,
// never showing the SecretKey.
func TestTokenServiceReasons(t *testing.T) {
	t.Parallel()
	ts := epoch.UnixMilli()
	good := encryptionOf(refserver.DemoAccessKey, ts, refserver.DemoSecretKey)
	stale := epoch.Add(-20 * time.Minute).UnixMilli()
	tests := []struct {
		name, path string
		body       []byte
		want       string
	}{
		{"not JSON", tokenGet, []byte(`{"appKey":`), "the body is not a JSON object"},
		{"empty fields", tokenGet, tokenBody(nil, "", nil), "empty or missing: encryption, timestamp"},
		{"unknown app", tokenGet, tokenBody(ts, good, map[string]any{"appKey": "nobody"}), `appKey "nobody" is not registered`},
		{"stale", tokenGet, tokenBody(stale, encryptionOf(refserver.DemoAccessKey, stale, refserver.DemoSecretKey), nil), "20m0s behind the server clock"},
		{"wrong secret", tokenGet, tokenBody(ts, encryptionOf(refserver.DemoAccessKey, ts, "wrong"), nil), `encryption is not sha256("yourAppAccessKey" + "1574385824000" + <SecretKey>)`},
		{"upper case", tokenGet, tokenBody(ts, strings.ToUpper(good), nil), "upper-case hex"},
		{"seconds", tokenGet, tokenBody(ts, encryptionOf(refserver.DemoAccessKey, ts/1000, refserver.DemoSecretKey), nil), "timestamp in seconds"},
		{"refresh, unknown token", tokenRefresh, tokenBody(ts, good, map[string]any{"accessToken": strings.Repeat("cd", 32)}), `the access token "cdcd...cdcd" is unknown`},
		// A client that swaps its AccessKey and SecretKey sends the secret where they go.
		{"keys swapped", tokenGet, tokenBody(ts, good, map[string]any{"appKey": refserver.DemoSecretKey}), `appKey "<SecretKey>" is not registered`},
		{"SecretKey as the token", tokenRefresh, tokenBody(ts, good, map[string]any{"accessToken": refserver.DemoSecretKey}), `the access token "<SecretKey>" is unknown`},
		{"a huge appKey", tokenGet, tokenBody(ts, good, map[string]any{"appKey": strings.Repeat("k", 70_000)}), "...(cut: 70"},
	}
	shortened := refserver.DemoSecretKey[:4] + "..." + refserver.DemoSecretKey[len(refserver.DemoSecretKey)-4:]
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t)
			resp, raw := r.do(r.newRequest(http.MethodPost, tt.path, tt.body))
			reason := resp.Header.Get("X-Refserver-Reason")
			if !strings.Contains(reason, tt.want) || strings.Contains(reason+string(raw), refserver.DemoSecretKey) || strings.Contains(reason, shortened) {
				t.Errorf("X-Refserver-Reason = %s\nwant it to hold %s, and no SecretKey", reason, tt.want)
			}
			checkReasonReadable(t, reason)
		})
	}
	r := newRig(t)
	r.token()
	resp, _ := r.do(r.newRequest(http.MethodPost, tokenGet, tokenBody(ts, good, nil)))
	if reason := resp.Header.Get("X-Refserver-Reason"); !strings.Contains(reason, "was used before") {
		t.Errorf("replay: X-Refserver-Reason = %s", reason)
	}
}
