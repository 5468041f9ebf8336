package refserver_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/enos-go/batchprocessing/refserver"
)

// flowShape is the Flow struct of Get Flow as JSON kinds.
var flowShape = map[string]string{
	"flowId": "number", "flowName": "string", "active": "number", "creator": "string", "createTime": "string",
	"updateUser": "string", "updateTime": "string", "freq": "string", "cycle": "string", "parameters": "string",
	"owner": "string", "visitor": "string", "doAs": "string", "alertMode": "number", "graph": "string",
	"entry": "number", "type": "number", "syncType": "number", "desc": "string", "startTime": "string",
	"virtual": "bool", "locked": "bool", "hasEditPri": "bool", "hasReadPri": "bool", "isUserLocked": "bool",
}

// flowForEditShape is the Flow struct of Load Flow For Edit, which also has queue.
var flowForEditShape = withField(flowShape, "queue", "string")

// withField returns a copy of a shape with one more field.
func withField(shape map[string]string, name, kind string) map[string]string {
	out := map[string]string{name: kind}
	for k, v := range shape {
		out[k] = v
	}
	return out
}

// flowGraphShape is the FlowGraph struct as JSON kinds.
var flowGraphShape = map[string]string{
	"creator": "string", "freq": "string", "alertMode": "number", "type": "number", "owners": "string",
	"visitors": "string", "startTime": "string", "cycle": "string", "doAs": "string", "flows": "array",
	"name": "string", "syncType": "number", "relations": "array", "parameters": "string", "tasks": "array",
	"queue": "string", "desc": "string", "active": "number",
}

func TestGetFlowShape(t *testing.T) {
	t.Parallel()
	for action, fields := range map[string]map[string]string{"get": flowShape, "loadForEdit": flowForEditShape} {
		t.Run(action, func(t *testing.T) {
			r, _ := newManualRig(t, t0.Add(100*time.Millisecond))
			r.srv.AddUser(refserver.DemoOrgID, "reader")
			raw := ok(t, r.opAs(refserver.DemoOrgID, "reader", http.MethodGet, flowsPath, action, "&flowId=3377", ""))
			m := shape(t, raw, fields)
			// Times to the second, with ".0", as every sample shows them.
			want := map[string]string{
				"flowId": "3377", "flowName": `"demo flow"`, "active": "1", "creator": `"yourUserId"`,
				"createTime": `"2026-11-30 08:00:00.0"`, "updateTime": `"2026-11-30 08:00:00.0"`, "freq": `"0 0 0 * * ? *"`,
				"cycle": `"D"`, "parameters": `"[]"`, "owner": `"yourUserId"`, "type": "1", "hasEditPri": "false", "hasReadPri": "true",
				"locked": "false", "doAs": `"yourDoAs"`,
			}
			for k, v := range want {
				if string(m[k]) != v {
					t.Errorf("%s = %s, want %s", k, m[k], v)
				}
			}
			var graph map[string]json.RawMessage
			embedded(t, m["graph"], &graph)
			g := shape(t, mustJSONRaw(graph), flowGraphShape)
			if string(g["relations"]) != `[{"cycleGap":"D0","source":"t_108580","target":"t_108581","rerun":false}]` {
				t.Errorf("relations %s", g["relations"])
			}
			if string(g["tasks"]) != `[{"taskName":"extract","x":100,"y":100,"taskId":"108580","nodeId":"t_108580"},{"taskName":"load","x":300,"y":100,"taskId":"108581","nodeId":"t_108581"}]` {
				t.Errorf("tasks %s", g["tasks"])
			}
			var params []any
			embedded(t, g["parameters"], &params)
		})
	}
}

func TestGetFlowErrors(t *testing.T) {
	t.Parallel()
	r, _ := newManualRig(t, t0)
	r.srv.AddUser("o2", "u2")
	r.srv.AddApp(refserver.DemoAccessKey, refserver.DemoSecretKey, "o2")
	r.srv.AddFlow(refserver.Flow{ID: 20, OrgID: "o2", Owner: "u2"})
	for _, action := range []string{"get", "loadForEdit", "export"} {
		tests := []struct {
			name, org, user, query string
			code                   int
			msg                    string
		}{
			{"user not in org", "o2", refserver.DemoUserID, "&flowId=3377", 62101, msgUserNotInOrg},
			{"unknown user", refserver.DemoOrgID, "ghost", "&flowId=3377", 62101, msgUserNotInOrg},
			{"no flowId", refserver.DemoOrgID, refserver.DemoUserID, "", 62102, "Invalid parameter: flowId"},
			{"flowId not a number", refserver.DemoOrgID, refserver.DemoUserID, "&flowId=abc", 62102, "Invalid parameter: flowId"},
			{"flowId zero", refserver.DemoOrgID, refserver.DemoUserID, "&flowId=0", 62102, "Invalid parameter: flowId"},
			{"unknown flow", refserver.DemoOrgID, refserver.DemoUserID, "&flowId=999", 62102, "Flow not found"},
			{"flow of another org", refserver.DemoOrgID, refserver.DemoUserID, "&flowId=20", 62102, "Flow not found"},
			{"ok", refserver.DemoOrgID, refserver.DemoUserID, "&flowId=3377", 0, "OK"},
		}
		for _, tt := range tests {
			t.Run(action+"/"+tt.name, func(t *testing.T) {
				wantErr(t, r.opAs(tt.org, tt.user, http.MethodGet, flowsPath, action, tt.query, ""), tt.code, tt.msg)
			})
		}
	}
}

func TestGetMyFlow(t *testing.T) {
	t.Parallel()
	r, _ := newManualRig(t, t0)
	r.srv.AddFlow(refserver.Flow{ID: 801, Name: "Shared Report", OrgID: refserver.DemoOrgID, Owner: "boss", Visitors: ";x;yourUserId;", Cycle: "H"})
	r.srv.AddFlow(refserver.Flow{ID: 802, Name: "secret report", OrgID: refserver.DemoOrgID, Owner: "boss", Visitors: "yourUserIdX"})
	r.srv.AddFlow(refserver.Flow{ID: 803, Name: "elsewhere report", OrgID: "o2", Owner: refserver.DemoUserID})
	tests := []struct {
		name, expression string
		want             string
	}{
		{"all", "", `[{"flowId":"801","editable":false,"flowName":"Shared Report","cycle":"H"},{"flowId":"3377","editable":true,"flowName":"demo flow","cycle":"D"},{"flowId":"3378","editable":true,"flowName":"empty flow","cycle":"D"}]`},
		{"by name, any case", "REPORT", `[{"flowId":"801","editable":false,"flowName":"Shared Report","cycle":"H"}]`},
		{"by id", "3378", `[{"flowId":"3378","editable":true,"flowName":"empty flow","cycle":"D"}]`},
		{"by part of an id", "337", `[{"flowId":"3377","editable":true,"flowName":"demo flow","cycle":"D"},{"flowId":"3378","editable":true,"flowName":"empty flow","cycle":"D"}]`},
		{"none", "nothing", `[]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			extra := ""
			if tt.expression != "" {
				extra = "&expression=" + tt.expression
			}
			data := ok(t, r.op(http.MethodGet, flowsPath, "getMyFlow", extra, ""))
			var items []json.RawMessage
			decode(t, data, &items)
			for _, it := range items {
				shape(t, it, map[string]string{"flowId": "string", "editable": "bool", "flowName": "string", "cycle": "string"})
			}
			if string(data) != tt.want {
				t.Errorf("data %s\nwant %s", data, tt.want)
			}
		})
	}
	r.srv.AddApp(refserver.DemoAccessKey, refserver.DemoSecretKey, "o2")
	wantErr(t, r.opAs("o2", "boss", http.MethodGet, flowsPath, "getMyFlow", "", ""), 62101, msgUserNotInOrg)
}

func TestSearchFlow(t *testing.T) {
	t.Parallel()
	r, clk := newManualRig(t, t0)
	// Demo flows were created at t0; these later, in reverse id order.
	clk.Advance(time.Minute)
	r.srv.AddFlow(refserver.Flow{ID: 12, Name: "zeta", OrgID: refserver.DemoOrgID, Owner: "boss", StartDate: "2026-01-01"})
	clk.Advance(time.Minute)
	r.srv.AddFlow(refserver.Flow{ID: 11, Name: "Alpha Zeta", OrgID: refserver.DemoOrgID, Owner: "boss", StartDate: "2025-01-01"})
	r.srv.AddFlow(refserver.Flow{ID: 13, Name: "zeta elsewhere", OrgID: "o2", Owner: "boss"})
	ids := func(data json.RawMessage) string {
		var items []json.RawMessage
		decode(t, data, &items)
		var out []string
		for _, it := range items {
			m := shape(t, it, map[string]string{"flowId": "number", "flowName": "string"})
			out = append(out, string(m["flowId"]))
		}
		return strings.Join(out, " ")
	}
	tests := []struct{ name, body, want string }{
		{"all the org's flows, other owners too", `{}`, "11 12 3377 3378"},
		{"empty body", ``, "11 12 3377 3378"},
		{"expression on name", `{"expression":"ZETA"}`, "11 12"},
		{"expression on id", `{"expression":"337"}`, "3377 3378"},
		{"page", `{"pagination":{"pageNo":2,"pageSize":3}}`, "3378"},
		{"page 0", `{"pagination":{"pageNo":0,"pageSize":3}}`, "11 12 3377"},
		{"createTime DESC", `{"pagination":{"pageNo":1,"pageSize":10,"sorters":[{"field":"createTime","order":"DESC"}]}}`, "11 12 3377 3378"},
		{"create_time ASC", `{"pagination":{"pageNo":1,"pageSize":10,"sorters":[{"field":"create_time","order":"ASC"}]}}`, "3377 3378 12 11"},
		{"update_time ASC", `{"pagination":{"pageNo":1,"pageSize":10,"sorters":[{"field":"update_time","order":"ASC"}]}}`, "3377 3378 12 11"},
		{"startTime DESC", `{"expression":"zeta","pagination":{"pageNo":1,"pageSize":10,"sorters":[{"field":"startTime","order":"DESC"}]}}`, "12 11"},
		{"start_time ASC", `{"expression":"zeta","pagination":{"pageNo":1,"pageSize":10,"sorters":[{"field":"start_time"}]}}`, "11 12"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ids(ok(t, r.op(http.MethodPost, flowsPath, "search", "", tt.body))); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	if data := ok(t, r.op(http.MethodPost, flowsPath, "search", "", `{"expression":"none"}`)); string(data) != "[]" {
		t.Errorf("no match: %s", data)
	}
	wantErr(t, r.op(http.MethodPost, flowsPath, "search", "", `{"pagination":{"pageNo":1,"pageSize":10,"sorters":[{"field":"triggerTime"}]}}`), 62102, "The sorters field parameter is invalid")
	wantErr(t, r.op(http.MethodPost, flowsPath, "search", "", `{"pagination":{"pageNo":1,"pageSize":-1}}`), 62102, "Invalid parameter: pagination")
	wantErr(t, r.op(http.MethodPost, flowsPath, "search", "", `[1]`), 62102, msgInvalidBody)
}

func TestEnableDisableFlow(t *testing.T) {
	t.Parallel()
	r, clk := newManualRig(t, t0)
	active := func() (bool, string) {
		f, _ := r.srv.Flow(refserver.DemoFlowID)
		var v struct {
			Active     json.RawMessage `json:"active"`
			UpdateTime string          `json:"updateTime"`
		}
		decode(t, ok(t, r.op(http.MethodGet, flowsPath, "get", "&flowId=3377", "")), &v)
		if string(v.Active) != map[bool]string{true: "1", false: "0"}[f.Active] {
			t.Fatalf("API active %s, stored %v", v.Active, f.Active)
		}
		return f.Active, v.UpdateTime
	}
	if on, _ := active(); !on {
		t.Fatal("demo flow starts inactive")
	}
	clk.Advance(time.Minute)
	if data := ok(t, r.op(http.MethodPost, flowsPath, "disable", "", `{"flowId":3377}`)); string(data) != `""` {
		t.Errorf("data %s", data)
	}
	if on, updated := active(); on || updated != "2026-11-30 08:01:00.0" {
		t.Errorf("after disable: active %v, updateTime %s", on, updated)
	}
	ok(t, r.op(http.MethodPost, flowsPath, "disable", "", `{"flowId":"3377"}`)) // idempotent, id as a string
	if on, _ := active(); on {
		t.Error("disable twice enabled it")
	}
	ok(t, r.op(http.MethodPost, flowsPath, "enable", "", `{"flowId":3377}`))
	if on, _ := active(); !on {
		t.Error("enable did not enable")
	}
	for _, action := range []string{"enable", "disable"} {
		for _, tt := range []struct{ name, body, msg string }{
			{"unknown flow", `{"flowId":999}`, "Flow not found"},
			{"no flowId", `{}`, msgInvalidBody},
			{"not JSON", `x`, msgInvalidBody},
		} {
			wantErr(t, r.op(http.MethodPost, flowsPath, action, "", tt.body), 62102, tt.msg)
		}
	}
}

func TestDeleteFlow(t *testing.T) {
	t.Parallel()
	r, clk := newManualRig(t, t0)
	r.srv.AddFlow(refserver.Flow{ID: 810, Name: "downstream", OrgID: refserver.DemoOrgID, Owner: refserver.DemoUserID,
		DependsOn: []int64{refserver.DemoFlowID}, Tasks: []refserver.Task{{ID: 8101, Name: "t"}}})
	demo := r.triggerAt(refserver.DemoFlowID, t0)
	down := r.triggerAt(810, t0)
	del := func(id string) answer { return r.op(http.MethodGet, flowsPath, "delete", "&flowId="+id, "") }

	wantErr(t, del("3377"), 62104, "This workflow is relied on by other workflows and cannot be deleted.")
	if _, found := r.srv.Flow(refserver.DemoFlowID); !found {
		t.Fatal("refused delete removed the flow")
	}
	if data := ok(t, del("810")); string(data) != `""` {
		t.Errorf("data %s", data)
	}
	if _, found := r.srv.Flow(810); found || r.srv.FlowInstances(810) != nil {
		t.Error("flow 810 or its instances remain")
	}
	wantErr(t, r.op(http.MethodGet, flowInstancesPath, "get", "&flowInstId="+down, ""), 62102, "Instance not found")
	wantErr(t, r.op(http.MethodGet, taskInstancesPath, "get", "&taskInstId=8101-20261130080000", ""), 62102, "Instance not found")

	// Now nothing depends on the demo flow: it goes, with its running instance.
	clk.Advance(500 * time.Millisecond)
	ok(t, del("3377"))
	if _, found := r.srv.FlowInstance(demo); found {
		t.Error("demo instance remains")
	}
	wantErr(t, r.op(http.MethodGet, flowsPath, "get", "&flowId=3377", ""), 62102, "Flow not found")
	wantErr(t, del("3377"), 62102, "Flow not found")
	wantErr(t, del(""), 62102, "Invalid parameter: flowId")
	wantErr(t, del("-4"), 62102, "Invalid parameter: flowId")
	var dirs []struct {
		Children []struct{ Key int64 } `json:"children"`
	}
	decode(t, ok(t, r.op(http.MethodGet, directoriesPath, "listWorkFlowDirs", "", "")), &dirs)
	if len(dirs) != 1 || len(dirs[0].Children) != 1 || dirs[0].Children[0].Key != 3378 {
		t.Errorf("directory tree after deletes: %+v", dirs)
	}
}
