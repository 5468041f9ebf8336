package refserver

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/enos-go/batchprocessing/internal/signing"
)

// TestBadSignatureExplainedOutsideLock sends badly signed requests, some as large as the
// gateway takes: the explanation of each is computed with the store unlocked, its reason
// stays within maxReasonBytes, and what it allocates does not grow with the body or with the
// number of apps (it copies no body; it hashes the body for another app's SecretKey once,
// not once per app). Allocation is the measure, not time: the machines that run the tests
// are shared. Not parallel: it reads the process's allocation counters.
func TestBadSignatureExplainedOutsideLock(t *testing.T) {
	big := bytes.Repeat([]byte(`{"flowId":3377}`), MaxBodyBytes/16)
	longQuery := "&expression=" + strings.Repeat("a", 256<<10)
	tests := []struct {
		name   string
		query  string // after the action, orgId and userId
		body   []byte
		secret string // the secret the client signed with
		apps   int    // apps registered besides the demo app
		client bool   // sends X-Refserver-String-To-Sign
		want   string // a part of the reason
	}{
		{"wrong secret, small body", "", []byte(`{"flowId":3377}`), "wrong", 0, false, "; the gateway signed sha256("},
		{"wrong secret, largest body", "", big, "wrong", 0, false, "bytes in all"},
		{"another app's secret, largest body, 1000 apps", "", big, "secret-of-app-999", 1000, false, `SecretKey of app "app-999"`},
		{"wrong secret, largest body, 1000 apps", "", big, "wrong", 1000, false, "; the gateway signed sha256("},
		{"body not signed, largest body", "", big, "", 0, false, "the body was left out"},
		{"wrong secret, long query", longQuery, big, "wrong", 0, false, "bytes in all"},
		{"client's string, largest body", "", big, DemoSecretKey, 0, true, "the body part differs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := NewDemoBackend(WithClock(func() time.Time { return epoch }))
			for i := range tt.apps {
				b.AddApp(fmt.Sprintf("app-%d", i), fmt.Sprintf("secret-of-app-%d", i))
			}
			held := false
			b.state.explaining = func() {
				if b.state.mu.TryLock() {
					b.state.mu.Unlock()
				} else {
					held = true
				}
			}
			bad := badlySigned(b, tt.query, tt.body, tt.secret, tt.client)
			unsigned := bad.Clone(bad.Context())
			unsigned.Header.Del(signing.HeaderSignature) // refused before any hashing
			var rec *httptest.ResponseRecorder
			serve := func(r *http.Request) func() {
				return func() {
					rec = httptest.NewRecorder()
					r.Body = readerOf(tt.body)
					b.ServeHTTP(rec, r)
				}
			}
			baseBytes, baseMallocs := allocatedBy(serve(unsigned))
			gotBytes, gotMallocs := allocatedBy(serve(bad))

			reason := rec.Header().Get(HeaderReason)
			if rec.Code != http.StatusUnauthorized || !strings.Contains(reason, tt.want) {
				t.Fatalf("HTTP %d, reason %q, want 401 and a reason holding %q", rec.Code, reason, tt.want)
			}
			if held {
				t.Error("the signature was explained with the store locked")
			}
			if len(reason) > maxReasonBytes {
				t.Errorf("reason of %d bytes, over %d", len(reason), maxReasonBytes)
			}
			// The explanation may build the query part a few times (its length is bounded
			// by the request line) and decode the client's signed string once, but copies
			// no body; what it keeps per app (the apps' keys and secrets) is small enough
			// for a thousand apps to fit the budget.
			clientString := base64.StdEncoding.DecodedLen(len(bad.Header.Get(HeaderStringToSign)))
			budget := 64<<10 + 4*uint64(len(tt.query)) + uint64(clientString)
			if extra := gotBytes - min(gotBytes, baseBytes); extra > budget {
				t.Errorf("explaining allocated %d bytes more than a refusal without signature, budget %d", extra, budget)
			}
			if extra := gotMallocs - min(gotMallocs, baseMallocs); extra > 300 {
				t.Errorf("explaining made %d allocations more than a refusal without signature", extra)
			}
		})
	}
}

// epoch is the time of the documentation's sample trigger: 1574385824000 ms.
var epoch = time.Date(2019, 11, 22, 1, 23, 44, 0, time.UTC)

// badlySigned returns a demo-app request to Trigger Flow with a token of b, signed with
// secret ("" signs the right secret without the body) and, with client, the string the
// client signed in HeaderStringToSign, holding the body.
func badlySigned(b *Backend, query string, body []byte, secret string, client bool) *http.Request {
	st := b.lock()
	tok := st.getToken(DemoAccessKey, st.now()).AccessToken
	st.mu.Unlock()
	r := httptest.NewRequest(http.MethodPost, batchPrefix+"/flows?action=trigger&orgId="+DemoOrgID+"&userId="+DemoUserID+query, nil)
	ts := epoch.UnixMilli()
	signedBody := body
	if secret == "" {
		secret, signedBody = DemoSecretKey, nil
	}
	if client {
		signedBody = append([]byte(`x`), body...) // re-serialized after signing
	}
	r.Header.Set(signing.HeaderAccessToken, tok)
	r.Header.Set(signing.HeaderTimestamp, strconv.FormatInt(ts, 10))
	r.Header.Set(signing.HeaderSignature, signing.Sign(tok, secret, ts, r.URL.Query(), signedBody))
	if client {
		s := tok + signing.QueryPart(r.URL.Query()) + string(signedBody) + strconv.FormatInt(ts, 10) + secretPlaceholder
		r.Header.Set(HeaderStringToSign, base64.StdEncoding.EncodeToString([]byte(s)))
	}
	return r
}

// readerOf returns a fresh body reading b.
func readerOf(b []byte) *readCloser { return &readCloser{bytes.NewReader(b)} }

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }

// allocatedBy returns the bytes and the allocations f made, the least of three runs.
func allocatedBy(f func()) (bytes, mallocs uint64) {
	bytes, mallocs = ^uint64(0), ^uint64(0)
	for range 3 {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		f()
		runtime.ReadMemStats(&after)
		bytes = min(bytes, after.TotalAlloc-before.TotalAlloc)
		mallocs = min(mallocs, after.Mallocs-before.Mallocs)
	}
	return bytes, mallocs
}

// TestShownReasonCutHidesSecrets: a reason too long to show is cut before its secrets are
// hidden, and no piece of a secret survives, wherever the cut falls in it.
func TestShownReasonCutHidesSecrets(t *testing.T) {
	t.Parallel()
	const secret = "0123456789abcdefghijklmnopqrstuvwxyzABCD"
	b := NewBackend()
	b.AddApp("key", secret)
	b.AddApp("short", "s3")
	for _, tt := range []struct {
		name   string
		reason string
		cut    bool // the reason shown is cut
	}{
		{"a secret across the cut", strings.Repeat("x", maxReasonBytes-20) + secret + strings.Repeat("y", 100), true},
		{"a secret just after the cut", strings.Repeat("x", maxReasonBytes+len(secret)-3) + secret, true},
		{"secrets all along", strings.Repeat(secret+"-", 3*maxReasonBytes/len(secret)), true},
		{"shortened secrets all along", strings.Repeat(shorten(secret)+"-", 3*maxReasonBytes/11), true},
		{"longer than shown, but not once hidden", strings.Repeat("x", maxReasonBytes-30) + secret, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := b.state.shownReason(tt.reason)
			if len(got) > maxReasonBytes {
				t.Errorf("%d bytes shown, over %d", len(got), maxReasonBytes)
			}
			if cut := strings.HasSuffix(got, fmt.Sprintf("(cut: %d bytes in all)", len(tt.reason))); cut != tt.cut {
				t.Errorf("cut %v, want %v: ...%s", cut, tt.cut, got[max(len(got)-80, 0):])
			}
			for i := 0; i+3 <= len(secret); i++ {
				if strings.Contains(got, secret[i:i+3]) {
					t.Fatalf("%q of the secret is shown", secret[i:i+3])
				}
			}
		})
	}
}

// TestHeaderSafe: control characters, DEL and bytes that are not UTF-8 are written \xNN;
// printable ASCII, tabs and UTF-8 text stay; a cut never splits a character.
func TestHeaderSafe(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ in, want string }{
		{"plain reason", "plain reason"},
		{"tab\there, café", "tab\there, café"},
		{"1\x7f", `1\x7f`},
		{"\x00a\r\nb\x1b", `\x00a\x0d\x0ab\x1b`},
		{"bad \xff\xfe utf-8 é\xc3", `bad \xff\xfe utf-8 é\xc3`},
	} {
		if got := headerSafe(tt.in); got != tt.want {
			t.Errorf("headerSafe(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	for _, tt := range []struct {
		in   string
		n    int
		want string
	}{
		{"café", 4, "caf"}, {"café", 5, "café"}, {"café", 9, "café"}, {"abc", -1, ""},
	} {
		if got := cutTo(tt.in, tt.n); got != tt.want {
			t.Errorf("cutTo(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}
