package refserver_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/enos-go/batchprocessing/refserver"
)

// flowInstanceShape is the FlowInstance struct of Get Flow Instance as JSON kinds.
var flowInstanceShape = map[string]string{
	"instanceId": "string", "flowId": "number", "flowName": "string", "freq": "string", "cycle": "string",
	"parameters": "string", "doAs": "string", "graph": "string", "status": "number", "statusDesc": "string",
	"triggerTime": "string", "startTime": "string", "endTime": "string", "timestamp": "string",
	"virtual": "bool", "owner": "string", "alertMode": "number", "calDt": "string",
	"hasEditPri": "bool", "hasReadPri": "bool",
}

// listedInstanceShape is a FlowInstance as List Flow Instances shows it: with isCancelled,
// which only its sample has.
var listedInstanceShape = withField(flowInstanceShape, "isCancelled", "bool")

func TestGetFlowInstanceShape(t *testing.T) {
	t.Parallel()
	r, clk := newManualRig(t, t0.Add(250*time.Millisecond))
	r.srv.AddFlow(refserver.Flow{ID: 30, Name: "shaped", OrgID: refserver.DemoOrgID, Owner: ";yourUserId;someone;",
		Cycle: "H", Freq: "0 0 * * * ? *", DoAs: "db_x", AlertMode: 3, DependsOn: []int64{refserver.DemoFlowID},
		Parameters: []refserver.Parameter{{Key: "ouids", Value: "o1"}},
		Tasks: []refserver.Task{
			{ID: 301, Name: "a", Duration: time.Second, X: 10, Y: 20},
			{ID: 302, Name: "b", Duration: time.Second, DependsOn: []int64{301}, X: 30, Y: 40},
		}})
	id := r.triggerAt(30, t0.Add(42*time.Second))
	clk.Advance(time.Hour)

	raw := ok(t, r.op(http.MethodGet, flowInstancesPath, "get", "&flowInstId="+id, ""))
	m := shape(t, raw, flowInstanceShape)
	want := map[string]string{
		"instanceId": `"30-20261130080000"`, "flowId": `30`, "flowName": `"shaped"`, "freq": `"0 0 * * * ? *"`,
		"cycle": `"H"`, "doAs": `"db_x"`, "status": `1`, "statusDesc": `"SUCCESS"`,
		"triggerTime": `"2026-11-30 08:00:42"`, "startTime": `"2026-11-30 08:00:42"`, "endTime": `"2026-11-30 08:00:44"`,
		"timestamp": `"2026-11-30 08:00:00.0"`, "virtual": `false`, "owner": `";yourUserId;someone;"`, "alertMode": `3`,
		"calDt": `"2026-11-30"`, "hasEditPri": `true`, "hasReadPri": `true`,
		"parameters": `"[{\"key\":\"ouids\",\"value\":\"o1\"}]"`,
	}
	for k, v := range want {
		if string(m[k]) != v {
			t.Errorf("%s = %s, want %s", k, m[k], v)
		}
	}

	// graph is a string holding the InstanceGraph.
	var graph map[string]json.RawMessage
	embedded(t, m["graph"], &graph)
	g := shape(t, mustJSONRaw(graph), map[string]string{
		"creator": "string", "freq": "string", "alertMode": "number", "owners": "string", "cycle": "string",
		"doAs": "string", "flows": "array", "name": "string", "instId": "string", "id": "number",
		"relations": "array", "parameters": "string", "tasks": "array",
	})
	if string(g["instId"]) != `"30-20261130080000"` || string(g["id"]) != "30" || string(g["creator"]) != `"yourUserId"` {
		t.Errorf("graph ids: %s %s %s", g["instId"], g["id"], g["creator"])
	}
	var params []map[string]string
	embedded(t, g["parameters"], &params)
	if len(params) != 1 || params[0]["key"] != "ouids" {
		t.Errorf("graph parameters %v", params)
	}
	var tasks, relations, flows []json.RawMessage
	decode(t, g["tasks"], &tasks)
	decode(t, g["relations"], &relations)
	decode(t, g["flows"], &flows)
	if len(tasks) != 2 || len(relations) != 2 || len(flows) != 1 {
		t.Fatalf("graph has %d tasks, %d relations, %d flows", len(tasks), len(relations), len(flows))
	}
	task := shape(t, tasks[1], map[string]string{
		"taskName": "string", "taskInstId": "string", "x": "number", "y": "number", "taskId": "string", "nodeId": "string", "status": "string",
	})
	if string(task["taskInstId"]) != `"302-20261130080000"` || string(task["taskId"]) != `"302"` || string(task["nodeId"]) != `"t_302"` ||
		string(task["status"]) != `"SUCCESS"` || string(task["x"]) != "30" {
		t.Errorf("graph task %s", tasks[1])
	}
	rel := shape(t, relations[0], map[string]string{"source": "string", "target": "string", "cycleGap": "string", "rerun": "bool"})
	if string(rel["source"]) != `"t_301"` || string(rel["target"]) != `"t_302"` || string(rel["cycleGap"]) != `"H0"` {
		t.Errorf("relation %s", relations[0])
	}
	if string(relations[1]) != `{"cycleGap":"H0","source":"f_3377","target":"t_301","rerun":false}` {
		t.Errorf("upstream flow relation %s", relations[1])
	}
	fl := shape(t, flows[0], map[string]string{
		"flowId": "string", "flowName": "string", "nodeId": "string", "isVirtual": "bool", "x": "number", "y": "number",
		"flowInstId": "string", "status": "string",
	})
	if string(fl["flowId"]) != `"3377"` || string(fl["nodeId"]) != `"f_3377"` || string(fl["flowName"]) != `"demo flow"` {
		t.Errorf("graph flow %s", flows[0])
	}

	// A waiting instance: empty start and end.
	r.srv.AddFlow(refserver.Flow{ID: 31, Name: "later", OrgID: refserver.DemoOrgID, Owner: "someone", Tasks: []refserver.Task{{ID: 311}}})
	r.srv.AddUser(refserver.DemoOrgID, "someone")
	waiting := instanceID(t, r.opAs(refserver.DemoOrgID, "someone", http.MethodPost, flowsPath, "trigger", "", triggerBody(31, clk.Now().Add(time.Hour))))
	v := r.getInstance(waiting)
	if v.Status != refserver.StatusWait || v.StatusDesc != "WAIT" || v.StartTime != "" || v.EndTime != "" || v.HasEditPri {
		t.Errorf("waiting instance seen by a non-owner: %+v", v)
	}
}

func TestCalDt(t *testing.T) {
	t.Parallel()
	r, _ := newManualRig(t, t0)
	for i, tt := range []struct {
		cycle string
		at    time.Time
		want  string
	}{
		{"D", time.Date(2019, 8, 8, 9, 32, 12, 0, time.UTC), "2019-08-07"},
		{"D", time.Date(2020, 3, 1, 0, 0, 0, 0, time.UTC), "2020-02-29"},
		{"M", time.Date(2020, 3, 15, 0, 0, 0, 0, time.UTC), "2020-02-15"},
		{"W", time.Date(2020, 3, 5, 0, 0, 0, 0, time.UTC), "2020-02-27"},
		{"H", time.Date(2020, 3, 5, 0, 30, 0, 0, time.UTC), "2020-03-04"},
		{"mi", time.Date(2020, 3, 5, 0, 0, 30, 0, time.UTC), "2020-03-04"},
	} {
		id := int64(40 + i)
		r.srv.AddFlow(refserver.Flow{ID: id, OrgID: refserver.DemoOrgID, Owner: refserver.DemoUserID, Cycle: tt.cycle, Tasks: []refserver.Task{{ID: 4000 + id}}})
		if got := r.getInstance(r.triggerAt(id, tt.at)).CalDt; got != tt.want {
			t.Errorf("cycle %s at %v: calDt %s, want %s", tt.cycle, tt.at, got, tt.want)
		}
	}
}

func TestGetFlowInstanceErrors(t *testing.T) {
	t.Parallel()
	r, _ := newManualRig(t, t0)
	r.srv.AddUser("o2", "u2")
	r.srv.AddApp(refserver.DemoAccessKey, refserver.DemoSecretKey, "o2")
	r.srv.AddFlow(refserver.Flow{ID: 20, OrgID: "o2", Owner: "u2", Tasks: []refserver.Task{{ID: 201}}})
	demo := r.triggerAt(refserver.DemoFlowID, t0)
	other := instanceID(t, r.opAs("o2", "u2", http.MethodPost, flowsPath, "trigger", "", triggerBody(20, t0)))
	tests := []struct {
		name, org, user, id string
		code                int
		msg                 string
	}{
		{"user not in org", "o2", refserver.DemoUserID, demo, 62101, msgUserNotInOrg},
		{"unknown user", refserver.DemoOrgID, "ghost", demo, 62101, msgUserNotInOrg},
		{"no flowInstId", refserver.DemoOrgID, refserver.DemoUserID, "", 62102, "Invalid parameter: flowInstId"},
		{"unknown instance", refserver.DemoOrgID, refserver.DemoUserID, "3377-20000101000000", 62102, "Instance not found"},
		{"instance of another org", refserver.DemoOrgID, refserver.DemoUserID, other, 62102, "Instance not found"},
		{"other org sees its own", "o2", "u2", other, 0, "OK"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := r.opAs(tt.org, tt.user, http.MethodGet, flowInstancesPath, "get", "&flowInstId="+tt.id, "")
			wantErr(t, a, tt.code, tt.msg)
		})
	}
}

// TestListFlowInstances runs the filters, paging and sorting of List Flow Instances over five
// instances of two flows of the demo org (and one of another org, never seen):
//
//	A 3377-20261130050000 trigger 05:00 SUCCESS [t0, t0+2s]
//	B 3377-20261130060000 trigger 06:00 SUCCESS [t0+2s, t0+4s]
//	C 3377-20261130070000 trigger 07:00 SUCCESS [t0+4s, t0+6s]
//	D 800-20261130073000  trigger 07:30 SUCCESS [t0, t0+1m] (flow "Other Pipeline", type 0, owners someone;yourUserId)
//	E 3377-20261130100000 trigger 10:00 WAIT, created at t0+1h
func TestListFlowInstances(t *testing.T) {
	t.Parallel()
	r, clk := newManualRig(t, t0)
	r.srv.AddFlow(refserver.Flow{ID: 800, Name: "Other Pipeline", OrgID: refserver.DemoOrgID, Owner: "someone;yourUserId",
		Tasks: []refserver.Task{{ID: 8001, Name: "x"}}})
	r.srv.AddUser("o2", "u2")
	r.srv.AddApp(refserver.DemoAccessKey, refserver.DemoSecretKey, "o2")
	r.srv.AddFlow(refserver.Flow{ID: 900, Name: "demo flow elsewhere", OrgID: "o2", Owner: "u2", Tasks: []refserver.Task{{ID: 9001}}})
	instanceID(t, r.opAs("o2", "u2", http.MethodPost, flowsPath, "trigger", "", triggerBody(900, t0)))

	A := r.triggerAt(3377, t0.Add(-3*time.Hour))
	B := r.triggerAt(3377, t0.Add(-2*time.Hour))
	C := r.triggerAt(3377, t0.Add(-time.Hour))
	D := r.triggerAt(800, t0.Add(-30*time.Minute))
	clk.Advance(time.Hour)
	E := r.triggerAt(3377, t0.Add(2*time.Hour))
	if A != "3377-20261130050000" || D != "800-20261130073000" || E != "3377-20261130100000" {
		t.Fatalf("ids %s %s %s", A, D, E)
	}
	from, to := ms(t0.Add(-2*time.Hour)), ms(t0.Add(-time.Hour))

	tests := []struct {
		name  string
		body  string // fields over listBody's mandatory criteria
		want  []string
		count int
	}{
		{"every periodic instance", `{}`, []string{E, C, B, A}, 4},
		{"every manual instance", `{"type":0}`, []string{D}, 1},
		{"documented sample filters", `{"expression":"","owner":"","pagination":{"pageNo":1,"pageSize":10}}`, []string{E, C, B, A}, 4},
		{"status string", `{"status":"1"}`, []string{C, B, A}, 3},
		{"status number", `{"status":5}`, []string{E}, 1},
		{"status list", `{"status":"1,5"}`, []string{E, C, B, A}, 4},
		{"status list with spaces", `{"status":" 5 , 8"}`, []string{E}, 1},
		{"status array", `{"status":[5]}`, []string{E}, 1},
		{"status none matching", `{"status":"-1"}`, []string{}, 0},
		{"type as a string", `{"type":"0"}`, []string{D}, 1},
		{"type of no flow", `{"type":2}`, []string{}, 0},
		{"expression on flow name, any case", `{"type":0,"expression":"pipeLINE"}`, []string{D}, 1},
		{"expression on instance id", `{"expression":"3377-202611300"}`, []string{C, B, A}, 3},
		{"owner", `{"type":0,"owner":"someone"}`, []string{D}, 1},
		{"owner of other flows", `{"owner":"someone"}`, []string{}, 0},
		{"owner matches no one", `{"type":0,"owner":"some"}`, []string{}, 0},
		{"trigger time range, inclusive", `{"fromTriggerTime":` + from + `,"toTriggerTime":` + to + `}`, []string{C, B}, 2},
		{"trigger times as strings", `{"fromTriggerTime":"` + from + `","toTriggerTime":"` + to + `"}`, []string{C, B}, 2},
		{"from t0 on", `{"fromTriggerTime":` + ms(t0) + `}`, []string{E}, 1},
		{"page 1", `{"pagination":{"pageNo":1,"pageSize":2}}`, []string{E, C}, 4},
		{"page 2", `{"pagination":{"pageNo":2,"pageSize":2}}`, []string{B, A}, 4},
		{"past the end", `{"pagination":{"pageNo":3,"pageSize":2}}`, []string{}, 4},
		{"page 0 is page 1", `{"pagination":{"pageNo":0,"pageSize":2}}`, []string{E, C}, 4},
		{"filter then page", `{"status":"1","pagination":{"pageNo":2,"pageSize":2}}`, []string{A}, 3},
		{"triggerTime ASC", `{"pagination":{"pageNo":1,"pageSize":10,"sorters":[{"field":"triggerTime","order":"ASC"}]}}`, []string{A, B, C, E}, 4},
		{"trigger_time DESC", `{"pagination":{"pageNo":1,"pageSize":10,"sorters":[{"field":"trigger_time","order":"DESC"}]}}`, []string{E, C, B, A}, 4},
		{"order defaults to ASC", `{"pagination":{"pageNo":1,"pageSize":10,"sorters":[{"field":"triggerTime"}]}}`, []string{A, B, C, E}, 4},
		{"startTime ASC, not started first", `{"pagination":{"pageNo":1,"pageSize":10,"sorters":[{"field":"startTime","order":"asc"}]}}`, []string{E, A, B, C}, 4},
		{"end_time DESC", `{"pagination":{"pageNo":1,"pageSize":10,"sorters":[{"field":"end_time","order":"DESC"}]}}`, []string{C, B, A, E}, 4},
		{"createTime DESC", `{"pagination":{"pageNo":1,"pageSize":10,"sorters":[{"field":"createTime","order":"DESC"}]}}`, []string{E, C, B, A}, 4},
		{"create_time ASC, ties by trigger time desc", `{"pagination":{"pageNo":1,"pageSize":10,"sorters":[{"field":"create_time","order":"ASC"}]}}`, []string{C, B, A, E}, 4},
		{"updateTime ASC", `{"pagination":{"pageNo":1,"pageSize":10,"sorters":[{"field":"updateTime","order":"ASC"}]}}`, []string{A, B, C, E}, 4},
		{"two sorters", `{"pagination":{"pageNo":1,"pageSize":10,"sorters":[{"field":"start_time","order":"ASC"},{"field":"triggerTime","order":"ASC"}]}}`, []string{E, A, B, C}, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := ok(t, r.op(http.MethodPost, flowInstancesPath, "search", "", listBody(t, tt.body)))
			m := shape(t, data, map[string]string{"flowInsts": "array", "count": "number"})
			var insts []json.RawMessage
			decode(t, m["flowInsts"], &insts)
			got := []string{}
			for _, in := range insts {
				f := shape(t, in, listedInstanceShape)
				got = append(got, str(t, f["instanceId"]))
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") || string(m["count"]) != strconv.Itoa(tt.count) {
				t.Errorf("got %v count %s, want %v count %d", got, m["count"], tt.want, tt.count)
			}
		})
	}

	// type, fromTriggerTime, toTriggerTime and status are mandatory.
	range_ := `"fromTriggerTime":0,"toTriggerTime":4102444800000`
	errs := []struct {
		name, body string
		msg        string
	}{
		{"everything missing", `{}`, "Invalid parameter: type"},
		{"no type", `{` + range_ + `,"status":"1"}`, "Invalid parameter: type"},
		{"type null", `{"type":null,` + range_ + `,"status":"1"}`, "Invalid parameter: type"},
		{"type empty", `{"type":"",` + range_ + `,"status":"1"}`, "Invalid parameter: type"},
		{"no fromTriggerTime", `{"type":1,"toTriggerTime":4102444800000,"status":"1"}`, "Invalid parameter: fromTriggerTime"},
		{"no toTriggerTime", `{"type":1,"fromTriggerTime":0,"status":"1"}`, "Invalid parameter: toTriggerTime"},
		{"no status", `{"type":1,` + range_ + `}`, "Invalid parameter: status"},
		{"status null", `{"type":1,` + range_ + `,"status":null}`, "Invalid parameter: status"},
		{"status empty", `{"type":1,` + range_ + `,"status":""}`, "Invalid parameter: status"},
		{"status blank", `{"type":1,` + range_ + `,"status":" "}`, "Invalid parameter: status"},
		{"unknown sort field", listBody(t, `{"pagination":{"pageNo":1,"pageSize":10,"sorters":[{"field":"flowName"}]}}`), "The sorters field parameter is invalid"},
		{"empty sort field", listBody(t, `{"pagination":{"pageNo":1,"pageSize":10,"sorters":[{"order":"ASC"}]}}`), "The sorters field parameter is invalid"},
		{"unknown order", listBody(t, `{"pagination":{"pageNo":1,"pageSize":10,"sorters":[{"field":"triggerTime","order":"UP"}]}}`), "The sorters field parameter is invalid"},
		{"page size 0", listBody(t, `{"pagination":{"pageNo":1,"pageSize":0}}`), "Invalid parameter: pagination"},
		{"page size missing", listBody(t, `{"pagination":{"pageNo":1}}`), "Invalid parameter: pagination"},
		{"negative page", listBody(t, `{"pagination":{"pageNo":-1,"pageSize":5}}`), "Invalid parameter: pagination"},
		{"status not a code", listBody(t, `{"status":"1,x"}`), "Invalid parameter: status"},
		{"status an object", listBody(t, `{"status":{}}`), "Invalid parameter: status"},
		{"not JSON", `search`, msgInvalidBody},
		{"type not a number", listBody(t, `{"type":"periodic"}`), msgInvalidBody},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			wantErr(t, r.op(http.MethodPost, flowInstancesPath, "search", "", tt.body), 62102, tt.msg)
		})
	}

	// The other org sees its own instance only.
	var other struct {
		FlowInsts []instanceView `json:"flowInsts"`
		Count     int            `json:"count"`
	}
	decode(t, ok(t, r.opAs("o2", "u2", http.MethodPost, flowInstancesPath, "search", "", listBody(t, `{"type":0}`))), &other)
	if other.Count != 1 || other.FlowInsts[0].FlowID != 900 {
		t.Errorf("o2 sees %+v", other)
	}
}

func mustJSONRaw(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
