package batchprocessing

import (
	"context"
	"errors"
	"net/url"
	"reflect"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
)

// TestOperationRequests pins the exact request of every V2.1 operation (the Request Format
// and Request Parameters of its page,
// https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/<operation>.html) and
// checks what the client makes of a typical answer.
func TestOperationRequests(t *testing.T) {
	ctx := context.Background()
	at := time.UnixMilli(testNowMillis)
	tests := []struct {
		name   string
		want   wantRequest
		answer string // data of the success envelope
		call   func(c *Client) (any, error)
		result any
	}{
		{"TriggerFlowFromTask",
			wantRequest{"POST", flowsPath, userValues("triggerFromTask"), `{"flowId":3377,"taskId":108580,"triggerTime":1574385824000}`},
			`{"flowInstanceId":"3377-20191122012300"}`,
			func(c *Client) (any, error) {
				return c.TriggerFlowFromTask(ctx, TriggerFlowFromTaskRequest{FlowID: 3377, TaskID: 108580, TriggerTime: at})
			},
			FlowInstanceID("3377-20191122012300")},
		{"UpdateAndTriggerFlow",
			wantRequest{"POST", flowsPath, userValues("updateAndTrigger"), `{"flowId":3377,"triggerTime":1574385824000,"parameters":[{"key":"REPLACE","value":"ddee"}]}`},
			`{"flowInstanceId":"3377-20191122012300"}`,
			func(c *Client) (any, error) {
				return c.UpdateAndTriggerFlow(ctx, UpdateAndTriggerFlowRequest{FlowID: 3377, TriggerTime: at, Parameters: []Parameter{{"REPLACE", "ddee"}}})
			},
			FlowInstanceID("3377-20191122012300")},
		{"UpdateAndTriggerFlow without parameters",
			wantRequest{"POST", flowsPath, userValues("updateAndTrigger"), `{"flowId":3377,"triggerTime":1574385824000,"parameters":[]}`},
			`{"flowInstanceId":"3377-20191122012300"}`,
			func(c *Client) (any, error) {
				return c.UpdateAndTriggerFlow(ctx, UpdateAndTriggerFlowRequest{FlowID: 3377, TriggerTime: at})
			},
			FlowInstanceID("3377-20191122012300")},
		{"GetFlowInstance",
			wantRequest{"GET", flowInstancesPath, userValues("get", "flowInstId", "2809-20190808093200"), ""},
			`{"instanceId":"2809-20190808093200","flowId":2809,"status":1,"statusDesc":"SUCCESS","parameters":"[]","triggerTime":"2019-08-08 09:32:12"}`,
			func(c *Client) (any, error) {
				fi, err := c.GetFlowInstance(ctx, GetFlowInstanceRequest{FlowInstanceID: "2809-20190808093200"})
				if err != nil {
					return nil, err
				}
				return []any{fi.FlowInstanceID, fi.FlowID, fi.Status, fi.TriggerTime}, nil
			},
			[]any{FlowInstanceID("2809-20190808093200"), int64(2809), StatusSuccess, ServerTime("2019-08-08 09:32:12")}},
		{"ListFlowInstances",
			wantRequest{"POST", flowInstancesPath, userValues("search"),
				`{"type":1,"expression":"etl","owner":"","fromTriggerTime":1573648355000,"toTriggerTime":1573698120000,"status":"1,2","pagination":{"pageNo":2,"pageSize":10,"sorters":[{"field":"trigger_time","order":"DESC"}]}}`},
			`{"flowInsts":[{"instanceId":"2438-201911131020","flowId":"2438","status":"2"}],"count":"11"}`,
			func(c *Client) (any, error) {
				p, err := c.ListFlowInstances(ctx, ListFlowInstancesRequest{Type: FlowTypePeriodic, Expression: "etl",
					From: time.UnixMilli(1573648355000), To: time.UnixMilli(1573698120000), Statuses: []FlowInstanceStatus{StatusSuccess, StatusRunning},
					PageNo: 2, PageSize: 10, Sorters: []Sorter{{SortByTriggerTime, SortDescending}}})
				if err != nil {
					return nil, err
				}
				return []any{p.Count, len(p.FlowInstances), p.FlowInstances[0].FlowID, p.FlowInstances[0].Status}, nil
			},
			[]any{11, 1, int64(2438), StatusRunning}},
		{"ListFlowInstances defaults of one type",
			wantRequest{"POST", flowInstancesPath, userValues("search"),
				`{"type":0,"expression":"","owner":"","fromTriggerTime":1573781024000,"toTriggerTime":1574385824000,"status":"-1,0,1,2,3,4,5,6,7,8,9,10","pagination":{"pageNo":1,"pageSize":50}}`},
			`{"flowInsts":[],"count":0}`,
			func(c *Client) (any, error) {
				p, err := c.ListFlowInstances(ctx, ListFlowInstancesRequest{Types: []FlowType{FlowTypeManual}})
				if err != nil {
					return nil, err
				}
				return p.Count, nil
			},
			0},
		{"CancelFlowInstance",
			wantRequest{"POST", flowInstancesPath, userValues("cancel"), `{"flowInstId":"2438-201908081020"}`},
			`""`,
			func(c *Client) (any, error) {
				return nil, c.CancelFlowInstance(ctx, CancelFlowInstanceRequest{FlowInstanceID: "2438-201908081020"})
			},
			nil},
		{"GetTaskInstance",
			wantRequest{"GET", taskInstancesPath, userValues("get", "taskInstId", "118979-2021020211"), ""},
			`{"instanceId":"118979-2021020211","taskId":118979,"status":1,"stsDesc":"SUCCESS","flowInstId":"8435-2021020211","runMode":"{\"taskMode\":1,\"cpu\":0.5}"}`,
			func(c *Client) (any, error) {
				ti, err := c.GetTaskInstance(ctx, GetTaskInstanceRequest{TaskInstanceID: "118979-2021020211"})
				if err != nil {
					return nil, err
				}
				rm, err := ti.DecodeRunMode()
				if err != nil {
					return nil, err
				}
				return []any{ti.TaskID, ti.Status, ti.FlowInstanceID, rm.CPU}, nil
			},
			[]any{int64(118979), StatusSuccess, FlowInstanceID("8435-2021020211"), 0.5}},
		{"GetTaskInstance as a list",
			wantRequest{"GET", taskInstancesPath, userValues("get", "taskInstId", "118979-2021020211"), ""},
			`[{"instanceId":"118979-2021020211","taskId":"118979"}]`,
			func(c *Client) (any, error) {
				ti, err := c.GetTaskInstance(ctx, GetTaskInstanceRequest{TaskInstanceID: "118979-2021020211"})
				if err != nil {
					return nil, err
				}
				return ti.TaskID, nil
			},
			int64(118979)},
		{"GetTaskInstanceLog",
			wantRequest{"GET", taskInstancesPath, userValues("getLog", "taskInstId", "105007-20190812013400", "maxLength", "100"), ""},
			`{"log":"line 1\nline 2"}`,
			func(c *Client) (any, error) {
				return c.GetTaskInstanceLog(ctx, GetTaskInstanceLogRequest{TaskInstanceID: "105007-20190812013400", MaxLength: 100})
			},
			"line 1\nline 2"},
		{"GetTaskInstanceLog without maxLength",
			wantRequest{"GET", taskInstancesPath, userValues("getLog", "taskInstId", "105007-20190812013400"), ""},
			`{"log":""}`,
			func(c *Client) (any, error) {
				return c.GetTaskInstanceLog(ctx, GetTaskInstanceLogRequest{TaskInstanceID: "105007-20190812013400"})
			},
			""},
		{"GetFlow",
			wantRequest{"GET", flowsPath, userValues("get", "flowId", "2526"), ""},
			`{"flowId":"2526","flowName":"etl","active":1,"type":1,"graph":"{\"tasks\":[{\"taskId\":104575,\"taskName\":\"a\",\"nodeId\":\"t_104575\"}]}"}`,
			func(c *Client) (any, error) {
				f, err := c.GetFlow(ctx, FlowRequest{FlowID: 2526})
				if err != nil {
					return nil, err
				}
				g, err := f.DecodeGraph()
				if err != nil {
					return nil, err
				}
				return []any{f.FlowID, f.FlowName, f.Active, f.Type, g.Tasks[0].TaskID}, nil
			},
			[]any{int64(2526), "etl", true, FlowTypePeriodic, int64(104575)}},
		{"LoadFlowForEdit",
			wantRequest{"GET", flowsPath, userValues("loadForEdit", "flowId", "2526"), ""},
			`{"flowId":2526,"flowName":"etl","queue":"root.default"}`,
			func(c *Client) (any, error) {
				f, err := c.LoadFlowForEdit(ctx, FlowRequest{FlowID: 2526})
				if err != nil {
					return nil, err
				}
				return f.Queue, nil
			},
			"root.default"},
		{"GetMyFlows",
			wantRequest{"GET", flowsPath, userValues("getMyFlow", "expression", "etl"), ""},
			`[{"flowId":"2526","editable":true,"flowName":"etl","cycle":"D"}]`,
			func(c *Client) (any, error) { return c.GetMyFlows(ctx, GetMyFlowsRequest{Expression: "etl"}) },
			[]MyFlow{{FlowID: 2526, FlowName: "etl", Cycle: "D", Editable: true}}},
		{"GetMyFlows without expression",
			wantRequest{"GET", flowsPath, userValues("getMyFlow"), ""},
			`[]`,
			func(c *Client) (any, error) { return c.GetMyFlows(ctx, GetMyFlowsRequest{}) },
			[]MyFlow{}},
		{"SearchFlows",
			wantRequest{"POST", flowsPath, userValues("search"), `{"expression":"et","pagination":{"pageNo":1,"pageSize":20,"sorters":[{"field":"update_time"}]}}`},
			`[{"flowId":"20","flowName":"etl"},{"flowId":21,"flowName":"etl2"}]`,
			func(c *Client) (any, error) {
				return c.SearchFlows(ctx, SearchFlowsRequest{Expression: "et", PageSize: 20, Sorters: []Sorter{{Field: SortByUpdateTime}}})
			},
			[]FlowSummary{{20, "etl"}, {21, "etl2"}}},
		{"EnableFlow",
			wantRequest{"POST", flowsPath, userValues("enable"), `{"flowId":2526}`}, `""`,
			func(c *Client) (any, error) { return nil, c.EnableFlow(ctx, FlowRequest{FlowID: 2526}) }, nil},
		{"DisableFlow",
			wantRequest{"POST", flowsPath, userValues("disable"), `{"flowId":2526}`}, `""`,
			func(c *Client) (any, error) { return nil, c.DisableFlow(ctx, FlowRequest{FlowID: 2526}) }, nil},
		{"DeleteFlow",
			wantRequest{"GET", flowsPath, userValues("delete", "flowId", "2526"), ""}, `""`,
			func(c *Client) (any, error) { return nil, c.DeleteFlow(ctx, FlowRequest{FlowID: 2526}) }, nil},
		{"SaveFlow",
			wantRequest{"POST", flowsPath, userValues("save"),
				`{"id":2515,"type":1,"name":"etl","freq":"0 0 0 * * ? *","cycle":"D","alertMode":0,"doAs":"db_x","owners":";u1;","visitors":"","startTime":"2019-08-01","active":1,"parameters":"[{\"key\":\"a\",\"value\":\"1\"}]","desc":"d","queue":"","tasks":[{"taskId":"104575","taskName":"t","nodeId":"t_104575","x":1,"y":2}],"relations":[]}`},
			`{"flowId":2515}`,
			func(c *Client) (any, error) {
				return c.SaveFlow(ctx, SaveFlowRequest{FlowID: 2515, Type: FlowTypePeriodic, Name: "etl", Desc: "d", Freq: "0 0 0 * * ? *",
					Cycle: "D", StartTime: "2019-08-01", Active: true, DoAs: "db_x", Owners: ";u1;", Parameters: []Parameter{{"a", "1"}},
					Tasks: []TaskNode{{TaskID: 104575, TaskName: "t", NodeID: "t_104575", X: 1, Y: 2}}, Relations: []Relation{}})
			},
			int64(2515)},
		{"SaveFlow leaving the lists as they are",
			wantRequest{"POST", flowsPath, userValues("save"),
				`{"id":2515,"type":0,"name":"etl","freq":"0 0 0 * * ? *","cycle":"D","alertMode":0,"doAs":"","owners":"","visitors":"","startTime":"2019-08-01","active":0,"desc":"","queue":""}`},
			`{"flowId":"2515"}`,
			func(c *Client) (any, error) {
				return c.SaveFlow(ctx, SaveFlowRequest{FlowID: 2515, Name: "etl", Freq: "0 0 0 * * ? *", Cycle: "D", StartTime: "2019-08-01"})
			},
			int64(2515)},
		{"ExportFlow",
			wantRequest{"GET", flowsPath, userValues("export", "flowId", "2526"), ""},
			`{"name":"etl","cycle":"D","cron":"0 0 0 * * ? *","parameters":"[{\"key\":\"REPLACE\",\"value\":\"lili1\"}]","tasks":[{"name":"t","type":"COMMAND","runMode":"{\"cpu\":1}","successCode":0}],"relations":[]}`,
			func(c *Client) (any, error) {
				e, err := c.ExportFlow(ctx, FlowRequest{FlowID: 2526})
				if err != nil {
					return nil, err
				}
				p, err := e.DecodeParameters()
				if err != nil {
					return nil, err
				}
				return []any{e.Name, p[0].Value, string(e.Tasks[0].Type), e.Tasks[0].SuccessCode}, nil
			},
			[]any{"etl", "lili1", `"COMMAND"`, "0"}},
		{"ImportFlow",
			wantRequest{"POST", flowsPath, userValues("import"),
				`{"flowName":"copy","desc":"","dirId":"249a33bd419a4710b1567f5088f8955b","flowJson":{"name":"etl","desc":"","type":0,"cycle":"D","cron":"0 0 0 * * ? *","startTime":"","alertMode":0,"syncType":0,"submitter":"","owners":"","visitors":"","parameters":"[]","tasks":[],"flowLinks":[],"taskLinks":[],"relations":[],"linkRelations":[]}}`},
			`{"flowId":2839}`,
			func(c *Client) (any, error) {
				return c.ImportFlow(ctx, ImportFlowRequest{FlowName: "copy", DirID: "249a33bd419a4710b1567f5088f8955b",
					Flow: ExportedFlow{Name: "etl", Cycle: "D", Cron: "0 0 0 * * ? *", Parameters: EmbeddedJSON("[]")}})
			},
			int64(2839)},
		{"CreateDirectory",
			wantRequest{"POST", directoriesPath, userValues("create"), `{"parentId":"249a33bd419a4710b1567f5088f8955b","dirName":"etl"}`},
			`{"dirId":"62e3038840514caf9af60ad36878851e"}`,
			func(c *Client) (any, error) {
				return c.CreateDirectory(ctx, CreateDirectoryRequest{ParentID: "249a33bd419a4710b1567f5088f8955b", Name: "etl"})
			},
			"62e3038840514caf9af60ad36878851e"},
		{"ListWorkflowDirectories",
			wantRequest{"GET", directoriesPath, userValues("listWorkFlowDirs"), ""},
			`[{"title":"Workflow","type":1,"key":"249a","isDirectory":true,"children":[{"title":"etl","type":"1","key":2512,"isDirectory":false,"editable":true}]}]`,
			func(c *Client) (any, error) {
				dirs, err := c.ListWorkflowDirectories(ctx, ListWorkflowDirectoriesRequest{})
				if err != nil {
					return nil, err
				}
				id, ok := dirs[0].Children[0].FlowID()
				return []any{dirs[0].Title, dirs[0].Key, id, ok}, nil
			},
			[]any{"Workflow", "249a", int64(2512), true}},
		{"GetCurrentTime",
			wantRequest{"GET", timePath, url.Values{"action": {"getCurrentTime"}}, ""},
			`1565251865242`,
			func(c *Client) (any, error) {
				t, err := c.GetCurrentTime(ctx)
				return t.UnixMilli(), err
			},
			int64(1565251865242)},
		{"GetTimezone",
			wantRequest{"GET", timePath, url.Values{"action": {"getTimeZone"}}, ""},
			`{"timezone":"GMT+8"}`,
			func(c *Client) (any, error) {
				tz, err := c.GetTimezone(ctx)
				if err != nil {
					return nil, err
				}
				loc, err := tz.Location()
				if err != nil {
					return nil, err
				}
				_, offset := time.Date(2026, 1, 1, 0, 0, 0, 0, loc).Zone()
				return []any{tz.Name, offset}, nil
			},
			[]any{"GMT+8", 8 * 3600}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, mt, _ := newTestClient(t)
			var rec recorder
			mt.RegisterNoResponder(rec.wrap(okData(tt.answer)))
			got, err := tt.call(c)
			if err != nil {
				t.Fatal(err)
			}
			tt.want.check(t, &rec)
			if !reflect.DeepEqual(got, tt.result) {
				t.Errorf("result %#v, want %#v", got, tt.result)
			}
		})
	}
}

// TestOperationErrorsAndValidation checks that each operation maps a business error and
// refuses invalid input before any network call.
func TestOperationErrorsAndValidation(t *testing.T) {
	ctx := context.Background()
	var nilCtx context.Context
	ops := map[string]func(c *Client, ctx context.Context, valid bool) error{
		"TriggerFlowFromTask": func(c *Client, ctx context.Context, valid bool) error {
			_, err := c.TriggerFlowFromTask(ctx, TriggerFlowFromTaskRequest{FlowID: 1, TaskID: pick[int64](valid, 2, 0)})
			return err
		},
		"UpdateAndTriggerFlow": func(c *Client, ctx context.Context, valid bool) error {
			_, err := c.UpdateAndTriggerFlow(ctx, UpdateAndTriggerFlowRequest{FlowID: pick[int64](valid, 1, -1)})
			return err
		},
		"GetFlowInstance": func(c *Client, ctx context.Context, valid bool) error {
			_, err := c.GetFlowInstance(ctx, GetFlowInstanceRequest{FlowInstanceID: FlowInstanceID(pick(valid, "1-20191122012300", "1-2019"))})
			return err
		},
		"ListFlowInstances": func(c *Client, ctx context.Context, valid bool) error {
			_, err := c.ListFlowInstances(ctx, ListFlowInstancesRequest{PageSize: pick(valid, 10, -1)})
			return err
		},
		"CancelFlowInstance": func(c *Client, ctx context.Context, valid bool) error {
			return c.CancelFlowInstance(ctx, CancelFlowInstanceRequest{FlowInstanceID: FlowInstanceID(pick(valid, "1-20191122012300", ""))})
		},
		"GetTaskInstance": func(c *Client, ctx context.Context, valid bool) error {
			_, err := c.GetTaskInstance(ctx, GetTaskInstanceRequest{TaskInstanceID: TaskInstanceID(pick(valid, "5-20191122012300", "x-1"))})
			return err
		},
		"GetTaskInstanceLog": func(c *Client, ctx context.Context, valid bool) error {
			_, err := c.GetTaskInstanceLog(ctx, GetTaskInstanceLogRequest{TaskInstanceID: "5-20191122012300", MaxLength: pick(valid, 0, -5)})
			return err
		},
		"GetFlow": func(c *Client, ctx context.Context, valid bool) error {
			_, err := c.GetFlow(ctx, FlowRequest{FlowID: pick[int64](valid, 1, 0)})
			return err
		},
		"LoadFlowForEdit": func(c *Client, ctx context.Context, valid bool) error {
			_, err := c.LoadFlowForEdit(ctx, FlowRequest{FlowID: pick[int64](valid, 1, 0)})
			return err
		},
		"ExportFlow": func(c *Client, ctx context.Context, valid bool) error {
			_, err := c.ExportFlow(ctx, FlowRequest{FlowID: pick[int64](valid, 1, 0)})
			return err
		},
		"EnableFlow": func(c *Client, ctx context.Context, valid bool) error {
			return c.EnableFlow(ctx, FlowRequest{FlowID: pick[int64](valid, 1, 0)})
		},
		"DisableFlow": func(c *Client, ctx context.Context, valid bool) error {
			return c.DisableFlow(ctx, FlowRequest{FlowID: pick[int64](valid, 1, 0)})
		},
		"DeleteFlow": func(c *Client, ctx context.Context, valid bool) error {
			return c.DeleteFlow(ctx, FlowRequest{FlowID: pick[int64](valid, 1, 0)})
		},
		"GetMyFlows": func(c *Client, ctx context.Context, valid bool) error {
			if !valid { // no input to get wrong but the context
				ctx = nil
			}
			_, err := c.GetMyFlows(ctx, GetMyFlowsRequest{})
			return err
		},
		"SearchFlows": func(c *Client, ctx context.Context, valid bool) error {
			_, err := c.SearchFlows(ctx, SearchFlowsRequest{Sorters: []Sorter{{Field: "x", Order: pick(valid, "ASC", "UP")}}})
			return err
		},
		"SaveFlow": func(c *Client, ctx context.Context, valid bool) error {
			_, err := c.SaveFlow(ctx, SaveFlowRequest{FlowID: 1, Name: "n", Freq: "0 0 0 * * ? *", Cycle: pick(valid, "D", "day"), StartTime: "2019-08-01"})
			return err
		},
		"ImportFlow": func(c *Client, ctx context.Context, valid bool) error {
			_, err := c.ImportFlow(ctx, ImportFlowRequest{FlowName: "n", DirID: pick(valid, "d", "")})
			return err
		},
		"CreateDirectory": func(c *Client, ctx context.Context, valid bool) error {
			_, err := c.CreateDirectory(ctx, CreateDirectoryRequest{ParentID: "p", Name: pick(valid, "n", " ")})
			return err
		},
		"ListWorkflowDirectories": func(c *Client, ctx context.Context, valid bool) error {
			if !valid { // no input to get wrong but the context
				ctx = nil
			}
			_, err := c.ListWorkflowDirectories(ctx, ListWorkflowDirectoriesRequest{})
			return err
		},
		"GetCurrentTime": func(c *Client, ctx context.Context, valid bool) error {
			if !valid { // no input to get wrong but the context
				ctx = nil
			}
			_, err := c.GetCurrentTime(ctx)
			return err
		},
		"GetTimezone": func(c *Client, ctx context.Context, valid bool) error {
			if !valid { // no input to get wrong but the context
				ctx = nil
			}
			_, err := c.GetTimezone(ctx)
			return err
		},
	}
	for name, op := range ops {
		t.Run(name, func(t *testing.T) {
			c, mt, _ := newTestClient(t)
			mt.RegisterNoResponder(httpmock.NewStringResponder(200, `{"code":62103,"msg":"User has no privilege.","data":null}`))
			err := op(c, ctx, true)
			var apiErr *APIError
			if !errors.Is(err, ErrNoPrivilege) || !errors.As(err, &apiErr) || apiErr.Operation != name {
				t.Errorf("business error: err = %v", err)
			}
			mt.ZeroCallCounters()
			for _, invalidCall := range []func() error{
				func() error { return op(c, nilCtx, true) },
				func() error { return op(c, ctx, false) },
			} {
				err := invalidCall()
				var reqErr *RequestError
				if !errors.As(err, &reqErr) || reqErr.Operation != name {
					t.Errorf("invalid input: err = %v, want a *RequestError of %s", err, name)
				}
			}
			if n := mt.GetTotalCallCount(); n != 0 {
				t.Errorf("%d network calls for invalid input", n)
			}
		})
	}
}

func pick[T any](valid bool, good, bad T) T {
	if valid {
		return good
	}
	return bad
}
