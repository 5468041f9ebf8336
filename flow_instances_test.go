package batchprocessing

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
)

func TestListFlowInstancesIter(t *testing.T) {
	t.Parallel()
	page := func(ids ...string) string {
		s := `{"count":5,"flowInsts":[`
		for i, id := range ids {
			if i > 0 {
				s += ","
			}
			s += `{"instanceId":"` + id + `","flowId":1}`
		}
		return s + `]}`
	}
	c, mt, _ := newTestClient(t)
	var rec recorder
	mt.RegisterResponder(http.MethodPost, testEndpoint+flowInstancesPath, rec.wrap(
		okData(page("1-20191122010000", "1-20191122010100")).
			Then(okData(page("1-20191122010200", "1-20191122010300"))).
			Then(okData(page("1-20191122010400")))))
	var got []FlowInstanceID
	for fi, err := range c.ListFlowInstancesIter(context.Background(), ListFlowInstancesRequest{Types: []FlowType{FlowTypeManual}, PageSize: 2}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, fi.FlowInstanceID)
	}
	if len(got) != 5 || got[4] != "1-20191122010400" {
		t.Errorf("got %v", got)
	}
	reqs := rec.all()
	for i, r := range reqs {
		b := decodeJSONMap(t, r.body)
		p := b["pagination"].(map[string]any)
		if fmt.Sprint(p["pageNo"]) != itoa(int64(i+1)) {
			t.Errorf("request %d asked page %v", i, p["pageNo"])
		}
		// The window is fixed once: every page asks the same range.
		if b["toTriggerTime"] != decodeJSONMap(t, reqs[0].body)["toTriggerTime"] {
			t.Errorf("request %d moved the window", i)
		}
	}

	t.Run("stops on error", func(t *testing.T) {
		t.Parallel()
		c, mt, _ := newTestClient(t)
		mt.RegisterResponder(http.MethodPost, testEndpoint+flowInstancesPath,
			okData(page("1-20191122010000", "1-20191122010100")).Then(httpmock.NewStringResponder(502, "<html>")))
		var n, errs int
		for _, err := range c.ListFlowInstancesIter(context.Background(), ListFlowInstancesRequest{Types: []FlowType{FlowTypeManual}, PageSize: 2}) {
			if err != nil {
				errs++
				if !errors.Is(err, ErrUnexpectedResponse) {
					t.Errorf("err = %v", err)
				}
				continue
			}
			n++
		}
		if n != 2 || errs != 1 {
			t.Errorf("%d instances and %d errors, want 2 and 1", n, errs)
		}
	})
	t.Run("caller stops early", func(t *testing.T) {
		t.Parallel()
		c, mt, _ := newTestClient(t)
		mt.RegisterResponder(http.MethodPost, testEndpoint+flowInstancesPath, okData(page("1-20191122010000", "1-20191122010100")))
		for range c.ListFlowInstancesIter(context.Background(), ListFlowInstancesRequest{Types: []FlowType{FlowTypeManual}, PageSize: 2}) {
			break
		}
		if n := mt.GetCallCountInfo()["POST "+testEndpoint+flowInstancesPath]; n != 1 {
			t.Errorf("%d pages fetched after the caller stopped, want 1", n)
		}
	})
	t.Run("context ended", func(t *testing.T) {
		t.Parallel()
		c, mt, _ := newTestClient(t)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		mt.RegisterResponder(http.MethodPost, testEndpoint+flowInstancesPath, okData(page("1-20191122010000", "1-20191122010100")))
		var last error
		for _, err := range c.ListFlowInstancesIter(ctx, ListFlowInstancesRequest{Types: []FlowType{FlowTypeManual}, PageSize: 2}) {
			cancel()
			last = err
		}
		if !errors.Is(last, context.Canceled) {
			t.Errorf("last err = %v, want context.Canceled", last)
		}
	})
}

// TestListFlowInstancesIterNeedsProgress: a service that does not page (it ignores pageNo,
// or answers empty pages while its count says more remain) ends the listing with an error
// instead of an endless loop; a listing that shifted while it was read yields each
// instance once.
func TestListFlowInstancesIterNeedsProgress(t *testing.T) {
	t.Parallel()
	page := func(count int, ids ...string) httpmock.Responder {
		s := `{"count":` + itoa(int64(count)) + `,"flowInsts":[`
		for i, id := range ids {
			if i > 0 {
				s += ","
			}
			s += `{"instanceId":"` + id + `","flowId":1}`
		}
		return okData(s + `]}`)
	}
	tests := []struct {
		name    string
		answers httpmock.Responder
		want    int  // instances yielded
		fails   bool // the listing ends with ErrUnexpectedResponse
		size    int  // the page size; 0 for 2
	}{
		{"pageNo ignored", page(1e9, "1-20191122010000", "1-20191122010100"), 2, true, 0},
		{"empty page, count says more", page(1e9, "1-20191122010000", "1-20191122010100").Then(page(1e9)), 2, true, 0},
		{"empty first page, count says some", page(3), 0, true, 0},
		{"shifted by a new instance", page(3, "1-20191122010000", "1-20191122010100").
			Then(page(4, "1-20191122010100", "1-20191122010200")), 3, false, 0},
		// A window that slides by one instance a page: pageNo ignored, one new instance a
		// request, the memory of those seen growing for as long as the count says.
		{"sliding window", page(1e9, "1-20191122010000", "1-20191122010100", "1-20191122010200", "1-20191122010300").
			Then(page(1e9, "1-20191122010100", "1-20191122010200", "1-20191122010300", "1-20191122010400")), 4, true, 4},
		{"full page, half of it shifted", page(1e9, "1-20191122010000", "1-20191122010100", "1-20191122010200", "1-20191122010300").
			Then(page(6, "1-20191122010200", "1-20191122010300", "1-20191122010400", "1-20191122010500")), 6, false, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt, _ := newTestClient(t)
			mt.RegisterResponder(http.MethodPost, testEndpoint+flowInstancesPath, tt.answers)
			var n int
			var last error
			size := cmp.Or(tt.size, 2)
			for _, err := range c.ListFlowInstancesIter(context.Background(), ListFlowInstancesRequest{Types: []FlowType{FlowTypeManual}, PageSize: size}) {
				if err != nil {
					last = err
					continue
				}
				n++
			}
			if n != tt.want || errors.Is(last, ErrUnexpectedResponse) != tt.fails {
				t.Errorf("%d instances, err %v; want %d, failing %v", n, last, tt.want, tt.fails)
			}
			if calls := mt.GetTotalCallCount(); calls > 4 {
				t.Errorf("%d requests", calls)
			}
		})
	}
}

// TestDeprecatedNamesFilled: the former field names hold the same values as their
// replacements, whichever way a result is decoded.
func TestDeprecatedNamesFilled(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t)
	mt.RegisterResponder(http.MethodGet, testEndpoint+flowInstancesPath, okData(`{"instanceId":"1-20191122010000","flowId":1,
		"graph":"{\"id\":1,\"inst_id\":\"1-20191122010000\",\"tasks\":[{\"task_id\":\"7\",\"task_inst_id\":\"7-20191122010000\",\"status\":\"NONE\"}],\"flows\":[{\"flowId\":2,\"flowInstId\":\"2-20191122010000\"}]}"}`))
	mt.RegisterResponder(http.MethodGet, testEndpoint+taskInstancesPath, okData(`{"instanceId":"7-20191122010000","flowInstId":"1-20191122010000","stsDesc":"RUNNING","timeStamp":"2019-11-22 01:00:00"}`))
	fi, err := c.GetFlowInstance(context.Background(), GetFlowInstanceRequest{FlowInstanceID: "1-20191122010000"})
	if err != nil {
		t.Fatal(err)
	}
	g, err := fi.DecodeGraph()
	if err != nil {
		t.Fatal(err)
	}
	ti, err := c.GetTaskInstance(context.Background(), GetTaskInstanceRequest{TaskInstanceID: "7-20191122010000"})
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		old, want any
	}{
		{"FlowInstance.InstanceID", fi.InstanceID, FlowInstanceID("1-20191122010000")},
		{"InstanceGraph.ID", g.ID, int64(1)},
		{"InstanceGraph.InstID", g.InstID, "1-20191122010000"},
		{"TaskInstanceNode.TaskInstID", g.Tasks[0].TaskInstID, TaskInstanceID("7-20191122010000")},
		{"TaskInstanceNode.Status", g.Tasks[0].Status, StatusNone},
		{"FlowInstanceNode.FlowInstID", g.Flows[0].FlowInstID, "2-20191122010000"},
		{"TaskInstance.InstanceID", ti.InstanceID, TaskInstanceID("7-20191122010000")},
		{"TaskInstance.FlowInstID", ti.FlowInstID, FlowInstanceID("1-20191122010000")},
		{"TaskInstance.StsDesc", ti.StsDesc, "RUNNING"},
		{"TaskInstance.TimeStamp", ti.TimeStamp, ServerTime("2019-11-22 01:00:00")},
	}
	for _, c := range checks {
		if c.old != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.old, c.want)
		}
	}
}

// TestGetFlowInstanceIsTheOneAskedFor: an answer that is another instance than the one
// asked for is an unexpected response, for Get Flow Instance and for a wait, which must
// never report another run's end as its own.
func TestGetFlowInstanceIsTheOneAskedFor(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, WithoutRetries())
	mt.RegisterResponder(http.MethodGet, testEndpoint+flowInstancesPath,
		okData(`{"instanceId":"9999-20200101000000","flowId":9999,"status":1}`))
	const id = "3377-20191122012300"
	fi, err := c.GetFlowInstance(context.Background(), GetFlowInstanceRequest{FlowInstanceID: id})
	if fi != nil || !errors.Is(err, ErrUnexpectedResponse) || !strings.Contains(err.Error(), `"9999-20200101000000"`) {
		t.Errorf("GetFlowInstance: %v, %v; want ErrUnexpectedResponse naming the answer", fi, err)
	}
	if fi, err := c.WaitForFlowInstance(context.Background(), id); fi != nil || !errors.Is(err, ErrUnexpectedResponse) {
		t.Errorf("WaitForFlowInstance: %v, %v; want ErrUnexpectedResponse", fi, err)
	}
}

// TestGraphNodeStatusGivenOrUnknown: a graph node's status is the one the graph gives, by
// code or name; a node without one, or with null, is StatusUnknown, not the zero StatusInit.
func TestGraphNodeStatusGivenOrUnknown(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		status string // the "status" member, or "" for none
		want   FlowInstanceStatus
	}{
		{`"status":0,`, StatusInit},
		{`"status":"INIT",`, StatusInit},
		{`"status":"SUCCESS",`, StatusSuccess},
		{`"status":1,`, StatusSuccess},
		{`"status":"NONE",`, StatusNone},
		{`"status":null,`, StatusUnknown},
		{"", StatusUnknown},
	} {
		graph := EmbeddedJSON(`{"tasks":[{` + tt.status + `"taskId":1,"nodeId":"t_1"}],` +
			`"flows":[{` + tt.status + `"flowId":2,"nodeId":"f_2"}]}`)
		fi := &FlowInstance{Graph: graph}
		g, err := fi.DecodeGraph()
		if err != nil {
			t.Fatalf("%s: %v", tt.status, err)
		}
		if len(g.Tasks) != 1 || g.Tasks[0].Status != tt.want || len(g.Flows) != 1 || g.Flows[0].Status != tt.want {
			t.Errorf("%q: decoded %+v, want status %v", tt.status, g, tt.want)
		}
	}
}

// TestStatusMissingReadFromItsText: an instance whose status is missing or null, which
// reads as 0 (INIT), has the status its statusDesc names, in Get Flow Instance, in a
// listing, in a FlowInstance decoded by json.Unmarshal and in Get Task Instance (stsDesc);
// a status code given stays, whatever the text says. A wait sees the run end.
func TestStatusMissingReadFromItsText(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		members string // status members of the instance, each with a trailing comma
		want    FlowInstanceStatus
	}{
		{`"statusDesc":"SUCCESS",`, StatusSuccess},
		{`"status":null,"statusDesc":"fail",`, StatusFail},
		{`"status":"","statusDesc":"CANCEL",`, StatusCancel},
		{`"status":0,"statusDesc":"INIT",`, StatusInit},
		{`"status":2,"statusDesc":"SUCCESS",`, StatusRunning},
		{`"statusDesc":"ELSEWHERE",`, StatusInit},
		{``, StatusInit},
	} {
		const id = "3377-20191122012300"
		instance := `{` + tt.members + `"instanceId":"` + id + `","flowId":3377}`
		c, mt, _ := newTestClient(t)
		mt.RegisterResponder(http.MethodGet, testEndpoint+flowInstancesPath, okData(instance))
		mt.RegisterResponder(http.MethodPost, testEndpoint+flowInstancesPath, okData(`{"flowInsts":[`+instance+`],"count":1}`))
		task := strings.ReplaceAll(strings.ReplaceAll(instance, "statusDesc", "stsDesc"), `"flowId"`, `"taskId"`)
		mt.RegisterResponder(http.MethodGet, testEndpoint+taskInstancesPath, okData(task))
		ctx := context.Background()
		got, err := c.GetFlowInstance(ctx, GetFlowInstanceRequest{FlowInstanceID: id})
		if err != nil || got.Status != tt.want {
			t.Errorf("%s Get: %v, %v; want %v", instance, got, err, tt.want)
		}
		page, err := c.ListFlowInstances(ctx, ListFlowInstancesRequest{Types: []FlowType{FlowTypeManual}})
		if err != nil || len(page.FlowInstances) != 1 || page.FlowInstances[0].Status != tt.want {
			t.Errorf("%s List: %+v, %v; want %v", instance, page, err, tt.want)
		}
		var fi FlowInstance
		if err := json.Unmarshal([]byte(instance), &fi); err != nil || fi.Status != tt.want {
			t.Errorf("%s json.Unmarshal: %v, %v; want %v", instance, fi.Status, err, tt.want)
		}
		ti, err := c.GetTaskInstance(ctx, GetTaskInstanceRequest{TaskInstanceID: id})
		if err != nil || ti.Status != tt.want {
			t.Errorf("%s Get Task Instance: %v, %v; want %v", task, ti, err, tt.want)
		}
		if !tt.want.IsTerminal() {
			continue
		}
		wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		done, err := c.WaitForFlowInstance(wctx, id)
		cancel()
		if done == nil || done.Status != tt.want || (err == nil) != (tt.want == StatusSuccess) {
			t.Errorf("%s Wait: %v, %v; want it to end %v", instance, done, err, tt.want)
		}
	}
}
