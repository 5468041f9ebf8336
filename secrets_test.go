package batchprocessing

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
)

// TestSecretsNeverShown runs every kind of outcome with a debug logger and searches all
// that the client printed, logged and returned for the SecretKey and the access token.
func TestSecretsNeverShown(t *testing.T) {
	t.Parallel()
	const token = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	echo := func(req *http.Request) (*http.Response, error) {
		// A broken server that echoes the request's credentials in an HTML page.
		return httpmock.NewStringResponse(502, "<html>"+req.Header.Get(HeaderAccessToken)+" "+testSecretKey+"</html>"), nil
	}
	scenarios := []struct {
		name  string
		token httpmock.Responder
		api   httpmock.Responder
	}{
		{"success", tokenResponder(token, 7200), okInstance("1-20191122012300")},
		{"business error", tokenResponder(token, 7200), jsonResponder(200, map[string]any{"code": 62104, "msg": "no task"})},
		{"gateway 401", tokenResponder(token, 7200), jsonResponder(401, map[string]any{"message": "Invalid authentication credentials"})},
		{"echoing server", tokenResponder(token, 7200), echo},
		{"json echo", tokenResponder(token, 7200), func(req *http.Request) (*http.Response, error) {
			return httpmock.NewStringResponse(200, `{"code":0,"data":{"accessToken":"`+req.Header.Get(HeaderAccessToken)+`"}}`), nil
		}},
		{"transport failure", tokenResponder(token, 7200), httpmock.ConnectionFailure},
		{"token service error", jsonResponder(200, map[string]any{"status": 1003, "msg": "The encryption is not valid"}), nil},
		{"token in a broken token answer", httpmock.NewStringResponder(200, `{"status":0,"data":{"accessToken":"`+token+`","expire":"soon`), nil},
		{"token answer echoing the secret", httpmock.NewStringResponder(500, "<p>"+testSecretKey+"</p>"), nil},
		{"retried after 429 and 503", tokenResponder(token, 7200), gatewayError(429).Then(gatewayError(503)).Then(okInstance("1-20191122012300"))},
		{"answer lost, instance looked up", tokenResponder(token, 7200), lost},
		{"401, token renewed", tokenResponder(token, 7200), gatewayError(401).Then(okInstance("1-20191122012300"))},
		{"clock skew corrected", tokenResponder(token, 7200), skewedGateway(time.UnixMilli(testNowMillis).Add(time.Hour), okInstance("1-20191122012300"))},
		{"token service busy", gatewayError(503).Then(tokenResponder(token, 7200)), okInstance("1-20191122012300")},
		// A gateway that reflects the request's credentials in every field an error keeps.
		{"credentials in the requestId", tokenResponder(token, 7200), reflectCredentials(func(cred string) (int, http.Header, string) {
			return 200, nil, `{"code":62104,"msg":"no task","requestId":"` + cred + `"}`
		})},
		{"credentials in X-Request-Id", tokenResponder(token, 7200), reflectCredentials(func(cred string) (int, http.Header, string) {
			return 200, http.Header{"X-Request-Id": {cred}}, `{"code":62104,"msg":"no task"}`
		})},
		{"credentials in the Content-Type", tokenResponder(token, 7200), reflectCredentials(func(cred string) (int, http.Header, string) {
			return 502, http.Header{"Content-Type": {"text/html; x=" + cred}}, "<html>bad gateway</html>"
		})},
		{"credentials in a gateway message", tokenResponder(token, 7200), reflectCredentials(func(cred string) (int, http.Header, string) {
			return 403, nil, `{"message":"refused ` + cred + `"}`
		})},
		{"credentials in an envelope without a code", tokenResponder(token, 7200), reflectCredentials(func(cred string) (int, http.Header, string) {
			return 200, nil, `{"msg":"` + cred + `","message":"` + cred + `"}`
		})},
		{"credentials upper-cased in a gateway message", tokenResponder(token, 7200), reflectCredentials(func(cred string) (int, http.Header, string) {
			return 403, nil, `{"message":"refused ` + strings.ToUpper(cred) + `"}`
		})},
		{"credentials in header names", tokenResponder(token, 7200), reflectCredentials(func(cred string) (int, http.Header, string) {
			name := http.CanonicalHeaderKey("X-" + strings.ReplaceAll(cred, " ", "-")) // as Go's transport reads it
			return 200, http.Header{name: {"1"}}, `{"code":62104,"msg":"no task"}`
		})},
		// The second call's refresh is refused (refreshes), and the get that follows
		// answers with the token the client still holds.
		{"held token in the fallback get's refusal", tokenResponder(token, 7200).Then(
			jsonResponder(200, map[string]any{"status": 1005, "msg": "token " + token + " still active"})),
			okInstance("1-20191122012300")},
	}
	// refreshes answers the token refreshes of some scenarios; the others' succeed.
	refreshes := map[string]httpmock.Responder{
		"held token in the fallback get's refusal": jsonResponder(200, map[string]any{"status": 1204, "msg": "Failed to refresh access token"}),
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			var logs bytes.Buffer
			logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			c, mt, clock := newTestClient(t, WithLogger(logger), fastRetries)
			reconcileMocks(mt, func() bool { return true })
			mt.RegisterResponder(http.MethodPost, tokenGetURL, sc.token)
			refresh, ok := refreshes[sc.name]
			if !ok {
				refresh = tokenResponder(token, 7200)
			}
			mt.RegisterResponder(http.MethodPost, tokenRefURL, refresh)
			var sent recorder
			if sc.api != nil {
				mt.RegisterResponder(http.MethodPost, flowsURL, sent.wrap(sc.api))
			}
			var out []string
			for i := 0; i < 2; i++ {
				var md ResponseMetadata
				_, err := c.TriggerFlow(context.Background(), TriggerFlowRequest{FlowID: 1}, WithMetadata(&md))
				if err != nil {
					out = append(out, err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err))
				}
				out = append(out, fmt.Sprintf("%#v", md))
				clock.Advance(7150 * time.Second) // the second call renews the token
			}
			out = append(out, logs.String(), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", *c))
			if sc.name == "success" && !strings.Contains(logs.String(), `"operation":"TriggerFlow"`) {
				t.Errorf("debug log lacks the call: %s", logs.String())
			}
			for _, s := range out {
				s := strings.ToLower(s) // in any letter case
				if strings.Contains(s, token) || strings.Contains(s, strings.ToLower(testSecretKey)) {
					t.Errorf("secret shown: %s", s)
				}
				for _, req := range sent.all() {
					if sig := req.header.Get(HeaderSignature); sig != "" && strings.Contains(s, sig) {
						t.Errorf("signature shown: %s", s)
					}
				}
			}
		})
	}
}

// TestTransportErrorKeepsNoSecrets: a transport failure whose text quotes the request's
// credentials (Go's transport quotes a malformed answer) shows none of them, however the
// error is printed: the *TransportError keeps its cause's text masked, never the secrets.
func TestTransportErrorKeepsNoSecrets(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, WithoutRetries())
	var sig string
	mt.RegisterResponder(http.MethodGet, flowsURL, func(req *http.Request) (*http.Response, error) {
		sig = req.Header.Get(HeaderSignature)
		return nil, fmt.Errorf("malformed HTTP response %q", testToken+" "+sig+" "+testSecretKey)
	})
	_, err := c.GetFlow(context.Background(), FlowRequest{FlowID: 1})
	var te *TransportError
	if !errors.As(err, &te) {
		t.Fatalf("err = %v, want a *TransportError", err)
	}
	if !strings.Contains(err.Error(), "malformed HTTP response") || !strings.Contains(err.Error(), redactedText) {
		t.Errorf("err = %q, want the cause with the secrets masked", err)
	}
	shown := []string{fmt.Sprintf("%#v", *te)}
	for e := err; e != nil; e = errors.Unwrap(e) { // every error of the chain, as a caller may unwrap it
		shown = append(shown, e.Error(), fmt.Sprintf("%v", e), fmt.Sprintf("%+v", e), fmt.Sprintf("%#v", e))
	}
	for _, s := range shown {
		for _, secret := range []string{testToken, sig, testSecretKey} {
			if strings.Contains(s, secret) {
				t.Errorf("%q shown in %s", secret, s)
			}
		}
	}
}

// reflectCredentials answers with what answer makes of the request's access token and signature (as
// "<token> <signature>").
func reflectCredentials(answer func(credentials string) (status int, header http.Header, body string)) httpmock.Responder {
	return func(req *http.Request) (*http.Response, error) {
		status, header, body := answer(req.Header.Get(HeaderAccessToken) + " " + req.Header.Get(HeaderSignature))
		resp := httpmock.NewStringResponse(status, body)
		for k, v := range header {
			resp.Header[k] = v
		}
		return resp, nil
	}
}

// TestTokenRequestCredentialsNeverShown: a token service that echoes the token request in
// its refusal shows neither the encryption (with the AppKey and the timestamp, a token until
// the timestamp leaves the window) nor the token being refreshed, in the error or the log.
func TestTokenRequestCredentialsNeverShown(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	c, mt, _ := newTestClient(t, WithoutRetries(), WithLogger(slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	var encryption string
	mt.RegisterResponder(http.MethodPost, tokenGetURL, func(req *http.Request) (*http.Response, error) {
		var body struct{ Encryption string }
		raw, _ := io.ReadAll(req.Body)
		_ = json.Unmarshal(raw, &body)
		encryption = body.Encryption
		return httpmock.NewStringResponse(502, `{"message":"bad gateway for `+strings.ReplaceAll(string(raw), `"`, `'`)+`"}`), nil
	})
	_, err := c.GetFlow(context.Background(), FlowRequest{FlowID: 1})
	if err == nil || len(encryption) < minSecretLen {
		t.Fatalf("err = %v, encryption %q: want a refusal of a real token request", err, encryption)
	}
	if !strings.Contains(err.Error(), "bad gateway for") {
		t.Errorf("err = %q, want the service's message", err)
	}
	for _, s := range []string{err.Error(), fmt.Sprintf("%#v", err), logs.String()} {
		if strings.Contains(s, encryption) {
			t.Errorf("encryption shown: %s", s)
		}
	}
}
