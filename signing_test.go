package batchprocessing

import (
	"net/url"
	"testing"

	"github.com/enos-go/batchprocessing/internal/signing"
)

// The signing vectors are internal/signing's to check. The root package's tests use two of
// them end to end: the sample trigger's request (flows_test.go) and the token request body
// (token_test.go), read with internal/signing/signingtest.

// TestSignIsTheGatewaySignature checks that the public Sign passes its arguments through to
// the one definition.
func TestSignIsTheGatewaySignature(t *testing.T) {
	t.Parallel()
	q := url.Values{"action": {"trigger"}, "orgId": {"o"}, "userId": {"u"}}
	body := []byte(`{"flowId":3377,"triggerTime":1574385824000}`)
	if got, want := Sign("token", "secret", 1574385824000, q, body), signing.Sign("token", "secret", 1574385824000, q, body); got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
}

// TestHeaderNames checks the header names against the values their doc comments give.
func TestHeaderNames(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ got, want string }{
		{HeaderAccessToken, "apim-accesstoken"}, {HeaderSignature, "apim-signature"}, {HeaderTimestamp, "apim-timestamp"},
	} {
		if tt.got != tt.want {
			t.Errorf("header %q, documented as %q", tt.got, tt.want)
		}
	}
}
