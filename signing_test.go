package batchprocessing

import (
	"encoding/json"
	"net/url"
	"os"
	"testing"

	"github.com/enos-go/batchprocessing/internal/signing"
)

// The signing vectors are internal/signing's to check. The root package's tests use two of
// them end to end: the sample trigger's request (flows_test.go) and the token request body
// (token_test.go).

// signingVectors is the part of testdata/signing-vectors.json those tests read.
type signingVectors struct {
	Signatures []struct {
		Body, Signature string
	} `json:"signatures"`
	TokenRequests []struct {
		Body string
	} `json:"tokenRequests"`
}

func loadSigningVectors(t testing.TB) signingVectors {
	t.Helper()
	raw, err := os.ReadFile("testdata/signing-vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var v signingVectors
	if err := json.Unmarshal(raw, &v); err != nil || len(v.Signatures) < 2 || len(v.TokenRequests) < 1 {
		t.Fatalf("testdata/signing-vectors.json: %v, %d signatures, %d token requests", err, len(v.Signatures), len(v.TokenRequests))
	}
	return v
}

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
