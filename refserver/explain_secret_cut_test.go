package refserver_test

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/enos-go/batchprocessing/refserver"
)

// TestReasonShowsNoPieceOfSecret puts a SecretKey where a reason cuts a window out of what
// it echoes, split at each offset: in the client's string to sign at the end of the window
// the comparison shows, in a query value at its start, and in a long body where the shown
// body is cut. No run of 4 bytes of the secret may appear in the reason.
func TestReasonShowsNoPieceOfSecret(t *testing.T) {
	t.Parallel()
	const (
		key    = "maskKey"
		secret = "Zq8vW3xN5mT1rB7p" // no 4 bytes of it in any other text of a reason
		listQ  = "/batch-processing-service/v2.1/flows?action=getMyFlow&orgId=yourOrgId&userId=yourUserId"
		wantQ  = "actiongetMyFloworgIdyourOrgIduserIdyourUserId"
	)
	type call struct{ pathAndQuery, body, clientString string }
	var tests []struct {
		name string
		call func(tok, stamp string) call
	}
	add := func(name string, f func(tok, stamp string) call) {
		tests = append(tests, struct {
			name string
			call func(tok, stamp string) call
		}{name, f})
	}
	for j := 1; j < len(secret); j++ {
		// The comparison's window of the client's string ends j bytes into the secret.
		add(fmt.Sprintf("client string, window end, %d bytes in", j), func(tok, stamp string) call {
			rest := wantQ[:5] + strings.Repeat("X", 24-j) + secret + "tail"
			return call{listQ, "", tok + rest + stamp + "<SecretKey>"}
		})
		// The comparison's window starts len(secret)-j bytes into a query value that holds it.
		add(fmt.Sprintf("query value, window start, %d bytes in", j), func(tok, stamp string) call {
			q := "/batch-processing-service/v2.1/flows?action=getMyFlow&expression=" + secret + "&orgId=yourOrgId&userId=yourUserId"
			want := "actiongetMyFlowexpression" + secret + "orgIdyourOrgIduserIdyourUserId"
			i := len("actiongetMyFlowexpression") + 2*len(secret) - j
			client := want[:i] + "#" + want[i+1:]
			return call{q, "", tok + client + stamp + "<SecretKey>"}
		})
		// The shown body is cut 256 bytes in: j bytes of the secret before the cut.
		add(fmt.Sprintf("long body, cut %d bytes in", j), func(tok, stamp string) call {
			body := strings.Repeat("a", 256-j) + secret + strings.Repeat("b", 600)
			return call{listQ, body, ""}
		})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t)
			r.srv.AddApp(key, secret, refserver.DemoOrgID)
			ms := r.clock.Millis()
			a := r.postToken(tokenGet, tokenBody(ms, encryptionOf(key, ms, secret), map[string]any{"appKey": key}))
			if a.Data == nil {
				t.Fatalf("token/get: %+v", a)
			}
			tok, stamp := a.Data.AccessToken, strconv.FormatInt(ms, 10)
			c := tt.call(tok, stamp)
			req := r.newRequest(http.MethodGet, c.pathAndQuery, []byte(c.body))
			req.Header.Set("apim-accesstoken", tok)
			req.Header.Set("apim-timestamp", stamp)
			req.Header.Set("apim-signature", strings.Repeat("0", 64))
			if c.clientString != "" {
				req.Header.Set("X-Refserver-String-To-Sign", base64.StdEncoding.EncodeToString([]byte(c.clientString)))
			}
			resp, raw := r.do(req)
			if resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("HTTP %d %s, want 401", resp.StatusCode, raw)
			}
			reason := resp.Header.Get("X-Refserver-Reason")
			for i := 0; i+4 <= len(secret); i++ {
				if strings.Contains(reason, secret[i:i+4]) {
					t.Fatalf("the reason shows %q of the secret: %s", secret[i:i+4], reason)
				}
			}
			if !strings.Contains(reason, "<SecretKey>") {
				t.Errorf("the reason does not stand <SecretKey> for the secret: %s", reason)
			}
		})
	}
}
