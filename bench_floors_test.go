package batchprocessing_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/enos-go/batchprocessing"
	"github.com/enos-go/batchprocessing/internal/signing"
)

// byHand is a floor: what a user would write without the SDK, token already in hand.
type byHand struct {
	hc       *http.Client
	base     string
	token    string
	secret   string
	org, usr string
}

// newByHand returns the careful floor of endpoint over rt, or with careful false the bare
// one.
func newByHand(endpoint string, rt http.RoundTripper, careful bool) *byHand {
	hc := &http.Client{Transport: rt}
	if careful {
		hc.Timeout = 30 * time.Second
	}
	return &byHand{hc: hc, base: endpoint, token: benchToken, secret: benchSecretKey, org: benchOrgID, usr: benchUserID}
}

// sign is the gateway's signature written out: sorted query keys and values, body,
// timestamp, secret, SHA-256, lowercase hex.
func (h *byHand) sign(ts int64, q url.Values, body []byte) string {
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	sum := sha256.New()
	io.WriteString(sum, h.token)
	for _, k := range keys {
		io.WriteString(sum, k)
		io.WriteString(sum, q.Get(k))
	}
	sum.Write(body)
	io.WriteString(sum, strconv.FormatInt(ts, 10))
	io.WriteString(sum, h.secret)
	return hex.EncodeToString(sum.Sum(nil))
}

// send signs and sends one request and decodes the envelope into env, in one pass.
func (h *byHand) send(ctx context.Context, method, path string, q url.Values, body []byte, env any) (int, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, h.base+path+"?"+q.Encode(), rd)
	if err != nil {
		return 0, err
	}
	ts := time.Now().UnixMilli()
	if body != nil {
		// The SDK's headers (TestFloorsSendWhatTheSDKSends): the server's work grows with
		// them (past eight header lines, Go's server reads them into a larger map).
		req.Header.Set("Content-Type", "application/json;charset=UTF-8")
		req.Header.Set("Accept", "application/json")
	}
	req.Header.Set("apim-accesstoken", h.token)
	req.Header.Set("apim-timestamp", strconv.FormatInt(ts, 10))
	req.Header.Set("apim-signature", h.sign(ts, q, body))
	resp, err := h.hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	return resp.StatusCode, json.NewDecoder(resp.Body).Decode(env)
}

func (h *byHand) triggerFlow(ctx context.Context, flowID int64, at time.Time) (string, error) {
	q := url.Values{"action": {"trigger"}, "orgId": {h.org}, "userId": {h.usr}}
	body, err := json.Marshal(struct {
		FlowID      int64 `json:"flowId"`
		TriggerTime int64 `json:"triggerTime"`
	}{flowID, at.UnixMilli()})
	if err != nil {
		return "", err
	}
	var env struct {
		Code int    `json:"code"`
		Msg  string `json:"msg"`
		Data struct {
			FlowInstanceID string `json:"flowInstanceId"`
		} `json:"data"`
	}
	status, err := h.send(ctx, http.MethodPost, "/batch-processing-service/v2.1/flows", q, body, &env)
	switch {
	case err != nil:
		return "", err
	case status != http.StatusOK || env.Code != 0:
		return "", fmt.Errorf("http %d code %d: %s", status, env.Code, env.Msg)
	case env.Data.FlowInstanceID == "":
		return "", errors.New("no flowInstanceId")
	}
	return env.Data.FlowInstanceID, nil
}

// handFlowInstance is the by-hand decoding target: the fields a caller reads.
type handFlowInstance struct {
	InstanceID  string `json:"instanceId"`
	FlowID      int64  `json:"flowId"`
	FlowName    string `json:"flowName"`
	Status      int    `json:"status"`
	StatusDesc  string `json:"statusDesc"`
	Graph       string `json:"graph"`
	Parameters  string `json:"parameters"`
	TriggerTime string `json:"triggerTime"`
	StartTime   string `json:"startTime"`
	EndTime     string `json:"endTime"`
	Owner       string `json:"owner"`
	CalDt       string `json:"calDt"`
}

func (h *byHand) getFlowInstance(ctx context.Context, id string) (*handFlowInstance, error) {
	q := url.Values{"action": {"get"}, "flowInstId": {id}, "orgId": {h.org}, "userId": {h.usr}}
	var env struct {
		Code int              `json:"code"`
		Msg  string           `json:"msg"`
		Data handFlowInstance `json:"data"`
	}
	status, err := h.send(ctx, http.MethodGet, "/batch-processing-service/v2.1/flowInstances", q, nil, &env)
	switch {
	case err != nil:
		return nil, err
	case status != http.StatusOK || env.Code != 0:
		return nil, fmt.Errorf("http %d code %d: %s", status, env.Code, env.Msg)
	}
	return &env.Data, nil
}

// TestFloorsSendWhatTheSDKSends checks that the hand-written floors make the SDK's calls:
// the same method, URL, headers (by name) and body, the same token, and a signature the
// gateway's rule accepts, for the trigger and the get of the benchmarks.
func TestFloorsSendWhatTheSDKSends(t *testing.T) {
	t.Parallel()
	type sent struct{ method, url, body, token, headers string }
	var (
		mu   sync.Mutex
		seen []sent
		bad  []string
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		if r.URL.Path == "/apim-token-service/v2.0/token/get" {
			_, _ = io.WriteString(w, `{"status":0,"msg":"SUCCESS","data":{"accessToken":"`+benchToken+`","expire":7200}}`)
			return
		}
		ts, _ := strconv.ParseInt(r.Header.Get("apim-timestamp"), 10, 64)
		mu.Lock()
		if want := signing.Sign(benchToken, benchSecretKey, ts, r.URL.Query(), body); r.Header.Get("apim-signature") != want {
			bad = append(bad, r.URL.String())
		}
		seen = append(seen, sent{r.Method, r.URL.String(), string(body), r.Header.Get("apim-accesstoken"), headerNames(r.Header)})
		mu.Unlock()
		if r.URL.Path == "/batch-processing-service/v2.1/flows" {
			_, _ = io.WriteString(w, `{"code":0,"msg":"OK","data":{"flowInstanceId":"`+benchInstance+`"}}`)
			return
		}
		_, _ = io.WriteString(w, `{"code":0,"msg":"OK","data":{"instanceId":"`+benchInstance+`","flowId":3377,"status":1}}`)
	}))
	t.Cleanup(srv.Close)
	ctx := context.Background()
	hand := func(careful bool) func() error {
		h := newByHand(srv.URL, benchTransport(), careful)
		return func() error {
			if _, err := h.triggerFlow(ctx, 3377, benchTriggerTime); err != nil {
				return err
			}
			_, err := h.getFlowInstance(ctx, benchInstance)
			return err
		}
	}
	sdk := benchSDK(t, srv.URL, benchTransport()) // its first call, a trigger, is recorded too
	for _, v := range []struct {
		name  string
		calls func() error
	}{
		{"sdk", func() error {
			_, err := sdk.GetFlowInstance(ctx, batchprocessing.GetFlowInstanceRequest{FlowInstanceID: benchInstance})
			return err
		}},
		{"careful", hand(true)},
		{"bare", hand(false)},
	} {
		if err := v.calls(); err != nil {
			t.Fatalf("%s: %v", v.name, err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(bad) > 0 {
		t.Errorf("signatures the gateway refuses: %v", bad)
	}
	if len(seen) != 6 {
		t.Fatalf("%d calls recorded, want 6: %+v", len(seen), seen)
	}
	for i, s := range seen[2:] { // a trigger, then a get, for each of sdk, careful, bare
		if want := seen[i%2]; s != want {
			t.Errorf("call %+v differs from the SDK's %+v", s, want)
		}
	}
}

// headerNames returns the names of h, sorted and joined.
func headerNames(h http.Header) string {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	sort.Strings(names)
	return strings.Join(names, ",")
}
