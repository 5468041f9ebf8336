package batchprocessing

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
)

// TestDecodeNeedsTopLevelData: a "data" elsewhere in the envelope is no data.
func TestDecodeNeedsTopLevelData(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		`{"code":0,"msg":"OK","meta":{"data":1}}`,
		`{"code":0,"msg":"data"}`,
		`{"code":0,"msg":"OK"}`,
		`{"code":0,"msg":"OK","data":null}`,
	} {
		c, mt, _ := newTestClient(t)
		mt.RegisterNoResponder(httpmock.NewStringResponder(200, body))
		if _, err := c.GetCurrentTime(context.Background()); !errors.Is(err, ErrUnexpectedResponse) {
			t.Errorf("GetCurrentTime over %s: err = %v", body, err)
		}
		if _, err := c.GetMyFlows(context.Background(), GetMyFlowsRequest{}); !errors.Is(err, ErrUnexpectedResponse) {
			t.Errorf("GetMyFlows over %s: err = %v", body, err)
		}
		if _, err := c.GetTaskInstanceLog(context.Background(), GetTaskInstanceLogRequest{TaskInstanceID: "1-20191122012300"}); !errors.Is(err, ErrUnexpectedResponse) {
			t.Errorf("GetTaskInstanceLog over %s: err = %v", body, err)
		}
		if _, err := c.ListFlowInstances(context.Background(), ListFlowInstancesRequest{}); !errors.Is(err, ErrUnexpectedResponse) {
			t.Errorf("ListFlowInstances over %s: err = %v", body, err)
		}
	}
	// An empty list is data.
	c, mt, _ := newTestClient(t)
	mt.RegisterNoResponder(okData(`[]`))
	if flows, err := c.GetMyFlows(context.Background(), GetMyFlowsRequest{}); err != nil || flows == nil || len(flows) != 0 {
		t.Errorf("empty list: %v, %v", flows, err)
	}
}

// TestSecretsRedactedAcrossTheCut: a secret that straddles the 512-byte sample is masked.
func TestSecretsRedactedAcrossTheCut(t *testing.T) {
	t.Parallel()
	for _, offset := range []int{0, 500, 505, 511} {
		body := strings.Repeat("x", offset) + testSecretKey + " " + testToken + strings.Repeat("y", 600)
		r := &response{op: "Op", status: 502, header: http.Header{}, body: []byte(body), secrets: []string{testToken, testSecretKey}}
		e := r.unexpected(errors.New("cause quoting " + testSecretKey + strings.Repeat("z", 1000)))
		for _, secret := range []string{testSecretKey, testToken} {
			for _, part := range []string{secret[:7], secret[len(secret)-7:]} {
				if strings.Contains(e.Error(), part) {
					t.Errorf("offset %d: %q of a secret in %q", offset, part, e.Error())
				}
			}
		}
		if len(e.Body) > maxErrorBodySample || len(e.Err.Error()) > maxErrorBodySample {
			t.Errorf("offset %d: body sample %d bytes, cause %d", offset, len(e.Body), len(e.Err.Error()))
		}
	}
	var n flexInt
	if err := n.UnmarshalJSON([]byte(`"` + strings.Repeat("9a", 500) + `"`)); err == nil || len(err.Error()) > 64 {
		t.Errorf("flexInt error %q", err)
	}
}

// TestRequestIDForms: the envelope's requestId is read as a string or a number, and any
// other form is left out rather than making the answer unreadable: a success still
// decodes, and an error still says its code.
func TestRequestIDForms(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, raw, want string
	}{
		{"string", `"rq-1"`, "rq-1"},
		{"number", `12345`, "12345"},
		{"null", `null`, ""},
		{"object", `{"id":1}`, ""},
		{"array", `["rq-1"]`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt, _ := newTestClient(t)
			mt.RegisterResponder(http.MethodPost, flowsURL, httpmock.NewStringResponder(200,
				`{"code":0,"msg":"OK","data":{"flowInstanceId":"3377-20191122012300"},"requestId":`+tt.raw+`}`))
			var md ResponseMetadata
			if _, err := c.TriggerFlow(context.Background(), TriggerFlowRequest{FlowID: 3377, TriggerTime: time.Date(2019, 11, 22, 1, 23, 0, 0, time.UTC)},
				WithMetadata(&md)); err != nil || md.RequestID != tt.want {
				t.Errorf("success: request id %q, err %v; want %q", md.RequestID, err, tt.want)
			}
			mt.RegisterResponder(http.MethodPost, flowsURL, httpmock.NewStringResponder(200,
				`{"code":62104,"msg":"no task","requestId":`+tt.raw+`}`))
			var apiErr *APIError
			if _, err := trigger(c, 3377); !errors.As(err, &apiErr) || !errors.Is(err, ErrFlowHasNoTask) || apiErr.RequestID != tt.want {
				t.Errorf("business error: %v (request id %q), want ErrFlowHasNoTask with %q", err, apiErr.RequestID, tt.want)
			}
		})
	}
	// The token service's envelope too: its refusal keeps its status code.
	c, mt, _ := newTestClient(t)
	mt.RegisterResponder(http.MethodPost, tokenGetURL, httpmock.NewStringResponder(200, `{"status":1002,"msg":"bad key","requestId":7}`))
	var apiErr *APIError
	if _, err := trigger(c, 3377); !errors.As(err, &apiErr) || apiErr.Code != 1002 || apiErr.RequestID != "7" {
		t.Errorf("token refusal: %v, want code 1002 with request id 7", err)
	}
}
