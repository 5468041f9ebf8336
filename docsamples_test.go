package batchprocessing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
)

// The documentation's Return Samples (testdata/docsamples, see its README.md for sources
// and repairs) must decode: the service is inconsistent (numbers as strings, JSON in
// strings, server-local times), and the SDK's decoding is tolerant of all of it.

// docSampleDir holds the samples.
const docSampleDir = "testdata/docsamples"

// docSampleLoc is the samples' server time zone, as get_time_zone.json reports it (GMT+8).
var docSampleLoc = time.FixedZone("GMT+8", 8*3600)

// docSampleFile reads a sample file.
func docSampleFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(docSampleDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// docSampleData returns the data of a sample's envelope, checking the envelope itself.
func docSampleData(t *testing.T, name string) json.RawMessage {
	t.Helper()
	var env struct {
		Code *int            `json:"code"`
		Msg  string          `json:"msg"`
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(docSampleFile(t, name+".json"), &env); err != nil {
		t.Fatalf("%s.json is not JSON: %v", name, err)
	}
	if env.Code == nil || *env.Code != 0 || env.Msg != "OK" || len(env.Data) == 0 {
		t.Fatalf("%s.json: envelope code=%v msg=%q data=%s, want code 0, msg OK and data", name, env.Code, env.Msg, env.Data)
	}
	return env.Data
}

// docSampleResponder answers with the sample's exact bytes, and with an error if the
// request's action is not the operation's, so that a case cannot pass by calling the
// wrong method.
func docSampleResponder(body []byte, action string) httpmock.Responder {
	ok := httpmock.NewBytesResponder(http.StatusOK, body).
		HeaderSet(http.Header{"Content-Type": {"application/json;charset=UTF-8"}})
	return func(req *http.Request) (*http.Response, error) {
		if got := req.URL.Query().Get("action"); got != action {
			return nil, fmt.Errorf("docsample: request action %q, want %q", got, action)
		}
		return ok(req)
	}
}

// wantServerTime checks a ServerTime against a clock reading in docSampleLoc.
func wantServerTime(t *testing.T, field string, got ServerTime, want string) {
	t.Helper()
	tm, err := got.Time(docSampleLoc)
	if err != nil {
		t.Errorf("%s: %v", field, err)
		return
	}
	w, err := time.ParseInLocation("2006-01-02 15:04:05", want, docSampleLoc)
	if err != nil {
		t.Fatal(err)
	}
	if !tm.Equal(w) {
		t.Errorf("%s = %v (%q), want %v", field, tm, got, w)
	}
}

func wantEq[T comparable](t *testing.T, field string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %#v, want %#v", field, got, want)
	}
}

func wantNoErr(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// docSampleCase is one operation whose Return Sample the client must decode.
type docSampleCase struct {
	name   string // sample file without .json
	method string
	path   string
	action string
	// run calls the client method with a valid request and checks the decoded result.
	run func(t *testing.T, ctx context.Context, c *Client)
}

var docSampleCases = []docSampleCase{
	{
		name: "trigger_flow", method: http.MethodPost, path: flowsPath, action: "trigger",
		run: func(t *testing.T, ctx context.Context, c *Client) {
			// The documentation answers its request for flow 3377 with an instance of flow
			// 2791 at epoch 0, which the client refuses (another flow's instance): the
			// sample is decoded as the answer to the request it matches.
			id, err := c.TriggerFlow(ctx, TriggerFlowRequest{FlowID: 2791, TriggerTime: time.UnixMilli(0)})
			wantNoErr(t, "TriggerFlow", err)
			wantEq(t, "id", id, FlowInstanceID("2791-19700101000000"))
			flowID, err := id.FlowID()
			wantNoErr(t, "FlowID", err)
			wantEq(t, "id.FlowID", flowID, 2791)
		},
	},
	{
		name: "trigger_flow_from_task", method: http.MethodPost, path: flowsPath, action: "triggerFromTask",
		run: func(t *testing.T, ctx context.Context, c *Client) {
			at := time.UnixMilli(1594016819108)
			id, err := c.TriggerFlowFromTask(ctx, TriggerFlowFromTaskRequest{FlowID: 3377, TaskID: 108580, TriggerTime: at})
			wantNoErr(t, "TriggerFlowFromTask", err)
			wantEq(t, "id", id, FlowInstanceID("3377-20200706062600"))
			// The sample's id is the trigger time cut to the minute (in UTC here).
			wantEq(t, "FlowInstanceIDFor", FlowInstanceIDFor(3377, at, time.UTC), id)
		},
	},
	{
		name: "update_and_trigger_flow", method: http.MethodPost, path: flowsPath, action: "updateAndTrigger",
		run: func(t *testing.T, ctx context.Context, c *Client) {
			id, err := c.UpdateAndTriggerFlow(ctx, UpdateAndTriggerFlowRequest{
				FlowID: 2791, TriggerTime: time.UnixMilli(0), // the request the sample answers, as above
				Parameters: []Parameter{{Key: "REPLACE", Value: "ddee"}},
			})
			wantNoErr(t, "UpdateAndTriggerFlow", err)
			wantEq(t, "id", id, FlowInstanceID("2791-19700101000000"))
		},
	},
	{
		name: "get_flow_instance", method: http.MethodGet, path: flowInstancesPath, action: "get",
		run: func(t *testing.T, ctx context.Context, c *Client) {
			fi, err := c.GetFlowInstance(ctx, GetFlowInstanceRequest{FlowInstanceID: "2809-20190808093200"})
			wantNoErr(t, "GetFlowInstance", err)
			wantEq(t, "InstanceID", fi.FlowInstanceID, FlowInstanceID("2809-20190808093200"))
			wantEq(t, "FlowID", fi.FlowID, 2809)
			wantEq(t, "FlowName", fi.FlowName, "21")
			wantEq(t, "Freq", fi.Freq, "0 0 0 * * ? *")
			wantEq(t, "Cycle", fi.Cycle, "D")
			wantEq(t, "DoAs", fi.DoAs, "yourDoAs")
			wantEq(t, "Status", fi.Status, StatusSuccess)
			wantEq(t, "StatusDesc", fi.StatusDesc, "SUCCESS")
			wantEq(t, "Owner", fi.Owner, "yourOwners")
			wantEq(t, "AlertMode", fi.AlertMode, 3)
			wantEq(t, "CalDt", fi.CalDt, "2019-08-07")
			wantEq(t, "Virtual", fi.Virtual, false)
			wantEq(t, "HasEditPri", fi.HasEditPri, true)
			wantEq(t, "HasReadPri", fi.HasReadPri, true)
			wantServerTime(t, "TriggerTime", fi.TriggerTime, "2019-08-08 09:32:12")
			wantServerTime(t, "StartTime", fi.StartTime, "2019-08-08 09:32:30")
			wantServerTime(t, "EndTime", fi.EndTime, "2019-08-08 09:32:32")
			wantServerTime(t, "Timestamp", fi.Timestamp, "2019-08-08 09:34:36")
			params, err := fi.DecodeParameters()
			wantNoErr(t, "DecodeParameters", err)
			wantEq(t, "len(parameters)", len(params), 0)

			g, err := fi.DecodeGraph()
			wantNoErr(t, "DecodeGraph", err)
			wantEq(t, "graph.ID", g.ID, 2809)
			wantEq(t, "graph.FlowInstanceID", g.FlowInstanceID, "2809-20190808093200")
			wantEq(t, "graph.Name", g.Name, "21")
			wantEq(t, "graph.Creator", g.Creator, "yourCreator")
			wantEq(t, "graph.DoAs", g.DoAs, "yourDoAs")
			wantEq(t, "graph.AlertMode", g.AlertMode, 3)
			wantEq(t, "len(graph.Flows)", len(g.Flows), 0)
			wantEq(t, "len(graph.Relations)", len(g.Relations), 0)
			if len(g.Tasks) != 1 {
				t.Fatalf("graph has %d tasks, want 1", len(g.Tasks))
			}
			task := g.Tasks[0]
			wantEq(t, "task.TaskID", task.TaskID, 104890)
			wantEq(t, "task.TaskName", task.TaskName, "tass")
			wantEq(t, "task.TaskInstanceID", task.TaskInstanceID, TaskInstanceID("104890-20190808093200"))
			wantEq(t, "task.NodeID", task.NodeID, "t_104890")
			wantEq(t, "task.Status", task.Status, StatusSuccess)
			wantEq(t, "task.X", task.X, 0.002)
			want, err := TaskInstanceIDFor(104890, fi.FlowInstanceID)
			wantNoErr(t, "TaskInstanceIDFor", err)
			wantEq(t, "TaskInstanceIDFor", want, task.TaskInstanceID)
		},
	},
	{
		name: "list_flow_instances", method: http.MethodPost, path: flowInstancesPath, action: "search",
		run: func(t *testing.T, ctx context.Context, c *Client) {
			page, err := c.ListFlowInstances(ctx, ListFlowInstancesRequest{
				Type:     FlowTypePeriodic,
				From:     time.UnixMilli(1573648355000),
				To:       time.UnixMilli(1573698120000),
				Statuses: []FlowInstanceStatus{StatusSuccess},
				PageNo:   1, PageSize: 10,
			})
			wantNoErr(t, "ListFlowInstances", err)
			wantEq(t, "Count", page.Count, 2)
			if len(page.FlowInstances) != 2 {
				t.Fatalf("%d instances, want 2", len(page.FlowInstances))
			}
			a, b := page.FlowInstances[0], page.FlowInstances[1]
			wantEq(t, "[0].FlowInstanceID", a.FlowInstanceID, FlowInstanceID("2809-20190812080700"))
			wantEq(t, "[0].FlowID", a.FlowID, 2809)
			wantEq(t, "[0].Status", a.Status, StatusSuccess)
			wantEq(t, "[0].IsCancelled", a.IsCancelled, false)
			wantServerTime(t, "[0].TriggerTime", a.TriggerTime, "2019-08-12 08:07:22")
			wantServerTime(t, "[0].Timestamp", a.Timestamp, "2019-08-12 08:09:48")
			wantEq(t, "[1].FlowInstanceID", b.FlowInstanceID, FlowInstanceID("2957-20190812075600"))
			wantEq(t, "[1].FlowID", b.FlowID, 2957)
			wantEq(t, "[1].FlowName", b.FlowName, "fdd")
			wantEq(t, "[1].Owner", b.Owner, "yourOwner")
			wantServerTime(t, "[1].EndTime", b.EndTime, "2019-08-12 07:57:02")
			for i, fi := range page.FlowInstances {
				params, err := fi.DecodeParameters()
				wantNoErr(t, "DecodeParameters", err)
				wantEq(t, fmt.Sprintf("len([%d].parameters)", i), len(params), 0)
			}

			// These graphs use snake_case (do_as, task_name, task_id).
			g, err := a.DecodeGraph()
			wantNoErr(t, "DecodeGraph", err)
			wantEq(t, "graph.ID", g.ID, 2809)
			wantEq(t, "graph.FlowInstanceID", g.FlowInstanceID, "2809-20190812080700")
			wantEq(t, "graph.DoAs (do_as)", g.DoAs, "yourDoAs")
			g2, err := b.DecodeGraph()
			wantNoErr(t, "DecodeGraph", err)
			wantEq(t, "graph2.Owners", g2.Owners, ";yourOwners;")
			if len(g.Tasks) != 1 || len(g2.Tasks) != 1 {
				t.Fatalf("graphs have %d and %d tasks, want 1 each", len(g.Tasks), len(g2.Tasks))
			}
			wantEq(t, "task.TaskInstanceID", g.Tasks[0].TaskInstanceID, TaskInstanceID("104890-20190812080700"))
			wantEq(t, "task.NodeID", g.Tasks[0].NodeID, "t_104890")
			wantEq(t, "task2.TaskInstanceID", g2.Tasks[0].TaskInstanceID, TaskInstanceID("105040-20190812075600"))

			t.Run("graph_snake_case_task_fields", func(t *testing.T) {
				wantEq(t, "task.TaskID (task_id)", g.Tasks[0].TaskID, 104890)
				wantEq(t, "task.TaskName (task_name)", g.Tasks[0].TaskName, "tass")
				wantEq(t, "task2.TaskID (task_id)", g2.Tasks[0].TaskID, 105040)
				wantEq(t, "task2.TaskName (task_name)", g2.Tasks[0].TaskName, "gg")
			})
		},
	},
	{
		name: "cancel_flow_instance", method: http.MethodPost, path: flowInstancesPath, action: "cancel",
		run: func(t *testing.T, ctx context.Context, c *Client) {
			err := c.CancelFlowInstance(ctx, CancelFlowInstanceRequest{FlowInstanceID: "2438-201908081020"})
			wantNoErr(t, "CancelFlowInstance", err)
		},
	},
	{
		name: "get_task_instance", method: http.MethodGet, path: taskInstancesPath, action: "get",
		run: func(t *testing.T, ctx context.Context, c *Client) {
			ti, err := c.GetTaskInstance(ctx, GetTaskInstanceRequest{TaskInstanceID: "118979-2021020211"})
			wantNoErr(t, "GetTaskInstance", err)
			wantEq(t, "TaskInstanceID", ti.TaskInstanceID, TaskInstanceID("118979-2021020211"))
			wantEq(t, "TaskID", ti.TaskID, 118979)
			wantEq(t, "TaskName", ti.TaskName, "DataIntegration")
			wantEq(t, "FlowInstID", ti.FlowInstanceID, FlowInstanceID("8435-2021020211"))
			wantEq(t, "Cycle", ti.Cycle, "H")
			wantEq(t, "Freq (null)", ti.Freq, "")
			wantEq(t, "Status", ti.Status, StatusSuccess)
			wantEq(t, "StsDesc", ti.StatusDesc, "SUCCESS")
			wantEq(t, "Type", ti.Type, 7)
			if ti.SyncType != nil {
				t.Errorf("SyncType = %d, want nil (null)", *ti.SyncType)
			}
			wantEq(t, "RunNum", ti.RunNum, 1)
			wantEq(t, "RecallLimit", ti.RecallLimit, 3)
			wantEq(t, "Timeout", ti.Timeout, 300)
			wantEq(t, "DoAs", ti.DoAs, "yourDoAs")
			wantEq(t, "Cmd", ti.Cmd, "echo hi")
			wantServerTime(t, "TriggerTime", ti.TriggerTime, "2021-02-02 19:35:00")
			wantServerTime(t, "StartTime", ti.StartTime, "2021-02-02 19:35:24")
			wantServerTime(t, "EndTime", ti.EndTime, "2021-02-02 19:38:07")
			// Java's Date.toString, read as a clock reading in the given zone.
			wantServerTime(t, "TimeStamp", ti.Timestamp, "2021-02-02 17:35:00")
			rm, err := ti.DecodeRunMode()
			wantNoErr(t, "DecodeRunMode", err)
			if rm == nil {
				t.Fatal("DecodeRunMode: nil")
			}
			wantEq(t, "RunMode", *rm, RunMode{TaskMode: 1, CPU: 0.6, Memory: 1.1})
			taskID, err := ti.TaskInstanceID.TaskID()
			wantNoErr(t, "InstanceID.TaskID", err)
			wantEq(t, "InstanceID.TaskID", taskID, ti.TaskID)
		},
	},
	{
		name: "get_task_instance_log", method: http.MethodGet, path: taskInstancesPath, action: "getLog",
		run: func(t *testing.T, ctx context.Context, c *Client) {
			log, err := c.GetTaskInstanceLog(ctx, GetTaskInstanceLogRequest{TaskInstanceID: "105007-20190812013400"})
			wantNoErr(t, "GetTaskInstanceLog", err)
			for _, part := range []string{"=====", "instance:t104452-201908080322", `cmdline:techo "uuu"`, "submitter:tdb_envision"} {
				if !strings.Contains(log, part) {
					t.Errorf("log %q lacks %q", log, part)
				}
			}
			if !strings.HasSuffix(log, "uuun") {
				t.Errorf("log %q does not end as the sample", log)
			}
		},
	},
	{
		name: "get_flow", method: http.MethodGet, path: flowsPath, action: "get",
		run: func(t *testing.T, ctx context.Context, c *Client) {
			f, err := c.GetFlow(ctx, FlowRequest{FlowID: 2479})
			wantNoErr(t, "GetFlow", err)
			wantEq(t, "FlowID", f.FlowID, 2479)
			wantEq(t, "FlowName", f.FlowName, "test0722-1")
			wantEq(t, "Active", f.Active, false)
			wantEq(t, "Type", f.Type, FlowTypeManual)
			wantEq(t, "Entry", f.Entry, 0)
			wantEq(t, "SyncType", f.SyncType, 1)
			wantEq(t, "AlertMode", f.AlertMode, 1)
			wantEq(t, "Owner", f.Owner, "yourOwners")
			wantEq(t, "Visitor", f.Visitor, ";yourVisitors;")
			wantEq(t, "UpdateUser", f.UpdateUser, "yourUpdateUser")
			wantEq(t, "HasEditPri", f.HasEditPri, false)
			wantEq(t, "HasReadPri", f.HasReadPri, true)
			wantServerTime(t, "CreateTime", f.CreateTime, "2019-07-22 08:56:35")
			wantServerTime(t, "UpdateTime", f.UpdateTime, "2019-07-22 08:56:58")
			wantServerTime(t, "StartTime", f.StartTime, "2019-07-22 00:00:00")
			params, err := f.DecodeParameters()
			wantNoErr(t, "DecodeParameters", err)
			wantParams := []Parameter{{"ouids", "oxxxxxxxx"}, {"path", "/user/db_henglin/test_0722-1/"}, {"overwrite", "true"}}
			if !slices.Equal(params, wantParams) {
				t.Errorf("parameters = %v, want %v", params, wantParams)
			}

			g, err := f.DecodeGraph()
			wantNoErr(t, "DecodeGraph", err)
			wantEq(t, "graph.Name", g.Name, "test0722-1")
			wantEq(t, "graph.Type", g.Type, FlowTypeManual)
			wantEq(t, "graph.AlertMode", g.AlertMode, 1)
			wantEq(t, "graph.StartTime", g.StartTime, "2019-07-22")
			wantEq(t, "graph.Owners", g.Owners, ";yourOwners;")
			if len(g.Tasks) != 2 {
				t.Fatalf("graph has %d tasks, want 2", len(g.Tasks))
			}
			wantEq(t, "graph.Tasks[0]", g.Tasks[0], TaskNode{TaskID: 104506, TaskName: "MDM-Sync", NodeID: "t_104506", X: 0.002, Y: 0.002})
			wantEq(t, "graph.Tasks[1].TaskID", g.Tasks[1].TaskID, 104507)
			if len(g.Relations) != 1 {
				t.Fatalf("graph has %d relations, want 1", len(g.Relations))
			}
			wantEq(t, "graph.Relations[0]", g.Relations[0], Relation{Source: "t_104506", Target: "t_104507", CycleGap: "D0", Rerun: true})
			gp, err := decodeParameters(g.Parameters)
			wantNoErr(t, "graph parameters", err)
			if len(gp) != 3 || gp[0] != (Parameter{"ouids", "oxxxxxxxxxxx"}) {
				t.Errorf("graph parameters = %v", gp)
			}
		},
	},
	{
		name: "get_my_flow", method: http.MethodGet, path: flowsPath, action: "getMyFlow",
		run: func(t *testing.T, ctx context.Context, c *Client) {
			flows, err := c.GetMyFlows(ctx, GetMyFlowsRequest{Expression: "2"})
			wantNoErr(t, "GetMyFlows", err)
			if len(flows) != 6 {
				t.Fatalf("%d flows, want 6", len(flows))
			}
			wantEq(t, "[0]", flows[0], MyFlow{FlowID: 3318, FlowName: "reduce_entity", Cycle: "D", Editable: true})
			wantEq(t, "[3]", flows[3], MyFlow{FlowID: 2515, FlowName: "testWorkflow122", Cycle: "D", Editable: true})
			wantEq(t, "[5]", flows[5], MyFlow{FlowID: 2979, FlowName: "integrattt", Cycle: "D", Editable: true})
		},
	},
	{
		name: "search_flow", method: http.MethodPost, path: flowsPath, action: "search",
		run: func(t *testing.T, ctx context.Context, c *Client) {
			flows, err := c.SearchFlows(ctx, SearchFlowsRequest{PageNo: 1, PageSize: 10,
				Sorters: []Sorter{{Field: SortByUpdateTime, Order: SortAscending}}})
			wantNoErr(t, "SearchFlows", err)
			want := []FlowSummary{{20, "vd_text"}, {21, "dim_wtg_full"}, {22, "wenl_dim_fact_downtime"}}
			if !slices.Equal(flows, want) {
				t.Errorf("flows = %v, want %v", flows, want)
			}
		},
	},
	{
		name: "enable_flow", method: http.MethodPost, path: flowsPath, action: "enable",
		run: func(t *testing.T, ctx context.Context, c *Client) {
			wantNoErr(t, "EnableFlow", c.EnableFlow(ctx, FlowRequest{FlowID: 3377}))
		},
	},
	{
		name: "disable_flow", method: http.MethodPost, path: flowsPath, action: "disable",
		run: func(t *testing.T, ctx context.Context, c *Client) {
			wantNoErr(t, "DisableFlow", c.DisableFlow(ctx, FlowRequest{FlowID: 3377}))
		},
	},
	{
		name: "delete_flow", method: http.MethodGet, path: flowsPath, action: "delete",
		run: func(t *testing.T, ctx context.Context, c *Client) {
			wantNoErr(t, "DeleteFlow", c.DeleteFlow(ctx, FlowRequest{FlowID: 2919}))
		},
	},
	{
		name: "save_flow", method: http.MethodPost, path: flowsPath, action: "save",
		run: func(t *testing.T, ctx context.Context, c *Client) {
			id, err := c.SaveFlow(ctx, SaveFlowRequest{
				FlowID: 2515, Type: FlowTypePeriodic, Name: "fpostm", Desc: "e",
				Freq: "0 0 0 * * ? *", Cycle: "D", StartTime: "2019-07-23", AlertMode: 3,
				DoAs: "yourDoAs", Owners: ";yourOwners;", Visitors: ";yourVisitors;",
				Tasks:     []TaskNode{{TaskID: 104575, TaskName: "tass", NodeID: "t_104575", X: 0.0132, Y: 0.008100000381469727}},
				Relations: []Relation{},
			})
			wantNoErr(t, "SaveFlow", err)
			wantEq(t, "flowId", id, 2841)
		},
	},
	{
		name: "load_flow_for_edit", method: http.MethodGet, path: flowsPath, action: "loadForEdit",
		run: func(t *testing.T, ctx context.Context, c *Client) {
			f, err := c.LoadFlowForEdit(ctx, FlowRequest{FlowID: 2515})
			wantNoErr(t, "LoadFlowForEdit", err)
			wantEq(t, "FlowID", f.FlowID, 2515)
			wantEq(t, "FlowName", f.FlowName, "fpostm")
			wantEq(t, "Type", f.Type, FlowTypePeriodic)
			wantEq(t, "Entry", f.Entry, 1)
			wantEq(t, "AlertMode", f.AlertMode, 3)
			wantEq(t, "Owner", f.Owner, ";yourOwners;")
			wantEq(t, "Queue", f.Queue, "")
			wantEq(t, "Desc", f.Desc, "e")
			wantServerTime(t, "UpdateTime", f.UpdateTime, "2019-08-08 05:51:43")
			wantServerTime(t, "CreateTime", f.CreateTime, "2019-07-26 05:41:58")
			wantServerTime(t, "StartTime", f.StartTime, "2019-07-23 00:00:00")
			params, err := f.DecodeParameters()
			wantNoErr(t, "DecodeParameters", err)
			wantEq(t, "len(parameters)", len(params), 0)

			g, err := f.DecodeGraph()
			wantNoErr(t, "DecodeGraph", err)
			wantEq(t, "graph.Name", g.Name, "fpostm")
			wantEq(t, "graph.Desc", g.Desc, "e")
			wantEq(t, "graph.Visitors", g.Visitors, ";yourVisitors;")
			if len(g.Tasks) != 3 || len(g.Flows) != 2 || len(g.Relations) != 3 {
				t.Fatalf("graph has %d tasks, %d flows, %d relations; want 3, 2, 3", len(g.Tasks), len(g.Flows), len(g.Relations))
			}
			wantEq(t, "graph.Tasks[2]", g.Tasks[2], TaskNode{TaskID: 104901, TaskName: "dff", NodeID: "t_104901", X: 0.0352, Y: 0.008300002288818359})
			wantEq(t, "graph.Flows[0].FlowID", g.Flows[0].FlowID, 2788)
			wantEq(t, "graph.Flows[0].NodeID", g.Flows[0].NodeID, "f_2788")
			wantEq(t, "graph.Flows[1].IsVirtual", g.Flows[1].IsVirtual, true)
			wantEq(t, "graph.Flows[1].X", g.Flows[1].X, 8.0e-4)
			wantEq(t, "graph.Relations[2]", g.Relations[2], Relation{Source: "f_2819", Target: "t_104590", CycleGap: "D0", Rerun: false})

			t.Run("graph_snake_case_flow_name", func(t *testing.T) {
				wantEq(t, "graph.Flows[0].FlowName (flow_name)", g.Flows[0].FlowName, "jin")
				wantEq(t, "graph.Flows[1].FlowName (flow_name)", g.Flows[1].FlowName, "104891(tass)")
			})
		},
	},
	{
		name: "export_flow", method: http.MethodGet, path: flowsPath, action: "export",
		run: func(t *testing.T, ctx context.Context, c *Client) {
			e, err := c.ExportFlow(ctx, FlowRequest{FlowID: 2924})
			wantNoErr(t, "ExportFlow", err)
			wantEq(t, "Name", e.Name, "nFlow")
			wantEq(t, "Cycle", e.Cycle, "D")
			wantEq(t, "Cron", e.Cron, "0 0 0 * * ? *")
			wantEq(t, "AlertMode", e.AlertMode, 3)
			wantEq(t, "Submitter", e.Submitter, "yourSubmitter")
			wantEq(t, "Visitors", e.Visitors, ";yourVisitors;")
			wantEq(t, "Type", e.Type, 1)
			wantEq(t, "SyncType", e.SyncType, 1)
			wantEq(t, "Desc", e.Desc, "ga")
			wantEq(t, "StartTime", e.StartTime, "2019-07-24")
			params, err := e.DecodeParameters()
			wantNoErr(t, "DecodeParameters", err)
			wantEq(t, "len(parameters)", len(params), 0)
			wantEq(t, "len(FlowLinks)+len(TaskLinks)+len(Relations)+len(LinkRelations)",
				len(e.FlowLinks)+len(e.TaskLinks)+len(e.Relations)+len(e.LinkRelations), 0)
			if len(e.Tasks) != 1 {
				t.Fatalf("%d tasks, want 1", len(e.Tasks))
			}
			task := e.Tasks[0]
			wantEq(t, "task.Name", task.Name, "tass")
			wantEq(t, "task.Type", string(task.Type), `"COMMAND"`)
			wantEq(t, "task.Resource", task.Resource, "default")
			wantEq(t, "task.Cmd", task.Cmd, "echo 'hello'")
			wantEq(t, "task.Timeout", task.Timeout, 300)
			wantEq(t, "task.RetryLimit", task.RetryLimit, 3)
			wantEq(t, "task.SuccessCode", task.SuccessCode, "0")
			wantEq(t, "task.AsLink", task.AsLink, false)
			var rm RunMode
			wantNoErr(t, "task.RunMode.Decode", task.RunMode.Decode(&rm))
			wantEq(t, "task.RunMode", rm, RunMode{TaskMode: 1, CPU: 0.5, Memory: 1})
		},
	},
	{
		name: "import_flow", method: http.MethodPost, path: flowsPath, action: "import",
		run: func(t *testing.T, ctx context.Context, c *Client) {
			// The flow to import is the documented request's flowJson.
			var body struct {
				FlowName string       `json:"flowName"`
				Desc     string       `json:"desc"`
				DirID    string       `json:"dirId"`
				FlowJSON ExportedFlow `json:"flowJson"`
			}
			if err := json.Unmarshal(docSampleFile(t, "import_flow.request.json"), &body); err != nil {
				t.Fatalf("import_flow.request.json: %v", err)
			}
			id, err := c.ImportFlow(ctx, ImportFlowRequest{FlowName: body.FlowName, Desc: body.Desc, DirID: body.DirID, Flow: body.FlowJSON})
			wantNoErr(t, "ImportFlow", err)
			wantEq(t, "flowId", id, 2839)
		},
	},
	{
		name: "create_directory", method: http.MethodPost, path: directoriesPath, action: "create",
		run: func(t *testing.T, ctx context.Context, c *Client) {
			id, err := c.CreateDirectory(ctx, CreateDirectoryRequest{ParentID: "249a33bd419a4710b1567f5088f8955b", Name: "directory_name"})
			wantNoErr(t, "CreateDirectory", err)
			wantEq(t, "dirId", id, "62e3038840514caf9af60ad36878851e")
		},
	},
	{
		name: "list_workflow_dirs", method: http.MethodGet, path: directoriesPath, action: "listWorkFlowDirs",
		run: func(t *testing.T, ctx context.Context, c *Client) {
			dirs, err := c.ListWorkflowDirectories(ctx, ListWorkflowDirectoriesRequest{})
			wantNoErr(t, "ListWorkflowDirectories", err)
			if len(dirs) != 1 {
				t.Fatalf("%d roots, want 1", len(dirs))
			}
			root := dirs[0]
			wantEq(t, "root.Title", root.Title, "Workflow")
			wantEq(t, "root.Type", root.Type, DirectoryTypeWorkflow)
			wantEq(t, "root.IsDirectory", root.IsDirectory, true)
			if len(root.Children) != 3 {
				t.Fatalf("root has %d children, want 3", len(root.Children))
			}
			wantEq(t, "children[0].Title", root.Children[0].Title, "String1")
			wantEq(t, "children[2].Title", root.Children[2].Title, "dirt")
			ff := root.Children[1]
			wantEq(t, "children[1].Title", ff.Title, "ffdir")
			if len(ff.Children) != 1 {
				t.Fatalf("ffdir has %d children, want 1", len(ff.Children))
			}
			wf := ff.Children[0]
			wantEq(t, "workflow1.Title", wf.Title, "workflow1")
			wantEq(t, "workflow1.Key (number 2512)", wf.Key, "2512")
			wantEq(t, "workflow1.Editable", wf.Editable, true)
			wantEq(t, "workflow1.IsDirectory", wf.IsDirectory, false)
			flowID, ok := wf.FlowID()
			wantEq(t, "workflow1.FlowID ok", ok, true)
			wantEq(t, "workflow1.FlowID", flowID, 2512)
			var paths []string
			for path := range root.All() {
				paths = append(paths, strings.Join(path, "/"))
			}
			wantPaths := []string{"Workflow", "Workflow/String1", "Workflow/ffdir", "Workflow/ffdir/workflow1", "Workflow/dirt"}
			if !slices.Equal(paths, wantPaths) {
				t.Errorf("All() = %v, want %v", paths, wantPaths)
			}
		},
	},
	{
		name: "get_current_time", method: http.MethodGet, path: timePath, action: "getCurrentTime",
		run: func(t *testing.T, ctx context.Context, c *Client) {
			now, err := c.GetCurrentTime(ctx)
			wantNoErr(t, "GetCurrentTime", err)
			if !now.Equal(time.UnixMilli(1565251865242)) {
				t.Errorf("time = %v (%d ms), want 1565251865242 ms", now, now.UnixMilli())
			}
		},
	},
	{
		name: "get_time_zone", method: http.MethodGet, path: timePath, action: "getTimeZone",
		run: func(t *testing.T, ctx context.Context, c *Client) {
			tz, err := c.GetTimezone(ctx)
			wantNoErr(t, "GetTimezone", err)
			wantEq(t, "Name", tz.Name, "GMT+8")
			loc, err := tz.Location()
			wantNoErr(t, "Location", err)
			if _, offset := time.Date(2019, 8, 8, 0, 0, 0, 0, loc).Zone(); offset != 8*3600 {
				t.Errorf("offset = %d s, want %d", offset, 8*3600)
			}
		},
	},
}

// TestDocSampleClient answers each operation with its documented Return Sample and checks
// that the client method decodes it without error, and what it decodes.
func TestDocSampleClient(t *testing.T) {
	for _, tc := range docSampleCases {
		t.Run(tc.name, func(t *testing.T) {
			body := docSampleFile(t, tc.name+".json")
			c, mt, _ := newTestClient(t)
			mt.RegisterResponder(tc.method, testEndpoint+tc.path, docSampleResponder(body, tc.action))
			tc.run(t, context.Background(), c)
			if n := mt.GetCallCountInfo()[tc.method+" "+testEndpoint+tc.path]; n != 1 {
				t.Errorf("%d calls to %s %s, want 1", n, tc.method, tc.path)
			}
		})
	}
}

// docSampleTypes maps each sample to the result type its data decodes into, as the client
// method decodes it, so that a decoding regression points at the type.
var docSampleTypes = map[string]func() any{
	"trigger_flow":            func() any { return new(flowInstanceIDData) },
	"trigger_flow_from_task":  func() any { return new(flowInstanceIDData) },
	"update_and_trigger_flow": func() any { return new(flowInstanceIDData) },
	"get_flow_instance":       func() any { return new(FlowInstance) },
	"list_flow_instances":     func() any { return new(FlowInstancePage) },
	"cancel_flow_instance":    nil, // data ""
	"get_task_instance":       func() any { return new(taskInstanceData) },
	"get_task_instance_log":   func() any { return new(struct{ Log *string }) },
	"get_flow":                func() any { return new(Flow) },
	"get_my_flow":             func() any { return new([]MyFlow) },
	"search_flow":             func() any { return new([]FlowSummary) },
	"enable_flow":             nil,
	"disable_flow":            nil,
	"delete_flow":             nil,
	"save_flow":               func() any { return new(flowIDData) },
	"load_flow_for_edit":      func() any { return new(Flow) },
	"export_flow":             func() any { return new(ExportedFlow) },
	"import_flow":             func() any { return new(flowIDData) },
	"create_directory":        func() any { return new(dirIDData) },
	"list_workflow_dirs":      func() any { return new([]WorkflowDirectory) },
	"get_current_time":        func() any { return new(flexInt) },
	"get_time_zone":           func() any { return new(Timezone) },
}

// TestDocSampleUnmarshal runs each sample's data through its result type's
// json.Unmarshal (and validate, and the decoders of its embedded JSON), without a client.
func TestDocSampleUnmarshal(t *testing.T) {
	for _, name := range slices.Sorted(maps.Keys(docSampleTypes)) {
		newV := docSampleTypes[name]
		t.Run(name, func(t *testing.T) {
			data := docSampleData(t, name)
			if newV == nil {
				var s string
				if err := json.Unmarshal(data, &s); err != nil || s != "" {
					t.Fatalf("data = %s, want \"\" (an operation that returns nothing)", data)
				}
				return
			}
			v := newV()
			if err := json.Unmarshal(data, v); err != nil {
				t.Fatalf("json.Unmarshal into %T: %v", v, err)
			}
			if val, ok := v.(validator); ok {
				if err := val.validate(); err != nil {
					t.Fatalf("%T.validate: %v", v, err)
				}
			}
			if err := docSampleDecodeEmbedded(v); err != nil {
				t.Fatalf("embedded JSON of %T: %v", v, err)
			}
		})
	}
}

// docSampleDecodeEmbedded decodes the JSON-in-string fields of a result: graphs,
// parameters and run modes.
func docSampleDecodeEmbedded(v any) error {
	var errs []error
	instance := func(fi *FlowInstance) {
		_, err1 := fi.DecodeGraph()
		_, err2 := fi.DecodeParameters()
		errs = append(errs, err1, err2)
	}
	switch v := v.(type) {
	case *FlowInstance:
		instance(v)
	case *FlowInstancePage:
		for i := range v.FlowInstances {
			instance(&v.FlowInstances[i])
		}
	case *Flow:
		g, err := v.DecodeGraph()
		errs = append(errs, err)
		if err == nil {
			_, err = decodeParameters(g.Parameters)
			errs = append(errs, err)
		}
		_, err = v.DecodeParameters()
		errs = append(errs, err)
	case *taskInstanceData:
		_, err := v.DecodeRunMode()
		errs = append(errs, err)
	case *ExportedFlow:
		_, err := v.DecodeParameters()
		errs = append(errs, err)
		for _, task := range v.Tasks {
			var rm RunMode
			errs = append(errs, task.RunMode.Decode(&rm))
		}
	case *Timezone:
		_, err := v.Location()
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// TestDocSampleFilesCovered checks that every Return Sample in testdata/docsamples is
// tested by both tests above, and that every case has its file.
func TestDocSampleFilesCovered(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(docSampleDir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	inClient := map[string]bool{}
	for _, tc := range docSampleCases {
		if inClient[tc.name] {
			t.Errorf("case %s twice", tc.name)
		}
		inClient[tc.name] = true
	}
	onDisk := map[string]bool{}
	for _, f := range files {
		base := filepath.Base(f)
		if strings.HasSuffix(base, ".request.json") {
			var v any
			if err := json.Unmarshal(docSampleFile(t, base), &v); err != nil {
				t.Errorf("%s is not JSON: %v", base, err)
			}
			continue
		}
		name := strings.TrimSuffix(base, ".json")
		onDisk[name] = true
		if !inClient[name] {
			t.Errorf("%s has no case in docSampleCases", base)
		}
		if _, ok := docSampleTypes[name]; !ok {
			t.Errorf("%s has no entry in docSampleTypes", base)
		}
	}
	for name := range inClient {
		if !onDisk[name] {
			t.Errorf("case %s has no file %s.json", name, name)
		}
	}
	for name := range docSampleTypes {
		if !onDisk[name] {
			t.Errorf("docSampleTypes entry %s has no file %s.json", name, name)
		}
	}
}
