package refserver_test

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// TestDroppedQueryPairExplained sends, in a hand-built URL, a query pair that Go's query
// parser drops (a semicolon, a malformed escape), signed as a client that keeps it signs
// it. The gateway signs the query without the pair, so the call is refused; the reason must
// say that the pair was dropped and why, not that the values were signed percent-encoded.
// Signed with a wrong SecretKey, the pair is not the mistake, and the reason must not blame it.
func TestDroppedQueryPairExplained(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, pair, signedAs, why string
		secret                    string // "": the app's own
	}{
		{"semicolon", "expression=a;b", "expressiona;b", "a semicolon", ""},
		{"bad escape", "expression=%zz", "expression%zz", "a malformed percent-escape", ""},
		{"bad escape in the key", "ex%2=1", "ex%21", "a malformed percent-escape", ""},
		{"another mistake", "expression=a;b", "expressiona;b", "", "notTheSecretKey"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t)
			tok := r.token()
			ms := r.clock.Millis()
			req := r.newRequest(http.MethodGet, "/batch-processing-service/v2.1/flows?action=getMyFlow&"+tt.pair+"&orgId=yourOrgId&userId=yourUserId", nil)
			// The client's signed string: the pairs sorted by key, the dropped one with them.
			signed := "actiongetMyFlow" + tt.signedAs + "orgIdyourOrgIduserIdyourUserId"
			secret := r.secret
			if tt.secret != "" {
				secret = tt.secret
			}
			sum := sha256.Sum256([]byte(tok + signed + strconv.FormatInt(ms, 10) + secret))
			req.Header.Set("apim-accesstoken", tok)
			req.Header.Set("apim-timestamp", strconv.FormatInt(ms, 10))
			req.Header.Set("apim-signature", hex.EncodeToString(sum[:]))
			resp, raw := r.do(req)
			if resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("HTTP %d %s, want 401", resp.StatusCode, raw)
			}
			reason := resp.Header.Get("X-Refserver-Reason")
			want := "the server dropped the query pair " + strconv.QuoteToASCII(tt.pair) + " (" + tt.why
			if tt.why == "" && strings.Contains(reason, "dropped the query pair") {
				t.Errorf("X-Refserver-Reason = %s\nblames the dropped pair, not the mistake", reason)
			}
			if tt.why != "" && !strings.Contains(reason, want) {
				t.Errorf("X-Refserver-Reason = %s\nwant it to hold %s", reason, want)
			}
			if strings.Contains(reason, "percent-encoded as sent") {
				t.Errorf("the reason blames percent-encoding: %s", reason)
			}
		})
	}
}
