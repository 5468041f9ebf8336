package batchprocessing

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

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
