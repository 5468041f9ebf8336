package batchprocessing

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"
)

func TestRedact(t *testing.T) {
	t.Parallel()
	ss := secrets{"t", "", "sk-1234567", "0123456789abcdef"}
	tests := []struct{ in, want string }{
		{"This workflow has no task.", "This workflow has no task."}, // "t" is too short to be a secret
		{"token 0123456789abcdef here", "token [REDACTED] here"},
		{"glued x0123456789abcdefx", "glued x[REDACTED]x"}, // the whole value, wherever it is
		{"sk-1234567 and sk-123456", "[REDACTED] and sk-123456"},
		{`{"accessToken":"abc","x":1}`, `{"accessToken":"[REDACTED]","x":1}`},
		{"", ""},
		// In any letter case: a hex token or signature upper-cased is the same credential.
		{"bad signature 0123456789ABCDEF, Sk-1234567", "bad signature [REDACTED], [REDACTED]"},
		{"İstanbul 0123456789ABCDEF ünïcode", "İstanbul [REDACTED] ünïcode"}, // around letters whose lower case is longer
		{"SK-1234567SK-1234567", "[REDACTED][REDACTED]"},
	}
	for _, tt := range tests {
		if got := ss.redact(tt.in); got != tt.want {
			t.Errorf("redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRedactHeader(t *testing.T) {
	t.Parallel()
	ss := secrets{"0123456789abcdef"}
	tests := []struct {
		name   string
		in     http.Header
		want   http.Header
		copied bool
	}{
		{"nothing secret: h itself", http.Header{"X-Request-Id": {"r1"}}, http.Header{"X-Request-Id": {"r1"}}, false},
		{"a value", http.Header{"X-Echo": {"t=0123456789ABCDEF"}, "Date": {"d"}},
			http.Header{"X-Echo": {"t=[REDACTED]"}, "Date": {"d"}}, true},
		// In any case: Go's transport canonicalizes names (x-sig-abc... arrives as X-Sig-Abc...).
		{"a name", http.Header{"X-0123456789abcdef": {"1"}, "X-Sig-0123456789abcdef-2": {"2"}},
			http.Header{"X-[REDACTED]": {"1"}, "X-Sig-[REDACTED]-2": {"2"}}, true},
		{"names that mask alike", http.Header{"X-0123456789abcdef": {"1"}, "X-0123456789ABCDEF": {"2"}},
			http.Header{"X-[REDACTED]": {"1", "2"}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := ss.redactHeader(tt.in)
			slices.Sort(got["X-[REDACTED]"]) // map order
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("redactHeader = %v, want %v", got, tt.want)
			}
			if copied := reflect.ValueOf(got).UnsafePointer() != reflect.ValueOf(tt.in).UnsafePointer(); copied != tt.copied {
				t.Errorf("copied = %t, want %t", copied, tt.copied)
			}
		})
	}
}

// TestRedactionKeepsMessagesReadable: with the short token of the README's httpmock
// example, the service's message comes through whole.
func TestRedactionKeepsMessagesReadable(t *testing.T) {
	t.Parallel()
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder(http.MethodPost, tokenGetURL, tokenResponder("t", 7200))
	const msg = "This workflow has no task. You cannot trigger it."
	mt.RegisterResponder(http.MethodPost, flowsURL, httpmock.NewStringResponder(200, `{"code":62104,"msg":"`+msg+`","data":null}`))
	c, err := NewClient(testEndpoint, "ak", "sk", WithHTTPClient(&http.Client{Transport: mt}), WithOrgID("o"), WithUserID("u"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.TriggerFlow(context.Background(), TriggerFlowRequest{FlowID: 3377})
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Message != msg || !strings.Contains(err.Error(), msg) {
		t.Errorf("err = %v, want the message %q whole", err, msg)
	}
}
