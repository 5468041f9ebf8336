package refserver_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/enos-go/batchprocessing"
)

// TestPaddedTimestampExplained sends apim-timestamp with a leading zero ("0157..."). The
// gateway signs the number the header holds (Sign takes an int64), so a signature over the
// number passes, and one over the header string as sent is refused; the reason must show
// the string the gateway signed, with the number, and say that the timestamp is signed
// without leading zeros, whether the client sends the string it signed or not.
func TestPaddedTimestampExplained(t *testing.T) {
	t.Parallel()
	const pathAndQuery = "/batch-processing-service/v2.1/flows?action=getMyFlow&orgId=yourOrgId&userId=yourUserId"
	tests := []struct {
		name        string
		signRaw     bool // sign the header string as sent, else the number
		sendString  bool // send X-Refserver-String-To-Sign
		wantStatus  int
		wantReasons []string
	}{
		{name: "number signed", wantStatus: http.StatusOK},
		{name: "header string signed", signRaw: true, wantStatus: http.StatusUnauthorized, wantReasons: []string{
			"the timestamp was signed as apim-timestamp carries it",
			"without leading zeros",
		}},
		{name: "header string signed, and sent", signRaw: true, sendString: true, wantStatus: http.StatusUnauthorized, wantReasons: []string{
			"you signed apim-timestamp as sent",
			"the gateway signs the number it holds, without leading zeros",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t)
			tok := r.token()
			ms := r.clock.Millis()
			number, padded := strconv.FormatInt(ms, 10), "0"+strconv.FormatInt(ms, 10)
			req := r.newRequest(http.MethodGet, pathAndQuery, nil)
			sig := batchprocessing.Sign(tok, r.secret, ms, req.URL.Query(), nil)
			queryPart := "actiongetMyFlow" + "orgIdyourOrgId" + "userIdyourUserId"
			if tt.signRaw {
				sum := sha256.Sum256([]byte(tok + queryPart + padded + r.secret))
				sig = hex.EncodeToString(sum[:])
			}
			req.Header.Set("apim-accesstoken", tok)
			req.Header.Set("apim-timestamp", padded)
			req.Header.Set("apim-signature", sig)
			if tt.sendString {
				req.Header.Set("X-Refserver-String-To-Sign", base64.StdEncoding.EncodeToString([]byte(tok+queryPart+padded+"<SecretKey>")))
			}
			resp, raw := r.do(req)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("HTTP %d %s, want %d", resp.StatusCode, raw, tt.wantStatus)
			}
			reason := resp.Header.Get("X-Refserver-Reason")
			if tt.wantStatus == http.StatusOK {
				return
			}
			// The string the gateway signed holds the number, not the padded header.
			if !strings.Contains(reason, `+ "`+number+`" + <SecretKey>`) || strings.Contains(reason, `+ "`+padded+`" + <SecretKey>`) {
				t.Errorf("the reason does not show the gateway's string with the number %s: %s", number, reason)
			}
			for _, want := range tt.wantReasons {
				if !strings.Contains(reason, want) {
					t.Errorf("X-Refserver-Reason = %s\nwant it to hold %q", reason, want)
				}
			}
			if strings.Contains(reason, "your signed string is the gateway's") {
				t.Errorf("the reason says the client's string is the gateway's: %s", reason)
			}
		})
	}
}
