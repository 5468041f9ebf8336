package refserver_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/enos-go/batchprocessing/refserver"
)

// Helpers for the tests of the 22 operations: plain net/http, signed with
// batchprocessing.Sign through rig.call.

const (
	flowInstancesPath = "/batch-processing-service/v2.1/flowInstances"
	taskInstancesPath = "/batch-processing-service/v2.1/taskInstances"
	directoriesPath   = "/batch-processing-service/v2.1/directories"
	timePath          = "/batch-processing-service/v2.1/time"
)

// t0 is the start of the manual clock in the life-cycle tests: a whole minute, so instance
// ids are easy to read.
var t0 = time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)

// newManualRig starts a demo server driven by a refserver.ManualClock standing at start.
func newManualRig(t *testing.T, start time.Time, opts ...refserver.Option) (*rig, *refserver.ManualClock) {
	t.Helper()
	clk := refserver.NewManualClock(start)
	srv := refserver.NewDemoServer(append([]refserver.Option{refserver.WithClock(clk.Now)}, opts...)...)
	t.Cleanup(srv.Close)
	return &rig{t: t, srv: srv, clock: manualClock{clk}, secret: refserver.DemoSecretKey}, clk
}

// tok returns a valid token for the demo app, fetching a new one when the clock has moved
// an hour past the last.
func (r *rig) tok() string {
	r.t.Helper()
	if r.cached == "" || !r.clock.Now().Before(r.cachedUntil) {
		r.cached = r.token()
		r.cachedUntil = r.clock.Now().Add(time.Hour)
	}
	return r.cached
}

// opAs calls action on path as userID of orgID, with extra query parameters ("&k=v...").
func (r *rig) opAs(orgID, userID, method, path, action, extra, body string) answer {
	r.t.Helper()
	q := "?action=" + action + "&orgId=" + url.QueryEscape(orgID) + "&userId=" + url.QueryEscape(userID) + extra
	return r.call(r.tok(), method, path+q, body)
}

// op calls action on path as the demo user.
func (r *rig) op(method, path, action, extra, body string) answer {
	r.t.Helper()
	return r.opAs(refserver.DemoOrgID, refserver.DemoUserID, method, path, action, extra, body)
}

// ok fails the test unless a is a success, and returns its data.
func ok(t *testing.T, a answer) json.RawMessage {
	t.Helper()
	if a.Code != 0 || a.Msg != "OK" {
		t.Fatalf("code %d %q, want 0 OK", a.Code, a.Msg)
	}
	return a.Data
}

// wantErr fails the test unless a is the failure code/msg.
func wantErr(t *testing.T, a answer, code int, msg string) {
	t.Helper()
	if a.Code != code || a.Msg != msg {
		t.Fatalf("got %d %q, want %d %q", a.Code, a.Msg, code, msg)
	}
}

// triggerBody is a Trigger Flow body.
func triggerBody(flowID int64, at time.Time) string {
	return `{"flowId":` + strconv.FormatInt(flowID, 10) + `,"triggerTime":` + strconv.FormatInt(at.UnixMilli(), 10) + `}`
}

// triggerAt triggers flowID at at as the demo user and returns the instance id.
func (r *rig) triggerAt(flowID int64, at time.Time) string {
	r.t.Helper()
	return instanceID(r.t, r.op(http.MethodPost, flowsPath, "trigger", "", triggerBody(flowID, at)))
}

// jsonKind names the kind of a JSON value: string, number, bool, null, array or object.
func jsonKind(raw json.RawMessage) string {
	s := strings.TrimSpace(string(raw))
	switch {
	case s == "null":
		return "null"
	case s == "true" || s == "false":
		return "bool"
	case strings.HasPrefix(s, `"`):
		return "string"
	case strings.HasPrefix(s, "["):
		return "array"
	case strings.HasPrefix(s, "{"):
		return "object"
	}
	return "number"
}

// shape checks that raw is an object with exactly the fields of want, each of the JSON kind
// given, and returns its fields.
func shape(t *testing.T, raw json.RawMessage, want map[string]string) map[string]json.RawMessage {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("%s is not an object: %v", raw, err)
	}
	for k, kind := range want {
		v, present := m[k]
		if !present {
			t.Errorf("field %q missing in %s", k, raw)
			continue
		}
		if got := jsonKind(v); got != kind {
			t.Errorf("field %q is a %s (%s), want a %s", k, got, v, kind)
		}
	}
	for k := range m {
		if _, documented := want[k]; !documented {
			t.Errorf("undocumented field %q in %s", k, raw)
		}
	}
	return m
}

// str decodes a JSON string.
func str(t *testing.T, raw json.RawMessage) string {
	t.Helper()
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatalf("%s is not a string: %v", raw, err)
	}
	return s
}

// embedded decodes a JSON document held in a JSON string into v (graph, parameters,
// runMode).
func embedded(t *testing.T, raw json.RawMessage, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(str(t, raw)), v); err != nil {
		t.Fatalf("string %s does not hold the JSON expected: %v", raw, err)
	}
}

// decode decodes raw into v.
func decode(t *testing.T, raw json.RawMessage, v any) {
	t.Helper()
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("%s: %v", raw, err)
	}
}

// instanceView is a FlowInstance as the tests read it.
type instanceView struct {
	InstanceID  string `json:"instanceId"`
	FlowID      int64  `json:"flowId"`
	FlowName    string `json:"flowName"`
	Parameters  string `json:"parameters"`
	Graph       string `json:"graph"`
	Status      int    `json:"status"`
	StatusDesc  string `json:"statusDesc"`
	TriggerTime string `json:"triggerTime"`
	StartTime   string `json:"startTime"`
	EndTime     string `json:"endTime"`
	Timestamp   string `json:"timestamp"`
	CalDt       string `json:"calDt"`
	HasEditPri  bool   `json:"hasEditPri"`
	IsCancelled bool   `json:"isCancelled"`
}

// getInstance reads a flow instance through Get Flow Instance.
func (r *rig) getInstance(id string) instanceView {
	r.t.Helper()
	var v instanceView
	decode(r.t, ok(r.t, r.op(http.MethodGet, flowInstancesPath, "get", "&flowInstId="+url.QueryEscape(id), "")), &v)
	return v
}

// graphView is an InstanceGraph as the tests read it.
type graphView struct {
	InstID    string `json:"instId"`
	ID        int64  `json:"id"`
	Relations []struct {
		Source   string `json:"source"`
		Target   string `json:"target"`
		CycleGap string `json:"cycleGap"`
		Rerun    bool   `json:"rerun"`
	} `json:"relations"`
	Tasks []struct {
		TaskName   string `json:"taskName"`
		TaskInstID string `json:"taskInstId"`
		TaskID     string `json:"taskId"`
		NodeID     string `json:"nodeId"`
		Status     string `json:"status"`
	} `json:"tasks"`
}

// graphStatuses returns the node statuses of an instance's graph, by task name.
func graphStatuses(t *testing.T, v instanceView) map[string]string {
	t.Helper()
	var g graphView
	if err := json.Unmarshal([]byte(v.Graph), &g); err != nil {
		t.Fatalf("graph %q: %v", v.Graph, err)
	}
	out := make(map[string]string)
	for _, task := range g.Tasks {
		out[task.TaskName] = task.Status
	}
	return out
}

// taskStatuses returns the statuses of an instance's task instances, by task name.
func taskStatuses(in refserver.FlowInstance) map[string]int {
	out := make(map[string]int)
	for _, ti := range in.Tasks {
		out[ti.Name] = ti.Status
	}
	return out
}

// mustInstance returns the server's view of the instance id.
func mustInstance(t *testing.T, srv interface {
	FlowInstance(string) (refserver.FlowInstance, bool)
}, id string) refserver.FlowInstance {
	t.Helper()
	in, found := srv.FlowInstance(id)
	if !found {
		t.Fatalf("no instance %s", id)
	}
	return in
}

// taskOf returns the task instance of in running taskID.
func taskOf(t *testing.T, in refserver.FlowInstance, taskID int64) refserver.TaskInstance {
	t.Helper()
	i := slices.IndexFunc(in.Tasks, func(ti refserver.TaskInstance) bool { return ti.TaskID == taskID })
	if i < 0 {
		t.Fatalf("instance %s has no task %d", in.ID, taskID)
	}
	return in.Tasks[i]
}

// local formats t as the server's wire times in UTC.
func local(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05") }

// listBody returns a body of List Flow Instances: the criteria the documentation makes
// mandatory (type 1, every status, every trigger time from the epoch to 2100), with the
// fields of overrides, a JSON object, replacing or adding to them.
func listBody(t testing.TB, overrides string) string {
	t.Helper()
	body := map[string]json.RawMessage{
		"type": json.RawMessage(`1`), "status": json.RawMessage(`"-1,0,1,2,3,4,5,6,7,8,9,10"`),
		"fromTriggerTime": json.RawMessage(`0`), "toTriggerTime": json.RawMessage(`4102444800000`),
	}
	var extra map[string]json.RawMessage
	if err := json.Unmarshal([]byte(overrides), &extra); err != nil {
		t.Fatalf("overrides %s: %v", overrides, err)
	}
	for k, v := range extra {
		body[k] = v
	}
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// listedInstance reads the instance id, of a flow of scheduling type typ, through List Flow
// Instances: the answer that carries isCancelled.
func (r *rig) listedInstance(id string, typ int) instanceView {
	r.t.Helper()
	var page struct {
		FlowInsts []instanceView `json:"flowInsts"`
	}
	body := listBody(r.t, `{"type":`+strconv.Itoa(typ)+`,"expression":"`+id+`"}`)
	decode(r.t, ok(r.t, r.op(http.MethodPost, flowInstancesPath, "search", "", body)), &page)
	for _, v := range page.FlowInsts {
		if v.InstanceID == id {
			return v
		}
	}
	r.t.Fatalf("List Flow Instances does not list %s", id)
	return instanceView{}
}
