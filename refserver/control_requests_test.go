package refserver_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"

	"github.com/enos-go/batchprocessing"
	"github.com/enos-go/batchprocessing/refserver"
)

// TestControlRequestsFilter: GET /_refserver/requests shows the last requests that its
// query's method, path, action, status and code pick, oldest first, and refuses an unknown
// parameter or a status that is not a number.
func TestControlRequestsFilter(t *testing.T) {
	t.Parallel()
	b := refserver.NewDemoBackend()
	srv := httptest.NewServer(refserver.NewControlHandler(b, nil))
	t.Cleanup(srv.Close)
	c, err := batchprocessing.NewClient(srv.URL, refserver.DemoAccessKey, refserver.DemoSecretKey,
		batchprocessing.WithOrgID(refserver.DemoOrgID), batchprocessing.WithUserID(refserver.DemoUserID))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	id, err := c.TriggerFlow(ctx, batchprocessing.TriggerFlowRequest{FlowID: refserver.DemoFlowID})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := c.GetFlowInstance(ctx, batchprocessing.GetFlowInstanceRequest{FlowInstanceID: id}); err != nil {
			t.Fatal(err)
		}
	}
	_, refused := c.TriggerFlow(ctx, batchprocessing.TriggerFlowRequest{FlowID: refserver.DemoEmptyFlowID}) // no task
	var apiErr *batchprocessing.APIError
	if !errors.As(refused, &apiErr) {
		t.Fatalf("trigger of the flow without tasks: %v", refused)
	}

	all := b.Requests(200)
	lastOf := func(n int, pick func(refserver.Request) bool) []refserver.Request {
		var out []refserver.Request
		for _, r := range all {
			if pick(r) {
				out = append(out, r)
			}
		}
		return out[max(len(out)-n, 0):]
	}
	for _, tt := range []struct {
		query string
		want  []refserver.Request
	}{
		{"?method=post&path=/apim-token-service/v2.0/token/get", lastOf(20, func(r refserver.Request) bool {
			return r.Method == http.MethodPost && r.Path == "/apim-token-service/v2.0/token/get"
		})},
		{"?action=trigger", lastOf(20, func(r refserver.Request) bool { return r.Action == "trigger" })},
		{"?action=get&requests=1", lastOf(1, func(r refserver.Request) bool { return r.Action == "get" })},
		{"?action=trigger&requests=1", lastOf(1, func(r refserver.Request) bool { return r.Action == "trigger" })}, // the refused one
		{"?action=trigger&code=" + itoa(int64(apiErr.Code)), lastOf(20, func(r refserver.Request) bool {
			return r.Action == "trigger" && r.Code == apiErr.Code
		})},
		{"?status=200&code=0&action=trigger", lastOf(20, func(r refserver.Request) bool {
			return r.Action == "trigger" && r.Status == 200 && r.Code == 0
		})},
		{"?status=404", nil},
	} {
		type shown struct { // what the control API shows of a request, and the test compares
			Method, Path, Action string
			Status, Code         int
		}
		var got, want []shown
		if code := ctl(t, srv.URL, http.MethodGet, "/_refserver/requests"+tt.query, "", &got); code != http.StatusOK {
			t.Fatalf("%s: status %d", tt.query, code)
		}
		for _, r := range tt.want {
			want = append(want, shown{r.Method, r.Path, r.Action, r.Status, r.Code})
		}
		if len(got) != len(want) || (len(want) > 0 && !reflect.DeepEqual(got, want)) {
			t.Errorf("%s:\n%+v\nwant\n%+v", tt.query, got, want)
		}
	}
	if n := len(lastOf(20, func(r refserver.Request) bool { return r.Action == "trigger" })); n != 2 {
		t.Errorf("the log holds %d triggers, want 2: %+v", n, all)
	}
	for _, bad := range []string{"?verb=GET", "?status=ok", "?code=1.5"} {
		if code := ctl(t, srv.URL, http.MethodGet, "/_refserver/requests"+bad, "", nil); code != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", bad, code)
		}
	}
}
