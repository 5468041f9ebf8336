package batchprocessing

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"reflect"
	"regexp"
	"testing"
	"time"
)

// netHTTPSender is a sender for the benchmarks alone: it sends what httpSender sends, the
// same headers and body over the same *http.Client, but builds the request with net/http
// directly, as the careful hand-written call does. The SDK on it against the SDK on resty is
// what resty costs.
type netHTTPSender struct {
	hc     *http.Client
	static http.Header // the User-Agent, as resty sets it from its client
}

// send builds and sends req with net/http.
func (h *netHTTPSender) send(ctx context.Context, req outgoing) (*http.Response, error) {
	var body io.Reader
	if req.body != nil {
		body = bytes.NewReader(req.body)
	}
	r, err := http.NewRequestWithContext(ctx, req.method, req.url, body)
	if err != nil {
		return nil, err
	}
	r.Header = make(http.Header, len(h.static)+5)
	for k, v := range h.static {
		r.Header[k] = v
	}
	req.setHeaders(r.Header)
	return h.hc.Do(r)
}

// SendThroughNetHTTP puts the calls of c (not its token requests) on a netHTTPSender over
// the client's own copy of the *http.Client, for the benchmarks that measure resty's cost.
func SendThroughNetHTTP(c *Client) {
	rest := c.http.(*httpSender).rest
	c.http = &netHTTPSender{hc: rest.GetClient(), static: rest.Header.Clone()}
}

// TestNetHTTPSenderSendsWhatRestySends checks that the benchmarks compare like with like:
// on either sender, a client hands the same requests to the same *http.Client (its
// timeout and redirect policy included).
func TestNetHTTPSenderSendsWhatRestySends(t *testing.T) {
	t.Parallel()
	calls := func(c *Client) error {
		if _, err := trigger(c, 3377); err != nil {
			return err
		}
		_, err := c.GetFlowInstance(context.Background(), GetFlowInstanceRequest{FlowInstanceID: "3377-20191122012300"})
		return err
	}
	sent := func(netHTTP bool) []recorded {
		c, mt, _ := newTestClient(t, WithTimeout(30*time.Second))
		if netHTTP {
			own := c.http.(*httpSender).rest.GetClient()
			SendThroughNetHTTP(c)
			if hc := c.http.(*netHTTPSender).hc; hc != own {
				t.Fatalf("the net/http sender sends through %p, not the client's own *http.Client %p", hc, own)
			}
		}
		rec := &recorder{}
		mt.RegisterResponder(http.MethodPost, flowsURL, rec.wrap(okInstance("3377-20191122012300")))
		mt.RegisterRegexpResponder(http.MethodGet, regexp.MustCompile(`/flowInstances\?`), rec.wrap(okData(`{"instanceId":"3377-20191122012300","flowId":3377,"status":1}`)))
		if err := calls(c); err != nil {
			t.Fatal(err)
		}
		return rec.all()
	}
	resty, netHTTP := sent(false), sent(true)
	if len(resty) != 2 || !reflect.DeepEqual(resty, netHTTP) {
		t.Errorf("resty sent\n%+v\nnet/http sent\n%+v", resty, netHTTP)
	}
}
