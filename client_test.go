package batchprocessing

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/enos-go/batchprocessing/internal/signing"

	"github.com/jarcoal/httpmock"
)

func TestNewClientValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, endpoint, accessKey, secretKey string
		opts                                 []Option
		wantErr                              string
	}{
		{"empty endpoint", "", "ak", "sk", nil, "invalid endpoint: empty"},
		{"relative endpoint", "gateway.example.com", "ak", "sk", nil, `scheme must be "http" or "https"`},
		{"ftp endpoint", "ftp://gateway.example.com", "ak", "sk", nil, `scheme must be "http" or "https"`},
		{"no host", "https://", "ak", "sk", nil, "no host"},
		{"port alone", "https://:8443", "ak", "sk", nil, "no host"},
		{"port too large", "http://gateway.example.com:99999", "ak", "sk", nil, "port 99999 is not from 1 to 65535"},
		{"port zero", "http://gateway.example.com:0", "ak", "sk", nil, "port 0 is not from 1 to 65535"},
		{"user info", "https://admin:hunter2@gateway.example.com", "ak", "sk", nil, "must not contain user information"},
		{"query", "https://gateway.example.com/?x=1", "ak", "sk", nil, "must not contain a query"},
		{"bad URL", "https://gate way.example.com\x7f", "ak", "sk", nil, "not a URL"},
		{"empty access key", "https://g.example.com", "", "sk", nil, "empty accessKey"},
		{"empty secret key", "https://g.example.com", "ak", "", nil, "empty secretKey"},
		{"secret with newline", "https://g.example.com", "ak", "sk\n", nil, "secretKey has leading or trailing white space"},
		{"secret of two lines", "https://g.example.com", "ak", "sk\nsecond", nil, "secretKey holds a line break or another control character"},
		{"access key with an escape", "https://g.example.com", "a\x1bk", "sk", nil, "accessKey holds a line break"},
		{"nil http client", "https://g.example.com", "ak", "sk", []Option{WithHTTPClient(nil)}, "WithHTTPClient: nil"},
		{"nil logger", "https://g.example.com", "ak", "sk", []Option{WithLogger(nil)}, "WithLogger: nil"},
		{"nil clock", "https://g.example.com", "ak", "sk", []Option{WithClock(nil)}, "WithClock: nil"},
		{"nil server location", "https://g.example.com", "ak", "sk", []Option{WithServerLocation(nil)}, "WithServerLocation: nil"},
		{"empty org", "https://g.example.com", "ak", "sk", []Option{WithOrgID(" ")}, "WithOrgID: empty"},
		{"empty user", "https://g.example.com", "ak", "sk", []Option{WithUserID("")}, "WithUserID: empty"},
		{"empty user agent", "https://g.example.com", "ak", "sk", []Option{WithUserAgent("")}, "WithUserAgent: empty"},
		{"zero body limit", "https://g.example.com", "ak", "sk", []Option{WithMaxResponseBytes(0)}, "WithMaxResponseBytes"},
		{"zero timeout", "https://g.example.com", "ak", "sk", []Option{WithTimeout(0)}, "WithTimeout: the timeout must be positive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := NewClient(tt.endpoint, tt.accessKey, tt.secretKey, tt.opts...)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
			}
			if c != nil {
				t.Error("a client with an error")
			}
			if strings.Contains(err.Error(), "hunter2") || (tt.secretKey != "" && strings.Contains(err.Error(), tt.secretKey)) {
				t.Errorf("error shows a secret: %v", err)
			}
		})
	}
}

func TestNewClientEndpointForms(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ endpoint, wantURL string }{
		{"https://gateway.test", "https://gateway.test" + flowsPath},
		{"https://gateway.test/", "https://gateway.test" + flowsPath},
		{"http://gateway.test:8080/prefix/", "http://gateway.test:8080/prefix" + flowsPath},
	} {
		t.Run(tt.endpoint, func(t *testing.T) {
			t.Parallel()
			mt := httpmock.NewMockTransport()
			base := strings.TrimSuffix(tt.wantURL, flowsPath)
			mt.RegisterResponder(http.MethodPost, base+signing.TokenGetPath, tokenResponder("t", 7200))
			mt.RegisterResponder(http.MethodPost, tt.wantURL, okInstance("1-20191122012300"))
			c, err := NewClient(tt.endpoint, "ak", "sk", WithHTTPClient(&http.Client{Transport: mt}), WithOrgID("o"), WithUserID("u"))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := trigger(c, 1); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestNewClientDoesNoIOAndKeepsCallersClient(t *testing.T) {
	t.Parallel()
	mt := httpmock.NewMockTransport()
	hc := &http.Client{Transport: mt, Timeout: 7 * time.Second}
	c, err := NewClient(testEndpoint, "ak", "sk", WithHTTPClient(hc), WithOrgID("o"), WithUserID("u"))
	if err != nil {
		t.Fatal(err)
	}
	if n := mt.GetTotalCallCount(); n != 0 {
		t.Fatalf("NewClient made %d requests", n)
	}
	mt.RegisterResponder(http.MethodPost, tokenGetURL, tokenResponder("t", 7200))
	mt.RegisterResponder(http.MethodPost, flowsURL, okInstance("1-20191122012300"))
	if _, err := trigger(c, 1); err != nil {
		t.Fatal(err)
	}
	if hc.Transport != mt || hc.Timeout != 7*time.Second || hc.Jar != nil || hc.CheckRedirect != nil {
		t.Errorf("the caller's http.Client was modified: %+v", hc)
	}

	// A client without Transport stays without one.
	bare := &http.Client{}
	if _, err := NewClient(testEndpoint, "ak", "sk", WithHTTPClient(bare)); err != nil {
		t.Fatal(err)
	}
	if bare.Transport != nil {
		t.Error("NewClient filled in the caller's Transport")
	}
}

func TestClientPrintsWithoutSecrets(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t)
	mt.RegisterResponder(http.MethodPost, flowsURL, okInstance("1-20191122012300"))
	if _, err := trigger(c, 1); err != nil { // now the token is cached too
		t.Fatal(err)
	}
	var printed []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d", "%T"} {
		printed = append(printed, fmt.Sprintf(verb, c), fmt.Sprintf(verb, *c))
	}
	printed = append(printed, fmt.Sprint(c), fmt.Sprintln(c), c.String())
	var logged strings.Builder
	slog.New(slog.NewTextHandler(&logged, &slog.HandlerOptions{Level: slog.LevelDebug})).Debug("client", "c", c)
	printed = append(printed, logged.String())
	for _, p := range printed {
		if strings.Contains(p, testSecretKey) || strings.Contains(p, testToken) {
			t.Errorf("printed client shows a secret: %s", p)
		}
	}
	if !strings.Contains(c.String(), testEndpoint) || !strings.Contains(c.String(), testOrgID) {
		t.Errorf("String() = %q, want endpoint and org id", c.String())
	}
	var nilClient *Client
	if got := fmt.Sprint(nilClient); got != "<nil>" {
		t.Errorf("nil client prints %q", got)
	}
}
