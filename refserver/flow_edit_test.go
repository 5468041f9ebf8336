package refserver_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/enos-go/batchprocessing/internal/golden"
	"github.com/enos-go/batchprocessing/refserver"
)

// saveBody is a valid Save Flow body for the demo flow: it renames "extract", adds a task
// "new" between "extract" and "load", and changes every scalar field.
func saveBody() map[string]any {
	return map[string]any{
		"id": "3377", "type": 1, "name": "renamed", "freq": "0 0 2 * * ? *", "cycle": "H", "alertMode": 1,
		"doAs": "db_x", "owners": ";yourUserId;", "visitors": "v1", "startTime": "2026-12-01", "active": 0,
		"parameters": `[{"key":"k","value":"v"}]`, "desc": "described", "queue": "q",
		"tasks": []any{
			map[string]any{"taskName": "extract2", "taskId": "108580", "x": 1, "y": 2, "nodeId": "t_108580"},
			map[string]any{"taskName": "new", "nodeId": "n1", "x": "3.5", "y": 4},
			map[string]any{"taskName": "load", "taskId": 108581},
		},
		"flows": []any{},
		"relations": []any{
			map[string]any{"source": "t_108580", "target": "n1", "cycleGap": "H0", "rerun": "false"}, // flags as clients send them
			map[string]any{"source": "n1", "target": "t_108581", "rerun": 1},
		},
	}
}

func TestSaveFlowAndLoadForEdit(t *testing.T) {
	t.Parallel()
	r, clk := newManualRig(t, t0)
	clk.Advance(time.Minute)
	data := ok(t, r.op(http.MethodPost, flowsPath, "save", "", string(mustJSON(saveBody()))))
	if string(data) != `{"flowId":3377}` {
		t.Errorf("data %s", data)
	}
	// The saved flow as the store holds it: its fields, the kept task renamed and moved, the
	// new task between extract and load.
	f, _ := r.srv.Flow(refserver.DemoFlowID)
	golden.JSON(t, "testdata/golden/saved_flow.json", f, nil)
	if len(f.Tasks) != 3 {
		t.Fatalf("tasks %+v", f.Tasks)
	}
	added := f.Tasks[1]

	// Load For Edit shows the saved flow.
	m := shape(t, ok(t, r.op(http.MethodGet, flowsPath, "loadForEdit", "&flowId=3377", "")), flowForEditShape)
	for k, v := range map[string]string{
		"flowName": `"renamed"`, "active": "0", "cycle": `"H"`, "startTime": `"2026-12-01"`, "desc": `"described"`,
		"queue": `"q"`, "parameters": `"[{\"key\":\"k\",\"value\":\"v\"}]"`, "visitor": `"v1"`, "alertMode": "1",
		"updateTime": `"2026-11-30 08:01:00.0"`, "createTime": `"2026-11-30 08:00:00.0"`,
	} {
		if string(m[k]) != v {
			t.Errorf("%s = %s, want %s", k, m[k], v)
		}
	}
	var graph struct {
		Relations []struct {
			Source, Target string
			Rerun          bool
		} `json:"relations"`
	}
	embedded(t, m["graph"], &graph)
	newNode := "t_" + strconv.FormatInt(added.ID, 10)
	if len(graph.Relations) != 2 || graph.Relations[0].Source != "t_108580" || graph.Relations[0].Target != newNode || graph.Relations[0].Rerun ||
		graph.Relations[1].Source != newNode || graph.Relations[1].Target != "t_108581" || !graph.Relations[1].Rerun {
		t.Errorf("relations %+v, want the rerun flags saved (false, then true)", graph.Relations)
	}

	// An instance runs the new order: extract 1s, new 1m, load 1s.
	id := r.triggerAt(refserver.DemoFlowID, clk.Now())
	start := clk.Now()
	clk.Advance(time.Hour)
	if in := mustInstance(t, r.srv, id); in.Status != refserver.StatusSuccess || !in.EndTime.Equal(start.Add(time.Minute+2*time.Second)) {
		t.Errorf("instance after save: %d ended %v", in.Status, in.EndTime)
	}

	// Optional fields left out keep their values; parameters may come as an object.
	body := saveBody()
	for _, k := range []string{"desc", "queue", "tasks", "relations", "flows"} {
		delete(body, k)
	}
	body["parameters"] = map[string]any{"z": 1, "a": "b"}
	ok(t, r.op(http.MethodPost, flowsPath, "save", "", string(mustJSON(body))))
	f, _ = r.srv.Flow(refserver.DemoFlowID)
	if f.Description != "described" || f.Queue != "q" || len(f.Tasks) != 3 ||
		!slices.Equal(f.Parameters, []refserver.Parameter{{Key: "a", Value: "b"}, {Key: "z", Value: "1"}}) {
		t.Errorf("partial save: %+v", f)
	}
	// Upstream flows.
	body = saveBody()
	body["id"], body["tasks"], body["relations"] = 3378, []any{map[string]any{"taskName": "only"}}, []any{map[string]any{"source": "f_3377", "target": "t_1"}}
	body["flows"] = []any{map[string]any{"flowId": "3377", "nodeId": "f_3377"}}
	body["tasks"] = []any{map[string]any{"taskName": "only", "taskId": 1}}
	ok(t, r.op(http.MethodPost, flowsPath, "save", "", string(mustJSON(body))))
	if f, _ := r.srv.Flow(refserver.DemoEmptyFlowID); !slices.Equal(f.DependsOn, []int64{refserver.DemoFlowID}) || len(f.Tasks) != 1 {
		t.Errorf("upstream flows: %+v", f)
	}
	wantErr(t, r.op(http.MethodGet, flowsPath, "delete", "&flowId=3377", ""), 62104, "This workflow is relied on by other workflows and cannot be deleted.")
}

func TestSaveFlowErrors(t *testing.T) {
	t.Parallel()
	r, _ := newManualRig(t, t0)
	r.srv.AddFlow(refserver.Flow{ID: 40, OrgID: refserver.DemoOrgID, Owner: "boss", Tasks: []refserver.Task{{ID: 42, Name: "theirs"}}})
	r.srv.AddFlow(refserver.Flow{ID: 41, OrgID: "o2", Owner: "boss"})
	r.srv.AddFlow(refserver.Flow{ID: 43, OrgID: refserver.DemoOrgID, Owner: "boss", DependsOn: []int64{refserver.DemoFlowID}})
	with := func(change func(b map[string]any)) string {
		b := saveBody()
		change(b)
		return string(mustJSON(b))
	}
	tests := []struct{ name, body, msg string }{
		{"not JSON", `save`, "Incorrect parameter"},
		{"name not a string", with(func(b map[string]any) { b["name"] = 5 }), "Incorrect parameter"},
		{"empty name", with(func(b map[string]any) { b["name"] = " " }), "Incorrect parameter"},
		{"bad cycle", with(func(b map[string]any) { b["cycle"] = "Y" }), "Incorrect parameter"},
		{"bad cron", with(func(b map[string]any) { b["freq"] = "0 0 * * *" }), "Incorrect parameter"},
		{"type out of range", with(func(b map[string]any) { b["type"] = 3 }), "Incorrect parameter"},
		{"alertMode out of range", with(func(b map[string]any) { b["alertMode"] = 4 }), "Incorrect parameter"},
		{"active not a flag", with(func(b map[string]any) { b["active"] = 2 }), "Incorrect parameter"},
		{"no owner", with(func(b map[string]any) { b["owners"] = ";;" }), "Incorrect parameter"},
		{"bad startTime", with(func(b map[string]any) { b["startTime"] = "tomorrow" }), "Incorrect parameter"},
		{"bad parameters", with(func(b map[string]any) { b["parameters"] = 5 }), "Incorrect parameter"},
		{"task without name", with(func(b map[string]any) { b["tasks"] = []any{map[string]any{"taskId": 1}} }), "Incorrect parameter"},
		{"task id of another flow", with(func(b map[string]any) { b["tasks"] = []any{map[string]any{"taskName": "x", "taskId": 42}} }), "Incorrect parameter"},
		{"task id twice", with(func(b map[string]any) {
			b["tasks"] = []any{map[string]any{"taskName": "x", "taskId": 7}, map[string]any{"taskName": "y", "taskId": 7}}
		}), "Incorrect parameter"},
		{"relation to an unknown node", with(func(b map[string]any) {
			b["relations"] = []any{map[string]any{"source": "t_108580", "target": "t_999"}}
		}), "Incorrect parameter"},
		{"relation from an unknown node", with(func(b map[string]any) {
			b["relations"] = []any{map[string]any{"source": "f_3378", "target": "t_108580"}}
		}), "Incorrect parameter"},
		{"relation to itself", with(func(b map[string]any) {
			b["relations"] = []any{map[string]any{"source": "t_108580", "target": "t_108580"}}
		}), "Incorrect parameter"},
		{"relations make a cycle", with(func(b map[string]any) {
			b["relations"] = []any{map[string]any{"source": "t_108580", "target": "n1"}, map[string]any{"source": "n1", "target": "t_108580"}}
		}), "Incorrect parameter"},
		{"upstream flow is itself", with(func(b map[string]any) { b["flows"] = []any{map[string]any{"flowId": 3377}} }), "Incorrect parameter"},
		{"upstream flow unknown", with(func(b map[string]any) { b["flows"] = []any{map[string]any{"flowId": 999}} }), "Incorrect parameter"},
		{"upstream flow in another org", with(func(b map[string]any) { b["flows"] = []any{map[string]any{"flowId": 41}} }), "Incorrect parameter"},
		{"upstream flows make a cycle", with(func(b map[string]any) { b["flows"] = []any{map[string]any{"flowId": 43}} }), "Incorrect parameter"},
		{"id zero", with(func(b map[string]any) { b["id"] = 0 }), "Incorrect parameter"},
		{"task id not a number", with(func(b map[string]any) { b["tasks"] = []any{map[string]any{"taskName": "x", "taskId": "abc"}} }), "Incorrect parameter"},
		{"unknown flow", with(func(b map[string]any) { b["id"] = 999 }), "Flow not found"},
		{"flow of another org", with(func(b map[string]any) { b["id"] = 41 }), "Flow not found"},
	}
	// reasons holds a part of the X-Refserver-Reason each refusal must carry: the field and why.
	reasons := map[string]string{
		"not JSON":                      "the body is not a JSON object: invalid character 's'",
		"name not a string":             "name: got a JSON number, want a string",
		"empty name":                    "name is empty",
		"bad cycle":                     `cycle "Y": want M, W, D, H or mi`,
		"bad cron":                      `freq "0 0 * * *": want a Quartz cron expression of 7 fields`,
		"type out of range":             "type 3: want 0 (manual), 1 (periodic) or 2 (temporary)",
		"alertMode out of range":        "alertMode 4: want 0 (none)",
		"active not a flag":             "active: 2 is not a flag",
		"no owner":                      `owners ";;" names no user`,
		"bad startTime":                 `startTime "tomorrow": want yyyy-MM-dd`,
		"bad parameters":                "parameters: 5 is neither an array nor an object",
		"task without name":             "tasks[0]: taskName is empty",
		"task id of another flow":       "tasks[0]: taskId 42 is a task of flow 40",
		"task id twice":                 "tasks[1]: taskId 7 is listed twice",
		"relation to an unknown node":   `relations[0]: target "t_999" is no task's node`,
		"relation from an unknown node": `relations[0]: source "f_3378" is neither a task's node nor an upstream flow's`,
		"relation to itself":            "relations[0]: task 108580 depends on itself",
		"relations make a cycle":        `the task dependencies make a cycle through task "extract2" (id 108580)`,
		"upstream flow is itself":       "flows[0]: flowId 3377 is the flow itself",
		"upstream flow unknown":         `flows[0]: flowId 999: no flow of that id in organization "yourOrgId"`,
		"upstream flow in another org":  `flows[0]: flowId 41: no flow of that id in organization "yourOrgId"`,
		"upstream flows make a cycle":   "flows[0]: flowId 43 depends on flow 3377: the upstream flows would make a cycle",
		"id zero":                       "id 0: want a positive flow id",
		"task id not a number":          `tasks: "abc" is not an integer`,
		"unknown flow":                  `id 999: no flow of that id in organization "yourOrgId"`,
		"flow of another org":           `id 41: no flow of that id in organization "yourOrgId"`,
	}
	for _, k := range []string{"id", "type", "name", "freq", "cycle", "alertMode", "doAs", "owners", "visitors", "startTime", "active"} {
		tests = append(tests, struct{ name, body, msg string }{"missing " + k, with(func(b map[string]any) { delete(b, k) }), "Incorrect parameter"})
		reasons["missing "+k] = "missing mandatory field: " + k + " "
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := r.op(http.MethodPost, flowsPath, "save", "", tt.body)
			wantErr(t, a, 62102, tt.msg)
			if want := reasons[tt.name]; want == "" || !strings.Contains(a.Reason, want) {
				t.Errorf("X-Refserver-Reason = %q, want it to hold %q", a.Reason, want)
			}
			if f, _ := r.srv.Flow(refserver.DemoFlowID); f.Name != "demo flow" || len(f.Tasks) != 2 {
				t.Fatalf("refused save changed the flow: %+v", f)
			}
		})
	}
	wantErr(t, r.op(http.MethodPost, flowsPath, "save", "", with(func(b map[string]any) { b["id"] = 40 })), 62103, msgNoPrivilege)
}

// exportedView is an ExportedFlow as the tests compare it.
type exportedView struct {
	Name       string `json:"name"`
	Cycle      string `json:"cycle"`
	Cron       string `json:"cron"`
	Parameters string `json:"parameters"`
	AlertMode  int    `json:"alertMode"`
	Submitter  string `json:"submitter"`
	Visitors   string `json:"visitors"`
	Type       int    `json:"type"`
	Desc       string `json:"desc"`
	StartTime  string `json:"startTime"`
	Tasks      []struct {
		Name string `json:"name"`
		Type string `json:"type"`
		Cmd  string `json:"cmd"`
	} `json:"tasks"`
	Relations []struct {
		SourceTaskName string `json:"sourceTaskName"`
		TargetTaskName string `json:"targetTaskName"`
		Rerun          bool   `json:"rerun"`
	} `json:"relations"`
	FlowLinks []struct {
		LinkID         string `json:"linkId"`
		SourceFlowName string `json:"sourceFlowName"`
	} `json:"flowLinks"`
	LinkRelations []struct {
		LinkID         string `json:"linkId"`
		TargetTaskName string `json:"targetTaskName"`
		Rerun          bool   `json:"rerun"`
	} `json:"linkRelations"`
}

func (v exportedView) relations() []string {
	var out []string
	for _, r := range v.Relations {
		out = append(out, r.SourceTaskName+">"+r.TargetTaskName+" rerun "+strconv.FormatBool(r.Rerun))
	}
	sort.Strings(out)
	return out
}

func TestExportImportRoundTrip(t *testing.T) {
	t.Parallel()
	r, clk := newManualRig(t, t0)
	r.srv.AddFlow(refserver.Flow{
		ID: 900, Name: "etl", OrgID: refserver.DemoOrgID, Owner: "boss", Cycle: "H", Freq: "0 0 * * * ? *", Type: 1,
		AlertMode: 2, DoAs: "db_x", Visitors: "v", Description: "original", StartDate: "2026-01-01",
		Parameters: []refserver.Parameter{{Key: "p", Value: "1"}, {Key: "q", Value: "2"}},
		DependsOn:  []int64{refserver.DemoFlowID},
		Tasks: []refserver.Task{
			{ID: 9001, Name: "a", Type: "SHELL", Command: "sh a.sh", RerunAfterFlows: []int64{refserver.DemoFlowID}},
			{ID: 9002, Name: "b", DependsOn: []int64{9001}, RerunAfter: []int64{9001}, Command: "b"},
			{ID: 9003, Name: "c", Type: "HIVE", DependsOn: []int64{9001}},
			{ID: 9004, Name: "d", DependsOn: []int64{9002, 9003}},
		},
	})
	raw := ok(t, r.op(http.MethodGet, flowsPath, "export", "&flowId=900", ""))
	m := shape(t, raw, map[string]string{
		"name": "string", "cycle": "string", "cron": "string", "parameters": "string", "alertMode": "number",
		"submitter": "string", "owners": "string", "visitors": "string", "type": "number", "syncType": "number",
		"desc": "string", "startTime": "string", "tasks": "array", "flowLinks": "array", "taskLinks": "array",
		"relations": "array", "linkRelations": "array",
	})
	var params []map[string]string
	embedded(t, m["parameters"], &params)
	var tasks []json.RawMessage
	decode(t, m["tasks"], &tasks)
	task := shape(t, tasks[0], map[string]string{
		"name": "string", "resource": "string", "type": "string", "syncType": "number", "cmd": "string",
		"submitter": "string", "filePackage": "string", "cron": "string", "priorityLevel": "number", "timeout": "number",
		"retryLimit": "number", "retryInterval": "number", "successCode": "string", "asLink": "bool", "runMode": "string",
	})
	var runMode map[string]any
	embedded(t, task["runMode"], &runMode)
	var original exportedView
	decode(t, raw, &original)
	golden.JSON(t, "testdata/golden/exported_flow.json", original, nil)

	sub := ok(t, r.op(http.MethodPost, directoriesPath, "create", "", `{"parentId":"`+r.srv.RootDirectory(refserver.DemoOrgID)+`","dirName":"imports"}`))
	var dir struct{ DirID string }
	decode(t, sub, &dir)
	clk.Advance(time.Minute)
	body := `{"flowName":"etl copy","desc":"copied","dirId":"` + dir.DirID + `","flowJson":` + string(raw) + `}`
	data := ok(t, r.op(http.MethodPost, flowsPath, "import", "", body))
	var created struct {
		FlowID json.RawMessage `json:"flowId"`
	}
	decode(t, data, &created)
	if jsonKind(created.FlowID) != "number" {
		t.Fatalf("flowId %s", created.FlowID)
	}
	newID, _ := strconv.ParseInt(string(created.FlowID), 10, 64)
	if newID != 3379 { // the next id above every flow's
		t.Fatalf("new id %d, want 3379", newID)
	}
	f, found := r.srv.Flow(newID)
	if !found || f.Owner != refserver.DemoUserID || f.DirID != dir.DirID || f.Active || f.OrgID != refserver.DemoOrgID ||
		!f.CreatedAt.Equal(t0.Add(time.Minute)) || !slices.Equal(f.DependsOn, []int64{refserver.DemoFlowID}) {
		t.Errorf("imported flow %+v", f)
	}
	var again exportedView
	decode(t, ok(t, r.op(http.MethodGet, flowsPath, "export", "&flowId="+string(created.FlowID), "")), &again)
	if again.Name != "etl copy" || again.Desc != "copied" || again.Cycle != original.Cycle || again.Cron != original.Cron ||
		again.Parameters != original.Parameters || again.Type != original.Type || again.AlertMode != original.AlertMode ||
		again.Submitter != original.Submitter || again.Visitors != original.Visitors || again.StartTime != original.StartTime ||
		!slices.Equal(again.relations(), original.relations()) || len(again.FlowLinks) != 1 || len(again.LinkRelations) != 1 ||
		!again.LinkRelations[0].Rerun {
		t.Errorf("round trip:\n%+v\nwant\n%+v", again, original)
	}
	for i := range original.Tasks {
		if again.Tasks[i] != original.Tasks[i] {
			t.Errorf("task %d: %+v, want %+v", i, again.Tasks[i], original.Tasks[i])
		}
	}
	// The imported flow runs: a, then b and c together, then d, a minute each.
	start := clk.Now()
	id := r.triggerAt(newID, start)
	clk.Advance(time.Hour)
	if in := mustInstance(t, r.srv, id); in.Status != refserver.StatusSuccess || !in.EndTime.Equal(start.Add(3*time.Minute)) {
		t.Errorf("imported flow's instance: %d ended %v", in.Status, in.EndTime)
	}
	// It shows in its directory.
	var tree []struct {
		Children []struct {
			Title    string `json:"title"`
			Children []struct {
				Key   json.Number `json:"key"`
				Title string      `json:"title"`
			} `json:"children"`
		} `json:"children"`
	}
	decode(t, ok(t, r.op(http.MethodGet, directoriesPath, "listWorkFlowDirs", "", "")), &tree)
	if c := tree[0].Children[0]; c.Title != "imports" || len(c.Children) != 1 || c.Children[0].Title != "etl copy" || c.Children[0].Key.String() != string(created.FlowID) {
		t.Errorf("tree %+v", tree)
	}

	// flowId: kept when free, replaced when taken; flowJson as a string.
	for _, tt := range []struct {
		flowID string
		want   func(int64) bool
	}{
		{`5000`, func(id int64) bool { return id == 5000 }},
		{`"5001"`, func(id int64) bool { return id == 5001 }},
		{`3377`, func(id int64) bool { return id == 5002 }},
		{`0`, func(id int64) bool { return id == 5003 }},
	} {
		body := `{"flowId":` + tt.flowID + `,"flowName":"n","desc":"","dirId":"` + dir.DirID + `","flowJson":` + string(mustJSON(string(raw))) + `}`
		var got struct{ FlowID int64 }
		decode(t, ok(t, r.op(http.MethodPost, flowsPath, "import", "", body)), &got)
		if !tt.want(got.FlowID) {
			t.Errorf("flowId %s: got %d", tt.flowID, got.FlowID)
		}
	}
	if f, _ := r.srv.Flow(refserver.DemoFlowID); f.Name != "demo flow" {
		t.Errorf("import over a taken id changed it: %+v", f)
	}
}

func TestImportFlowErrors(t *testing.T) {
	t.Parallel()
	r, _ := newManualRig(t, t0)
	r.srv.AddUser("o2", "u2")
	root := r.srv.RootDirectory(refserver.DemoOrgID)
	otherRoot := r.srv.RootDirectory("o2")
	// rerun as a string: the service's JSON reader takes a flag as "true", 1 or true.
	good := `{"name":"x","cycle":"D","cron":"0 0 0 * * ? *","parameters":"[]","tasks":[{"name":"a"},{"name":"b","type":3}],"relations":[{"sourceTaskName":"a","targetTaskName":"b","rerun":"true"}]}`
	body := func(name, dirID, flowJSON string) string {
		return `{"flowName":` + name + `,"desc":"d","dirId":` + dirID + `,"flowJson":` + flowJSON + `}`
	}
	q := func(s string) string { return string(mustJSON(s)) }
	tests := []struct{ name, body, msg string }{
		{"not JSON", `import`, "Incorrect parameter"},
		{"flowName missing", `{"dirId":"` + root + `","flowJson":` + good + `}`, "Invalid parameter: flowName"},
		{"flowName empty", body(`""`, q(root), good), "Invalid parameter: flowName"},
		{"dirId missing", `{"flowName":"n","flowJson":` + good + `}`, "Directory does not exist"},
		{"dirId unknown", body(`"n"`, q("0123"), good), "Directory does not exist"},
		{"dirId of another org", body(`"n"`, q(otherRoot), good), "Directory does not exist"},
		{"flowJson missing", `{"flowName":"n","dirId":"` + root + `"}`, "Incorrect parameter"},
		{"desc missing", `{"flowName":"n","dirId":"` + root + `","flowJson":` + good + `}`, "Incorrect parameter"},
		{"flowJson not JSON", body(`"n"`, q(root), q("nope")), "Workflow validation failed"},
		{"bad cycle", body(`"n"`, q(root), `{"cycle":"Y","tasks":[]}`), "Workflow validation failed"},
		{"bad cron", body(`"n"`, q(root), `{"cron":"* *","tasks":[]}`), "Workflow validation failed"},
		{"bad type", body(`"n"`, q(root), `{"type":7}`), "Workflow validation failed"},
		{"bad parameters", body(`"n"`, q(root), `{"parameters":"a=b"}`), "Workflow validation failed"},
		{"task without name", body(`"n"`, q(root), `{"tasks":[{"cmd":"x"}]}`), "Workflow validation failed"},
		{"task names repeated", body(`"n"`, q(root), `{"tasks":[{"name":"a"},{"name":"a"}]}`), "Workflow validation failed"},
		{"task type not a name or code", body(`"n"`, q(root), `{"tasks":[{"name":"a","type":true}]}`), "Workflow validation failed"},
		{"relation to an unknown task", body(`"n"`, q(root), `{"tasks":[{"name":"a"}],"relations":[{"sourceTaskName":"a","targetTaskName":"z"}]}`), "Workflow validation failed"},
		{"relations make a cycle", body(`"n"`, q(root), `{"tasks":[{"name":"a"},{"name":"b"}],"relations":[{"sourceTaskName":"a","targetTaskName":"b"},{"sourceTaskName":"b","targetTaskName":"a"}]}`), "Workflow validation failed"},
		{"link to an unknown flow", body(`"n"`, q(root), `{"tasks":[{"name":"a"}],"flowLinks":[{"linkId":"l","sourceFlowName":"nobody"}]}`), "Workflow validation failed"},
		{"link relation to an unknown link", body(`"n"`, q(root), `{"tasks":[{"name":"a"}],"linkRelations":[{"linkId":"l","targetTaskName":"a"}]}`), "Workflow validation failed"},
		{"rerun not a flag", body(`"n"`, q(root), `{"tasks":[{"name":"a"},{"name":"b"}],"relations":[{"sourceTaskName":"a","targetTaskName":"b","rerun":"yes"}]}`), "Workflow validation failed"},
		{"negative timeout", body(`"n"`, q(root), `{"tasks":[{"name":"a","timeout":-1}]}`), "Workflow validation failed"},
		{"timeout not a number", body(`"n"`, q(root), `{"tasks":[{"name":"a","timeout":"soon"}]}`), "Workflow validation failed"},
	}
	// reasons holds a part of the X-Refserver-Reason each refusal must carry: the field and why.
	reasons := map[string]string{
		"not JSON":                         "the body is not a JSON object: invalid character 'i'",
		"flowName missing":                 "flowName is missing",
		"flowName empty":                   "flowName is empty",
		"dirId missing":                    "dirId is missing",
		"dirId unknown":                    `dirId "0123": no directory of that id in organization "yourOrgId"`,
		"dirId of another org":             `: no directory of that id in organization "yourOrgId"`,
		"flowJson missing":                 "missing mandatory field: flowJson, desc",
		"desc missing":                     "missing mandatory field: desc ",
		"flowJson not JSON":                "flowJson is not a JSON object",
		"bad cycle":                        `flowJson: cycle "Y": want M, W, D, H or mi`,
		"bad cron":                         `flowJson: cron "* *": want a Quartz cron expression of 7 fields`,
		"bad type":                         "flowJson: type 7: want 0 (manual)",
		"bad parameters":                   `flowJson: parameters: "a=b" is not a JSON document`,
		"task without name":                "flowJson: tasks[0]: name is empty",
		"task names repeated":              `flowJson: tasks[1]: name "a" is taken by an earlier task`,
		"task type not a name or code":     `flowJson: tasks[0]: type "true": want a task type's name or code`,
		"relation to an unknown task":      `flowJson: relations[0]: targetTaskName "z" names no task of the flow`,
		"relations make a cycle":           `flowJson: the task dependencies make a cycle through task "`,
		"link to an unknown flow":          `flowJson: flowLinks[0]: sourceFlowName "nobody" names no flow of organization "yourOrgId"`,
		"link relation to an unknown link": `flowJson: linkRelations[0]: linkId "l" is no flowLink's`,
		"rerun not a flag":                 `"yes" is not a flag`,
		"negative timeout":                 "flowJson: tasks[0]: timeout -1: want 0 or more seconds",
		"timeout not a number":             `flowJson.tasks: "soon" is not an integer`,
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := r.op(http.MethodPost, flowsPath, "import", "", tt.body)
			wantErr(t, a, 62102, tt.msg)
			if want := reasons[tt.name]; want == "" || !strings.Contains(a.Reason, want) {
				t.Errorf("X-Refserver-Reason = %q, want it to hold %q", a.Reason, want)
			}
		})
	}
	var got struct{ FlowID int64 }
	decode(t, ok(t, r.op(http.MethodPost, flowsPath, "import", "", body(`"n"`, q(root), good))), &got)
	if f, _ := r.srv.Flow(got.FlowID); len(f.Tasks) != 2 || f.Tasks[1].Type != "SHELL" || !slices.Equal(f.Tasks[1].DependsOn, []int64{f.Tasks[0].ID}) {
		t.Errorf("imported %+v", f)
	}
	if len(r.srv.FlowInstances(got.FlowID)) != 0 {
		t.Error("import created instances")
	}
}

func TestExportFlowValidation(t *testing.T) {
	t.Parallel()
	r, _ := newManualRig(t, t0)
	r.srv.AddFlow(refserver.Flow{ID: 50, OrgID: refserver.DemoOrgID, Owner: refserver.DemoUserID,
		Tasks: []refserver.Task{{ID: 501, Name: "same"}, {ID: 502, Name: "same"}}})
	r.srv.AddFlow(refserver.Flow{ID: 51, OrgID: refserver.DemoOrgID, Owner: refserver.DemoUserID, Tasks: []refserver.Task{{ID: 511}}})
	wantErr(t, r.op(http.MethodGet, flowsPath, "export", "&flowId=50", ""), 62102, "Flow validation exception")
	wantErr(t, r.op(http.MethodGet, flowsPath, "export", "&flowId=51", ""), 62102, "Flow validation exception")
	// A flow without tasks exports with empty arrays, not nulls.
	m := shape(t, ok(t, r.op(http.MethodGet, flowsPath, "export", "&flowId=3378", "")), map[string]string{
		"name": "string", "cycle": "string", "cron": "string", "parameters": "string", "alertMode": "number",
		"submitter": "string", "owners": "string", "visitors": "string", "type": "number", "syncType": "number",
		"desc": "string", "startTime": "string", "tasks": "array", "flowLinks": "array", "taskLinks": "array",
		"relations": "array", "linkRelations": "array",
	})
	if string(m["tasks"]) != "[]" || string(m["parameters"]) != `"[]"` {
		t.Errorf("empty flow export: %s %s", m["tasks"], m["parameters"])
	}
}

// TestSaveFlowKeepsRerunFlags: the rerun flag of an edge from an upstream flow is kept
// and shown in the flow's graph; removing that upstream flow drops it, so that adding the
// flow again shows its edges without it.
func TestSaveFlowKeepsRerunFlags(t *testing.T) {
	t.Parallel()
	r, _ := newManualRig(t, t0)
	r.srv.AddFlow(refserver.Flow{ID: 950, Name: "upstream", OrgID: refserver.DemoOrgID, Owner: refserver.DemoUserID,
		Tasks: []refserver.Task{{ID: 9501, Name: "u"}}})
	save := func(flows []any, relations []any) {
		t.Helper()
		body := saveBody()
		body["flows"], body["relations"] = flows, relations
		if relations == nil {
			delete(body, "tasks") // the tasks stay as they are
			delete(body, "relations")
		}
		ok(t, r.op(http.MethodPost, flowsPath, "save", "", string(mustJSON(body))))
	}
	rerunFromUpstream := func() (shown, rerun bool) {
		t.Helper()
		m := shape(t, ok(t, r.op(http.MethodGet, flowsPath, "loadForEdit", "&flowId=3377", "")), flowForEditShape)
		var graph struct {
			Relations []struct {
				Source, Target string
				Rerun          bool
			} `json:"relations"`
		}
		embedded(t, m["graph"], &graph)
		for _, rel := range graph.Relations {
			if rel.Source == "f_950" && rel.Target == "t_108580" {
				return true, rel.Rerun
			}
		}
		return false, false
	}
	upstream := []any{map[string]any{"flowId": 950, "nodeId": "up"}}
	save(upstream, []any{
		map[string]any{"source": "up", "target": "t_108580", "rerun": true},
		map[string]any{"source": "t_108580", "target": "n1"},
		map[string]any{"source": "n1", "target": "t_108581"},
	})
	if shown, rerun := rerunFromUpstream(); !shown || !rerun {
		t.Fatalf("edge from the upstream flow shown %v, rerun %v; want it shown with rerun", shown, rerun)
	}
	save([]any{}, nil)
	if shown, _ := rerunFromUpstream(); shown {
		t.Fatal("edge from a removed upstream flow shown")
	}
	save(upstream, nil)
	if shown, rerun := rerunFromUpstream(); !shown || rerun {
		t.Errorf("edge from the upstream flow added again: shown %v, rerun %v; want it shown without rerun", shown, rerun)
	}
}
