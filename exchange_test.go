package batchprocessing

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// stallingGateway answers the token request at once (unless stallToken) and stalls every
// other request until it ends: before its headers, or (midBody) after its headers and part
// of its body.
func stallingGateway(t *testing.T, stallToken, midBody bool) *httptest.Server {
	t.Helper()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/apim-token-service/v2.0/token/get" && !stallToken {
			_, _ = w.Write([]byte(`{"status":0,"data":{"accessToken":"tok-0123456789","expire":7200}}`))
			return
		}
		if midBody {
			w.Header().Set("Content-Length", "1000")
			_, _ = w.Write([]byte(`{"code":0,"msg":"OK","data":{`))
			w.(http.Flusher).Flush()
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	return srv
}

// TestPerAttemptTimeout: an attempt that gets no whole answer in time, whether the
// headers, the body or the token service's answer is late, fails with a *TransportError
// whose Timeout reports true, that matches context.DeadlineExceeded as net/http's
// Client.Timeout errors do, and that names the limit. The limit is WithTimeout's, else the
// Timeout of the WithHTTPClient client. The caller's own deadline is no Timeout.
func TestPerAttemptTimeout(t *testing.T) {
	t.Parallel()
	const limit = 50 * time.Millisecond
	tests := []struct {
		name                string
		stallToken, midBody bool
		opts                []Option
		op                  string
	}{
		{"WithTimeout, late headers", false, false, []Option{WithTimeout(limit)}, "GetFlow"},
		{"WithTimeout, late body", false, true, []Option{WithTimeout(limit)}, "GetFlow"},
		{"WithTimeout, late token", true, false, []Option{WithTimeout(limit)}, "GetAccessToken"},
		{"the WithHTTPClient client's Timeout", false, true,
			[]Option{WithHTTPClient(&http.Client{Timeout: limit})}, "GetFlow"},
		{"WithTimeout over the client's Timeout", false, false,
			[]Option{WithHTTPClient(&http.Client{Timeout: time.Hour}), WithTimeout(limit)}, "GetFlow"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := stallingGateway(t, tt.stallToken, tt.midBody)
			c, err := NewClient(srv.URL, "ak", "sk", append(tt.opts, WithOrgID("o"), WithUserID("u"), WithoutRetries())...)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second) // a bound that is not the attempt's
			defer cancel()
			_, err = c.GetFlow(ctx, FlowRequest{FlowID: 1})
			var te *TransportError
			if !errors.As(err, &te) || !te.Timeout() || !errors.Is(err, context.DeadlineExceeded) || te.Operation != tt.op {
				t.Fatalf("err = %v, want a %s *TransportError that is a Timeout and matches context.DeadlineExceeded", err, tt.op)
			}
			if want := "within the per-attempt timeout of 50ms"; !strings.Contains(err.Error(), want) {
				t.Errorf("err = %v, want it to say %q", err, want)
			}
		})
	}
}

// TestCallersDeadlineIsNoTimeout: the caller's deadline ending an attempt is no Timeout,
// though the error matches context.DeadlineExceeded.
func TestCallersDeadlineIsNoTimeout(t *testing.T) {
	t.Parallel()
	srv := stallingGateway(t, false, false)
	c, err := NewClient(srv.URL, "ak", "sk", WithOrgID("o"), WithUserID("u"), WithoutRetries())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = c.GetFlow(ctx, FlowRequest{FlowID: 1})
	var te *TransportError
	if !errors.As(err, &te) || te.Timeout() || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want context.DeadlineExceeded and no Timeout", err)
	}
	if strings.Contains(err.Error(), "per-attempt") {
		t.Errorf("err = %v names the per-attempt timeout", err)
	}
}

// TestNoPerAttemptTimeout: a WithHTTPClient client without a Timeout, and no WithTimeout,
// leaves attempts unbounded: only the caller's context ends them.
func TestNoPerAttemptTimeout(t *testing.T) {
	t.Parallel()
	srv := stallingGateway(t, false, true)
	c, err := NewClient(srv.URL, "ak", "sk", WithHTTPClient(&http.Client{}), WithOrgID("o"), WithUserID("u"), WithoutRetries())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err = c.GetFlow(ctx, FlowRequest{FlowID: 1})
	var te *TransportError
	if !errors.As(err, &te) || te.Timeout() || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want the caller's deadline to end the call", err)
	}
}
