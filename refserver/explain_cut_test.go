package refserver_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/enos-go/batchprocessing/refserver"
)

// TestReasonHidesSecretPiecesAtCuts sends a long flowInstId, which the reason quotes cut in
// the middle, holding the SecretKey across one side of the cut, and checks that the reason
// shows no piece of it (of 4 bytes or more) next to the cut.
func TestReasonHidesSecretPiecesAtCuts(t *testing.T) {
	t.Parallel()
	const secret = refserver.DemoSecretKey
	const half = 256 // shown keeps the first and the last 256 bytes of a value over 512
	x := strings.Repeat
	tests := []struct {
		name  string
		value string
	}{
		{"the first half ends with 4 bytes of it", x("x", half-4) + secret + x("x", 400)},
		{"the first half ends with 12 bytes of it", x("x", half-12) + secret + x("x", 400)},
		{"the last half starts with 4 bytes of it", x("x", 400) + secret + x("x", half-4)},
		{"the last half starts with 12 bytes of it", x("x", 400) + secret + x("x", half-12)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t)
			a := r.call(r.token(), http.MethodGet, flowInstancesPath+"?action=get&flowInstId="+tt.value+"&orgId=yourOrgId&userId=yourUserId", "")
			if !strings.Contains(a.Reason, "...(") {
				t.Fatalf("the reason does not cut the value: %s", a.Reason)
			}
			value, _, _ := strings.Cut(a.Reason, `": `) // the organization's id shares "your"
			value = strings.ReplaceAll(value, "<SecretKey>", "")
			for n := 4; n <= len(secret); n++ {
				for i := 0; i+n <= len(secret); i++ {
					if strings.Contains(value, secret[i:i+n]) {
						t.Fatalf("the reason shows %q of the SecretKey: %s", secret[i:i+n], a.Reason)
					}
				}
			}
			if !strings.Contains(a.Reason, "<SecretKey>") {
				t.Errorf("the reason does not say a SecretKey was hidden: %s", a.Reason)
			}
		})
	}
}
