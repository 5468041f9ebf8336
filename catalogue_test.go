package batchprocessing

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"time"

	"github.com/enos-go/batchprocessing/refserver"
)

// The catalogue of the 22 operations of the Batch Processing Service V2.1. Its entries drive
// the tests of operations_test.go: the decoding of the documentation's Return Sample, the
// validation before any request, the exact request, and a round trip against refserver. A
// new operation gets an entry here.

// operation is one operation of the catalogue.
type operation struct {
	name string // the Client method, and the Operation of its errors
	// call calls the operation with valid input and returns its result (nil for the
	// operations that return only an error). The input suits the Return Sample (docSample)
	// and, after seed, the demo reference server.
	call func(ctx context.Context, c *Client) (any, error)
	// invalid calls it with input the client refuses before any request, with a
	// *RequestError naming field.
	invalid func(ctx context.Context, c *Client) (any, error)
	field   string
	// docSample is the file of testdata/docsamples that answers call, without ".json".
	docSample string
	// request is the request call sends.
	request wantRequest
	// seed adds to the demo reference server what call needs; nil: nothing.
	seed func(rt *roundTrip)
}

// docRootDirectory is the root workflow directory of DemoOrgID (testOrgID), whose id the
// reference server derives from the organization's: the directory operations use it.
var docRootDirectory = refserver.NewBackend().RootDirectory(refserver.DemoOrgID)

// badRetryPolicy is the invalid input of the operations that take no other: a call option
// the client refuses before sending.
var badRetryPolicy = WithCallRetryPolicy(RetryPolicy{MinBackoff: -time.Second})

// wantPost and wantGet are the requests of the user operations: the action and the
// identity in the query, with wantGet's extra parameters (name, value, ...).
func wantPost(path, action, body string) wantRequest {
	return wantRequest{http.MethodPost, path, userValues(action), body}
}

func wantGet(path, action string, extra ...string) wantRequest {
	return wantRequest{http.MethodGet, path, userValues(action, extra...), ""}
}

// withResult and withoutResult give an operation's outcome the shape of operation.call.
func withResult[T any](v T, err error) (any, error) { return v, err }

func withoutResult(err error) (any, error) { return nil, err }

// The flows of the round trips, by the ids of the Return Samples.
var (
	sampleTriggerFlow = refserver.Flow{ID: 2791, Name: "sample flow", Parameters: []refserver.Parameter{{Key: "REPLACE", Value: "lili1"}},
		Tasks: []refserver.Task{{ID: 279101, Name: "t"}}}
	sampleEditFlow = refserver.Flow{ID: 2515, Name: "fpostm", Type: refserver.FlowTypePeriodic, AlertMode: 3, DoAs: "yourDoAs",
		Description: "e", StartDate: "2019-07-23", Tasks: []refserver.Task{{ID: 104575, Name: "tass", X: 0.0132, Y: 0.0081}}}
)

var catalogue = []operation{
	{
		name: "TriggerFlow",
		// The Return Sample, 2791-19700101000000, answers a trigger of flow 2791 at epoch 0;
		// the client would refuse it as the answer to the documented request (flow 3377).
		call: func(ctx context.Context, c *Client) (any, error) {
			return withResult(c.TriggerFlow(ctx, TriggerFlowRequest{FlowID: 2791, TriggerTime: time.UnixMilli(0)}))
		},
		invalid: func(ctx context.Context, c *Client) (any, error) {
			return withResult(c.TriggerFlow(ctx, TriggerFlowRequest{FlowID: 0}))
		},
		field:     "FlowID",
		docSample: "trigger_flow",
		request:   wantPost(flowsPath, "trigger", `{"flowId":2791,"triggerTime":0}`),
		seed:      func(rt *roundTrip) { rt.addFlow(sampleTriggerFlow) },
	},
	{
		name: "TriggerFlowFromTask",
		call: func(ctx context.Context, c *Client) (any, error) {
			return withResult(c.TriggerFlowFromTask(ctx, TriggerFlowFromTaskRequest{FlowID: refserver.DemoFlowID,
				TaskID: refserver.DemoExtractTaskID, TriggerTime: time.UnixMilli(1594016819108)}))
		},
		invalid: func(ctx context.Context, c *Client) (any, error) {
			return withResult(c.TriggerFlowFromTask(ctx, TriggerFlowFromTaskRequest{FlowID: refserver.DemoFlowID}))
		},
		field:     "TaskID",
		docSample: "trigger_flow_from_task",
		request:   wantPost(flowsPath, "triggerFromTask", `{"flowId":3377,"taskId":108580,"triggerTime":1594016819108}`),
	},
	{
		name: "UpdateAndTriggerFlow",
		call: func(ctx context.Context, c *Client) (any, error) { // flow 2791 at epoch 0: see TriggerFlow
			return withResult(c.UpdateAndTriggerFlow(ctx, UpdateAndTriggerFlowRequest{FlowID: 2791, TriggerTime: time.UnixMilli(0),
				Parameters: []Parameter{{Key: "REPLACE", Value: "ddee"}}}))
		},
		invalid: func(ctx context.Context, c *Client) (any, error) {
			return withResult(c.UpdateAndTriggerFlow(ctx, UpdateAndTriggerFlowRequest{FlowID: 2791, Parameters: []Parameter{{Value: "v"}}}))
		},
		field:     "Parameters",
		docSample: "update_and_trigger_flow",
		request:   wantPost(flowsPath, "updateAndTrigger", `{"flowId":2791,"triggerTime":0,"parameters":[{"key":"REPLACE","value":"ddee"}]}`),
		seed:      func(rt *roundTrip) { rt.addFlow(sampleTriggerFlow) },
	},
	{
		name: "GetFlowInstance",
		call: func(ctx context.Context, c *Client) (any, error) {
			return withResult(c.GetFlowInstance(ctx, GetFlowInstanceRequest{FlowInstanceID: "2809-20190808093200"}))
		},
		invalid: func(ctx context.Context, c *Client) (any, error) {
			return withResult(c.GetFlowInstance(ctx, GetFlowInstanceRequest{FlowInstanceID: "2809-2019"}))
		},
		field:     "FlowInstanceID",
		docSample: "get_flow_instance",
		request:   wantGet(flowInstancesPath, "get", "flowInstId", "2809-20190808093200"),
		seed: func(rt *roundTrip) {
			rt.addFlow(refserver.Flow{ID: 2809, Name: "21", AlertMode: 3, DoAs: "yourDoAs", Tasks: []refserver.Task{{ID: 104890, Name: "tass"}}})
			rt.trigger(2809, time.Date(2019, 8, 8, 9, 32, 12, 0, time.UTC))
			rt.clk.Advance(time.Hour) // done
		},
	},
	{
		name: "ListFlowInstances",
		call: func(ctx context.Context, c *Client) (any, error) {
			return withResult(c.ListFlowInstances(ctx, ListFlowInstancesRequest{Types: []FlowType{FlowTypePeriodic},
				From: time.UnixMilli(1573648355000), To: time.UnixMilli(1573698120000), Statuses: []FlowInstanceStatus{StatusSuccess},
				PageNo: 1, PageSize: 10, Sorters: []Sorter{{Field: SortByTriggerTime, Order: SortDescending}}}))
		},
		invalid: func(ctx context.Context, c *Client) (any, error) {
			return withResult(c.ListFlowInstances(ctx, ListFlowInstancesRequest{Types: []FlowType{FlowTypePeriodic}, PageSize: -1}))
		},
		field:     "PageSize",
		docSample: "list_flow_instances",
		request: wantPost(flowInstancesPath, "search", `{"type":1,"expression":"","owner":"","fromTriggerTime":1573648355000,`+
			`"toTriggerTime":1573698120000,"status":"1","pagination":{"pageNo":1,"pageSize":10,"sorters":[{"field":"triggerTime","order":"DESC"}]}}`),
		seed: func(rt *roundTrip) { // two runs of the periodic demo flow in the window
			rt.trigger(refserver.DemoFlowID, time.Date(2019, 11, 13, 13, 0, 0, 0, time.UTC))
			rt.trigger(refserver.DemoFlowID, time.Date(2019, 11, 13, 20, 0, 0, 0, time.UTC))
			rt.clk.Advance(time.Minute) // both done
		},
	},
	{
		name: "CancelFlowInstance",
		call: func(ctx context.Context, c *Client) (any, error) {
			return withoutResult(c.CancelFlowInstance(ctx, CancelFlowInstanceRequest{FlowInstanceID: "2438-20190808102000"}))
		},
		invalid: func(ctx context.Context, c *Client) (any, error) {
			return withoutResult(c.CancelFlowInstance(ctx, CancelFlowInstanceRequest{}))
		},
		field:     "FlowInstanceID",
		docSample: "cancel_flow_instance",
		request:   wantPost(flowInstancesPath, "cancel", `{"flowInstId":"2438-20190808102000"}`),
		seed: func(rt *roundTrip) { // a running instance
			rt.addFlow(refserver.Flow{ID: 2438, Name: "long", Tasks: []refserver.Task{{ID: 243801, Name: "t", Duration: time.Hour}}})
			rt.trigger(2438, time.Date(2019, 8, 8, 10, 20, 0, 0, time.UTC))
		},
	},
	{
		name: "GetTaskInstance",
		call: func(ctx context.Context, c *Client) (any, error) {
			return withResult(c.GetTaskInstance(ctx, GetTaskInstanceRequest{TaskInstanceID: "118979-20210202110000"}))
		},
		invalid: func(ctx context.Context, c *Client) (any, error) {
			return withResult(c.GetTaskInstance(ctx, GetTaskInstanceRequest{TaskInstanceID: "118979"}))
		},
		field:     "TaskInstanceID",
		docSample: "get_task_instance",
		request:   wantGet(taskInstancesPath, "get", "taskInstId", "118979-20210202110000"),
		seed: func(rt *roundTrip) {
			rt.addFlow(refserver.Flow{ID: 8435, Name: "hourly", Cycle: "H", Tasks: []refserver.Task{{ID: 118979, Name: "DataIntegration"}}})
			rt.trigger(8435, time.Date(2021, 2, 2, 11, 0, 0, 0, time.UTC))
		},
	},
	{
		name: "GetTaskInstanceLog",
		call: func(ctx context.Context, c *Client) (any, error) {
			return withResult(c.GetTaskInstanceLog(ctx, GetTaskInstanceLogRequest{TaskInstanceID: "105007-20190812013400", MaxLength: 100}))
		},
		invalid: func(ctx context.Context, c *Client) (any, error) {
			return withResult(c.GetTaskInstanceLog(ctx, GetTaskInstanceLogRequest{TaskInstanceID: "105007-20190812013400", MaxLength: -5}))
		},
		field:     "MaxLength",
		docSample: "get_task_instance_log",
		request:   wantGet(taskInstancesPath, "getLog", "taskInstId", "105007-20190812013400", "maxLength", "100"),
		seed: func(rt *roundTrip) {
			rt.addFlow(refserver.Flow{ID: 2957, Name: "fdd", Tasks: []refserver.Task{{ID: 105007, Name: "gg", Command: "echo gg"}}})
			rt.trigger(2957, time.Date(2019, 8, 12, 1, 34, 0, 0, time.UTC))
			rt.clk.Advance(time.Hour) // the whole log
		},
	},
	{
		name: "GetFlow",
		call: func(ctx context.Context, c *Client) (any, error) {
			return withResult(c.GetFlow(ctx, FlowRequest{FlowID: 2479}))
		},
		invalid: func(ctx context.Context, c *Client) (any, error) {
			return withResult(c.GetFlow(ctx, FlowRequest{FlowID: 0}))
		},
		field:     "FlowID",
		docSample: "get_flow",
		request:   wantGet(flowsPath, "get", "flowId", "2479"),
		seed: func(rt *roundTrip) {
			rt.addFlow(refserver.Flow{ID: 2479, Name: "test0722-1", Type: refserver.FlowTypeManual, StartDate: "2019-07-22",
				Parameters: []refserver.Parameter{{Key: "ouids", Value: "oxxxxxxxx"}, {Key: "overwrite", Value: "true"}},
				Tasks:      []refserver.Task{{ID: 104506, Name: "MDM-Sync"}, {ID: 104507, Name: "next", DependsOn: []int64{104506}}}})
		},
	},
	{
		name: "GetMyFlows",
		call: func(ctx context.Context, c *Client) (any, error) {
			return withResult(c.GetMyFlows(ctx, GetMyFlowsRequest{Expression: "demo"}))
		},
		invalid: func(ctx context.Context, c *Client) (any, error) {
			return withResult(c.GetMyFlows(ctx, GetMyFlowsRequest{}, badRetryPolicy))
		},
		field:     "WithCallRetryPolicy",
		docSample: "get_my_flow",
		request:   wantGet(flowsPath, "getMyFlow", "expression", "demo"),
	},
	{
		name: "SearchFlows",
		call: func(ctx context.Context, c *Client) (any, error) {
			return withResult(c.SearchFlows(ctx, SearchFlowsRequest{Expression: "flow", PageNo: 1, PageSize: 10,
				Sorters: []Sorter{{Field: SortByUpdateTime, Order: SortAscending}}}))
		},
		invalid: func(ctx context.Context, c *Client) (any, error) {
			return withResult(c.SearchFlows(ctx, SearchFlowsRequest{Sorters: []Sorter{{Field: SortByUpdateTime, Order: "UP"}}}))
		},
		field:     "Sorters",
		docSample: "search_flow",
		request: wantPost(flowsPath, "search",
			`{"expression":"flow","pagination":{"pageNo":1,"pageSize":10,"sorters":[{"field":"update_time","order":"ASC"}]}}`),
	},
	{
		name: "EnableFlow",
		call: func(ctx context.Context, c *Client) (any, error) {
			return withoutResult(c.EnableFlow(ctx, FlowRequest{FlowID: refserver.DemoFlowID}))
		},
		invalid: func(ctx context.Context, c *Client) (any, error) {
			return withoutResult(c.EnableFlow(ctx, FlowRequest{FlowID: -1}))
		},
		field:     "FlowID",
		docSample: "enable_flow",
		request:   wantPost(flowsPath, "enable", `{"flowId":3377}`),
	},
	{
		name: "DisableFlow",
		call: func(ctx context.Context, c *Client) (any, error) {
			return withoutResult(c.DisableFlow(ctx, FlowRequest{FlowID: refserver.DemoFlowID}))
		},
		invalid: func(ctx context.Context, c *Client) (any, error) {
			return withoutResult(c.DisableFlow(ctx, FlowRequest{}))
		},
		field:     "FlowID",
		docSample: "disable_flow",
		request:   wantPost(flowsPath, "disable", `{"flowId":3377}`),
	},
	{
		name: "DeleteFlow",
		call: func(ctx context.Context, c *Client) (any, error) {
			return withoutResult(c.DeleteFlow(ctx, FlowRequest{FlowID: refserver.DemoEmptyFlowID}))
		},
		invalid: func(ctx context.Context, c *Client) (any, error) {
			return withoutResult(c.DeleteFlow(ctx, FlowRequest{}))
		},
		field:     "FlowID",
		docSample: "delete_flow",
		request:   wantGet(flowsPath, "delete", "flowId", "3378"),
	},
	{
		name: "SaveFlow",
		call: func(ctx context.Context, c *Client) (any, error) {
			return withResult(c.SaveFlow(ctx, SaveFlowRequest{FlowID: 2515, Type: FlowTypePeriodic, Name: "fpostm", Desc: "e",
				Freq: "0 0 0 * * ? *", Cycle: "D", StartTime: "2019-07-23", Active: true, AlertMode: 3, DoAs: "yourDoAs",
				Owners: ";yourUserId;", Visitors: ";yourVisitors;", Parameters: []Parameter{{Key: "a", Value: "1"}},
				Tasks:     []TaskNode{{TaskID: 104575, TaskName: "tass", NodeID: "t_104575", X: 0.0132, Y: 0.0081}},
				Relations: []Relation{}}))
		},
		invalid: func(ctx context.Context, c *Client) (any, error) {
			return withResult(c.SaveFlow(ctx, SaveFlowRequest{FlowID: 2515, Name: "fpostm", Freq: "0 0 0 * * ? *", Cycle: "day", StartTime: "2019-07-23"}))
		},
		field:     "Cycle",
		docSample: "save_flow",
		request: wantPost(flowsPath, "save", `{"id":2515,"type":1,"name":"fpostm","freq":"0 0 0 * * ? *","cycle":"D","alertMode":3,`+
			`"doAs":"yourDoAs","owners":";yourUserId;","visitors":";yourVisitors;","startTime":"2019-07-23","active":1,`+
			`"parameters":"[{\"key\":\"a\",\"value\":\"1\"}]","desc":"e","queue":"",`+
			`"tasks":[{"taskId":"104575","taskName":"tass","nodeId":"t_104575","x":0.0132,"y":0.0081}],"relations":[]}`),
		seed: func(rt *roundTrip) { rt.addFlow(sampleEditFlow) },
	},
	{
		name: "LoadFlowForEdit",
		call: func(ctx context.Context, c *Client) (any, error) {
			return withResult(c.LoadFlowForEdit(ctx, FlowRequest{FlowID: 2515}))
		},
		invalid: func(ctx context.Context, c *Client) (any, error) {
			return withResult(c.LoadFlowForEdit(ctx, FlowRequest{FlowID: 0}))
		},
		field:     "FlowID",
		docSample: "load_flow_for_edit",
		request:   wantGet(flowsPath, "loadForEdit", "flowId", "2515"),
		seed:      func(rt *roundTrip) { rt.addFlow(sampleEditFlow) },
	},
	{
		name: "ExportFlow",
		call: func(ctx context.Context, c *Client) (any, error) {
			return withResult(c.ExportFlow(ctx, FlowRequest{FlowID: 2924}))
		},
		invalid: func(ctx context.Context, c *Client) (any, error) {
			return withResult(c.ExportFlow(ctx, FlowRequest{FlowID: 0}))
		},
		field:     "FlowID",
		docSample: "export_flow",
		request:   wantGet(flowsPath, "export", "flowId", "2924"),
		seed: func(rt *roundTrip) {
			rt.addFlow(refserver.Flow{ID: 2924, Name: "nFlow", Type: refserver.FlowTypePeriodic, AlertMode: 3, DoAs: "yourSubmitter",
				Visitors: ";yourVisitors;", Description: "ga", StartDate: "2019-07-24",
				Tasks: []refserver.Task{{ID: 292401, Name: "tass", Command: "echo 'hello'"}}})
		},
	},
	{
		name: "ImportFlow",
		call: func(ctx context.Context, c *Client) (any, error) {
			return withResult(c.ImportFlow(ctx, ImportFlowRequest{FlowName: "outuser", DirID: docRootDirectory, Flow: ExportedFlow{
				Name: "etl", Type: FlowTypePeriodic, Cycle: "D", Cron: "0 0 0 * * ? *", Parameters: EmbeddedJSON(`[{"key":"REPLACE","value":"lili1"}]`),
				Tasks: []ExportedTask{{Name: "tass", Type: json.RawMessage(`"COMMAND"`), Cmd: `echo "hello"`}}}}))
		},
		invalid: func(ctx context.Context, c *Client) (any, error) {
			return withResult(c.ImportFlow(ctx, ImportFlowRequest{FlowName: "outuser"}))
		},
		field:     "DirID",
		docSample: "import_flow",
		request: wantPost(flowsPath, "import", `{"flowName":"outuser","desc":"","dirId":"`+docRootDirectory+`","flowJson":{"name":"etl",`+
			`"desc":"","type":1,"cycle":"D","cron":"0 0 0 * * ? *","startTime":"","alertMode":0,"syncType":0,"submitter":"","owners":"",`+
			`"visitors":"","parameters":"[{\"key\":\"REPLACE\",\"value\":\"lili1\"}]","tasks":[{"name":"tass","type":"COMMAND",`+
			`"resource":"","syncType":0,"cmd":"echo \"hello\"","submitter":"","filePackage":"","cron":"","priorityLevel":0,"timeout":0,`+
			`"retryLimit":0,"retryInterval":0,"successCode":"","asLink":false,"runMode":""}],"flowLinks":[],"taskLinks":[],"relations":[],`+
			`"linkRelations":[]}}`),
	},
	{
		name: "CreateDirectory",
		call: func(ctx context.Context, c *Client) (any, error) {
			return withResult(c.CreateDirectory(ctx, CreateDirectoryRequest{ParentID: docRootDirectory, Name: "directory_name"}))
		},
		invalid: func(ctx context.Context, c *Client) (any, error) {
			return withResult(c.CreateDirectory(ctx, CreateDirectoryRequest{ParentID: docRootDirectory, Name: " "}))
		},
		field:     "Name",
		docSample: "create_directory",
		request:   wantPost(directoriesPath, "create", `{"parentId":"`+docRootDirectory+`","dirName":"directory_name"}`),
	},
	{
		name: "ListWorkflowDirectories",
		call: func(ctx context.Context, c *Client) (any, error) {
			return withResult(c.ListWorkflowDirectories(ctx, ListWorkflowDirectoriesRequest{}))
		},
		invalid: func(ctx context.Context, c *Client) (any, error) {
			return withResult(c.ListWorkflowDirectories(ctx, ListWorkflowDirectoriesRequest{}, badRetryPolicy))
		},
		field:     "WithCallRetryPolicy",
		docSample: "list_workflow_dirs",
		request:   wantGet(directoriesPath, "listWorkFlowDirs"),
	},
	{
		name: "GetCurrentTime",
		call: func(ctx context.Context, c *Client) (any, error) { return withResult(c.GetCurrentTime(ctx)) },
		invalid: func(ctx context.Context, c *Client) (any, error) {
			return withResult(c.GetCurrentTime(ctx, badRetryPolicy))
		},
		field:     "WithCallRetryPolicy",
		docSample: "get_current_time",
		request:   wantRequest{http.MethodGet, timePath, url.Values{"action": {"getCurrentTime"}}, ""},
	},
	{
		name: "GetTimezone",
		call: func(ctx context.Context, c *Client) (any, error) { return withResult(c.GetTimezone(ctx)) },
		invalid: func(ctx context.Context, c *Client) (any, error) {
			return withResult(c.GetTimezone(ctx, badRetryPolicy))
		},
		field:     "WithCallRetryPolicy",
		docSample: "get_time_zone",
		request:   wantRequest{http.MethodGet, timePath, url.Values{"action": {"getTimeZone"}}, ""},
	},
}
