package refserver_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/enos-go/batchprocessing/internal/signing"
	"github.com/enos-go/batchprocessing/refserver"
)

// TestReasonIsALegalHeader: a refusal whose reason echoes what the client sent (a number
// holding a DEL, a NUL, bytes that are not UTF-8) reaches Go's HTTP client over a socket
// as an answer, its reason a legal header value, and not as a broken connection.
func TestReasonIsALegalHeader(t *testing.T) {
	t.Parallel()
	srv := refserver.NewDemoServer()
	t.Cleanup(srv.Close)
	for _, timestamp := range []string{"1\x7f", "1\x00", "1\xff\xfe", "1\x1b[31m"} {
		body := `{"appKey":"` + refserver.DemoAccessKey + `","encryption":"x","timestamp":"` + timestamp + `"}`
		resp, err := http.Post(srv.URL+signing.TokenGetPath, "application/json", strings.NewReader(body))
		if err != nil {
			t.Errorf("timestamp %q: %v", timestamp, err)
			continue
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		reason := resp.Header.Get(refserver.HeaderReason)
		if reason == "" || !utf8.ValidString(reason) || strings.ContainsFunc(reason, func(r rune) bool { return r < ' ' || r == 0x7f }) {
			t.Errorf("timestamp %q: reason %q, want one without control characters", timestamp, reason)
		}
	}
}
