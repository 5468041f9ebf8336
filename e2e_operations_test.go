package batchprocessing_test

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/enos-go/batchprocessing"
	"github.com/enos-go/batchprocessing/refserver"
)

// End-to-end tests of the 22 operations: the client against the reference server over
// loopback sockets, with one refserver.ManualClock shared by both, so that instances move
// only when a test advances the clock and no test sleeps to wait for a state. Each test
// checks the behaviour that the operation's page of the EnOS documentation describes
// (https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/<operation>.html);
// where the documentation is silent, the comment says which documented choice of the
// reference server is checked.

// opsStart is where the manual clock of these tests starts: a whole second, so that the
// service's second-precision times can be compared exactly.
var opsStart = time.Date(2026, 11, 30, 8, 0, 30, 0, time.UTC)

// Identities every opsEnv seeds besides the demo ones.
const (
	opsOtherUser  = "ops-other"     // a member of DemoOrgID who owns none of the demo flows
	opsLockedUser = "ops-locked"    // a locked member of DemoOrgID
	opsOtherOrg   = "ops-other-org" // another organization
	opsOutsider   = "ops-outsider"  // a member of opsOtherOrg only
)

// opsEnv is a demo reference server, a client and the manual clock they share. The client
// reaches the server through a counting proxy, so that tests can tell how many calls an
// operation made.
type opsEnv struct {
	t   *testing.T
	ctx context.Context
	clk *refserver.ManualClock
	srv *refserver.Server
	c   *batchprocessing.Client
	url string         // the proxy's URL, for more clients
	loc *time.Location // the server's time zone

	mu    sync.Mutex
	calls map[string]int // requests seen, by "<resource>:<action>" ("token" for the token service)
}

// newOpsEnv starts an opsEnv in UTC at opsStart.
func newOpsEnv(t *testing.T) *opsEnv {
	return newOpsEnvAt(t, opsStart, time.UTC)
}

// newOpsEnvAt starts an opsEnv with the clock at start and the server in loc.
func newOpsEnvAt(t *testing.T, start time.Time, loc *time.Location) *opsEnv {
	t.Helper()
	e := &opsEnv{t: t, ctx: context.Background(), clk: refserver.NewManualClock(start), loc: loc, calls: map[string]int{}}
	e.srv = refserver.NewDemoServer(refserver.WithClock(e.clk.Now), refserver.WithLocation(loc))
	t.Cleanup(e.srv.Close)
	e.srv.AddUser(refserver.DemoOrgID, opsOtherUser)
	e.srv.AddUser(refserver.DemoOrgID, opsLockedUser)
	e.srv.LockUser(opsLockedUser)
	e.srv.AddUser(opsOtherOrg, opsOutsider)
	e.srv.AddApp(refserver.DemoAccessKey, refserver.DemoSecretKey, opsOtherOrg) // apps act only in their orgs
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := "token"
		if !strings.HasPrefix(r.URL.Path, "/apim-token-service/") {
			key = r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:] + ":" + r.URL.Query().Get("action")
		}
		e.mu.Lock()
		e.calls[key]++
		e.mu.Unlock()
		e.srv.Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)
	e.url = proxy.URL
	e.c = demoClient(t, proxy.URL, batchprocessing.WithClock(e.clk.Now))
	return e
}

// callCount returns how many requests the proxy has seen for key ("flowInstances:search").
func (e *opsEnv) callCount(key string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.calls[key]
}

// totalCalls returns how many requests the proxy has seen, token requests included.
func (e *opsEnv) totalCalls() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, c := range e.calls {
		n += c
	}
	return n
}

// addFlow stores a flow of DemoOrgID owned by DemoUserID unless f says otherwise.
func (e *opsEnv) addFlow(f refserver.Flow) {
	if f.OrgID == "" {
		f.OrgID = refserver.DemoOrgID
	}
	if f.Owner == "" {
		f.Owner = refserver.DemoUserID
	}
	e.srv.AddFlow(f)
}

// trigger triggers flowID at the given time as the demo user and fails the test on error.
func (e *opsEnv) trigger(flowID int64, at time.Time) batchprocessing.FlowInstanceID {
	e.t.Helper()
	id, err := triggerAt(e.c, flowID, at)
	if err != nil {
		e.t.Fatalf("TriggerFlow(%d, %s): %v", flowID, at, err)
	}
	return id
}

// instance returns the flow instance id and fails the test on error.
func (e *opsEnv) instance(id batchprocessing.FlowInstanceID) *batchprocessing.FlowInstance {
	e.t.Helper()
	fi, err := e.c.GetFlowInstance(e.ctx, batchprocessing.GetFlowInstanceRequest{FlowInstanceID: id})
	if err != nil {
		e.t.Fatalf("GetFlowInstance(%s): %v", id, err)
	}
	if fi.FlowInstanceID != id {
		e.t.Fatalf("GetFlowInstance(%s) answered instance %q", id, fi.FlowInstanceID)
	}
	return fi
}

// task returns the task instance id and fails the test on error.
func (e *opsEnv) task(id batchprocessing.TaskInstanceID) *batchprocessing.TaskInstance {
	e.t.Helper()
	ti, err := e.c.GetTaskInstance(e.ctx, batchprocessing.GetTaskInstanceRequest{TaskInstanceID: id})
	if err != nil {
		e.t.Fatalf("GetTaskInstance(%s): %v", id, err)
	}
	return ti
}

// log returns the log of the task instance id, at most maxLength long (0: all of it).
func (e *opsEnv) log(id batchprocessing.TaskInstanceID, maxLength int) string {
	e.t.Helper()
	s, err := e.c.GetTaskInstanceLog(e.ctx, batchprocessing.GetTaskInstanceLogRequest{TaskInstanceID: id, MaxLength: maxLength})
	if err != nil {
		e.t.Fatalf("GetTaskInstanceLog(%s, %d): %v", id, maxLength, err)
	}
	return s
}

// flow returns the flow id as Get Flow answers it and fails the test on error.
func (e *opsEnv) flow(id int64) *batchprocessing.Flow {
	e.t.Helper()
	f, err := e.c.GetFlow(e.ctx, batchprocessing.FlowRequest{FlowID: id})
	if err != nil {
		e.t.Fatalf("GetFlow(%d): %v", id, err)
	}
	return f
}

// wantTime checks that the server time got reads, in the server's zone, as want cut to the
// second (the wire has second precision); a zero want means no time.
func (e *opsEnv) wantTime(what string, got batchprocessing.ServerTime, want time.Time) {
	e.t.Helper()
	if want.IsZero() {
		if !got.IsZero() {
			e.t.Errorf("%s = %q, want none", what, got)
		}
		return
	}
	at, err := got.Time(e.loc)
	if err != nil {
		e.t.Errorf("%s = %q: %v", what, got, err)
		return
	}
	if !at.Equal(want.Truncate(time.Second)) {
		e.t.Errorf("%s = %q (%s), want %s", what, got, at, want.Truncate(time.Second).In(e.loc))
	}
}

// wantInstance checks the status and the start and end times of a flow instance.
func (e *opsEnv) wantInstance(fi *batchprocessing.FlowInstance, status batchprocessing.FlowInstanceStatus, start, end time.Time) {
	e.t.Helper()
	if fi.Status != status || fi.StatusDesc != status.String() {
		e.t.Errorf("%s: status %v (%q), want %v", fi.FlowInstanceID, fi.Status, fi.StatusDesc, status)
	}
	e.wantTime(string(fi.FlowInstanceID)+" startTime", fi.StartTime, start)
	e.wantTime(string(fi.FlowInstanceID)+" endTime", fi.EndTime, end)
}

// wantTask checks a task instance: its identity, the flow instance it belongs to, its status
// and its start and end times.
func (e *opsEnv) wantTask(id batchprocessing.TaskInstanceID, fi batchprocessing.FlowInstanceID, name string,
	status batchprocessing.FlowInstanceStatus, start, end time.Time) *batchprocessing.TaskInstance {
	e.t.Helper()
	ti := e.task(id)
	taskID, _ := id.TaskID()
	if ti.TaskInstanceID != id || ti.TaskID != taskID || ti.TaskName != name || ti.FlowInstanceID != fi {
		e.t.Errorf("task instance %s = {id %q, task %d %q, flow instance %q}, want {%s, %d %q, %s}",
			id, ti.TaskInstanceID, ti.TaskID, ti.TaskName, ti.FlowInstanceID, id, taskID, name, fi)
	}
	if ti.Status != status || ti.StatusDesc != status.String() {
		e.t.Errorf("task instance %s: status %v (%q), want %v", id, ti.Status, ti.StatusDesc, status)
	}
	e.wantTime(string(id)+" startTime", ti.StartTime, start)
	e.wantTime(string(id)+" endTime", ti.EndTime, end)
	return ti
}

// graphStatuses returns the task statuses of an instance graph by task id, checking that
// each node carries the task instance id of the instance.
func (e *opsEnv) graphStatuses(fi *batchprocessing.FlowInstance) map[int64]string {
	e.t.Helper()
	g, err := fi.DecodeGraph()
	if err != nil {
		e.t.Fatalf("%s: DecodeGraph: %v", fi.FlowInstanceID, err)
	}
	out := map[int64]string{}
	for _, n := range g.Tasks {
		if want := opsTaskInstanceID(e.t, n.TaskID, fi.FlowInstanceID); n.TaskInstanceID != want {
			e.t.Errorf("%s: graph node of task %d has taskInstId %q, want %q", fi.FlowInstanceID, n.TaskID, n.TaskInstanceID, want)
		}
		out[n.TaskID] = n.Status.String()
	}
	return out
}

// wantGraph checks the task statuses of an instance's graph.
func (e *opsEnv) wantGraph(fi *batchprocessing.FlowInstance, want map[int64]string) {
	e.t.Helper()
	if got := e.graphStatuses(fi); !maps.Equal(got, want) {
		e.t.Errorf("%s: graph task statuses %v, want %v", fi.FlowInstanceID, got, want)
	}
}

// opsTaskInstanceID is TaskInstanceIDFor, failing the test on error.
func opsTaskInstanceID(t *testing.T, taskID int64, fi batchprocessing.FlowInstanceID) batchprocessing.TaskInstanceID {
	t.Helper()
	id, err := batchprocessing.TaskInstanceIDFor(taskID, fi)
	if err != nil {
		t.Fatalf("TaskInstanceIDFor(%d, %s): %v", taskID, fi, err)
	}
	return id
}

// opsWantAPIError checks that err is the business error of the sentinel with the code.
func opsWantAPIError(t *testing.T, what string, err, sentinel error, code int) {
	t.Helper()
	var apiErr *batchprocessing.APIError
	if !errors.Is(err, sentinel) || !errors.As(err, &apiErr) || apiErr.Code != code || apiErr.HTTPStatus != http.StatusOK {
		t.Errorf("%s: err = %v, want %v (code %d, HTTP 200)", what, err, sentinel, code)
	}
}

// opsWantRequestError checks that err is a *RequestError about field.
func opsWantRequestError(t *testing.T, what string, err error, field string) {
	t.Helper()
	var reqErr *batchprocessing.RequestError
	if !errors.Is(err, batchprocessing.ErrInvalidRequest) || !errors.As(err, &reqErr) || reqErr.Field != field {
		t.Errorf("%s: err = %v, want a *RequestError about %s", what, err, field)
	}
}

// instanceIDs returns the ids of instances, in order.
func instanceIDs(list []batchprocessing.FlowInstance) []batchprocessing.FlowInstanceID {
	out := make([]batchprocessing.FlowInstanceID, len(list))
	for i := range list {
		out[i] = list[i].FlowInstanceID
	}
	return out
}

// sortedIDs returns ids sorted, for comparisons that ignore order.
func sortedIDs(ids []batchprocessing.FlowInstanceID) []batchprocessing.FlowInstanceID {
	out := slices.Clone(ids)
	slices.Sort(out)
	return out
}

// TestEndToEndOperationsInstanceLifecycle follows one instance of the demo flow (extract, then
// load, one second each) with Get Flow Instance, Get Task Instance and Get Task Instance Log:
// RUNNING with extract running and load not started; after 1.5 s extract SUCCESS and load
// RUNNING; after 3 s SUCCESS with start and end times that match the clock. Logs grow as
// tasks run and maxLength bounds them; unknown ids are refused.
func TestEndToEndOperationsInstanceLifecycle(t *testing.T) {
	e := newOpsEnv(t)
	const extract, load = refserver.DemoExtractTaskID, refserver.DemoLoadTaskID

	id := e.trigger(refserver.DemoFlowID, opsStart)
	if want := batchprocessing.FlowInstanceIDFor(refserver.DemoFlowID, opsStart, time.UTC); id != want || id != "3377-20261130080000" {
		t.Fatalf("TriggerFlow id = %q, want %q", id, want)
	}
	extractID, loadID := opsTaskInstanceID(t, extract, id), opsTaskInstanceID(t, load, id)
	if extractID != "108580-20261130080000" || loadID != "108581-20261130080000" {
		t.Errorf("task instance ids %q, %q", extractID, loadID)
	}

	// At once: running, extract running, load not started.
	fi := e.instance(id)
	e.wantInstance(fi, batchprocessing.StatusRunning, opsStart, time.Time{})
	if fi.FlowID != refserver.DemoFlowID || fi.FlowName != "demo flow" || fi.Status.IsTerminal() {
		t.Errorf("instance = flow %d %q, terminal %v", fi.FlowID, fi.FlowName, fi.Status.IsTerminal())
	}
	e.wantTime("triggerTime", fi.TriggerTime, opsStart)
	e.wantTime("timestamp (creation)", fi.Timestamp, opsStart)
	if fi.CalDt != "2026-11-29" { // daily flow: the trigger date minus one day
		t.Errorf("calDt = %q, want 2026-11-29", fi.CalDt)
	}
	g, err := fi.DecodeGraph()
	if err != nil {
		t.Fatal(err)
	}
	if g.ID != refserver.DemoFlowID || string(g.FlowInstanceID) != string(id) ||
		!slices.ContainsFunc(g.Relations, func(r batchprocessing.Relation) bool { return r.Source == "t_108580" && r.Target == "t_108581" }) {
		t.Errorf("graph = id %d, instId %q, relations %+v", g.ID, g.FlowInstanceID, g.Relations)
	}
	e.wantGraph(fi, map[int64]string{extract: "RUNNING", load: "INIT"})
	ti := e.wantTask(extractID, id, "extract", batchprocessing.StatusRunning, opsStart, time.Time{})
	e.wantTime("task triggerTime", ti.TriggerTime, opsStart)
	if rm, err := ti.DecodeRunMode(); err != nil || rm == nil || (rm.TaskMode != 1 && rm.TaskMode != 2) {
		t.Errorf("DecodeRunMode = %+v, %v", rm, err)
	}
	e.wantTask(loadID, id, "load", batchprocessing.StatusInit, time.Time{}, time.Time{})
	log0 := e.log(extractID, 0)
	if log0 == "" {
		t.Error("a running task has an empty log")
	}
	_, err = e.c.GetTaskInstanceLog(e.ctx, batchprocessing.GetTaskInstanceLogRequest{TaskInstanceID: loadID})
	opsWantAPIError(t, "log of a task not started", err, batchprocessing.ErrInternalServer, 62109) // "No log found"

	// 1.5 s: extract has succeeded, load runs.
	e.clk.Advance(1500 * time.Millisecond)
	fi = e.instance(id)
	e.wantInstance(fi, batchprocessing.StatusRunning, opsStart, time.Time{})
	e.wantGraph(fi, map[int64]string{extract: "SUCCESS", load: "RUNNING"})
	e.wantTask(extractID, id, "extract", batchprocessing.StatusSuccess, opsStart, opsStart.Add(time.Second))
	e.wantTask(loadID, id, "load", batchprocessing.StatusRunning, opsStart.Add(time.Second), time.Time{})
	log1 := e.log(extractID, 0)
	if len(log1) <= len(log0) || !strings.HasPrefix(log1, log0) {
		t.Errorf("the log did not grow by appending:\nbefore %q\nafter  %q", log0, log1)
	}
	for _, max := range []int{1, 20, len(log1) - 1} {
		got := e.log(extractID, max)
		if got == "" || len(got) > max || !strings.Contains(log1, got) {
			t.Errorf("log with maxLength %d = %q (%d bytes), want a part of the log of at most %d bytes", max, got, len(got), max)
		}
	}
	if got := e.log(extractID, len(log1)+100); got != log1 {
		t.Errorf("log with a maxLength above its length = %q, want it whole", got)
	}
	if e.log(loadID, 0) == "" {
		t.Error("the running load task has an empty log")
	}

	// 3 s: both tasks done, the instance has succeeded.
	e.clk.Advance(1500 * time.Millisecond)
	fi = e.instance(id)
	e.wantInstance(fi, batchprocessing.StatusSuccess, opsStart, opsStart.Add(2*time.Second))
	if !fi.Status.IsTerminal() || fi.IsCancelled {
		t.Errorf("a succeeded instance: terminal %v, cancelled %v", fi.Status.IsTerminal(), fi.IsCancelled)
	}
	e.wantGraph(fi, map[int64]string{extract: "SUCCESS", load: "SUCCESS"})
	e.wantTask(extractID, id, "extract", batchprocessing.StatusSuccess, opsStart, opsStart.Add(time.Second))
	e.wantTask(loadID, id, "load", batchprocessing.StatusSuccess, opsStart.Add(time.Second), opsStart.Add(2*time.Second))
	if log3 := e.log(extractID, 0); log3 != log1 {
		t.Errorf("the log of an ended task changed:\nbefore %q\nafter  %q", log1, log3)
	}

	// Unknown ids (well-formed, so they reach the service).
	_, err = e.c.GetFlowInstance(e.ctx, batchprocessing.GetFlowInstanceRequest{FlowInstanceID: "3377-20200101000000"})
	opsWantAPIError(t, "GetFlowInstance of an unknown instance", err, batchprocessing.ErrInvalidParameter, 62102)
	_, err = e.c.GetTaskInstance(e.ctx, batchprocessing.GetTaskInstanceRequest{TaskInstanceID: "108580-20200101000000"})
	opsWantAPIError(t, "GetTaskInstance of an unknown instance", err, batchprocessing.ErrInvalidParameter, 62102)
	_, err = e.c.GetTaskInstanceLog(e.ctx, batchprocessing.GetTaskInstanceLogRequest{TaskInstanceID: "999-20261130080000"})
	opsWantAPIError(t, "GetTaskInstanceLog of an unknown instance", err, batchprocessing.ErrInvalidParameter, 62102)
	// A flow instance id is not a task instance id.
	_, err = e.c.GetTaskInstance(e.ctx, batchprocessing.GetTaskInstanceRequest{TaskInstanceID: batchprocessing.TaskInstanceID(id)})
	opsWantAPIError(t, "GetTaskInstance with a flow instance id", err, batchprocessing.ErrInvalidParameter, 62102)
}

// TestEndToEndOperationsQueuedTrigger proves "one instance of a flow at a time" (the rules
// of https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/trigger_flow.html):
// a second trigger of the demo flow in another minute waits (WAIT) while the first runs and
// starts exactly when the first ends; a trigger time in the future waits for that time; the
// same minute twice is refused.
func TestEndToEndOperationsQueuedTrigger(t *testing.T) {
	e := newOpsEnv(t)
	first := e.trigger(refserver.DemoFlowID, opsStart.Add(-90*time.Second)) // 07:59:00, in the past: runs now
	second := e.trigger(refserver.DemoFlowID, opsStart.Add(-30*time.Second))
	future := opsStart.Add(10 * time.Minute)
	later := e.trigger(refserver.DemoFlowID, future)
	if first != "3377-20261130075900" || second != "3377-20261130080000" || later != "3377-20261130081000" {
		t.Fatalf("ids %s, %s, %s", first, second, later)
	}
	_, err := triggerAt(e.c, refserver.DemoFlowID, opsStart.Add(-5*time.Second)) // second's minute again
	opsWantAPIError(t, "same minute twice", err, batchprocessing.ErrInvalidParameter, 62102)

	e.wantInstance(e.instance(first), batchprocessing.StatusRunning, opsStart, time.Time{})
	fi := e.instance(second)
	e.wantInstance(fi, batchprocessing.StatusWait, time.Time{}, time.Time{})
	e.wantTime("second's triggerTime", fi.TriggerTime, opsStart.Add(-30*time.Second))
	e.wantGraph(fi, map[int64]string{refserver.DemoExtractTaskID: "INIT", refserver.DemoLoadTaskID: "INIT"})
	e.wantInstance(e.instance(later), batchprocessing.StatusWait, time.Time{}, time.Time{})

	// 2.5 s: the first has ended, the second started at that very moment.
	e.clk.Advance(2500 * time.Millisecond)
	f1 := e.instance(first)
	e.wantInstance(f1, batchprocessing.StatusSuccess, opsStart, opsStart.Add(2*time.Second))
	f2 := e.instance(second)
	e.wantInstance(f2, batchprocessing.StatusRunning, opsStart.Add(2*time.Second), time.Time{})
	if f2.StartTime != f1.EndTime {
		t.Errorf("second started at %q, first ended at %q", f2.StartTime, f1.EndTime)
	}
	e.wantTask(opsTaskInstanceID(t, refserver.DemoExtractTaskID, second), second, "extract",
		batchprocessing.StatusRunning, opsStart.Add(2*time.Second), time.Time{})

	// 5 s: the second is done; the third still waits for its trigger time.
	e.clk.Advance(2500 * time.Millisecond)
	e.wantInstance(e.instance(second), batchprocessing.StatusSuccess, opsStart.Add(2*time.Second), opsStart.Add(4*time.Second))
	e.wantInstance(e.instance(later), batchprocessing.StatusWait, time.Time{}, time.Time{})

	// At its trigger time it runs.
	e.clk.Set(future)
	e.wantInstance(e.instance(later), batchprocessing.StatusRunning, future, time.Time{})
	e.clk.Advance(2 * time.Second)
	e.wantInstance(e.instance(later), batchprocessing.StatusSuccess, future, future.Add(2*time.Second))

	// A zero trigger time is now, for the three triggers.
	for i, trigger := range []func() (batchprocessing.FlowInstanceID, error){
		func() (batchprocessing.FlowInstanceID, error) {
			return e.c.TriggerFlow(e.ctx, batchprocessing.TriggerFlowRequest{FlowID: refserver.DemoFlowID})
		},
		func() (batchprocessing.FlowInstanceID, error) {
			return e.c.TriggerFlowFromTask(e.ctx, batchprocessing.TriggerFlowFromTaskRequest{FlowID: refserver.DemoFlowID, TaskID: refserver.DemoLoadTaskID})
		},
		func() (batchprocessing.FlowInstanceID, error) {
			return e.c.UpdateAndTriggerFlow(e.ctx, batchprocessing.UpdateAndTriggerFlowRequest{FlowID: refserver.DemoFlowID})
		},
	} {
		e.clk.Advance(time.Minute)
		now := e.clk.Now()
		id, err := trigger()
		if err != nil || id != batchprocessing.FlowInstanceIDFor(refserver.DemoFlowID, now, time.UTC) {
			t.Errorf("trigger %d with a zero trigger time = %q, %v; want the instance of %s", i, id, err, now)
			continue
		}
		fi := e.instance(id)
		e.wantTime("triggerTime of a zero trigger time", fi.TriggerTime, now)
		e.wantInstance(fi, batchprocessing.StatusRunning, now, time.Time{})
	}
}

// TestEndToEndOperationsFailedTask seeds a failing task (Task.Fail) in the middle of a chain:
// the instance ends FAIL when that task fails, the upstream task succeeded, the failed task is
// FAIL and the downstream task never runs (no start, no log), however long the clock goes.
// WaitForFlowInstance returns the failed instance without an error.
func TestEndToEndOperationsFailedTask(t *testing.T) {
	e := newOpsEnv(t)
	const prepare, crash, publish = 41001, 41002, 41003
	e.addFlow(refserver.Flow{ID: 4100, Name: "failing flow", Tasks: []refserver.Task{
		{ID: prepare, Name: "prepare", Duration: time.Second},
		{ID: crash, Name: "crash", Duration: time.Second, Fail: true, DependsOn: []int64{prepare}},
		{ID: publish, Name: "publish", Duration: time.Second, DependsOn: []int64{crash}},
	}})
	id := e.trigger(4100, opsStart)
	e.clk.Advance(1500 * time.Millisecond)
	e.wantGraph(e.instance(id), map[int64]string{prepare: "SUCCESS", crash: "RUNNING", publish: "INIT"})

	e.clk.Advance(time.Hour)
	fi := e.instance(id)
	e.wantInstance(fi, batchprocessing.StatusFail, opsStart, opsStart.Add(2*time.Second))
	if !fi.Status.IsTerminal() {
		t.Error("FAIL is not terminal")
	}
	e.wantGraph(fi, map[int64]string{prepare: "SUCCESS", crash: "FAIL", publish: "INIT"})
	e.wantTask(opsTaskInstanceID(t, prepare, id), id, "prepare", batchprocessing.StatusSuccess, opsStart, opsStart.Add(time.Second))
	e.wantTask(opsTaskInstanceID(t, crash, id), id, "crash", batchprocessing.StatusFail, opsStart.Add(time.Second), opsStart.Add(2*time.Second))
	publishID := opsTaskInstanceID(t, publish, id)
	e.wantTask(publishID, id, "publish", batchprocessing.StatusInit, time.Time{}, time.Time{})
	if e.log(opsTaskInstanceID(t, crash, id), 0) == "" {
		t.Error("the failed task has no log")
	}
	_, err := e.c.GetTaskInstanceLog(e.ctx, batchprocessing.GetTaskInstanceLogRequest{TaskInstanceID: publishID})
	opsWantAPIError(t, "log of the task that never ran", err, batchprocessing.ErrInternalServer, 62109)

	got, err := e.c.WaitForFlowInstance(e.ctx, id, batchprocessing.WithPollInterval(time.Millisecond, time.Millisecond))
	var failed *batchprocessing.FlowInstanceFailedError
	if !errors.Is(err, batchprocessing.ErrFlowInstanceFailed) || !errors.As(err, &failed) || failed.Instance.Status != batchprocessing.StatusFail ||
		got == nil || got.Status != batchprocessing.StatusFail {
		t.Errorf("WaitForFlowInstance on a failed instance = %+v, %v; want it FAIL and ErrFlowInstanceFailed", got, err)
	}
}

// TestEndToEndOperationsCancelFlowInstance proves Cancel Flow Instance: a non-owner is refused
// (62103) and the instance keeps running; the owner's cancel ends it CANCEL at once, its
// running task CANCEL, and the waiting instance of the flow starts at that moment; cancelling
// it again is refused; a waiting instance can be cancelled and never starts.
func TestEndToEndOperationsCancelFlowInstance(t *testing.T) {
	e := newOpsEnv(t)
	running := e.trigger(refserver.DemoFlowID, opsStart.Add(-time.Minute))
	queued := e.trigger(refserver.DemoFlowID, opsStart)
	e.clk.Advance(1500 * time.Millisecond) // extract done, load running
	cancelAt := e.clk.Now()

	err := e.c.CancelFlowInstance(e.ctx, batchprocessing.CancelFlowInstanceRequest{FlowInstanceID: running, UserID: opsOtherUser})
	opsWantAPIError(t, "cancel by a non-owner", err, batchprocessing.ErrNoPrivilege, 62103)
	e.wantInstance(e.instance(running), batchprocessing.StatusRunning, opsStart, time.Time{})

	if err := e.c.CancelFlowInstance(e.ctx, batchprocessing.CancelFlowInstanceRequest{FlowInstanceID: running}); err != nil {
		t.Fatalf("CancelFlowInstance: %v", err)
	}
	fi := e.instance(running)
	e.wantInstance(fi, batchprocessing.StatusCancel, opsStart, cancelAt)
	if !fi.IsCancelled || !fi.Status.IsTerminal() {
		t.Errorf("cancelled instance: isCancelled %v, terminal %v", fi.IsCancelled, fi.Status.IsTerminal())
	}
	e.wantGraph(fi, map[int64]string{refserver.DemoExtractTaskID: "SUCCESS", refserver.DemoLoadTaskID: "CANCEL"})
	e.wantTask(opsTaskInstanceID(t, refserver.DemoLoadTaskID, running), running, "load",
		batchprocessing.StatusCancel, opsStart.Add(time.Second), cancelAt)
	e.wantInstance(e.instance(queued), batchprocessing.StatusRunning, cancelAt, time.Time{})

	// Time goes on: the cancelled instance stays cancelled.
	e.clk.Advance(time.Minute)
	e.wantInstance(e.instance(running), batchprocessing.StatusCancel, opsStart, cancelAt)

	err = e.c.CancelFlowInstance(e.ctx, batchprocessing.CancelFlowInstanceRequest{FlowInstanceID: running})
	opsWantAPIError(t, "cancelling an ended instance", err, batchprocessing.ErrInvalidParameter, 62102)

	// A waiting instance: cancelled before it starts, it never starts.
	blocker := e.trigger(refserver.DemoFlowID, opsStart.Add(-3*time.Minute))
	waiting := e.trigger(refserver.DemoFlowID, opsStart.Add(-2*time.Minute))
	e.wantInstance(e.instance(blocker), batchprocessing.StatusRunning, e.clk.Now(), time.Time{})
	e.wantInstance(e.instance(waiting), batchprocessing.StatusWait, time.Time{}, time.Time{})
	if err := e.c.CancelFlowInstance(e.ctx, batchprocessing.CancelFlowInstanceRequest{FlowInstanceID: waiting}); err != nil {
		t.Fatalf("CancelFlowInstance of a waiting instance: %v", err)
	}
	e.clk.Advance(time.Minute)
	fi = e.instance(waiting)
	if fi.Status != batchprocessing.StatusCancel || !fi.StartTime.IsZero() {
		t.Errorf("cancelled waiting instance: status %v, start %q; want CANCEL, never started", fi.Status, fi.StartTime)
	}
	e.wantGraph(fi, map[int64]string{refserver.DemoExtractTaskID: "INIT", refserver.DemoLoadTaskID: "INIT"})
	if fi := e.instance(blocker); fi.Status != batchprocessing.StatusSuccess {
		t.Errorf("the instance before the cancelled one: %v, want SUCCESS", fi.Status)
	}

	err = e.c.CancelFlowInstance(e.ctx, batchprocessing.CancelFlowInstanceRequest{FlowInstanceID: "3377-20200101000000"})
	opsWantAPIError(t, "cancelling an unknown instance", err, batchprocessing.ErrInvalidParameter, 62102)
}

// TestEndToEndOperationsTriggerFlowFromTask proves Trigger Flow From Task: from "load" only
// load runs (extract never starts, SKIP) and the instance ends after one task; from "extract"
// both run in order; an unknown task, or a task of another flow, is refused with 62102; a
// flow without tasks with 62104.
func TestEndToEndOperationsTriggerFlowFromTask(t *testing.T) {
	e := newOpsEnv(t)
	const extract, load = refserver.DemoExtractTaskID, refserver.DemoLoadTaskID
	fromTask := func(taskID int64, at time.Time) (batchprocessing.FlowInstanceID, error) {
		return e.c.TriggerFlowFromTask(e.ctx, batchprocessing.TriggerFlowFromTaskRequest{FlowID: refserver.DemoFlowID, TaskID: taskID, TriggerTime: at})
	}

	id, err := fromTask(load, opsStart)
	if err != nil || id != batchprocessing.FlowInstanceIDFor(refserver.DemoFlowID, opsStart, time.UTC) {
		t.Fatalf("TriggerFlowFromTask(load) = %q, %v", id, err)
	}
	fi := e.instance(id)
	e.wantInstance(fi, batchprocessing.StatusRunning, opsStart, time.Time{})
	e.wantGraph(fi, map[int64]string{extract: "SKIP", load: "RUNNING"})
	e.wantTask(opsTaskInstanceID(t, load, id), id, "load", batchprocessing.StatusRunning, opsStart, time.Time{})
	e.clk.Advance(1500 * time.Millisecond)
	e.wantInstance(e.instance(id), batchprocessing.StatusSuccess, opsStart, opsStart.Add(time.Second))
	e.wantTask(opsTaskInstanceID(t, extract, id), id, "extract", batchprocessing.StatusSkip, time.Time{}, time.Time{})
	e.wantTask(opsTaskInstanceID(t, load, id), id, "load", batchprocessing.StatusSuccess, opsStart, opsStart.Add(time.Second))

	start := e.clk.Now()
	id2, err := fromTask(extract, opsStart.Add(-time.Minute))
	if err != nil {
		t.Fatalf("TriggerFlowFromTask(extract): %v", err)
	}
	e.clk.Advance(3 * time.Second)
	fi = e.instance(id2)
	e.wantInstance(fi, batchprocessing.StatusSuccess, start, start.Add(2*time.Second))
	e.wantGraph(fi, map[int64]string{extract: "SUCCESS", load: "SUCCESS"})

	_, err = fromTask(999, opsStart.Add(-2*time.Minute))
	opsWantAPIError(t, "unknown task", err, batchprocessing.ErrInvalidParameter, 62102)
	e.addFlow(refserver.Flow{ID: 4150, Name: "neighbour", Tasks: []refserver.Task{{ID: 41501, Name: "n"}}})
	_, err = fromTask(41501, opsStart.Add(-2*time.Minute))
	opsWantAPIError(t, "task of another flow", err, batchprocessing.ErrInvalidParameter, 62102)
	_, err = e.c.TriggerFlowFromTask(e.ctx, batchprocessing.TriggerFlowFromTaskRequest{FlowID: refserver.DemoEmptyFlowID, TaskID: extract, TriggerTime: opsStart})
	opsWantAPIError(t, "flow without tasks", err, batchprocessing.ErrFlowHasNoTask, 62104)
	if n := len(e.srv.FlowInstances(refserver.DemoFlowID)); n != 2 {
		t.Errorf("%d instances of the demo flow, want 2: refused triggers must create none", n)
	}
}

// TestEndToEndOperationsUpdateAndTriggerFlow proves Update And Trigger Flow: the instance
// carries the overriding parameter value, the stored flow keeps its own parameters (Get
// Flow), and a plain trigger afterwards runs with the stored values.
func TestEndToEndOperationsUpdateAndTriggerFlow(t *testing.T) {
	e := newOpsEnv(t)
	stored := []refserver.Parameter{{Key: "REPLACE", Value: "lili1"}, {Key: "region", Value: "cn"}}
	e.addFlow(refserver.Flow{ID: 4200, Name: "parameterized flow", Parameters: stored,
		Tasks: []refserver.Task{{ID: 42001, Name: "run", Duration: time.Second}}})
	want := []batchprocessing.Parameter{{Key: "REPLACE", Value: "lili1"}, {Key: "region", Value: "cn"}}

	id, err := e.c.UpdateAndTriggerFlow(e.ctx, batchprocessing.UpdateAndTriggerFlowRequest{
		FlowID: 4200, TriggerTime: opsStart, Parameters: []batchprocessing.Parameter{{Key: "REPLACE", Value: "ddee"}}})
	if err != nil || id != "4200-20261130080000" {
		t.Fatalf("UpdateAndTriggerFlow = %q, %v", id, err)
	}
	params, err := e.instance(id).DecodeParameters()
	if err != nil || !slices.Contains(params, batchprocessing.Parameter{Key: "REPLACE", Value: "ddee"}) ||
		slices.Contains(params, batchprocessing.Parameter{Key: "REPLACE", Value: "lili1"}) {
		t.Errorf("instance parameters = %+v, %v; want REPLACE=ddee", params, err)
	}
	if got, err := e.flow(4200).DecodeParameters(); err != nil || !slices.Equal(got, want) {
		t.Errorf("flow parameters after UpdateAndTrigger = %+v, %v; want %+v", got, err, want)
	}

	plain := e.trigger(4200, opsStart.Add(-time.Minute))
	if got, err := e.instance(plain).DecodeParameters(); err != nil || !slices.Equal(got, want) {
		t.Errorf("parameters of a plain trigger = %+v, %v; want %+v", got, err, want)
	}

	_, err = e.c.UpdateAndTriggerFlow(e.ctx, batchprocessing.UpdateAndTriggerFlowRequest{
		FlowID: refserver.DemoEmptyFlowID, TriggerTime: opsStart, Parameters: []batchprocessing.Parameter{{Key: "a", Value: "b"}}})
	opsWantAPIError(t, "flow without tasks", err, batchprocessing.ErrFlowHasNoTask, 62104)
	_, err = e.c.UpdateAndTriggerFlow(e.ctx, batchprocessing.UpdateAndTriggerFlowRequest{
		FlowID: 4200, TriggerTime: opsStart, Parameters: []batchprocessing.Parameter{{Key: "a", Value: "b"}}})
	opsWantAPIError(t, "same minute twice", err, batchprocessing.ErrInvalidParameter, 62102)
}

// TestEndToEndOperationsWaitForFlowInstance proves WaitForFlowInstance on a queued instance:
// the status callback sees WAIT, RUNNING and SUCCESS in that order (it moves the manual clock
// on each change, so nothing sleeps for a state), and the terminal instance is returned with
// its times. A context that ends returns the last instance seen with the context's error; a
// poll refused by the service ends the wait with that error.
func TestEndToEndOperationsWaitForFlowInstance(t *testing.T) {
	e := newOpsEnv(t)
	e.trigger(refserver.DemoFlowID, opsStart.Add(-time.Minute)) // runs 0-2 s
	id := e.trigger(refserver.DemoFlowID, opsStart)             // waits, then runs 2-4 s

	var seen []batchprocessing.FlowInstanceStatus
	got, err := e.c.WaitForFlowInstance(e.ctx, id,
		batchprocessing.WithPollInterval(time.Millisecond, 2*time.Millisecond),
		batchprocessing.WithStatusChange(func(fi *batchprocessing.FlowInstance) {
			seen = append(seen, fi.Status)
			if !fi.Status.IsTerminal() {
				e.clk.Advance(2500 * time.Millisecond)
			}
		}))
	if err != nil {
		t.Fatalf("WaitForFlowInstance: %v", err)
	}
	want := []batchprocessing.FlowInstanceStatus{batchprocessing.StatusWait, batchprocessing.StatusRunning, batchprocessing.StatusSuccess}
	if !slices.Equal(seen, want) {
		t.Errorf("status changes %v, want %v", seen, want)
	}
	if got == nil || got.FlowInstanceID != id {
		t.Fatalf("WaitForFlowInstance returned %+v", got)
	}
	e.wantInstance(got, batchprocessing.StatusSuccess, opsStart.Add(2*time.Second), opsStart.Add(4*time.Second))

	// An instance that waits an hour, a context of 50 ms.
	far := e.trigger(refserver.DemoFlowID, opsStart.Add(time.Hour))
	ctx, cancel := context.WithTimeout(e.ctx, 50*time.Millisecond)
	defer cancel()
	got, err = e.c.WaitForFlowInstance(ctx, far, batchprocessing.WithPollInterval(time.Millisecond, 5*time.Millisecond))
	if !errors.Is(err, context.DeadlineExceeded) || got == nil || got.Status != batchprocessing.StatusWait {
		t.Errorf("WaitForFlowInstance past its deadline = %+v, %v; want the WAIT instance and DeadlineExceeded", got, err)
	}

	// A poll the service refuses ends the wait with its error.
	got, err = e.c.WaitForFlowInstance(e.ctx, far, batchprocessing.WithWaitIdentity(opsOtherOrg, refserver.DemoUserID))
	if got != nil {
		t.Errorf("WaitForFlowInstance with a refused identity returned %+v", got)
	}
	opsWantAPIError(t, "wait with a user not in the org", err, batchprocessing.ErrUserNotFound, 62101)
}

// TestEndToEndOperationsListFlowInstances proves List Flow Instances and its iterator over
// five instances of a manual flow (two SUCCESS, one RUNNING, two WAIT) plus one of the
// periodic demo flow: the type, expression, owner, trigger-time range and status filters,
// count, paging by two, sorting by trigger time in both spellings and orders, an invalid
// sorter field (62102), and the iterator's pages (three requests for five instances).
func TestEndToEndOperationsListFlowInstances(t *testing.T) {
	e := newOpsEnv(t)
	e.addFlow(refserver.Flow{ID: 4300, Name: "listing flow", Type: refserver.FlowTypeManual,
		Tasks: []refserver.Task{{ID: 43001, Name: "step", Duration: 10 * time.Second}}})
	base := time.Date(2026, 11, 30, 7, 50, 0, 0, time.UTC)
	var ids []batchprocessing.FlowInstanceID // in trigger order
	for i := 0; i < 5; i++ {
		ids = append(ids, e.trigger(4300, base.Add(time.Duration(i)*time.Minute)))
	}
	demo := e.trigger(refserver.DemoFlowID, base)
	e.clk.Advance(25 * time.Second) // ids[0] 0-10 s, ids[1] 10-20 s, ids[2] runs from 20 s

	window := func(r batchprocessing.ListFlowInstancesRequest) batchprocessing.ListFlowInstancesRequest {
		if r.From.IsZero() {
			r.From = base.Add(-time.Hour)
		}
		if r.To.IsZero() {
			r.To = opsStart
		}
		if len(r.Types) == 0 && r.Type == batchprocessing.FlowTypeManual {
			r.Types = []batchprocessing.FlowType{batchprocessing.FlowTypeManual}
		}
		return r
	}
	list := func(what string, r batchprocessing.ListFlowInstancesRequest) *batchprocessing.FlowInstancePage {
		t.Helper()
		p, err := e.c.ListFlowInstances(e.ctx, window(r))
		if err != nil {
			t.Fatalf("%s: ListFlowInstances: %v", what, err)
		}
		return p
	}
	asc := []batchprocessing.Sorter{{Field: batchprocessing.SortByTriggerTime, Order: batchprocessing.SortAscending}}
	filters := []struct {
		name string
		req  batchprocessing.ListFlowInstancesRequest
		want []batchprocessing.FlowInstanceID
	}{
		{"all manual", batchprocessing.ListFlowInstancesRequest{}, ids},
		{"periodic", batchprocessing.ListFlowInstancesRequest{Type: batchprocessing.FlowTypePeriodic}, []batchprocessing.FlowInstanceID{demo}},
		{"temporary", batchprocessing.ListFlowInstancesRequest{Type: batchprocessing.FlowTypeTemporary}, nil},
		{"expression on flow name", batchprocessing.ListFlowInstancesRequest{Expression: "listing"}, ids},
		{"expression on instance id", batchprocessing.ListFlowInstancesRequest{Expression: string(ids[2])}, ids[2:3]},
		{"expression matching nothing", batchprocessing.ListFlowInstancesRequest{Expression: "no such flow"}, nil},
		{"owner", batchprocessing.ListFlowInstancesRequest{Owner: refserver.DemoUserID}, ids},
		{"another owner", batchprocessing.ListFlowInstancesRequest{Owner: opsOtherUser}, nil},
		{"time range, bounds included", batchprocessing.ListFlowInstancesRequest{From: base.Add(time.Minute), To: base.Add(3 * time.Minute)}, ids[1:4]},
		{"success", batchprocessing.ListFlowInstancesRequest{Statuses: []batchprocessing.FlowInstanceStatus{batchprocessing.StatusSuccess}}, ids[0:2]},
		{"running", batchprocessing.ListFlowInstancesRequest{Statuses: []batchprocessing.FlowInstanceStatus{batchprocessing.StatusRunning}}, ids[2:3]},
		{"running or waiting", batchprocessing.ListFlowInstancesRequest{
			Statuses: []batchprocessing.FlowInstanceStatus{batchprocessing.StatusRunning, batchprocessing.StatusWait}}, ids[2:5]},
		{"failed", batchprocessing.ListFlowInstancesRequest{Statuses: []batchprocessing.FlowInstanceStatus{batchprocessing.StatusFail}}, nil},
		{"success in a range", batchprocessing.ListFlowInstancesRequest{From: base.Add(time.Minute), To: base.Add(4 * time.Minute),
			Statuses: []batchprocessing.FlowInstanceStatus{batchprocessing.StatusSuccess}}, ids[1:2]},
	}
	for _, tt := range filters {
		t.Run(tt.name, func(t *testing.T) {
			p := list(tt.name, tt.req)
			got := instanceIDs(p.FlowInstances)
			if !slices.Equal(sortedIDs(got), sortedIDs(tt.want)) || p.Count != len(tt.want) {
				t.Errorf("instances %v (count %d), want %v", got, p.Count, tt.want)
			}
		})
	}

	// The zero request: the seven days up to the client's now, every type (the periodic
	// demo flow's instance too), newest first.
	p, err := e.c.ListFlowInstances(e.ctx, batchprocessing.ListFlowInstancesRequest{})
	if want := append(slices.Clone(ids), demo); err != nil || p.Count != 6 || !slices.Equal(sortedIDs(instanceIDs(p.FlowInstances)), sortedIDs(want)) {
		t.Errorf("the zero ListFlowInstancesRequest = %+v, %v; want the 6 instances", p, err)
	}

	// The listed instances carry their current status, as Get Flow Instance does.
	for _, fi := range list("all", batchprocessing.ListFlowInstancesRequest{}).FlowInstances {
		if one := e.instance(fi.FlowInstanceID); one.Status != fi.Status || one.StartTime != fi.StartTime || one.EndTime != fi.EndTime {
			t.Errorf("listed %s: %v %q-%q; Get Flow Instance: %v %q-%q", fi.FlowInstanceID, fi.Status, fi.StartTime, fi.EndTime,
				one.Status, one.StartTime, one.EndTime)
		}
	}

	t.Run("sorters", func(t *testing.T) {
		reversed := slices.Clone(ids)
		slices.Reverse(reversed)
		for _, tt := range []struct {
			field, order string
			want         []batchprocessing.FlowInstanceID
		}{
			{"trigger_time", "ASC", ids},
			{"trigger_time", "DESC", reversed},
			{"triggerTime", "ASC", ids},
			{"triggerTime", "DESC", reversed},
			{"triggerTime", "", ids}, // ASC by default
			{"start_time", "DESC", []batchprocessing.FlowInstanceID{ids[2], ids[1], ids[0]}},
			{"startTime", "ASC", ids[0:3]},
		} {
			r := batchprocessing.ListFlowInstancesRequest{Sorters: []batchprocessing.Sorter{{Field: tt.field, Order: tt.order}}}
			if strings.HasPrefix(tt.field, "start") { // only the instances that have started
				r.Statuses = []batchprocessing.FlowInstanceStatus{batchprocessing.StatusSuccess, batchprocessing.StatusRunning}
			}
			got := instanceIDs(list(tt.field, r).FlowInstances)
			if !slices.Equal(got, tt.want) {
				t.Errorf("sorted by %s %s: %v, want %v", tt.field, tt.order, got, tt.want)
			}
		}
		_, err := e.c.ListFlowInstances(e.ctx, window(batchprocessing.ListFlowInstancesRequest{
			Sorters: []batchprocessing.Sorter{{Field: "flowName"}}}))
		opsWantAPIError(t, "invalid sorter field", err, batchprocessing.ErrInvalidParameter, 62102)
		var apiErr *batchprocessing.APIError
		if errors.As(err, &apiErr) && apiErr.Message != "The sorters field parameter is invalid" {
			t.Errorf("invalid sorter message %q", apiErr.Message)
		}
	})

	t.Run("paging", func(t *testing.T) {
		for no, want := range [][]batchprocessing.FlowInstanceID{ids[0:2], ids[2:4], ids[4:5], nil} {
			p := list("page", batchprocessing.ListFlowInstancesRequest{PageNo: no + 1, PageSize: 2, Sorters: asc})
			if got := instanceIDs(p.FlowInstances); !slices.Equal(got, want) || p.Count != 5 {
				t.Errorf("page %d of 2: %v (count %d), want %v (count 5)", no+1, got, p.Count, want)
			}
		}
	})

	t.Run("iterator", func(t *testing.T) {
		for _, tt := range []struct {
			name     string
			pageSize int
			pageNo   int
			stop     int // stop after this many instances; 0: never
			want     []batchprocessing.FlowInstanceID
			requests int
		}{
			{"pages of 2", 2, 0, 0, ids, 3},
			{"one full page", 5, 0, 0, ids, 1},
			{"default page size", 0, 0, 0, ids, 1},
			{"stopped after 3", 2, 0, 3, ids[0:3], 2},
			{"from page 2", 2, 2, 0, ids[2:5], 2},
		} {
			before := e.callCount("flowInstances:search")
			var got []batchprocessing.FlowInstanceID
			r := window(batchprocessing.ListFlowInstancesRequest{PageNo: tt.pageNo, PageSize: tt.pageSize, Sorters: asc})
			for fi, err := range e.c.ListFlowInstancesIter(e.ctx, r) {
				if err != nil {
					t.Fatalf("%s: %v", tt.name, err)
				}
				got = append(got, fi.FlowInstanceID)
				if len(got) == tt.stop {
					break
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
			}
			if n := e.callCount("flowInstances:search") - before; n != tt.requests {
				t.Errorf("%s: %d requests, want %d", tt.name, n, tt.requests)
			}
		}

		var errs []error
		n := 0
		for fi, err := range e.c.ListFlowInstancesIter(e.ctx, window(batchprocessing.ListFlowInstancesRequest{
			Sorters: []batchprocessing.Sorter{{Field: "nonsense"}}})) {
			n++
			if err != nil {
				errs = append(errs, err)
				if fi.FlowInstanceID != "" {
					t.Errorf("an error came with instance %q", fi.FlowInstanceID)
				}
			}
		}
		if n != 1 || len(errs) != 1 {
			t.Fatalf("iterator with an invalid sorter yielded %d values, %d errors; want one error", n, len(errs))
		}
		opsWantAPIError(t, "iterator with an invalid sorter", errs[0], batchprocessing.ErrInvalidParameter, 62102)
	})
}

// TestEndToEndOperationsFlowQueries proves Get Flow, Load Flow For Edit, Get My Flow, Search
// Flow, Enable Flow and Disable Flow: the demo flow's fields and graph (tasks, relation
// extract -> load); edit rights by ownership; Get My Flow lists the flows the user owns or
// visits and filters by id or name; Search Flow lists every flow of the organization, other
// users' included, page by page; Disable and Enable change Get Flow's active, and only the
// owner may.
func TestEndToEndOperationsFlowQueries(t *testing.T) {
	e := newOpsEnv(t)
	e.addFlow(refserver.Flow{ID: 4400, Name: "visited flow", Owner: opsOtherUser, Visitors: refserver.DemoUserID,
		Tasks: []refserver.Task{{ID: 44001, Name: "v"}}})
	e.addFlow(refserver.Flow{ID: 4401, Name: "foreign flow", Owner: opsOtherUser, Tasks: []refserver.Task{{ID: 44011, Name: "f"}}})
	e.addFlow(refserver.Flow{ID: 4402, Name: "other org flow", OrgID: opsOtherOrg, Owner: opsOutsider})

	t.Run("GetFlow", func(t *testing.T) {
		f := e.flow(refserver.DemoFlowID)
		if f.FlowID != refserver.DemoFlowID || f.FlowName != "demo flow" || !f.Active || f.Type != batchprocessing.FlowTypePeriodic ||
			f.Cycle != "D" || f.Freq != "0 0 0 * * ? *" || f.DoAs != "yourDoAs" || !strings.Contains(f.Owner, refserver.DemoUserID) ||
			!f.HasEditPri || !f.HasReadPri || f.Locked {
			t.Errorf("GetFlow(demo) = %+v", f)
		}
		e.wantTime("createTime", f.CreateTime, opsStart)
		opsWantDemoGraph(t, "GetFlow", f)
		if other, err := e.c.GetFlow(e.ctx, batchprocessing.FlowRequest{FlowID: refserver.DemoFlowID, UserID: opsOtherUser}); err != nil ||
			other.HasEditPri || other.FlowName != "demo flow" {
			t.Errorf("GetFlow by a member who is not the owner = %+v, %v; want it readable, not editable", other, err)
		}
		_, err := e.c.GetFlow(e.ctx, batchprocessing.FlowRequest{FlowID: 999999})
		opsWantAPIError(t, "GetFlow of an unknown flow", err, batchprocessing.ErrInvalidParameter, 62102)
		var apiErr *batchprocessing.APIError
		if _, err := e.c.GetFlow(e.ctx, batchprocessing.FlowRequest{FlowID: 4402}); !errors.As(err, &apiErr) {
			t.Errorf("GetFlow of another organization's flow: err = %v, want it refused", err)
		}
	})

	t.Run("LoadFlowForEdit", func(t *testing.T) {
		f, err := e.c.LoadFlowForEdit(e.ctx, batchprocessing.FlowRequest{FlowID: refserver.DemoFlowID})
		if err != nil || f.FlowID != refserver.DemoFlowID || f.FlowName != "demo flow" {
			t.Fatalf("LoadFlowForEdit = %+v, %v", f, err)
		}
		opsWantDemoGraph(t, "LoadFlowForEdit", f)
		_, err = e.c.LoadFlowForEdit(e.ctx, batchprocessing.FlowRequest{FlowID: 999999})
		opsWantAPIError(t, "LoadFlowForEdit of an unknown flow", err, batchprocessing.ErrInvalidParameter, 62102)
	})

	t.Run("GetMyFlows", func(t *testing.T) {
		for _, tt := range []struct {
			expression string
			user       string
			want       []batchprocessing.MyFlow
		}{
			{"", "", []batchprocessing.MyFlow{
				{FlowID: 3377, FlowName: "demo flow", Cycle: "D", Editable: true},
				{FlowID: 3378, FlowName: "empty flow", Cycle: "D", Editable: true},
				{FlowID: 4400, FlowName: "visited flow", Cycle: "D", Editable: false},
			}},
			{"demo", "", []batchprocessing.MyFlow{{FlowID: 3377, FlowName: "demo flow", Cycle: "D", Editable: true}}},
			{"DEMO", "", []batchprocessing.MyFlow{{FlowID: 3377, FlowName: "demo flow", Cycle: "D", Editable: true}}},
			{"3378", "", []batchprocessing.MyFlow{{FlowID: 3378, FlowName: "empty flow", Cycle: "D", Editable: true}}},
			{"no such flow", "", nil},
			{"", opsOtherUser, []batchprocessing.MyFlow{
				{FlowID: 4400, FlowName: "visited flow", Cycle: "D", Editable: true},
				{FlowID: 4401, FlowName: "foreign flow", Cycle: "D", Editable: true},
			}},
		} {
			got, err := e.c.GetMyFlows(e.ctx, batchprocessing.GetMyFlowsRequest{Expression: tt.expression, UserID: tt.user})
			if err != nil {
				t.Fatalf("GetMyFlows(%q, %q): %v", tt.expression, tt.user, err)
			}
			sort.Slice(got, func(i, j int) bool { return got[i].FlowID < got[j].FlowID })
			if !slices.Equal(got, tt.want) {
				t.Errorf("GetMyFlows(%q, user %q) = %+v, want %+v", tt.expression, tt.user, got, tt.want)
			}
		}
	})

	t.Run("SearchFlows", func(t *testing.T) {
		search := func(r batchprocessing.SearchFlowsRequest) []int64 {
			t.Helper()
			got, err := e.c.SearchFlows(e.ctx, r)
			if err != nil {
				t.Fatalf("SearchFlows(%+v): %v", r, err)
			}
			var ids []int64
			for _, s := range got {
				ids = append(ids, s.FlowID)
				if s.FlowID == 4401 && s.FlowName != "foreign flow" {
					t.Errorf("flow 4401 named %q", s.FlowName)
				}
			}
			return ids
		}
		all := search(batchprocessing.SearchFlowsRequest{})
		if got := slices.Sorted(slices.Values(all)); !slices.Equal(got, []int64{3377, 3378, 4400, 4401}) {
			t.Errorf("SearchFlows() = %v, want the four flows of the organization, other users' included", got)
		}
		if got := search(batchprocessing.SearchFlowsRequest{Expression: "foreign"}); !slices.Equal(got, []int64{4401}) {
			t.Errorf("SearchFlows(foreign) = %v", got)
		}
		if got := search(batchprocessing.SearchFlowsRequest{Expression: "4400"}); !slices.Equal(got, []int64{4400}) {
			t.Errorf("SearchFlows(4400) = %v", got)
		}
		var paged []int64
		for no := 1; no <= 3; no++ {
			page := search(batchprocessing.SearchFlowsRequest{PageNo: no, PageSize: 3,
				Sorters: []batchprocessing.Sorter{{Field: batchprocessing.SortByCreateTime}}})
			if want := []int{3, 1, 0}[no-1]; len(page) != want {
				t.Errorf("page %d of 3: %v, want %d flows", no, page, want)
			}
			paged = append(paged, page...)
		}
		if got := slices.Sorted(slices.Values(paged)); !slices.Equal(got, []int64{3377, 3378, 4400, 4401}) {
			t.Errorf("pages together = %v, want each flow once", paged)
		}
		if got := search(batchprocessing.SearchFlowsRequest{OrgID: opsOtherOrg, UserID: opsOutsider}); !slices.Equal(got, []int64{4402}) {
			t.Errorf("SearchFlows in the other organization = %v, want only its flow 4402", got)
		}
		_, err := e.c.SearchFlows(e.ctx, batchprocessing.SearchFlowsRequest{Sorters: []batchprocessing.Sorter{{Field: "color"}}})
		opsWantAPIError(t, "SearchFlows with an invalid sorter", err, batchprocessing.ErrInvalidParameter, 62102)
	})

	t.Run("EnableDisable", func(t *testing.T) {
		req := batchprocessing.FlowRequest{FlowID: refserver.DemoFlowID}
		if err := e.c.DisableFlow(e.ctx, req); err != nil {
			t.Fatal(err)
		}
		if f := e.flow(refserver.DemoFlowID); f.Active {
			t.Errorf("after DisableFlow active = %v, want false", f.Active)
		}
		if err := e.c.EnableFlow(e.ctx, req); err != nil {
			t.Fatal(err)
		}
		if f := e.flow(refserver.DemoFlowID); !f.Active {
			t.Errorf("after EnableFlow active = %v, want true", f.Active)
		}
		err := e.c.DisableFlow(e.ctx, batchprocessing.FlowRequest{FlowID: refserver.DemoFlowID, UserID: opsOtherUser})
		opsWantAPIError(t, "DisableFlow by a non-owner", err, batchprocessing.ErrNoPrivilege, 62103)
		err = e.c.EnableFlow(e.ctx, batchprocessing.FlowRequest{FlowID: 4400})
		opsWantAPIError(t, "EnableFlow by a visitor", err, batchprocessing.ErrNoPrivilege, 62103)
		if f := e.flow(refserver.DemoFlowID); !f.Active {
			t.Errorf("a refused DisableFlow changed active to %v", f.Active)
		}
		err = e.c.EnableFlow(e.ctx, batchprocessing.FlowRequest{FlowID: 999999})
		opsWantAPIError(t, "EnableFlow of an unknown flow", err, batchprocessing.ErrInvalidParameter, 62102)
	})
}

// opsWantDemoGraph checks the graph of the demo flow: its two task nodes and the relation
// extract -> load.
func opsWantDemoGraph(t *testing.T, what string, f *batchprocessing.Flow) {
	t.Helper()
	g, err := f.DecodeGraph()
	if err != nil {
		t.Fatalf("%s: DecodeGraph: %v", what, err)
	}
	var tasks []string
	for _, n := range g.Tasks {
		tasks = append(tasks, strconv.FormatInt(n.TaskID, 10)+" "+n.TaskName+" "+n.NodeID)
	}
	if want := []string{"108580 extract t_108580", "108581 load t_108581"}; !slices.Equal(tasks, want) {
		t.Errorf("%s: graph tasks %q, want %q", what, tasks, want)
	}
	if len(g.Relations) != 1 || g.Relations[0].Source != "t_108580" || g.Relations[0].Target != "t_108581" {
		t.Errorf("%s: graph relations %+v, want t_108580 -> t_108581", what, g.Relations)
	}
	if g.Name != "demo flow" || g.Cycle != "D" {
		t.Errorf("%s: graph name %q cycle %q", what, g.Name, g.Cycle)
	}
}

// TestEndToEndOperationsDeleteFlow proves Delete Flow: the flow and all its instances, running
// or not, disappear from every operation; a flow another flow depends on is refused with
// 62104 (ErrFlowDependedOn) until that flow is gone; a non-owner is refused with 62103.
func TestEndToEndOperationsDeleteFlow(t *testing.T) {
	e := newOpsEnv(t)
	e.addFlow(refserver.Flow{ID: 4500, Name: "upstream", Tasks: []refserver.Task{{ID: 45001, Name: "u"}}})
	e.addFlow(refserver.Flow{ID: 4501, Name: "downstream", DependsOn: []int64{4500}, Tasks: []refserver.Task{{ID: 45011, Name: "d"}}})
	e.addFlow(refserver.Flow{ID: 4502, Name: "doomed", Tasks: []refserver.Task{{ID: 45021, Name: "x"}}})
	done := e.trigger(4502, opsStart.Add(-10*time.Minute))
	e.clk.Advance(2 * time.Minute) // the first instance (1 min) has ended
	running := e.trigger(4502, opsStart.Add(-5*time.Minute))
	waiting := e.trigger(4502, opsStart.Add(-4*time.Minute))

	g, err := e.flow(4501).DecodeGraph()
	if err != nil || len(g.Flows) != 1 || g.Flows[0].FlowID != 4500 || g.Flows[0].NodeID != "f_4500" {
		t.Errorf("downstream graph flows = %+v, %v; want the upstream flow node f_4500", g, err)
	}

	err = e.c.DeleteFlow(e.ctx, batchprocessing.FlowRequest{FlowID: 4502, UserID: opsOtherUser})
	opsWantAPIError(t, "DeleteFlow by a non-owner", err, batchprocessing.ErrNoPrivilege, 62103)
	if err := e.c.DeleteFlow(e.ctx, batchprocessing.FlowRequest{FlowID: 4502}); err != nil {
		t.Fatalf("DeleteFlow: %v", err)
	}
	_, err = e.c.GetFlow(e.ctx, batchprocessing.FlowRequest{FlowID: 4502})
	opsWantAPIError(t, "GetFlow of a deleted flow", err, batchprocessing.ErrInvalidParameter, 62102)
	for _, id := range []batchprocessing.FlowInstanceID{done, running, waiting} {
		_, err := e.c.GetFlowInstance(e.ctx, batchprocessing.GetFlowInstanceRequest{FlowInstanceID: id})
		opsWantAPIError(t, "GetFlowInstance of a deleted flow's instance "+string(id), err, batchprocessing.ErrInvalidParameter, 62102)
		_, err = e.c.GetTaskInstance(e.ctx, batchprocessing.GetTaskInstanceRequest{TaskInstanceID: opsTaskInstanceID(t, 45021, id)})
		opsWantAPIError(t, "GetTaskInstance of a deleted flow's task", err, batchprocessing.ErrInvalidParameter, 62102)
	}
	p, err := e.c.ListFlowInstances(e.ctx, batchprocessing.ListFlowInstancesRequest{Expression: "4502"})
	if err != nil || p.Count != 0 || len(p.FlowInstances) != 0 {
		t.Errorf("ListFlowInstances of a deleted flow = %+v, %v; want none", p, err)
	}
	if n := len(e.srv.FlowInstances(4502)); n != 0 {
		t.Errorf("the server keeps %d instances of the deleted flow", n)
	}
	mine, err := e.c.GetMyFlows(e.ctx, batchprocessing.GetMyFlowsRequest{})
	if err != nil || slices.ContainsFunc(mine, func(m batchprocessing.MyFlow) bool { return m.FlowID == 4502 }) {
		t.Errorf("GetMyFlows after the delete = %+v, %v", mine, err)
	}
	err = e.c.DeleteFlow(e.ctx, batchprocessing.FlowRequest{FlowID: 4502})
	opsWantAPIError(t, "deleting twice", err, batchprocessing.ErrInvalidParameter, 62102)

	err = e.c.DeleteFlow(e.ctx, batchprocessing.FlowRequest{FlowID: 4500})
	opsWantAPIError(t, "DeleteFlow of a flow depended on", err, batchprocessing.ErrFlowDependedOn, 62104)
	if errors.Is(err, batchprocessing.ErrFlowHasNoTask) {
		t.Errorf("DeleteFlow's 62104 also matches ErrFlowHasNoTask: %v", err)
	}
	e.flow(4500) // still there
	if err := e.c.DeleteFlow(e.ctx, batchprocessing.FlowRequest{FlowID: 4501}); err != nil {
		t.Fatalf("DeleteFlow(downstream): %v", err)
	}
	if err := e.c.DeleteFlow(e.ctx, batchprocessing.FlowRequest{FlowID: 4500}); err != nil {
		t.Errorf("DeleteFlow(upstream) once nothing depends on it: %v", err)
	}
}

// TestEndToEndOperationsSaveFlow proves Save Flow with Load Flow For Edit and Get Flow: the
// saved definition (name, description, type, cron, cycle, start date, active, alert mode,
// queue, parameters, a new task and its relation) is what Get Flow then shows, and a trigger
// runs the new task after its upstream task. Invalid definitions (62102), a non-owner (62103)
// and an unknown flow are refused and change nothing.
func TestEndToEndOperationsSaveFlow(t *testing.T) {
	e := newOpsEnv(t)
	loaded, err := e.c.LoadFlowForEdit(e.ctx, batchprocessing.FlowRequest{FlowID: refserver.DemoFlowID})
	if err != nil {
		t.Fatal(err)
	}
	g, err := loaded.DecodeGraph()
	if err != nil {
		t.Fatal(err)
	}
	e.clk.Advance(time.Minute)
	req := batchprocessing.SaveFlowRequest{
		FlowID: refserver.DemoFlowID, Type: batchprocessing.FlowTypeManual, Name: "demo flow v2", Desc: "nightly",
		Freq: "0 30 2 * * ? *", Cycle: "H", StartTime: "2026-12-01", Active: false, AlertMode: 1,
		DoAs: g.DoAs, Owners: g.Owners, Visitors: ";" + opsOtherUser + ";", Queue: "root.etl",
		Parameters: []batchprocessing.Parameter{{Key: "REPLACE", Value: "v2"}},
		Tasks:      append(slices.Clone(g.Tasks), batchprocessing.TaskNode{TaskID: 108590, TaskName: "report", NodeID: "t_108590", X: 500, Y: 100}),
		Relations:  append(slices.Clone(g.Relations), batchprocessing.Relation{Source: "t_108581", Target: "t_108590", CycleGap: "H0"}),
	}
	id, err := e.c.SaveFlow(e.ctx, req)
	if err != nil || id != refserver.DemoFlowID {
		t.Fatalf("SaveFlow = %d, %v", id, err)
	}

	f := e.flow(refserver.DemoFlowID)
	if f.FlowName != "demo flow v2" || f.Desc != "nightly" || f.Type != batchprocessing.FlowTypeManual || f.Freq != "0 30 2 * * ? *" ||
		f.Cycle != "H" || f.Active || f.AlertMode != 1 || f.Queue != "root.etl" || f.StartTime != "2026-12-01" ||
		f.Visitor != ";"+opsOtherUser+";" || f.UpdateUser != refserver.DemoUserID {
		t.Errorf("GetFlow after SaveFlow = %+v", f)
	}
	e.wantTime("updateTime", f.UpdateTime, e.clk.Now())
	if params, err := f.DecodeParameters(); err != nil || !slices.Equal(params, req.Parameters) {
		t.Errorf("parameters after SaveFlow = %+v, %v", params, err)
	}
	saved, err := f.DecodeGraph()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, n := range saved.Tasks {
		names = append(names, strconv.FormatInt(n.TaskID, 10)+" "+n.TaskName)
	}
	if !slices.Equal(names, []string{"108580 extract", "108581 load", "108590 report"}) {
		t.Errorf("tasks after SaveFlow: %q", names)
	}
	var edges []string
	for _, r := range saved.Relations {
		edges = append(edges, r.Source+">"+r.Target)
	}
	slices.Sort(edges)
	if !slices.Equal(edges, []string{"t_108580>t_108581", "t_108581>t_108590"}) {
		t.Errorf("relations after SaveFlow: %q", edges)
	}
	if reloaded, err := e.c.LoadFlowForEdit(e.ctx, batchprocessing.FlowRequest{FlowID: refserver.DemoFlowID}); err != nil || reloaded.FlowName != "demo flow v2" {
		t.Errorf("LoadFlowForEdit after SaveFlow = %+v, %v", reloaded, err)
	}

	// The saved flow runs its new task after load.
	start := e.clk.Now()
	run := e.trigger(refserver.DemoFlowID, start)
	e.clk.Advance(2500 * time.Millisecond)
	e.wantGraph(e.instance(run), map[int64]string{108580: "SUCCESS", 108581: "SUCCESS", 108590: "RUNNING"})
	e.wantTask(opsTaskInstanceID(t, 108590, run), run, "report", batchprocessing.StatusRunning, start.Add(2*time.Second), time.Time{})

	// Refused saves change nothing.
	e.addFlow(refserver.Flow{ID: 4444, Name: "holder of task 44444", Tasks: []refserver.Task{{ID: 44444, Name: "held"}}})
	for _, tt := range []struct {
		name     string
		edit     func(r *batchprocessing.SaveFlowRequest)
		sentinel error
		code     int
	}{
		{"non-owner", func(r *batchprocessing.SaveFlowRequest) { r.UserID = opsOtherUser }, batchprocessing.ErrNoPrivilege, 62103},
		{"cron without 7 fields", func(r *batchprocessing.SaveFlowRequest) { r.Freq = "0 0 *" }, batchprocessing.ErrInvalidParameter, 62102},
		{"relation making a cycle", func(r *batchprocessing.SaveFlowRequest) {
			r.Relations = append(slices.Clone(r.Relations), batchprocessing.Relation{Source: "t_108590", Target: "t_108580"})
		}, batchprocessing.ErrInvalidParameter, 62102},
		{"relation to an unknown node", func(r *batchprocessing.SaveFlowRequest) {
			r.Relations = append(slices.Clone(r.Relations), batchprocessing.Relation{Source: "t_108580", Target: "t_777"})
		}, batchprocessing.ErrInvalidParameter, 62102},
		{"task of another flow", func(r *batchprocessing.SaveFlowRequest) {
			r.Tasks = append(slices.Clone(r.Tasks), batchprocessing.TaskNode{TaskID: 44444, TaskName: "stolen", NodeID: "t_44444"})
		}, batchprocessing.ErrInvalidParameter, 62102},
		{"unknown flow", func(r *batchprocessing.SaveFlowRequest) { r.FlowID = 999999 }, batchprocessing.ErrInvalidParameter, 62102},
	} {
		bad := req
		bad.Name = "must not be saved"
		tt.edit(&bad)
		_, err := e.c.SaveFlow(e.ctx, bad)
		opsWantAPIError(t, "SaveFlow, "+tt.name, err, tt.sentinel, tt.code)
		if f := e.flow(refserver.DemoFlowID); f.FlowName != "demo flow v2" {
			t.Errorf("SaveFlow, %s: the flow was changed to %q", tt.name, f.FlowName)
		}
	}
	bad := req
	bad.Cycle = "X"
	_, err = e.c.SaveFlow(e.ctx, bad)
	opsWantRequestError(t, "SaveFlow with a cycle the client knows is invalid", err, "Cycle")

	// Saving the definition again with the optional texts empty clears them: Get Flow shows
	// the definition saved, not a mix with the previous one.
	cleared := req
	cleared.Desc, cleared.Visitors, cleared.Queue, cleared.Parameters = "", "", "", []batchprocessing.Parameter{}
	if _, err := e.c.SaveFlow(e.ctx, cleared); err != nil {
		t.Fatalf("SaveFlow with empty optional fields: %v", err)
	}
	f = e.flow(refserver.DemoFlowID)
	if params, err := f.DecodeParameters(); f.Desc != "" || f.Visitor != "" || err != nil || len(params) != 0 {
		t.Errorf("after saving empty desc, visitors and parameters: desc %q, visitor %q, parameters %+v, %v", f.Desc, f.Visitor, params, err)
	}
	t.Run("empty queue", func(t *testing.T) {
		if f.Queue != "" {
			t.Errorf("after saving an empty queue, Get Flow's queue is %q", f.Queue)
		}
	})
}

// TestEndToEndOperationsExportImportFlow proves Export Flow and Import Flow: a flow exported
// and imported into a new directory keeps its tasks (names, commands, types), relations,
// parameters, type, cycle, cron and alert mode; the copy is a new flow owned by the caller,
// named and described as asked, shown in that directory. A wished flow id is kept when free;
// an unknown directory, an inconsistent definition and an unknown flow are refused (62102).
func TestEndToEndOperationsExportImportFlow(t *testing.T) {
	e := newOpsEnv(t)
	e.addFlow(refserver.Flow{ID: 4600, Name: "export me", Type: refserver.FlowTypePeriodic, Cycle: "H", Freq: "0 0 * * * ? *",
		Parameters: []refserver.Parameter{{Key: "REPLACE", Value: "lili1"}, {Key: "ouids", Value: "o1"}},
		AlertMode:  2, DoAs: "db_x", Visitors: ";" + opsOtherUser + ";", Description: "exported", StartDate: "2026-01-01",
		Tasks: []refserver.Task{
			{ID: 46001, Name: "pull", Command: "echo pull", Type: "SHELL"},
			{ID: 46002, Name: "shape", Command: "echo shape", DependsOn: []int64{46001}},
			{ID: 46003, Name: "push", Command: "echo push", DependsOn: []int64{46001, 46002}},
		}})

	ef, err := e.c.ExportFlow(e.ctx, batchprocessing.FlowRequest{FlowID: 4600})
	if err != nil {
		t.Fatalf("ExportFlow: %v", err)
	}
	wantParams := []batchprocessing.Parameter{{Key: "REPLACE", Value: "lili1"}, {Key: "ouids", Value: "o1"}}
	if ef.Name != "export me" || ef.Cycle != "H" || ef.Cron != "0 0 * * * ? *" || ef.Type != 1 || ef.AlertMode != 2 || ef.Submitter != "db_x" {
		t.Errorf("ExportFlow = %+v", ef)
	}
	opsWantExported(t, "ExportFlow", ef, wantParams)

	dir, err := e.c.CreateDirectory(e.ctx, batchprocessing.CreateDirectoryRequest{ParentID: e.srv.RootDirectory(refserver.DemoOrgID), Name: "imports"})
	if err != nil {
		t.Fatal(err)
	}
	newID, err := e.c.ImportFlow(e.ctx, batchprocessing.ImportFlowRequest{FlowName: "imported copy", Desc: "copy", DirID: dir, Flow: *ef,
		UserID: opsOtherUser})
	if err != nil || newID <= 0 || newID == 4600 {
		t.Fatalf("ImportFlow = %d, %v; want a new flow", newID, err)
	}
	f, err := e.c.GetFlow(e.ctx, batchprocessing.FlowRequest{FlowID: newID, UserID: opsOtherUser})
	if err != nil {
		t.Fatal(err)
	}
	if f.FlowName != "imported copy" || f.Desc != "copy" || f.Cycle != "H" || f.Freq != "0 0 * * * ? *" ||
		f.Type != batchprocessing.FlowTypePeriodic || f.AlertMode != 2 || !strings.Contains(f.Owner, opsOtherUser) || !f.HasEditPri {
		t.Errorf("GetFlow(imported) = %+v", f)
	}
	if params, err := f.DecodeParameters(); err != nil || !slices.Equal(params, wantParams) {
		t.Errorf("imported parameters = %+v, %v", params, err)
	}
	again, err := e.c.ExportFlow(e.ctx, batchprocessing.FlowRequest{FlowID: newID})
	if err != nil {
		t.Fatal(err)
	}
	if again.Name != "imported copy" || again.Desc != "copy" || again.Cycle != ef.Cycle || again.Cron != ef.Cron || again.Type != ef.Type ||
		again.AlertMode != ef.AlertMode || again.StartTime != ef.StartTime || again.Visitors != ef.Visitors || again.Submitter != ef.Submitter {
		t.Errorf("export of the copy = %+v, want the original's cycle, cron, type, alert mode, start date, visitors and submitter (%+v)", again, ef)
	}
	opsWantExported(t, "export of the copy", again, wantParams)

	dirs, err := e.c.ListWorkflowDirectories(e.ctx, batchprocessing.ListWorkflowDirectoriesRequest{})
	if err != nil || len(dirs) != 1 {
		t.Fatalf("ListWorkflowDirectories = %+v, %v", dirs, err)
	}
	entries := opsDirEntries(&dirs[0])
	if got, ok := entries["Workflow/imports/imported copy"]; !ok || !opsIsFlow(got, newID) {
		t.Errorf("the imported flow is not in its directory: %v", opsDirPaths(entries))
	}

	// The copy runs, triggered by its owner.
	_, err = e.c.TriggerFlow(e.ctx, batchprocessing.TriggerFlowRequest{FlowID: newID, TriggerTime: opsStart, UserID: opsOtherUser})
	if err != nil {
		t.Errorf("the importer could not trigger the copy: %v", err)
	}

	// A flow with an upstream flow exports it as a flow link; the copy depends on the same
	// flow, which then cannot be deleted.
	e.addFlow(refserver.Flow{ID: 4601, Name: "linked", DependsOn: []int64{4600},
		Tasks: []refserver.Task{{ID: 46011, Name: "first"}, {ID: 46012, Name: "second", DependsOn: []int64{46011}}}})
	linked, err := e.c.ExportFlow(e.ctx, batchprocessing.FlowRequest{FlowID: 4601})
	if err != nil {
		t.Fatal(err)
	}
	if len(linked.FlowLinks) != 1 || linked.FlowLinks[0].SourceFlowName != "export me" || len(linked.LinkRelations) != 1 ||
		linked.LinkRelations[0].LinkID != linked.FlowLinks[0].LinkID || linked.LinkRelations[0].TargetTaskName != "first" {
		t.Errorf("export of a linked flow: links %+v, link relations %+v; want one link from \"export me\" to task first",
			linked.FlowLinks, linked.LinkRelations)
	}
	linkedCopy, err := e.c.ImportFlow(e.ctx, batchprocessing.ImportFlowRequest{FlowName: "linked copy", DirID: dir, Flow: *linked})
	if err != nil {
		t.Fatalf("ImportFlow of a linked flow: %v", err)
	}
	if g, err := e.flow(linkedCopy).DecodeGraph(); err != nil || len(g.Flows) != 1 || g.Flows[0].FlowID != 4600 {
		t.Errorf("graph of the linked copy = %+v, %v; want the upstream flow 4600", g, err)
	}
	if err := e.c.DeleteFlow(e.ctx, batchprocessing.FlowRequest{FlowID: 4601}); err != nil {
		t.Fatal(err)
	}
	err = e.c.DeleteFlow(e.ctx, batchprocessing.FlowRequest{FlowID: 4600})
	opsWantAPIError(t, "DeleteFlow of the flow the imported copy depends on", err, batchprocessing.ErrFlowDependedOn, 62104)

	// A wished id: kept when free, replaced when taken.
	if id, err := e.c.ImportFlow(e.ctx, batchprocessing.ImportFlowRequest{FlowID: 4700, FlowName: "wished", DirID: dir, Flow: *ef}); err != nil || id != 4700 {
		t.Errorf("ImportFlow with a free wished id = %d, %v; want 4700", id, err)
	}
	if id, err := e.c.ImportFlow(e.ctx, batchprocessing.ImportFlowRequest{FlowID: 4600, FlowName: "taken", DirID: dir, Flow: *ef}); err != nil || id == 4600 || id <= 0 {
		t.Errorf("ImportFlow with a taken wished id = %d, %v; want another id", id, err)
	}
	if f := e.flow(4600); f.FlowName != "export me" {
		t.Errorf("importing with a taken id changed the original: %q", f.FlowName)
	}

	var apiErr *batchprocessing.APIError
	_, err = e.c.ImportFlow(e.ctx, batchprocessing.ImportFlowRequest{FlowName: "lost", DirID: "0123456789abcdef0123456789abcdef", Flow: *ef})
	opsWantAPIError(t, "ImportFlow into an unknown directory", err, batchprocessing.ErrInvalidParameter, 62102)
	if errors.As(err, &apiErr) && apiErr.Message != "Directory does not exist" {
		t.Errorf("unknown directory message %q", apiErr.Message)
	}
	broken := *ef
	broken.Relations = append(slices.Clone(ef.Relations), batchprocessing.TaskRelation{SourceTaskName: "pull", TargetTaskName: "nowhere"})
	_, err = e.c.ImportFlow(e.ctx, batchprocessing.ImportFlowRequest{FlowName: "broken", DirID: dir, Flow: broken})
	opsWantAPIError(t, "ImportFlow of a relation to an unknown task", err, batchprocessing.ErrInvalidParameter, 62102)
	_, err = e.c.ExportFlow(e.ctx, batchprocessing.FlowRequest{FlowID: 999999})
	opsWantAPIError(t, "ExportFlow of an unknown flow", err, batchprocessing.ErrInvalidParameter, 62102)
}

// opsWantExported checks the tasks, relations and parameters of an export of flow 4600.
func opsWantExported(t *testing.T, what string, ef *batchprocessing.ExportedFlow, wantParams []batchprocessing.Parameter) {
	t.Helper()
	var tasks []string
	for _, task := range ef.Tasks {
		var typ string
		if err := json.Unmarshal(task.Type, &typ); err != nil {
			t.Errorf("%s: task %q type %s is not a name", what, task.Name, task.Type)
		}
		tasks = append(tasks, task.Name+" "+task.Cmd+" "+typ)
	}
	if want := []string{"pull echo pull SHELL", "shape echo shape COMMAND", "push echo push COMMAND"}; !slices.Equal(tasks, want) {
		t.Errorf("%s: tasks %q, want %q", what, tasks, want)
	}
	var rels []string
	for _, r := range ef.Relations {
		rels = append(rels, r.SourceTaskName+">"+r.TargetTaskName)
	}
	slices.Sort(rels)
	if want := []string{"pull>push", "pull>shape", "shape>push"}; !slices.Equal(rels, want) {
		t.Errorf("%s: relations %q, want %q", what, rels, want)
	}
	if params, err := ef.DecodeParameters(); err != nil || !slices.Equal(params, wantParams) {
		t.Errorf("%s: parameters %+v, %v; want %+v", what, params, err, wantParams)
	}
}

// opsDirEntries returns every entry of a directory tree by its path of titles joined by "/".
func opsDirEntries(root *batchprocessing.WorkflowDirectory) map[string]*batchprocessing.WorkflowDirectory {
	out := map[string]*batchprocessing.WorkflowDirectory{}
	for path, d := range root.All() {
		out[strings.Join(path, "/")] = d
	}
	return out
}

// opsDirPaths returns the paths of entries, sorted, for messages.
func opsDirPaths(entries map[string]*batchprocessing.WorkflowDirectory) []string {
	var out []string
	for p := range entries {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// opsIsFlow reports whether d is the workflow file of flowID.
func opsIsFlow(d *batchprocessing.WorkflowDirectory, flowID int64) bool {
	id, ok := d.FlowID()
	return ok && id == flowID && !d.IsDirectory && d.Type == batchprocessing.DirectoryTypeWorkflow
}

// TestEndToEndOperationsDirectories proves Create Directory and List Workflow Directories:
// nested directories get 32-hex ids; a name already used in the same parent is refused
// (62102), the same name in another parent is not; an unknown parent is refused; the tree
// (walked with WorkflowDirectory.All) holds the root "Workflow", the directories and the
// flows in their directories, editable only for their owner, and nothing of another
// organization.
func TestEndToEndOperationsDirectories(t *testing.T) {
	e := newOpsEnv(t)
	root := e.srv.RootDirectory(refserver.DemoOrgID)
	mkdir := func(parent, name string) string {
		t.Helper()
		id, err := e.c.CreateDirectory(e.ctx, batchprocessing.CreateDirectoryRequest{ParentID: parent, Name: name})
		if err != nil {
			t.Fatalf("CreateDirectory(%s): %v", name, err)
		}
		if len(id) != 32 || strings.Trim(id, "0123456789abcdef") != "" {
			t.Errorf("directory id %q, want 32 hex characters", id)
		}
		return id
	}
	etl := mkdir(root, "etl")
	daily := mkdir(etl, "daily")
	otherDaily := mkdir(root, "daily") // the same name in another parent
	if etl == daily || daily == otherDaily {
		t.Errorf("directory ids repeat: %s %s %s", etl, daily, otherDaily)
	}
	_, err := e.c.CreateDirectory(e.ctx, batchprocessing.CreateDirectoryRequest{ParentID: root, Name: "etl"})
	opsWantAPIError(t, "duplicate directory name", err, batchprocessing.ErrInvalidParameter, 62102)
	_, err = e.c.CreateDirectory(e.ctx, batchprocessing.CreateDirectoryRequest{ParentID: etl, Name: "daily"})
	opsWantAPIError(t, "duplicate nested directory name", err, batchprocessing.ErrInvalidParameter, 62102)
	_, err = e.c.CreateDirectory(e.ctx, batchprocessing.CreateDirectoryRequest{ParentID: "ffffffffffffffffffffffffffffffff", Name: "orphan"})
	opsWantAPIError(t, "unknown parent", err, batchprocessing.ErrInvalidParameter, 62102)
	_, err = e.c.CreateDirectory(e.ctx, batchprocessing.CreateDirectoryRequest{ParentID: etl, Name: "x", OrgID: opsOtherOrg, UserID: opsOutsider})
	opsWantAPIError(t, "parent in another organization", err, batchprocessing.ErrInvalidParameter, 62102)
	e.addFlow(refserver.Flow{ID: 4800, Name: "nightly load", DirID: daily, Tasks: []refserver.Task{{ID: 48001, Name: "n"}}})

	list := func(user string) map[string]*batchprocessing.WorkflowDirectory {
		t.Helper()
		dirs, err := e.c.ListWorkflowDirectories(e.ctx, batchprocessing.ListWorkflowDirectoriesRequest{UserID: user})
		if err != nil {
			t.Fatalf("ListWorkflowDirectories: %v", err)
		}
		if len(dirs) != 1 || dirs[0].Title != "Workflow" || dirs[0].Type != batchprocessing.DirectoryTypeWorkflow || !dirs[0].IsDirectory || dirs[0].Key != root {
			t.Fatalf("ListWorkflowDirectories roots = %+v, want the one root %q", dirs, root)
		}
		return opsDirEntries(&dirs[0])
	}
	entries := list("")
	for path, key := range map[string]string{"Workflow": root, "Workflow/etl": etl, "Workflow/etl/daily": daily, "Workflow/daily": otherDaily} {
		d, ok := entries[path]
		if !ok || !d.IsDirectory || d.Key != key {
			t.Errorf("directory %s: %+v, want key %s; tree %v", path, d, key, opsDirPaths(entries))
			continue
		}
		if _, isFlow := d.FlowID(); isFlow {
			t.Errorf("directory %s reports a flow id", path)
		}
	}
	for path, id := range map[string]int64{"Workflow/demo flow": 3377, "Workflow/empty flow": 3378, "Workflow/etl/daily/nightly load": 4800} {
		d, ok := entries[path]
		if !ok || !opsIsFlow(d, id) || !d.Editable {
			t.Errorf("workflow %s: %+v, want flow %d, editable; tree %v", path, d, id, opsDirPaths(entries))
		}
	}
	if n := len(entries); n != 7 {
		t.Errorf("%d entries, want 7: %v", n, opsDirPaths(entries))
	}
	if d := list(opsOtherUser)["Workflow/demo flow"]; d == nil || d.Editable {
		t.Errorf("the demo flow as another member sees it: %+v, want it not editable", d)
	}

	dirs, err := e.c.ListWorkflowDirectories(e.ctx, batchprocessing.ListWorkflowDirectoriesRequest{OrgID: opsOtherOrg, UserID: opsOutsider})
	if err != nil || len(dirs) != 1 {
		t.Fatalf("ListWorkflowDirectories of the other organization = %+v, %v", dirs, err)
	}
	if other := opsDirEntries(&dirs[0]); len(other) != 1 || dirs[0].Key == root {
		t.Errorf("the other organization's tree = %v (root %s); want only its own empty root", opsDirPaths(other), dirs[0].Key)
	}
}

// TestEndToEndOperationsServerTime proves Get Current Time (the server clock, to the
// millisecond, needing no user) and Get Timezone with the ids and times that depend on it: in
// a GMT+8 server the zone is "GMT+8", its Location is 8 hours east, FlowInstanceIDFor in that
// zone gives the id TriggerFlow returns (across the date line from UTC), and the instance's
// trigger, start and business date read in that zone. A GMT+5:30 zone works the same way.
func TestEndToEndOperationsServerTime(t *testing.T) {
	t.Run("current time", func(t *testing.T) {
		e := newOpsEnv(t)
		e.clk.Advance(123 * time.Millisecond)
		for i := 0; i < 2; i++ {
			got, err := e.c.GetCurrentTime(e.ctx)
			if err != nil || got.UnixMilli() != e.clk.Now().UnixMilli() {
				t.Errorf("GetCurrentTime = %s, %v; want %s", got, err, e.clk.Now())
			}
			e.clk.Advance(90*time.Minute + 7*time.Millisecond)
		}
		anonymous, err := batchprocessing.NewClient(e.url, refserver.DemoAccessKey, refserver.DemoSecretKey, batchprocessing.WithClock(e.clk.Now))
		if err != nil {
			t.Fatal(err)
		}
		if got, err := anonymous.GetCurrentTime(e.ctx); err != nil || !got.Equal(e.clk.Now()) {
			t.Errorf("GetCurrentTime without a user = %s, %v", got, err)
		}
		if tz, err := anonymous.GetTimezone(e.ctx); err != nil || !strings.HasPrefix(tz.Name, "GMT") {
			t.Errorf("GetTimezone without a user = %+v, %v", tz, err)
		} else if loc, err := tz.Location(); err != nil || opsOffset(loc, opsStart) != 0 {
			t.Errorf("the UTC server's zone %q: %v, %v", tz.Name, loc, err)
		}
	})

	for _, tt := range []struct {
		name       string
		offset     int // seconds east of UTC
		trigger    time.Time
		wantID     batchprocessing.FlowInstanceID
		wantCalDt  string
		wantUTCDay batchprocessing.FlowInstanceID // the id the trigger would get in UTC
	}{
		{"GMT+8", 8 * 3600, time.Date(2026, 11, 30, 18, 30, 42, 0, time.UTC), "3377-20261201023000", "2026-11-30", "3377-20261130183000"},
		{"GMT+5:30", 5*3600 + 1800, time.Date(2026, 11, 30, 18, 45, 5, 0, time.UTC), "3377-20261201001500", "2026-11-30", "3377-20261130184500"},
		{"GMT-3", -3 * 3600, time.Date(2026, 12, 1, 1, 30, 59, 0, time.UTC), "3377-20261130223000", "2026-11-29", "3377-20261201013000"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			loc := time.FixedZone(tt.name, tt.offset)
			e := newOpsEnvAt(t, tt.trigger.Add(10*time.Minute), loc)
			tz, err := e.c.GetTimezone(e.ctx)
			if err != nil || tz.Name != tt.name {
				t.Fatalf("GetTimezone = %+v, %v; want %s", tz, err, tt.name)
			}
			zone, err := tz.Location()
			if err != nil || opsOffset(zone, tt.trigger) != tt.offset {
				t.Fatalf("Location of %q = %v, %v; want offset %d s", tz.Name, zone, err, tt.offset)
			}

			id := e.trigger(refserver.DemoFlowID, tt.trigger)
			if want := batchprocessing.FlowInstanceIDFor(refserver.DemoFlowID, tt.trigger, zone); id != want || id != tt.wantID {
				t.Errorf("TriggerFlow id = %s, FlowInstanceIDFor in %s = %s, want %s", id, tz.Name, want, tt.wantID)
			}
			if utc := batchprocessing.FlowInstanceIDFor(refserver.DemoFlowID, tt.trigger, time.UTC); utc != tt.wantUTCDay {
				t.Errorf("FlowInstanceIDFor in UTC = %s, want %s", utc, tt.wantUTCDay)
			}
			if at, err := id.Time(zone); err != nil || !at.Equal(tt.trigger.Truncate(time.Minute)) {
				t.Errorf("%s.Time = %s, %v; want %s", id, at, err, tt.trigger.Truncate(time.Minute))
			}
			fi := e.instance(id)
			e.wantTime("triggerTime", fi.TriggerTime, tt.trigger)
			e.wantInstance(fi, batchprocessing.StatusRunning, e.clk.Now(), time.Time{})
			if fi.CalDt != tt.wantCalDt {
				t.Errorf("calDt = %q, want %q (the trigger date in the server's zone minus a day)", fi.CalDt, tt.wantCalDt)
			}
			ti := e.wantTask(opsTaskInstanceID(t, refserver.DemoExtractTaskID, id), id, "extract", batchprocessing.StatusRunning, e.clk.Now(), time.Time{})
			e.wantTime("task timeStamp", ti.Timestamp, e.clk.Now())
			if now, err := e.c.GetCurrentTime(e.ctx); err != nil || !now.Equal(e.clk.Now()) {
				t.Errorf("GetCurrentTime = %s, %v; the zone must not shift the epoch time", now, err)
			}
		})
	}
}

// opsOffset returns the UTC offset of loc at t, in seconds.
func opsOffset(loc *time.Location, t time.Time) int {
	_, off := t.In(loc).Zone()
	return off
}

// TestEndToEndOperationsMillisecondTimestamps proves that the times the service writes with a
// fraction ("yyyy-MM-dd HH:mm:ss.S": FlowInstance.timestamp, Flow.updateTime) read back,
// through ServerTime.Time, as the instant they record, whatever its milliseconds.
func TestEndToEndOperationsMillisecondTimestamps(t *testing.T) {
	for _, ms := range []int{0, 250, 123, 5, 50, 999} {
		t.Run(strconv.Itoa(ms)+"ms", func(t *testing.T) {
			e := newOpsEnv(t)
			at := opsStart.Add(time.Duration(ms) * time.Millisecond)
			e.clk.Set(at)
			fi := e.instance(e.trigger(refserver.DemoFlowID, at))
			if err := e.c.DisableFlow(e.ctx, batchprocessing.FlowRequest{FlowID: refserver.DemoFlowID}); err != nil {
				t.Fatal(err)
			}
			f := e.flow(refserver.DemoFlowID)
			for _, st := range []struct {
				what string
				time batchprocessing.ServerTime
			}{{"instance timestamp", fi.Timestamp}, {"flow updateTime", f.UpdateTime}} {
				if got, err := st.time.Time(time.UTC); err != nil || !got.Equal(at) {
					t.Errorf("%s written %q for %s reads back as %s, %v", st.what, st.time,
						at.Format(time.RFC3339Nano), got.Format(time.RFC3339Nano), err)
				}
			}
		})
	}
}

// opsOwnerOnly and opsMember are the two kinds of prerequisite the operations' pages state:
// "the user must belong to the OU" and "the user must be the owner of the workflow".
const (
	opsMember    = iota // the user must belong to the organization (OU)
	opsOwnerOnly        // the user must own the flow; neither user nor flow locked
)

// opsTarget is what an operation of the prerequisite table acts on.
type opsTarget struct {
	flowID int64
	taskID int64
	inst   batchprocessing.FlowInstanceID
	task   batchprocessing.TaskInstanceID // a started task instance of inst
}

// opsOperation is one operation of the prerequisite table.
type opsOperation struct {
	name       string
	class      int  // opsMember or opsOwnerOnly
	flowScoped bool // acts on an existing flow (all owner-only operations but Import Flow)
	call       func(org, user string, tg opsTarget) error
}

// opsOperations returns the 20 operations that take a userId and orgId, each called as the
// given identity on a target.
func opsOperations(e *opsEnv) []opsOperation {
	c, ctx := e.c, e.ctx
	root := e.srv.RootDirectory(refserver.DemoOrgID)
	n := 0 // makes the names of created directories and flows unique
	return []opsOperation{
		{"TriggerFlow", opsOwnerOnly, true, func(org, user string, tg opsTarget) error {
			_, err := c.TriggerFlow(ctx, batchprocessing.TriggerFlowRequest{FlowID: tg.flowID, TriggerTime: opsStart, OrgID: org, UserID: user})
			return err
		}},
		{"TriggerFlowFromTask", opsOwnerOnly, true, func(org, user string, tg opsTarget) error {
			_, err := c.TriggerFlowFromTask(ctx, batchprocessing.TriggerFlowFromTaskRequest{FlowID: tg.flowID, TaskID: tg.taskID, TriggerTime: opsStart, OrgID: org, UserID: user})
			return err
		}},
		{"UpdateAndTriggerFlow", opsOwnerOnly, true, func(org, user string, tg opsTarget) error {
			_, err := c.UpdateAndTriggerFlow(ctx, batchprocessing.UpdateAndTriggerFlowRequest{FlowID: tg.flowID, TriggerTime: opsStart,
				Parameters: []batchprocessing.Parameter{{Key: "k", Value: "v"}}, OrgID: org, UserID: user})
			return err
		}},
		{"CancelFlowInstance", opsOwnerOnly, true, func(org, user string, tg opsTarget) error {
			return c.CancelFlowInstance(ctx, batchprocessing.CancelFlowInstanceRequest{FlowInstanceID: tg.inst, OrgID: org, UserID: user})
		}},
		{"EnableFlow", opsOwnerOnly, true, func(org, user string, tg opsTarget) error {
			return c.EnableFlow(ctx, batchprocessing.FlowRequest{FlowID: tg.flowID, OrgID: org, UserID: user})
		}},
		{"DisableFlow", opsOwnerOnly, true, func(org, user string, tg opsTarget) error {
			return c.DisableFlow(ctx, batchprocessing.FlowRequest{FlowID: tg.flowID, OrgID: org, UserID: user})
		}},
		{"DeleteFlow", opsOwnerOnly, true, func(org, user string, tg opsTarget) error {
			return c.DeleteFlow(ctx, batchprocessing.FlowRequest{FlowID: tg.flowID, OrgID: org, UserID: user})
		}},
		{"SaveFlow", opsOwnerOnly, true, func(org, user string, tg opsTarget) error {
			_, err := c.SaveFlow(ctx, batchprocessing.SaveFlowRequest{FlowID: tg.flowID, Name: "renamed", Freq: refserver.DefaultFreq,
				Cycle: "D", StartTime: "2026-12-01", Owners: ";" + refserver.DemoUserID + ";" + opsLockedUser + ";",
				Tasks: []batchprocessing.TaskNode{{TaskID: tg.taskID, TaskName: "work"}}, OrgID: org, UserID: user})
			return err
		}},
		{"ImportFlow", opsOwnerOnly, false, func(org, user string, tg opsTarget) error {
			n++
			_, err := c.ImportFlow(ctx, batchprocessing.ImportFlowRequest{FlowName: "import " + itoa64(int64(n)), DirID: root, OrgID: org, UserID: user,
				Flow: batchprocessing.ExportedFlow{Name: "x", Cycle: "D", Cron: refserver.DefaultFreq, Tasks: []batchprocessing.ExportedTask{{Name: "t"}}}})
			return err
		}},
		{"GetFlowInstance", opsMember, false, func(org, user string, tg opsTarget) error {
			_, err := c.GetFlowInstance(ctx, batchprocessing.GetFlowInstanceRequest{FlowInstanceID: tg.inst, OrgID: org, UserID: user})
			return err
		}},
		{"ListFlowInstances", opsMember, false, func(org, user string, tg opsTarget) error {
			_, err := c.ListFlowInstances(ctx, batchprocessing.ListFlowInstancesRequest{OrgID: org, UserID: user})
			return err
		}},
		{"GetTaskInstance", opsMember, false, func(org, user string, tg opsTarget) error {
			_, err := c.GetTaskInstance(ctx, batchprocessing.GetTaskInstanceRequest{TaskInstanceID: tg.task, OrgID: org, UserID: user})
			return err
		}},
		{"GetTaskInstanceLog", opsMember, false, func(org, user string, tg opsTarget) error {
			_, err := c.GetTaskInstanceLog(ctx, batchprocessing.GetTaskInstanceLogRequest{TaskInstanceID: tg.task, OrgID: org, UserID: user})
			return err
		}},
		{"GetFlow", opsMember, false, func(org, user string, tg opsTarget) error {
			_, err := c.GetFlow(ctx, batchprocessing.FlowRequest{FlowID: tg.flowID, OrgID: org, UserID: user})
			return err
		}},
		{"GetMyFlows", opsMember, false, func(org, user string, tg opsTarget) error {
			_, err := c.GetMyFlows(ctx, batchprocessing.GetMyFlowsRequest{OrgID: org, UserID: user})
			return err
		}},
		{"SearchFlows", opsMember, false, func(org, user string, tg opsTarget) error {
			_, err := c.SearchFlows(ctx, batchprocessing.SearchFlowsRequest{OrgID: org, UserID: user})
			return err
		}},
		{"LoadFlowForEdit", opsMember, false, func(org, user string, tg opsTarget) error {
			_, err := c.LoadFlowForEdit(ctx, batchprocessing.FlowRequest{FlowID: tg.flowID, OrgID: org, UserID: user})
			return err
		}},
		{"ExportFlow", opsMember, false, func(org, user string, tg opsTarget) error {
			_, err := c.ExportFlow(ctx, batchprocessing.FlowRequest{FlowID: tg.flowID, OrgID: org, UserID: user})
			return err
		}},
		{"CreateDirectory", opsMember, false, func(org, user string, tg opsTarget) error {
			n++
			_, err := c.CreateDirectory(ctx, batchprocessing.CreateDirectoryRequest{ParentID: root, Name: "dir " + itoa64(int64(n)), OrgID: org, UserID: user})
			return err
		}},
		{"ListWorkflowDirectories", opsMember, false, func(org, user string, tg opsTarget) error {
			_, err := c.ListWorkflowDirectories(ctx, batchprocessing.ListWorkflowDirectoriesRequest{OrgID: org, UserID: user})
			return err
		}},
	}
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

// TestEndToEndOperationsPrerequisites runs the 20 operations that take a user against the
// prerequisites their pages state (where they are silent, the reference server's choices in
// its package comment): an unknown user, and a user not in the organization, get 62101
// everywhere; a locked user gets 62105 from the owner-only operations even on a flow it
// co-owns, and may still read; a member who does not own the flow gets 62103 from the
// owner-only operations on it, and may read; the owner of a locked flow gets 62105 from the
// owner-only operations on it.
func TestEndToEndOperationsPrerequisites(t *testing.T) {
	e := newOpsEnv(t)
	// A flow owned by the demo user and the locked user, with a running instance.
	e.addFlow(refserver.Flow{ID: 4010, Name: "shared flow", Owner: ";" + refserver.DemoUserID + ";" + opsLockedUser + ";",
		Tasks: []refserver.Task{{ID: 40101, Name: "work", Duration: time.Hour}}})
	shared := e.trigger(4010, opsStart.Add(-time.Minute))
	// A locked flow of the demo user, with a running instance (triggered before the lock).
	locked := refserver.Flow{ID: 4000, Name: "locked flow", Tasks: []refserver.Task{{ID: 40001, Name: "work", Duration: time.Hour}}}
	e.addFlow(locked)
	lockedInst := e.trigger(4000, opsStart.Add(-time.Minute))
	locked.Locked = true
	e.addFlow(locked)

	sharedTarget := opsTarget{flowID: 4010, taskID: 40101, inst: shared, task: opsTaskInstanceID(t, 40101, shared)}
	lockedTarget := opsTarget{flowID: 4000, taskID: 40001, inst: lockedInst, task: opsTaskInstanceID(t, 40001, lockedInst)}

	type outcome struct {
		sentinel error
		code     int
	}
	allowed := outcome{}
	cases := []struct {
		name      string
		org, user string
		target    opsTarget
		want      func(class int, flowScoped bool) outcome
	}{
		{"unknown user", refserver.DemoOrgID, "nobody", sharedTarget, func(int, bool) outcome {
			return outcome{batchprocessing.ErrUserNotFound, 62101}
		}},
		{"user not in the organization", opsOtherOrg, refserver.DemoUserID, sharedTarget, func(int, bool) outcome {
			return outcome{batchprocessing.ErrUserNotFound, 62101}
		}},
		{"locked co-owner", refserver.DemoOrgID, opsLockedUser, sharedTarget, func(class int, _ bool) outcome {
			if class == opsOwnerOnly {
				return outcome{batchprocessing.ErrAccountLocked, 62105}
			}
			return allowed
		}},
		{"member who is not the owner", refserver.DemoOrgID, opsOtherUser, sharedTarget, func(class int, flowScoped bool) outcome {
			if class == opsOwnerOnly && flowScoped {
				return outcome{batchprocessing.ErrNoPrivilege, 62103}
			}
			return allowed // reads, and Import Flow, which makes the caller the owner
		}},
		{"owner of a locked flow", refserver.DemoOrgID, refserver.DemoUserID, lockedTarget, func(class int, flowScoped bool) outcome {
			if class == opsOwnerOnly && flowScoped {
				return outcome{batchprocessing.ErrAccountLocked, 62105}
			}
			return allowed
		}},
	}
	ops := opsOperations(e)
	if len(ops) != 20 {
		t.Fatalf("%d operations in the table, want the 20 that take a user", len(ops))
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, op := range ops {
				want := tc.want(op.class, op.flowScoped)
				err := op.call(tc.org, tc.user, tc.target)
				if want.sentinel == nil {
					if err != nil {
						t.Errorf("%s: %v, want success", op.name, err)
					}
					continue
				}
				opsWantAPIError(t, op.name, err, want.sentinel, want.code)
			}
		})
	}

	// Nothing refused has changed the flows or their instances.
	for _, id := range []int64{4000, 4010} {
		f, ok := e.srv.Flow(id)
		if !ok || f.Name == "renamed" || !strings.HasSuffix(f.Name, "flow") {
			t.Errorf("flow %d after refused calls: %+v, %v", id, f.Name, ok)
		}
		if insts := e.srv.FlowInstances(id); len(insts) != 1 || insts[0].Status != refserver.StatusRunning {
			t.Errorf("flow %d has %d instances after refused calls, want its one running instance", id, len(insts))
		}
	}
}

// TestEndToEndOperationsRequestValidation proves that input the client can tell is invalid
// is refused with a *RequestError (ErrInvalidRequest) naming the field, before any request
// leaves: the server sees no call at all, not even for a token.
func TestEndToEndOperationsRequestValidation(t *testing.T) {
	e := newOpsEnv(t)
	c, ctx := e.c, e.ctx
	anonymous, err := batchprocessing.NewClient(e.url, refserver.DemoAccessKey, refserver.DemoSecretKey)
	if err != nil {
		t.Fatal(err)
	}
	var nilCtx context.Context
	for _, tt := range []struct {
		name  string
		field string
		call  func() error
	}{
		{"TriggerFlow without a flow", "FlowID", func() error {
			_, err := c.TriggerFlow(ctx, batchprocessing.TriggerFlowRequest{})
			return err
		}},
		{"TriggerFlow before 1970", "TriggerTime", func() error {
			_, err := c.TriggerFlow(ctx, batchprocessing.TriggerFlowRequest{FlowID: 3377, TriggerTime: time.Date(1969, 1, 1, 0, 0, 0, 0, time.UTC)})
			return err
		}},
		{"TriggerFlowFromTask without a task", "TaskID", func() error {
			_, err := c.TriggerFlowFromTask(ctx, batchprocessing.TriggerFlowFromTaskRequest{FlowID: 3377})
			return err
		}},
		{"UpdateAndTriggerFlow with a parameter without key", "Parameters", func() error {
			_, err := c.UpdateAndTriggerFlow(ctx, batchprocessing.UpdateAndTriggerFlowRequest{FlowID: 3377, Parameters: []batchprocessing.Parameter{{Value: "v"}}})
			return err
		}},
		{"GetFlowInstance of a malformed id", "FlowInstanceID", func() error {
			_, err := c.GetFlowInstance(ctx, batchprocessing.GetFlowInstanceRequest{FlowInstanceID: "3377"})
			return err
		}},
		{"CancelFlowInstance without an id", "FlowInstanceID", func() error {
			return c.CancelFlowInstance(ctx, batchprocessing.CancelFlowInstanceRequest{})
		}},
		{"WaitForFlowInstance of a malformed id", "FlowInstanceID", func() error {
			_, err := c.WaitForFlowInstance(ctx, "3377-tomorrow")
			return err
		}},
		{"GetTaskInstance of a malformed id", "TaskInstanceID", func() error {
			_, err := c.GetTaskInstance(ctx, batchprocessing.GetTaskInstanceRequest{TaskInstanceID: "extract"})
			return err
		}},
		{"GetTaskInstanceLog with a negative maxLength", "MaxLength", func() error {
			_, err := c.GetTaskInstanceLog(ctx, batchprocessing.GetTaskInstanceLogRequest{TaskInstanceID: "108580-20261130080000", MaxLength: -1})
			return err
		}},
		{"ListFlowInstances from after to", "From", func() error {
			_, err := c.ListFlowInstances(ctx, batchprocessing.ListFlowInstancesRequest{From: opsStart, To: opsStart.Add(-time.Hour)})
			return err
		}},
		{"ListFlowInstances with an unknown type", "Type", func() error {
			_, err := c.ListFlowInstances(ctx, batchprocessing.ListFlowInstancesRequest{Type: 7})
			return err
		}},
		{"ListFlowInstances with an unknown order", "Sorters", func() error {
			_, err := c.ListFlowInstances(ctx, batchprocessing.ListFlowInstancesRequest{Sorters: []batchprocessing.Sorter{{Field: "trigger_time", Order: "UP"}}})
			return err
		}},
		{"SearchFlows with a negative page", "PageNo", func() error {
			_, err := c.SearchFlows(ctx, batchprocessing.SearchFlowsRequest{PageNo: -1})
			return err
		}},
		{"GetFlow with a negative id", "FlowID", func() error {
			_, err := c.GetFlow(ctx, batchprocessing.FlowRequest{FlowID: -1})
			return err
		}},
		{"DeleteFlow without a flow", "FlowID", func() error {
			return c.DeleteFlow(ctx, batchprocessing.FlowRequest{})
		}},
		{"SaveFlow without a name", "Name", func() error {
			_, err := c.SaveFlow(ctx, batchprocessing.SaveFlowRequest{FlowID: 3377, Freq: refserver.DefaultFreq, Cycle: "D", StartTime: "2026-12-01"})
			return err
		}},
		{"ImportFlow without a directory", "DirID", func() error {
			_, err := c.ImportFlow(ctx, batchprocessing.ImportFlowRequest{FlowName: "x"})
			return err
		}},
		{"ImportFlow without a name", "FlowName", func() error {
			_, err := c.ImportFlow(ctx, batchprocessing.ImportFlowRequest{DirID: "x"})
			return err
		}},
		{"CreateDirectory without a parent", "ParentID", func() error {
			_, err := c.CreateDirectory(ctx, batchprocessing.CreateDirectoryRequest{Name: "x"})
			return err
		}},
		{"CreateDirectory with a blank name", "Name", func() error {
			_, err := c.CreateDirectory(ctx, batchprocessing.CreateDirectoryRequest{ParentID: "x", Name: "  "})
			return err
		}},
		{"GetFlow without a user", "UserID", func() error {
			_, err := anonymous.GetFlow(ctx, batchprocessing.FlowRequest{FlowID: 3377, OrgID: refserver.DemoOrgID})
			return err
		}},
		{"ListWorkflowDirectories without an organization", "OrgID", func() error {
			_, err := anonymous.ListWorkflowDirectories(ctx, batchprocessing.ListWorkflowDirectoriesRequest{UserID: refserver.DemoUserID})
			return err
		}},
		{"GetCurrentTime with a nil context", "context", func() error {
			_, err := c.GetCurrentTime(nilCtx)
			return err
		}},
	} {
		opsWantRequestError(t, tt.name, tt.call(), tt.field)
	}
	if n := e.totalCalls(); n != 0 {
		t.Errorf("the server saw %d requests for invalid input, want none: %v", n, e.calls)
	}
}

// TestEndToEndOperationsUnusualText sends names, expressions and parameter values that
// stress the query encoding, the signature over decoded query values, and the JSON documents
// carried in strings: spaces, '+', '&', '=', '%', quotes, backslashes, newlines and non-ASCII.
// Every operation must be signed correctly and return the text unchanged.
func TestEndToEndOperationsUnusualText(t *testing.T) {
	e := newOpsEnv(t)
	names := []string{"a+b & c=d", "100% done?", "描述 flow", `say "hi" \ bye`, "tab\there #1"}
	for i, name := range names {
		e.addFlow(refserver.Flow{ID: int64(4900 + i), Name: name, Tasks: []refserver.Task{{ID: int64(49000 + i), Name: "t", Duration: time.Second}}})
	}
	for i, name := range names {
		flowID := int64(4900 + i)
		mine, err := e.c.GetMyFlows(e.ctx, batchprocessing.GetMyFlowsRequest{Expression: name})
		if err != nil || len(mine) != 1 || mine[0].FlowID != flowID || mine[0].FlowName != name {
			t.Errorf("GetMyFlows(%q) = %+v, %v; want flow %d", name, mine, err, flowID)
		}
		found, err := e.c.SearchFlows(e.ctx, batchprocessing.SearchFlowsRequest{Expression: name})
		if err != nil || len(found) != 1 || found[0].FlowID != flowID || found[0].FlowName != name {
			t.Errorf("SearchFlows(%q) = %+v, %v; want flow %d", name, found, err, flowID)
		}
		if f := e.flow(flowID); f.FlowName != name {
			t.Errorf("GetFlow(%d) name %q, want %q", flowID, f.FlowName, name)
		}
		id := e.trigger(flowID, opsStart)
		p, err := e.c.ListFlowInstances(e.ctx, batchprocessing.ListFlowInstancesRequest{Expression: name})
		if err != nil || p.Count != 1 || len(p.FlowInstances) != 1 || p.FlowInstances[0].FlowInstanceID != id || p.FlowInstances[0].FlowName != name {
			t.Errorf("ListFlowInstances(%q) = %+v, %v; want %s", name, p, err, id)
		}
		dir, err := e.c.CreateDirectory(e.ctx, batchprocessing.CreateDirectoryRequest{ParentID: e.srv.RootDirectory(refserver.DemoOrgID), Name: name + " dir"})
		if err != nil {
			t.Errorf("CreateDirectory(%q): %v", name+" dir", err)
			continue
		}
		dirs, err := e.c.ListWorkflowDirectories(e.ctx, batchprocessing.ListWorkflowDirectoriesRequest{})
		if err != nil || len(dirs) != 1 {
			t.Fatalf("ListWorkflowDirectories = %+v, %v", dirs, err)
		}
		if d := opsDirEntries(&dirs[0])["Workflow/"+name+" dir"]; d == nil || d.Key != dir {
			t.Errorf("directory %q not listed under its name", name+" dir")
		}
	}

	params := []batchprocessing.Parameter{
		{Key: "quote", Value: `he said "no"`}, {Key: "path", Value: `C:\tmp\new`}, {Key: "lines", Value: "one\ntwo"},
		{Key: "中文", Value: "描述"}, {Key: "json", Value: `{"a":[1,2]}`}, {Key: "empty", Value: ""},
	}
	id, err := e.c.UpdateAndTriggerFlow(e.ctx, batchprocessing.UpdateAndTriggerFlowRequest{FlowID: 4900, TriggerTime: opsStart.Add(-time.Minute), Parameters: params})
	if err != nil {
		t.Fatalf("UpdateAndTriggerFlow: %v", err)
	}
	got, err := e.instance(id).DecodeParameters()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range params {
		if !slices.Contains(got, p) {
			t.Errorf("instance parameter %q = ?, want %q; all: %+v", p.Key, p.Value, got)
		}
	}

	f := e.flow(4901)
	g, err := f.DecodeGraph()
	if err != nil {
		t.Fatal(err)
	}
	saved, err := e.c.SaveFlow(e.ctx, batchprocessing.SaveFlowRequest{FlowID: 4901, Name: "renamed: 描述 & \"quotes\" + 100%", Desc: "line1\nline2",
		Freq: f.Freq, Cycle: f.Cycle, StartTime: "2026-12-01", Owners: g.Owners, Parameters: params, Tasks: g.Tasks, Relations: g.Relations})
	if err != nil || saved != 4901 {
		t.Fatalf("SaveFlow = %d, %v", saved, err)
	}
	f = e.flow(4901)
	if f.FlowName != "renamed: 描述 & \"quotes\" + 100%" || f.Desc != "line1\nline2" {
		t.Errorf("after SaveFlow: name %q, desc %q", f.FlowName, f.Desc)
	}
	if got, err := f.DecodeParameters(); err != nil || !slices.Equal(got, params) {
		t.Errorf("saved parameters = %+v, %v; want %+v", got, err, params)
	}
}

// TestEndToEndOperationsConcurrentWaiters has three goroutines wait for three queued
// instances of the demo flow through one client while another goroutine moves the shared
// clock: each wait returns its instance SUCCESS, each reports its statuses in the order
// WAIT, RUNNING, SUCCESS (steps may be missed, never reordered), and the instances ran one
// after the other, each starting exactly when the previous one ended.
func TestEndToEndOperationsConcurrentWaiters(t *testing.T) {
	e := newOpsEnv(t)
	var ids []batchprocessing.FlowInstanceID
	for i := 3; i > 0; i-- {
		ids = append(ids, e.trigger(refserver.DemoFlowID, opsStart.Add(-time.Duration(i)*time.Minute)))
	}

	stop := make(chan struct{})
	var ticker sync.WaitGroup
	ticker.Add(1)
	go func() {
		defer ticker.Done()
		for {
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
				e.clk.Advance(100 * time.Millisecond)
			}
		}
	}()

	results := make([]*batchprocessing.FlowInstance, len(ids))
	seen := make([][]batchprocessing.FlowInstanceStatus, len(ids))
	errs := make([]error, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(e.ctx, 30*time.Second)
			defer cancel()
			results[i], errs[i] = e.c.WaitForFlowInstance(ctx, id,
				batchprocessing.WithPollInterval(time.Millisecond, 3*time.Millisecond),
				batchprocessing.WithStatusChange(func(fi *batchprocessing.FlowInstance) { seen[i] = append(seen[i], fi.Status) }))
		}()
	}
	wg.Wait()
	close(stop)
	ticker.Wait()

	rank := map[batchprocessing.FlowInstanceStatus]int{batchprocessing.StatusWait: 0, batchprocessing.StatusRunning: 1, batchprocessing.StatusSuccess: 2}
	for i, id := range ids {
		if errs[i] != nil || results[i] == nil || results[i].Status != batchprocessing.StatusSuccess {
			t.Errorf("wait for %s = %+v, %v; want SUCCESS", id, results[i], errs[i])
			continue
		}
		last := -1
		for _, s := range seen[i] {
			r, ok := rank[s]
			if !ok || r <= last {
				t.Errorf("%s reported %v, want a subsequence of WAIT, RUNNING, SUCCESS", id, seen[i])
				break
			}
			last = r
		}
		if len(seen[i]) == 0 || seen[i][len(seen[i])-1] != batchprocessing.StatusSuccess {
			t.Errorf("%s reported %v, want SUCCESS last", id, seen[i])
		}
	}
	for i := 1; i < len(ids); i++ {
		prev, cur := e.instance(ids[i-1]), e.instance(ids[i])
		e.wantInstance(prev, batchprocessing.StatusSuccess, opsStart.Add(time.Duration(2*(i-1))*time.Second), opsStart.Add(time.Duration(2*i)*time.Second))
		if cur.StartTime != prev.EndTime {
			t.Errorf("%s started at %q, %s ended at %q", cur.FlowInstanceID, cur.StartTime, prev.FlowInstanceID, prev.EndTime)
		}
	}
}
