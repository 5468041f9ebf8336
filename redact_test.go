package batchprocessing

import (
	"context"
	"errors"
	"net/http"
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
	}
	for _, tt := range tests {
		if got := ss.redact(tt.in); got != tt.want {
			t.Errorf("redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
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
