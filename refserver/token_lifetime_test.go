package refserver_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/enos-go/batchprocessing/refserver"
)

// TestTokenLifetimeChangeIssuesNewToken changes the token lifetime between two Get Access
// Token calls: a new lifetime gives a new token that lives that long, the same lifetime
// set again keeps the current token, and the token issued before stays valid either way.
func TestTokenLifetimeChangeIssuesNewToken(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		lifetime   time.Duration
		wantNew    bool
		wantExpire int64 // seconds, of the second token
	}{
		{"shorter", time.Minute, true, 60},
		{"longer", 3 * time.Hour, true, 3 * 3600},
		{"the same", 2 * time.Hour, false, 2*3600 - 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, clk := newManualRig(t, t0) // tokens live 2h by default
			first, _ := r.getToken()
			clk.Advance(time.Second) // a new timestamp for the next token request
			r.srv.SetSettings(refserver.Settings{TokenLifetime: tt.lifetime})
			second, expire := r.getToken()
			if (second != first) != tt.wantNew || expire != tt.wantExpire {
				t.Errorf("after the lifetime %v: token new %v, expire %d; want new %v, expire %d",
					tt.lifetime, second != first, expire, tt.wantNew, tt.wantExpire)
			}
			a := r.call(first, http.MethodGet, timePath+"?action=getTimeZone", "")
			if a.Code != 0 {
				t.Errorf("the first token is refused: %d %s (%s)", a.Code, a.Msg, a.Reason)
			}
		})
	}
}

// getToken gets the demo app's token at the current clock, and its remaining life in seconds.
func (r *rig) getToken() (token string, expire int64) {
	r.t.Helper()
	ts := r.clock.Millis()
	a := r.postToken(tokenGet, tokenBody(ts, encryptionOf(refserver.DemoAccessKey, ts, r.secret), nil))
	if a.Status != 0 || a.Data == nil {
		r.t.Fatalf("token/get: %+v", a)
	}
	return a.Data.AccessToken, a.Data.Expire
}
