package refserver_test

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// TestQuerySplitOnAmpersandAlone sends, in a hand-built URL, a query pair that Go's query
// parser drops (a semicolon, a malformed escape). The gateway splits the query on '&' alone
// and keeps what does not decode, so a client that signs the pair is served, with the pair:
// expression=a;b matches no flow, where without it every flow would come back. A client
// that signed the query as Go's parser reads it, without the pair, is refused, and the reason
// names the pair left out; signed with a wrong SecretKey, the pair is not the mistake, and
// the reason must not blame it.
func TestQuerySplitOnAmpersandAlone(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, pair, signedAs string
		secret               string // "": the app's own
		status               int
		why                  string // in the reason of a refusal
	}{
		{"semicolon", "expression=a;b", "expressiona;b", "", http.StatusOK, ""},
		{"bad escape", "expression=%zz", "expression%zz", "", http.StatusOK, ""},
		{"bad escape in the key", "ex%2=1", "ex%21", "", http.StatusOK, ""},
		{"plus is a space", "expression=a+b;", "expressiona b;", "", http.StatusOK, ""},
		{"semicolon left out", "expression=a;b", "", "", http.StatusUnauthorized, `the query pair "expression=a;b" (a semicolon) was left out of the signed string`},
		{"bad escape left out", "expression=%zz", "", "", http.StatusUnauthorized, `the query pair "expression=%zz" (a malformed percent-escape) was left out`},
		{"another mistake", "expression=a;b", "expressiona;b", "notTheSecretKey", http.StatusUnauthorized, "SecretKey"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t)
			tok := r.token()
			ms := r.clock.Millis()
			req := r.newRequest(http.MethodGet, "/batch-processing-service/v2.1/flows?action=getMyFlow&"+tt.pair+"&orgId=yourOrgId&userId=yourUserId", nil)
			// The client's signed string: the pairs sorted by key.
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
			reason := resp.Header.Get("X-Refserver-Reason")
			switch {
			case resp.StatusCode != tt.status:
				t.Fatalf("HTTP %d %s (%s), want %d", resp.StatusCode, raw, reason, tt.status)
			case tt.status == http.StatusOK && strings.HasPrefix(tt.pair, "expression") && !strings.Contains(string(raw), `"data":[]`):
				t.Errorf("answer %s: want no flow, as none matches the expression", raw)
			case !strings.Contains(reason, tt.why):
				t.Errorf("X-Refserver-Reason = %s\nwant it to hold %s", reason, tt.why)
			case tt.secret != "" && strings.Contains(reason, "left out"):
				t.Errorf("X-Refserver-Reason = %s\nblames the pair, not the mistake", reason)
			}
		})
	}
}
