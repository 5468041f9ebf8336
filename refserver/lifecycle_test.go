package refserver_test

import (
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/enos-go/batchprocessing/refserver"
)

// TestLifecycleTasksRunInDependencyOrder follows the demo flow's instance through each
// instant that matters: "extract" runs one second, then "load" one second.
func TestLifecycleTasksRunInDependencyOrder(t *testing.T) {
	t.Parallel()
	r, clk := newManualRig(t, t0)
	id := r.triggerAt(refserver.DemoFlowID, t0)
	if id != "3377-20261130080000" {
		t.Fatalf("id %s", id)
	}
	type taskWant struct {
		status     int
		start, end time.Duration // from t0; -1 for none
	}
	tests := []struct {
		at          time.Duration
		status      int
		end         time.Duration
		extract     taskWant
		load        taskWant
		graph       map[string]string
		apiStart    string
		apiEnd      string
		apiStatus   string
		instanceEnd bool
	}{
		{0, refserver.StatusRunning, -1, taskWant{refserver.StatusRunning, 0, -1}, taskWant{refserver.StatusInit, -1, -1},
			map[string]string{"extract": "RUNNING", "load": "INIT"}, "2026-11-30 08:00:00", "", "RUNNING", false},
		{999 * time.Millisecond, refserver.StatusRunning, -1, taskWant{refserver.StatusRunning, 0, -1}, taskWant{refserver.StatusInit, -1, -1},
			map[string]string{"extract": "RUNNING", "load": "INIT"}, "2026-11-30 08:00:00", "", "RUNNING", false},
		{time.Second, refserver.StatusRunning, -1, taskWant{refserver.StatusSuccess, 0, time.Second}, taskWant{refserver.StatusRunning, time.Second, -1},
			map[string]string{"extract": "SUCCESS", "load": "RUNNING"}, "2026-11-30 08:00:00", "", "RUNNING", false},
		{1999 * time.Millisecond, refserver.StatusRunning, -1, taskWant{refserver.StatusSuccess, 0, time.Second}, taskWant{refserver.StatusRunning, time.Second, -1},
			map[string]string{"extract": "SUCCESS", "load": "RUNNING"}, "2026-11-30 08:00:00", "", "RUNNING", false},
		{2 * time.Second, refserver.StatusSuccess, 2 * time.Second, taskWant{refserver.StatusSuccess, 0, time.Second}, taskWant{refserver.StatusSuccess, time.Second, 2 * time.Second},
			map[string]string{"extract": "SUCCESS", "load": "SUCCESS"}, "2026-11-30 08:00:00", "2026-11-30 08:00:02", "SUCCESS", true},
		{time.Hour, refserver.StatusSuccess, 2 * time.Second, taskWant{refserver.StatusSuccess, 0, time.Second}, taskWant{refserver.StatusSuccess, time.Second, 2 * time.Second},
			map[string]string{"extract": "SUCCESS", "load": "SUCCESS"}, "2026-11-30 08:00:00", "2026-11-30 08:00:02", "SUCCESS", true},
	}
	at := func(d time.Duration) time.Time {
		if d < 0 {
			return time.Time{}
		}
		return t0.Add(d)
	}
	for _, tt := range tests {
		clk.Set(t0.Add(tt.at))
		in := mustInstance(t, r.srv, id)
		if in.Status != tt.status || !in.StartTime.Equal(t0) || !in.EndTime.Equal(at(tt.end)) {
			t.Errorf("at %v: status %d [%v, %v], want %d [%v, %v]", tt.at, in.Status, in.StartTime, in.EndTime, tt.status, t0, at(tt.end))
		}
		for taskID, want := range map[int64]taskWant{refserver.DemoExtractTaskID: tt.extract, refserver.DemoLoadTaskID: tt.load} {
			ti := taskOf(t, in, taskID)
			if ti.Status != want.status || !ti.StartTime.Equal(at(want.start)) || !ti.EndTime.Equal(at(want.end)) {
				t.Errorf("at %v: task %d: %d [%v, %v], want %+v", tt.at, taskID, ti.Status, ti.StartTime, ti.EndTime, want)
			}
		}
		v := r.getInstance(id)
		if v.StatusDesc != tt.apiStatus || v.StartTime != tt.apiStart || v.EndTime != tt.apiEnd {
			t.Errorf("at %v: API %s [%q, %q]", tt.at, v.StatusDesc, v.StartTime, v.EndTime)
		}
		if got := graphStatuses(t, v); !maps.Equal(got, tt.graph) {
			t.Errorf("at %v: graph statuses %v, want %v", tt.at, got, tt.graph)
		}
	}
}

// TestLifecycleExactTimesAfterAJump creates instances, then reads them only once, an hour
// later: every start and end is where the clock put it, not where the read happened.
func TestLifecycleExactTimesAfterAJump(t *testing.T) {
	t.Parallel()
	r, clk := newManualRig(t, t0)
	first := r.triggerAt(refserver.DemoFlowID, t0)                        // runs at once
	queued := r.triggerAt(refserver.DemoFlowID, t0.Add(-time.Minute))     // waits behind first
	later := r.triggerAt(refserver.DemoFlowID, t0.Add(10*time.Minute))    // waits for its time
	earliest := r.triggerAt(refserver.DemoFlowID, t0.Add(-2*time.Minute)) // waits, goes before queued
	for _, id := range []string{queued, later, earliest} {
		if got := mustInstance(t, r.srv, id).Status; got != refserver.StatusWait {
			t.Fatalf("%s: status %d, want WAIT", id, got)
		}
	}
	clk.Advance(time.Hour)
	want := map[string][2]time.Duration{
		first:    {0, 2 * time.Second},
		earliest: {2 * time.Second, 4 * time.Second},
		queued:   {4 * time.Second, 6 * time.Second},
		later:    {10 * time.Minute, 10*time.Minute + 2*time.Second},
	}
	for id, w := range want {
		in := mustInstance(t, r.srv, id)
		if in.Status != refserver.StatusSuccess || !in.StartTime.Equal(t0.Add(w[0])) || !in.EndTime.Equal(t0.Add(w[1])) {
			t.Errorf("%s: %d [%v, %v], want SUCCESS [%v, %v]", id, in.Status, in.StartTime, in.EndTime, t0.Add(w[0]), t0.Add(w[1]))
		}
		load := taskOf(t, in, refserver.DemoLoadTaskID)
		if !load.StartTime.Equal(t0.Add(w[0] + time.Second)) {
			t.Errorf("%s: load started %v", id, load.StartTime)
		}
		v := r.getInstance(id)
		if v.StartTime != local(t0.Add(w[0])) || v.EndTime != local(t0.Add(w[1])) {
			t.Errorf("%s: API times %q %q", id, v.StartTime, v.EndTime)
		}
	}
}

// TestLifecycleWaitsBehindRunning checks that a trigger time in the past does not jump the
// queue, and that the next instance starts at the very end of the running one.
func TestLifecycleWaitsBehindRunning(t *testing.T) {
	t.Parallel()
	r, clk := newManualRig(t, t0)
	r.srv.AddFlow(refserver.Flow{ID: 50, Name: "long", OrgID: refserver.DemoOrgID, Owner: refserver.DemoUserID,
		Tasks: []refserver.Task{{ID: 5001, Name: "only", Duration: 10 * time.Minute}}})
	a := r.triggerAt(50, t0)
	clk.Advance(3 * time.Minute)
	b := r.triggerAt(50, t0.Add(-time.Hour)) // old business time, created now: waits
	if in := mustInstance(t, r.srv, b); in.Status != refserver.StatusWait || !in.StartTime.IsZero() {
		t.Fatalf("b: %+v", in)
	}
	if v := r.getInstance(b); v.StatusDesc != "WAIT" || v.Status != 5 || v.StartTime != "" || v.EndTime != "" {
		t.Fatalf("b through the API: %+v", v)
	}
	clk.Advance(7*time.Minute - time.Millisecond)
	if in := mustInstance(t, r.srv, b); in.Status != refserver.StatusWait {
		t.Fatalf("b before a ends: %d", in.Status)
	}
	clk.Advance(time.Millisecond)
	ina, inb := mustInstance(t, r.srv, a), mustInstance(t, r.srv, b)
	if ina.Status != refserver.StatusSuccess || inb.Status != refserver.StatusRunning || !inb.StartTime.Equal(ina.EndTime) {
		t.Fatalf("a %d ended %v; b %d started %v", ina.Status, ina.EndTime, inb.Status, inb.StartTime)
	}
}

// TestLifecycleSeededFailure: a failed task stops new tasks; running ones finish; the
// instance ends FAIL when the last of them ends, and the next instance starts then.
func TestLifecycleSeededFailure(t *testing.T) {
	t.Parallel()
	r, clk := newManualRig(t, t0)
	r.srv.AddFlow(refserver.Flow{ID: 60, Name: "fragile", OrgID: refserver.DemoOrgID, Owner: refserver.DemoUserID,
		Tasks: []refserver.Task{
			{ID: 601, Name: "a", Duration: time.Minute},
			{ID: 602, Name: "b", Duration: 2 * time.Minute, Fail: true, DependsOn: []int64{601}},
			{ID: 603, Name: "c", Duration: time.Minute, DependsOn: []int64{602}},
			{ID: 604, Name: "d", Duration: 10 * time.Minute},
			{ID: 605, Name: "e", Duration: time.Minute, DependsOn: []int64{604}},
		}})
	id := r.triggerAt(60, t0)
	next := r.triggerAt(60, t0.Add(-time.Minute))

	// The instance fails as soon as b fails, at +3m, while d still runs: it has not ended.
	clk.Set(t0.Add(3*time.Minute - time.Second))
	if in := mustInstance(t, r.srv, id); in.Status != refserver.StatusRunning {
		t.Fatalf("before b fails: status %d", in.Status)
	}
	clk.Set(t0.Add(5 * time.Minute))
	in := mustInstance(t, r.srv, id)
	if in.Status != refserver.StatusFail || !in.EndTime.IsZero() {
		t.Fatalf("while d runs: status %d, end %v; want FAIL, not ended", in.Status, in.EndTime)
	}
	if v := r.getInstance(id); v.Status != -1 || v.StatusDesc != "FAIL" || v.EndTime != "" {
		t.Errorf("while d runs, through the API: %+v", v)
	}
	wantMid := map[string]int{"a": refserver.StatusSuccess, "b": refserver.StatusFail, "c": refserver.StatusInit, "d": refserver.StatusRunning, "e": refserver.StatusInit}
	if got := taskStatuses(in); !maps.Equal(got, wantMid) {
		t.Errorf("at +5m: %v, want %v", got, wantMid)
	}
	if b := taskOf(t, in, 602); !b.StartTime.Equal(t0.Add(time.Minute)) || !b.EndTime.Equal(t0.Add(3*time.Minute)) {
		t.Errorf("b ran [%v, %v]", b.StartTime, b.EndTime)
	}

	clk.Set(t0.Add(time.Hour))
	in = mustInstance(t, r.srv, id)
	if in.Status != refserver.StatusFail || !in.EndTime.Equal(t0.Add(10*time.Minute)) {
		t.Fatalf("end: %d at %v, want FAIL at +10m", in.Status, in.EndTime)
	}
	wantEnd := map[string]int{"a": refserver.StatusSuccess, "b": refserver.StatusFail, "c": refserver.StatusInit, "d": refserver.StatusSuccess, "e": refserver.StatusInit}
	if got := taskStatuses(in); !maps.Equal(got, wantEnd) {
		t.Errorf("at the end: %v, want %v", got, wantEnd)
	}
	for _, never := range []int64{603, 605} {
		if ti := taskOf(t, in, never); !ti.StartTime.IsZero() || !ti.EndTime.IsZero() {
			t.Errorf("task %d ran: %+v", never, ti)
		}
	}
	v := r.getInstance(id)
	if v.StatusDesc != "FAIL" || v.Status != -1 || v.EndTime != "2026-11-30 08:10:00" {
		t.Errorf("API: %+v", v)
	}
	if got := graphStatuses(t, v); got["b"] != "FAIL" || got["c"] != "INIT" || got["e"] != "INIT" || got["d"] != "SUCCESS" {
		t.Errorf("graph: %v", got)
	}
	if n := mustInstance(t, r.srv, next); !n.StartTime.Equal(t0.Add(10 * time.Minute)) {
		t.Errorf("next instance started %v, want when the failed one ended", n.StartTime)
	}

	// A failure with nothing else running ends the instance at once.
	r.srv.AddFlow(refserver.Flow{ID: 61, Name: "fails first", OrgID: refserver.DemoOrgID, Owner: refserver.DemoUserID,
		Tasks: []refserver.Task{{ID: 611, Name: "x", Duration: time.Second, Fail: true}, {ID: 612, Name: "y", DependsOn: []int64{611}}}})
	quick := r.triggerAt(61, clk.Now())
	clk.Advance(time.Second)
	if in := mustInstance(t, r.srv, quick); in.Status != refserver.StatusFail || !in.EndTime.Equal(clk.Now()) ||
		!maps.Equal(taskStatuses(in), map[string]int{"x": refserver.StatusFail, "y": refserver.StatusInit}) {
		t.Errorf("fails first: %+v", in)
	}
}

func TestCancelFlowInstance(t *testing.T) {
	t.Parallel()
	r, clk := newManualRig(t, t0)
	running := r.triggerAt(refserver.DemoFlowID, t0)
	queued := r.triggerAt(refserver.DemoFlowID, t0.Add(-time.Minute))
	future := r.triggerAt(refserver.DemoFlowID, t0.Add(time.Hour))
	cancel := func(id string) answer {
		return r.op(http.MethodPost, flowInstancesPath, "cancel", "", `{"flowInstId":"`+id+`"}`)
	}

	clk.Set(t0.Add(1500 * time.Millisecond))
	if data := ok(t, cancel(running)); string(data) != `""` {
		t.Errorf("data %s, want \"\"", data)
	}
	in := mustInstance(t, r.srv, running)
	at := t0.Add(1500 * time.Millisecond)
	if in.Status != refserver.StatusCancel || !in.EndTime.Equal(at) {
		t.Errorf("cancelled: %d at %v", in.Status, in.EndTime)
	}
	if got := taskStatuses(in); !maps.Equal(got, map[string]int{"extract": refserver.StatusSuccess, "load": refserver.StatusCancel}) {
		t.Errorf("tasks %v", got)
	}
	if load := taskOf(t, in, refserver.DemoLoadTaskID); !load.EndTime.Equal(at) {
		t.Errorf("load ended %v", load.EndTime)
	}
	v := r.getInstance(running)
	if v.Status != 8 || v.StatusDesc != "CANCEL" || v.EndTime != "2026-11-30 08:00:01" {
		t.Errorf("API: %+v", v)
	}
	if l := r.listedInstance(running, refserver.FlowTypePeriodic); !l.IsCancelled || l.Status != 8 {
		t.Errorf("listed: %+v", l)
	}
	if got := graphStatuses(t, v); got["load"] != "CANCEL" || got["extract"] != "SUCCESS" {
		t.Errorf("graph %v", got)
	}
	// The queued instance starts the moment the cancelled one ended.
	if q := mustInstance(t, r.srv, queued); q.Status != refserver.StatusRunning || !q.StartTime.Equal(at) {
		t.Errorf("queued: %d started %v", q.Status, q.StartTime)
	}
	// The cancelled task's log says so.
	a := r.op(http.MethodGet, taskInstancesPath, "getLog", "&taskInstId=108581-20261130080000", "")
	var log struct{ Log string }
	decode(t, ok(t, a), &log)
	if !strings.HasSuffix(log.Log, "2026-11-30 08:00:01 WARN task load cancelled\n") {
		t.Errorf("log %q", log.Log)
	}

	// A waiting instance ends without starting; its tasks stay INIT.
	ok(t, cancel(future))
	in = mustInstance(t, r.srv, future)
	if in.Status != refserver.StatusCancel || !in.StartTime.IsZero() || !in.EndTime.Equal(at) ||
		!maps.Equal(taskStatuses(in), map[string]int{"extract": refserver.StatusInit, "load": refserver.StatusInit}) {
		t.Errorf("future: %+v", in)
	}
	if v := r.listedInstance(future, refserver.FlowTypePeriodic); v.StartTime != "" || !v.IsCancelled {
		t.Errorf("future through the API: %+v", v)
	}
	if l := r.listedInstance(queued, refserver.FlowTypePeriodic); l.IsCancelled {
		t.Errorf("the running queued instance is listed cancelled: %+v", l)
	}

	tests := []struct {
		name, body string
		code       int
		msg        string
	}{
		{"already cancelled", `{"flowInstId":"` + running + `"}`, 62102, "Incorrect parameter"},
		{"unknown", `{"flowInstId":"3377-20000101000000"}`, 62102, "Instance not found"},
		{"no id", `{}`, 62102, "Invalid request body."},
		{"id not a string", `{"flowInstId":5}`, 62102, "Invalid request body."},
		{"not JSON", `cancel`, 62102, "Invalid request body."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantErr(t, r.op(http.MethodPost, flowInstancesPath, "cancel", "", tt.body), tt.code, tt.msg)
		})
	}
	// An instance that ended by itself cannot be cancelled either.
	clk.Advance(time.Minute)
	wantErr(t, cancel(queued), 62102, "Incorrect parameter")
}

func TestTriggerFlowFromTask(t *testing.T) {
	t.Parallel()
	r, clk := newManualRig(t, t0)
	fromTask := func(flowID, taskID any, at time.Time) answer {
		body, _ := json.Marshal(map[string]any{"flowId": flowID, "taskId": taskID, "triggerTime": at.UnixMilli()})
		return r.op(http.MethodPost, flowsPath, "triggerFromTask", "", string(body))
	}
	id := instanceID(t, fromTask(3377, refserver.DemoLoadTaskID, t0))
	if id != "3377-20261130080000" {
		t.Fatalf("id %s", id)
	}
	in := mustInstance(t, r.srv, id)
	if in.FromTaskID != refserver.DemoLoadTaskID || !maps.Equal(taskStatuses(in), map[string]int{"extract": refserver.StatusSkip, "load": refserver.StatusRunning}) {
		t.Fatalf("at once: %+v", in)
	}
	if load := taskOf(t, in, refserver.DemoLoadTaskID); !load.StartTime.Equal(t0) {
		t.Errorf("load started %v, want at once (extract is not in the run)", load.StartTime)
	}
	clk.Advance(time.Hour)
	in = mustInstance(t, r.srv, id)
	if in.Status != refserver.StatusSuccess || !in.EndTime.Equal(t0.Add(time.Second)) {
		t.Errorf("end: %d at %v", in.Status, in.EndTime)
	}
	if got := graphStatuses(t, r.getInstance(id)); !maps.Equal(got, map[string]string{"extract": "SKIP", "load": "SUCCESS"}) {
		t.Errorf("graph %v", got)
	}
	var ti struct {
		Status    int    `json:"status"`
		StsDesc   string `json:"stsDesc"`
		StartTime string `json:"startTime"`
		RunNum    int    `json:"runNum"`
	}
	decode(t, ok(t, r.op(http.MethodGet, taskInstancesPath, "get", "&taskInstId=108580-20261130080000", "")), &ti)
	if ti.Status != 10 || ti.StsDesc != "SKIP" || ti.StartTime != "" || ti.RunNum != 0 {
		t.Errorf("skipped task instance: %+v", ti)
	}
	wantErr(t, r.op(http.MethodGet, taskInstancesPath, "getLog", "&taskInstId=108580-20261130080000", ""), 62109, "No log found")

	// From the first task: everything runs. Ids as strings are accepted.
	id2 := instanceID(t, fromTask("3377", "108580", clk.Now()))
	clk.Advance(time.Minute)
	if in := mustInstance(t, r.srv, id2); in.Status != refserver.StatusSuccess ||
		!maps.Equal(taskStatuses(in), map[string]int{"extract": refserver.StatusSuccess, "load": refserver.StatusSuccess}) {
		t.Errorf("from the first task: %+v", in)
	}

	// A downstream task with an upstream task outside the run does not wait for it.
	r.srv.AddFlow(refserver.Flow{ID: 70, Name: "join", OrgID: refserver.DemoOrgID, Owner: refserver.DemoUserID,
		Tasks: []refserver.Task{
			{ID: 701, Name: "a", Duration: time.Minute},
			{ID: 702, Name: "b", Duration: 5 * time.Minute},
			{ID: 703, Name: "c", Duration: time.Minute, DependsOn: []int64{701, 702}},
			{ID: 704, Name: "d", Duration: time.Minute, DependsOn: []int64{703}},
		}})
	start := clk.Now()
	id3 := instanceID(t, fromTask(70, 701, start))
	clk.Advance(time.Hour)
	in = mustInstance(t, r.srv, id3)
	if got := taskStatuses(in); !maps.Equal(got, map[string]int{"a": refserver.StatusSuccess, "b": refserver.StatusSkip, "c": refserver.StatusSuccess, "d": refserver.StatusSuccess}) {
		t.Errorf("join: %v", got)
	}
	if c := taskOf(t, in, 703); !c.StartTime.Equal(start.Add(time.Minute)) || !in.EndTime.Equal(start.Add(3*time.Minute)) {
		t.Errorf("join: c started %v, instance ended %v", c.StartTime, in.EndTime)
	}

	next := clk.Now().Add(time.Minute)
	tests := []struct {
		name string
		body string
		code int
		msg  string
	}{
		{"task of another flow", `{"flowId":3377,"taskId":701,"triggerTime":` + ms(next) + `}`, 62102, msgCannotTrigger},
		{"unknown task", `{"flowId":3377,"taskId":999,"triggerTime":` + ms(next) + `}`, 62102, msgCannotTrigger},
		{"unknown flow", `{"flowId":999,"taskId":108580,"triggerTime":` + ms(next) + `}`, 62102, msgCannotTrigger},
		{"flow without task", `{"flowId":3378,"taskId":108580,"triggerTime":` + ms(next) + `}`, 62104, msgNoTask},
		{"same minute", `{"flowId":3377,"taskId":108580,"triggerTime":` + ms(t0) + `}`, 62102, msgCannotTrigger},
		{"taskId missing", `{"flowId":3377,"triggerTime":` + ms(next) + `}`, 62102, msgInvalidBody},
		{"taskId zero", `{"flowId":3377,"taskId":0,"triggerTime":` + ms(next) + `}`, 62102, msgInvalidBody},
		{"triggerTime missing", `{"flowId":3377,"taskId":108580}`, 62102, msgInvalidBody},
		{"not JSON", `x`, 62102, msgInvalidBody},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantErr(t, r.op(http.MethodPost, flowsPath, "triggerFromTask", "", tt.body), tt.code, tt.msg)
		})
	}
}

func TestUpdateAndTriggerFlow(t *testing.T) {
	t.Parallel()
	r, clk := newManualRig(t, t0)
	base := []refserver.Parameter{{Key: "a", Value: "1"}, {Key: "b", Value: "2"}}
	r.srv.AddFlow(refserver.Flow{ID: 80, Name: "params", OrgID: refserver.DemoOrgID, Owner: refserver.DemoUserID,
		Parameters: base, Tasks: []refserver.Task{{ID: 801, Name: "t"}}})
	tests := []struct {
		name       string
		parameters string
		want       []refserver.Parameter
	}{
		{"array", `[{"key":"b","value":"20"},{"key":"c","value":"3"}]`, []refserver.Parameter{{Key: "a", Value: "1"}, {Key: "b", Value: "20"}, {Key: "c", Value: "3"}}},
		{"object", `{"c":"3","b":"20"}`, []refserver.Parameter{{Key: "a", Value: "1"}, {Key: "b", Value: "20"}, {Key: "c", Value: "3"}}},
		{"string holding an array", `"[{\"key\":\"b\",\"value\":\"20\"}]"`, []refserver.Parameter{{Key: "a", Value: "1"}, {Key: "b", Value: "20"}}},
		{"string holding an object with a number", `"{\"b\":20}"`, []refserver.Parameter{{Key: "a", Value: "1"}, {Key: "b", Value: "20"}}},
		{"empty array", `[]`, base},
		{"empty string", `""`, base},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			at := t0.Add(time.Duration(i) * time.Minute)
			body := `{"flowId":80,"triggerTime":` + ms(at) + `,"parameters":` + tt.parameters + `}`
			id := instanceID(t, r.op(http.MethodPost, flowsPath, "updateAndTrigger", "", body))
			if got := mustInstance(t, r.srv, id).Parameters; !slices.Equal(got, tt.want) {
				t.Errorf("instance parameters %v, want %v", got, tt.want)
			}
			var onWire []struct{ Key, Value string }
			if err := json.Unmarshal([]byte(r.getInstance(id).Parameters), &onWire); err != nil || len(onWire) != len(tt.want) {
				t.Fatalf("API parameters %v %v", onWire, err)
			}
			for j, p := range onWire {
				if p.Key != tt.want[j].Key || p.Value != tt.want[j].Value {
					t.Errorf("API parameter %d: %+v", j, p)
				}
			}
		})
	}
	// The stored flow keeps its parameters, and a plain trigger uses them.
	if f, _ := r.srv.Flow(80); !slices.Equal(f.Parameters, base) {
		t.Errorf("flow parameters changed: %v", f.Parameters)
	}
	var flow struct{ Parameters string }
	decode(t, ok(t, r.op(http.MethodGet, flowsPath, "get", "&flowId=80", "")), &flow)
	if flow.Parameters != `[{"key":"a","value":"1"},{"key":"b","value":"2"}]` {
		t.Errorf("Get Flow parameters %s", flow.Parameters)
	}
	clk.Advance(time.Hour)
	plain := r.triggerAt(80, clk.Now())
	if got := mustInstance(t, r.srv, plain).Parameters; !slices.Equal(got, base) {
		t.Errorf("plain trigger parameters %v", got)
	}

	later := ms(clk.Now().Add(time.Minute))
	bad := []struct{ name, body string }{
		{"parameters missing", `{"flowId":80,"triggerTime":` + later + `}`},
		{"parameters null", `{"flowId":80,"triggerTime":` + later + `,"parameters":null}`},
		{"parameters a number", `{"flowId":80,"triggerTime":` + later + `,"parameters":5}`},
		{"parameters a plain string", `{"flowId":80,"triggerTime":` + later + `,"parameters":"a=b"}`},
		{"parameter without key", `{"flowId":80,"triggerTime":` + later + `,"parameters":[{"value":"x"}]}`},
		{"nested value", `{"flowId":80,"triggerTime":` + later + `,"parameters":{"a":{"b":1}}}`},
		{"flowId missing", `{"triggerTime":` + later + `,"parameters":[]}`},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			wantErr(t, r.op(http.MethodPost, flowsPath, "updateAndTrigger", "", tt.body), 62102, msgInvalidBody)
		})
	}
	wantErr(t, r.op(http.MethodPost, flowsPath, "updateAndTrigger", "", `{"flowId":3378,"triggerTime":`+later+`,"parameters":[]}`), 62104, msgNoTask)
}

func TestTaskInstanceLog(t *testing.T) {
	t.Parallel()
	r, clk := newManualRig(t, t0)
	r.srv.AddFlow(refserver.Flow{ID: 90, Name: "logs", OrgID: refserver.DemoOrgID, Owner: refserver.DemoUserID,
		Tasks: []refserver.Task{
			{ID: 901, Name: "slow", Duration: 4 * time.Minute, Command: "run.sh"},
			{ID: 902, Name: "bad", Duration: time.Minute, Fail: true, DependsOn: []int64{901}},
		}})
	r.triggerAt(90, t0)
	getLog := func(taskInstID, maxLength string) answer {
		return r.op(http.MethodGet, taskInstancesPath, "getLog", "&taskInstId="+taskInstID+"&maxLength="+maxLength, "")
	}
	logOf := func(taskInstID, maxLength string) string {
		t.Helper()
		data := ok(t, getLog(taskInstID, maxLength))
		shape(t, data, map[string]string{"log": "string"})
		var l struct{ Log string }
		decode(t, data, &l)
		return l.Log
	}
	const (
		started  = "2026-11-30 08:00:00 INFO task slow started\n2026-11-30 08:00:00 INFO command: run.sh\n"
		quarter  = "2026-11-30 08:01:00 INFO task slow running, 25% done\n"
		rest     = "2026-11-30 08:02:00 INFO task slow running, 50% done\n2026-11-30 08:03:00 INFO task slow running, 75% done\n"
		finished = "2026-11-30 08:04:00 INFO task slow finished with exit code 0\n"
		badLog   = "2026-11-30 08:04:00 INFO task bad started\n" +
			"2026-11-30 08:04:15 INFO task bad running, 25% done\n2026-11-30 08:04:30 INFO task bad running, 50% done\n" +
			"2026-11-30 08:04:45 INFO task bad running, 75% done\n2026-11-30 08:05:00 ERROR task bad failed with exit code 1\n"
	)
	steps := []struct {
		at   time.Duration
		want string
	}{
		{0, started},
		{59 * time.Second, started},
		{time.Minute, started + quarter},
		{3*time.Minute + 59*time.Second, started + quarter + rest},
		{4 * time.Minute, started + quarter + rest + finished},
		{time.Hour, started + quarter + rest + finished},
	}
	for _, s := range steps {
		clk.Set(t0.Add(s.at))
		if got := logOf("901-20261130080000", ""); got != s.want {
			t.Errorf("at %v: log\n%s\nwant\n%s", s.at, got, s.want)
		}
	}
	if got := logOf("902-20261130080000", ""); got != badLog {
		t.Errorf("failed task's log\n%s\nwant\n%s", got, badLog)
	}

	full := started + quarter + rest + finished
	for _, tt := range []struct {
		maxLength string
		want      string
	}{
		{"", full},
		{"0", full},
		{"10", full[len(full)-10:]},
		{"1", "\n"},
		{strconv.Itoa(len(full)), full},
		{strconv.Itoa(len(full) + 5), full},
	} {
		if got := logOf("901-20261130080000", tt.maxLength); got != tt.want {
			t.Errorf("maxLength %q: %q, want %q", tt.maxLength, got, tt.want)
		}
	}

	clk.Set(t0.Add(time.Hour))
	r.triggerAt(90, clk.Now())
	errs := []struct {
		name, id, maxLength string
		code                int
		msg                 string
	}{
		{"not started", "902-20261130090000", "", 62109, "No log found"},
		{"unknown task instance", "903-20261130080000", "", 62102, "Instance not found"},
		{"unknown suffix", "901-20000101000000", "", 62102, "Instance not found"},
		{"not an id", "garbage", "", 62102, "Instance not found"},
		{"flow instance id", "90-20261130080000", "", 62102, "Instance not found"},
		{"empty id", "", "", 62102, "Invalid parameter: taskInstId"},
		{"negative maxLength", "901-20261130080000", "-1", 62102, "Invalid parameter: maxLength"},
		{"maxLength not a number", "901-20261130080000", "ten", 62102, "Invalid parameter: maxLength"},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			wantErr(t, getLog(tt.id, tt.maxLength), tt.code, tt.msg)
		})
	}

	// Times in the log are the server's local time.
	r8, _ := newManualRig(t, t0, refserver.WithLocation(time.FixedZone("CST", 8*3600)))
	id := r8.triggerAt(refserver.DemoFlowID, t0)
	a := r8.op(http.MethodGet, taskInstancesPath, "getLog", "&taskInstId="+strings.Replace(id, "3377", "108580", 1), "")
	var l struct{ Log string }
	decode(t, ok(t, a), &l)
	if l.Log != "2026-11-30 16:00:00 INFO task extract started\n2026-11-30 16:00:00 INFO command: echo extract\n" {
		t.Errorf("GMT+8 log %q", l.Log)
	}
}

// ms formats t as epoch milliseconds.
func ms(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }
