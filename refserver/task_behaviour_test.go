package refserver_test

import (
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/enos-go/batchprocessing/refserver"
)

// behaviourSeed seeds one flow per task behaviour, each of one task of one minute unless
// said otherwise: held (suspended one minute, then two minutes waiting for its resource),
// flaky (its first two attempts fail; three retries, 30 seconds apart), slow (ten minutes
// with a timeout of 120 seconds), broken (an internal error) and doomed (every attempt
// fails; one retry at once).
const behaviourSeed = `{
  "apps": [{"accessKey": "yourAppAccessKey", "secretKey": "yourAppSecretKey"}],
  "users": [{"id": "yourUserId", "orgs": ["yourOrgId"]}],
  "flows": [
    {"id": 71, "name": "held", "org": "yourOrgId", "owner": "yourUserId",
     "tasks": [{"id": 7101, "name": "held", "duration": "1m", "suspend": "1m", "resourceName": "jars/etl.jar", "resourceWait": "2m"}]},
    {"id": 72, "name": "flaky", "org": "yourOrgId", "owner": "yourUserId",
     "tasks": [{"id": 7201, "name": "flaky", "duration": "1m", "failures": 2, "retryLimit": 3, "retryInterval": 30}]},
    {"id": 73, "name": "slow", "org": "yourOrgId", "owner": "yourUserId",
     "tasks": [{"id": 7301, "name": "slow", "duration": "10m", "timeout": 120}]},
    {"id": 74, "name": "broken", "org": "yourOrgId", "owner": "yourUserId",
     "tasks": [{"id": 7401, "name": "broken", "duration": "1m", "internalError": true}]},
    {"id": 75, "name": "doomed", "org": "yourOrgId", "owner": "yourUserId",
     "tasks": [{"id": 7501, "name": "doomed", "duration": "1m", "fail": true, "retryLimit": 1}]}
  ]
}`

// newBehaviourRig starts a server from behaviourSeed on a manual clock at t0.
func newBehaviourRig(t *testing.T) (*rig, *refserver.ManualClock) {
	t.Helper()
	seed, err := refserver.LoadSeed(strings.NewReader(behaviourSeed))
	if err != nil {
		t.Fatal(err)
	}
	clk := refserver.NewManualClock(t0)
	srv, err := refserver.NewServerFromSeed(seed, refserver.WithClock(clk.Now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return &rig{t: t, srv: srv, clock: manualClock{clk}, secret: refserver.DemoSecretKey}, clk
}

// taskInstanceView is a TaskInstance as the tests read it.
type taskInstanceView struct {
	Status            int    `json:"status"`
	StsDesc           string `json:"stsDesc"`
	RunNum            int    `json:"runNum"`
	RecallNum         int    `json:"recallNum"`
	RecallLimit       int    `json:"recallLimit"`
	RecallInterval    int    `json:"recallInterval"`
	Timeout           int    `json:"timeout"`
	IsTimeout         bool   `json:"isTimeout"`
	HasResourceBefore bool   `json:"hasResourceBefore"`
	ResourceName      string `json:"resourceName"`
	StartTime         string `json:"startTime"`
	EndTime           string `json:"endTime"`
}

// getTaskInstance reads a task instance through Get Task Instance.
func (r *rig) getTaskInstance(id string) taskInstanceView {
	r.t.Helper()
	var v taskInstanceView
	decode(r.t, ok(r.t, r.op(http.MethodGet, taskInstancesPath, "get", "&taskInstId="+url.QueryEscape(id), "")), &v)
	return v
}

// TestSeededTaskBehaviour runs each flow of behaviourSeed and reads, at each moment that
// matters, the instance's status and its task instance through the API: every status no
// plain run reaches (SUSPEND, READY, RERUN, TIMEOUT, INTERNAL_ERROR) and the fields that
// count attempts and tell timeouts and resources.
func TestSeededTaskBehaviour(t *testing.T) {
	type moment struct {
		at       time.Duration
		instance int // the flow instance's status
		task     taskInstanceView
	}
	tests := []struct {
		flowID  int64
		taskID  string
		moments []moment
	}{
		{71, "7101", []moment{
			{30 * time.Second, refserver.StatusSuspend, taskInstanceView{Status: 3, StsDesc: "SUSPEND", HasResourceBefore: true, ResourceName: "jars/etl.jar"}},
			{90 * time.Second, refserver.StatusReady, taskInstanceView{Status: 6, StsDesc: "READY", HasResourceBefore: true, ResourceName: "jars/etl.jar"}},
			{3 * time.Minute, refserver.StatusRunning, taskInstanceView{Status: 2, StsDesc: "RUNNING", RunNum: 1, HasResourceBefore: true, ResourceName: "jars/etl.jar", StartTime: "2026-11-30 08:03:00"}},
			{4 * time.Minute, refserver.StatusSuccess, taskInstanceView{Status: 1, StsDesc: "SUCCESS", RunNum: 1, HasResourceBefore: true, ResourceName: "jars/etl.jar", StartTime: "2026-11-30 08:03:00", EndTime: "2026-11-30 08:04:00"}},
		}},
		{72, "7201", []moment{
			{30 * time.Second, refserver.StatusRunning, taskInstanceView{Status: 2, StsDesc: "RUNNING", RunNum: 1, RecallLimit: 3, RecallInterval: 30, StartTime: "2026-11-30 08:00:00"}},
			{70 * time.Second, refserver.StatusRerun, taskInstanceView{Status: 9, StsDesc: "RERUN", RunNum: 1, RecallLimit: 3, RecallInterval: 30, StartTime: "2026-11-30 08:00:00"}},
			{2 * time.Minute, refserver.StatusRunning, taskInstanceView{Status: 2, StsDesc: "RUNNING", RunNum: 2, RecallNum: 1, RecallLimit: 3, RecallInterval: 30, StartTime: "2026-11-30 08:00:00"}},
			{160 * time.Second, refserver.StatusRerun, taskInstanceView{Status: 9, StsDesc: "RERUN", RunNum: 2, RecallNum: 1, RecallLimit: 3, RecallInterval: 30, StartTime: "2026-11-30 08:00:00"}},
			{4 * time.Minute, refserver.StatusSuccess, taskInstanceView{Status: 1, StsDesc: "SUCCESS", RunNum: 3, RecallNum: 2, RecallLimit: 3, RecallInterval: 30, StartTime: "2026-11-30 08:00:00", EndTime: "2026-11-30 08:04:00"}},
		}},
		{73, "7301", []moment{
			{119 * time.Second, refserver.StatusRunning, taskInstanceView{Status: 2, StsDesc: "RUNNING", RunNum: 1, Timeout: 120, StartTime: "2026-11-30 08:00:00"}},
			{2 * time.Minute, refserver.StatusTimeout, taskInstanceView{Status: 7, StsDesc: "TIMEOUT", RunNum: 1, Timeout: 120, IsTimeout: true, StartTime: "2026-11-30 08:00:00", EndTime: "2026-11-30 08:02:00"}},
		}},
		{74, "7401", []moment{
			{time.Minute, refserver.StatusInternalError, taskInstanceView{Status: 4, StsDesc: "INTERNAL_ERROR", RunNum: 1, StartTime: "2026-11-30 08:00:00", EndTime: "2026-11-30 08:01:00"}},
		}},
		{75, "7501", []moment{
			{time.Minute, refserver.StatusRunning, taskInstanceView{Status: 2, StsDesc: "RUNNING", RunNum: 2, RecallNum: 1, RecallLimit: 1, StartTime: "2026-11-30 08:00:00"}},
			{2 * time.Minute, refserver.StatusFail, taskInstanceView{Status: -1, StsDesc: "FAIL", RunNum: 2, RecallNum: 1, RecallLimit: 1, StartTime: "2026-11-30 08:00:00", EndTime: "2026-11-30 08:02:00"}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.taskID, func(t *testing.T) {
			t.Parallel()
			r, clk := newBehaviourRig(t)
			id := r.triggerAt(tt.flowID, t0)
			taskInstID := tt.taskID + "-20261130080000"
			for _, m := range tt.moments {
				clk.Set(t0.Add(m.at))
				if v := r.getInstance(id); v.Status != m.instance || v.StatusDesc != statusDesc(m.instance) {
					t.Errorf("+%v: instance %d %s, want %d", m.at, v.Status, v.StatusDesc, m.instance)
				}
				if got := r.getTaskInstance(taskInstID); got != m.task {
					t.Errorf("+%v: task instance\n%+v, want\n%+v", m.at, got, m.task)
				}
			}
		})
	}
}

// statusDesc is the documented name of an instance status code.
func statusDesc(status int) string {
	return map[int]string{-1: "FAIL", 0: "INIT", 1: "SUCCESS", 2: "RUNNING", 3: "SUSPEND", 4: "INTERNAL_ERROR",
		5: "WAIT", 6: "READY", 7: "TIMEOUT", 8: "CANCEL", 9: "RERUN", 10: "SKIP"}[status]
}

// TestSeededStatusesAreListed finds instances by the statuses only seeded behaviour brings,
// through List Flow Instances' status filter.
func TestSeededStatusesAreListed(t *testing.T) {
	t.Parallel()
	r, clk := newBehaviourRig(t)
	held := r.triggerAt(71, t0)
	flaky := r.triggerAt(72, t0)
	clk.Set(t0.Add(70 * time.Second)) // held is READY, flaky RERUN
	list := func(status string) []string {
		body := `{"type":0,"status":"` + status + `","fromTriggerTime":` + ms(t0) + `,"toTriggerTime":` + ms(t0) + `}`
		var page struct {
			FlowInsts []instanceView `json:"flowInsts"`
		}
		decode(t, ok(t, r.op(http.MethodPost, flowInstancesPath, "search", "", body)), &page)
		var ids []string
		for _, in := range page.FlowInsts {
			ids = append(ids, in.InstanceID)
		}
		return ids
	}
	for status, want := range map[string]string{"6": held, "9": flaky, "2": "", "3,6,9": flaky + " " + held} {
		if got := strings.Join(list(status), " "); got != want {
			t.Errorf("status %s: %q, want %q", status, got, want)
		}
	}
}

// TestSeededBehaviourLog reads the logs of the tasks that retry, wait and time out.
func TestSeededBehaviourLog(t *testing.T) {
	t.Parallel()
	r, clk := newBehaviourRig(t)
	for _, f := range []int64{71, 72, 73} {
		r.triggerAt(f, t0)
	}
	clk.Set(t0.Add(time.Hour))
	logOf := func(taskInstID string) string {
		var l struct{ Log string }
		decode(t, ok(t, r.op(http.MethodGet, taskInstancesPath, "getLog", "&taskInstId="+taskInstID, "")), &l)
		return l.Log
	}
	want := map[string]string{
		"7101-20261130080000": "2026-11-30 08:00:00 INFO task held suspended\n" +
			"2026-11-30 08:01:00 INFO task held ready, waiting for resource jars/etl.jar\n" +
			"2026-11-30 08:03:00 INFO task held started\n" +
			"2026-11-30 08:03:15 INFO task held running, 25% done\n" +
			"2026-11-30 08:03:30 INFO task held running, 50% done\n" +
			"2026-11-30 08:03:45 INFO task held running, 75% done\n" +
			"2026-11-30 08:04:00 INFO task held finished with exit code 0\n",
		"7201-20261130080000": "2026-11-30 08:00:00 INFO task flaky started\n" +
			"2026-11-30 08:00:15 INFO task flaky running, 25% done\n" +
			"2026-11-30 08:00:30 INFO task flaky running, 50% done\n" +
			"2026-11-30 08:00:45 INFO task flaky running, 75% done\n" +
			"2026-11-30 08:01:00 ERROR task flaky failed with exit code 1; retry 1 of 3 in 30s\n" +
			"2026-11-30 08:01:30 INFO task flaky retry 1 of 3 started\n" +
			"2026-11-30 08:01:45 INFO task flaky running, 25% done\n" +
			"2026-11-30 08:02:00 INFO task flaky running, 50% done\n" +
			"2026-11-30 08:02:15 INFO task flaky running, 75% done\n" +
			"2026-11-30 08:02:30 ERROR task flaky failed with exit code 1; retry 2 of 3 in 30s\n" +
			"2026-11-30 08:03:00 INFO task flaky retry 2 of 3 started\n" +
			"2026-11-30 08:03:15 INFO task flaky running, 25% done\n" +
			"2026-11-30 08:03:30 INFO task flaky running, 50% done\n" +
			"2026-11-30 08:03:45 INFO task flaky running, 75% done\n" +
			"2026-11-30 08:04:00 INFO task flaky finished with exit code 0\n",
		"7301-20261130080000": "2026-11-30 08:00:00 INFO task slow started\n" +
			"2026-11-30 08:02:00 ERROR task slow timed out after 120s\n",
	}
	for id, w := range want {
		if got := logOf(id); got != w {
			t.Errorf("%s: log\n%s\nwant\n%s", id, got, w)
		}
	}
}

// TestCancelStopsSeededWaits cancels instances whose task is suspended, waiting for its
// resource or waiting for a retry: the task ends CANCEL at once.
func TestCancelStopsSeededWaits(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		flowID int64
		taskID string
		at     time.Duration
	}{{71, "7101", 30 * time.Second}, {71, "7101", 90 * time.Second}, {72, "7201", 70 * time.Second}} {
		r, clk := newBehaviourRig(t)
		id := r.triggerAt(tt.flowID, t0)
		clk.Set(t0.Add(tt.at))
		ok(t, r.op(http.MethodPost, flowInstancesPath, "cancel", "", `{"flowInstId":"`+id+`"}`))
		clk.Set(t0.Add(time.Hour))
		if v := r.getTaskInstance(tt.taskID + "-20261130080000"); v.Status != refserver.StatusCancel || v.EndTime != local(t0.Add(tt.at)) {
			t.Errorf("flow %d cancelled at +%v: task %+v", tt.flowID, tt.at, v)
		}
	}
}

// TestExportImportKeepsRetriesAndTimeout exports the flows that retry and time out: their
// tasks carry timeout, retryLimit and retryInterval, which Import Flow reads back.
func TestExportImportKeepsRetriesAndTimeout(t *testing.T) {
	t.Parallel()
	r, _ := newBehaviourRig(t)
	for _, tt := range []struct {
		flowID                             int64
		timeout, retryLimit, retryInterval int
	}{{72, 0, 3, 30}, {73, 120, 0, 0}} {
		exported := ok(t, r.op(http.MethodGet, flowsPath, "export", "&flowId="+strconv.FormatInt(tt.flowID, 10), ""))
		var ef struct {
			Tasks []struct {
				Timeout       int `json:"timeout"`
				RetryLimit    int `json:"retryLimit"`
				RetryInterval int `json:"retryInterval"`
			} `json:"tasks"`
		}
		decode(t, exported, &ef)
		if len(ef.Tasks) != 1 || ef.Tasks[0].Timeout != tt.timeout || ef.Tasks[0].RetryLimit != tt.retryLimit || ef.Tasks[0].RetryInterval != tt.retryInterval {
			t.Errorf("flow %d exported %+v", tt.flowID, ef.Tasks)
		}
		body := `{"flowName":"copy","desc":"","dirId":"` + r.srv.RootDirectory(refserver.DemoOrgID) + `","flowJson":` + string(exported) + `}`
		var id struct{ FlowID int64 }
		decode(t, ok(t, r.op(http.MethodPost, flowsPath, "import", "", body)), &id)
		f, _ := r.srv.Flow(id.FlowID)
		if task := f.Tasks[0]; task.Timeout != time.Duration(tt.timeout)*time.Second || task.RetryLimit != tt.retryLimit ||
			task.RetryInterval != time.Duration(tt.retryInterval)*time.Second {
			t.Errorf("flow %d imported as %+v", tt.flowID, task)
		}
	}
}

// TestCancelFailedInstance cancels failed instances, as the documentation allows: one that
// failed while another task still runs is stopped and ends CANCEL; one that failed and ended
// is accepted and stays FAIL. An instance that ended otherwise is refused with 62102
// "Incorrect parameter", and X-Refserver-Reason says why.
func TestCancelFailedInstance(t *testing.T) {
	t.Parallel()
	r, clk := newManualRig(t, t0)
	r.srv.AddFlow(refserver.Flow{ID: 76, Name: "half failed", OrgID: refserver.DemoOrgID, Owner: refserver.DemoUserID,
		Tasks: []refserver.Task{{ID: 7601, Name: "bad", Duration: time.Minute, Fail: true}, {ID: 7602, Name: "long", Duration: 10 * time.Minute}}})
	r.srv.AddFlow(refserver.Flow{ID: 77, Name: "failed", OrgID: refserver.DemoOrgID, Owner: refserver.DemoUserID,
		Tasks: []refserver.Task{{ID: 7701, Name: "bad", Duration: time.Minute, Fail: true}}})
	r.srv.AddFlow(refserver.Flow{ID: 78, Name: "timed out", OrgID: refserver.DemoOrgID, Owner: refserver.DemoUserID,
		Tasks: []refserver.Task{{ID: 7801, Name: "slow", Duration: time.Minute, Timeout: time.Second}}})
	halfFailed := r.triggerAt(76, t0)
	failed := r.triggerAt(77, t0)
	timedOut := r.triggerAt(78, t0)
	succeeded := r.triggerAt(refserver.DemoFlowID, t0)
	cancel := func(id string) (answer, string) {
		resp, raw := r.do(r.signed(r.tok(), http.MethodPost, flowInstancesPath+"?action=cancel&orgId="+refserver.DemoOrgID+"&userId="+refserver.DemoUserID,
			[]byte(`{"flowInstId":"`+id+`"}`)))
		return decodeAnswer(t, resp.StatusCode, resp.Header, raw), resp.Header.Get(refserver.HeaderReason)
	}

	clk.Set(t0.Add(2 * time.Minute))
	if in := mustInstance(t, r.srv, halfFailed); in.Status != refserver.StatusFail || !in.EndTime.IsZero() {
		t.Fatalf("half failed: %d, ended %v; want FAIL, running", in.Status, in.EndTime)
	}
	if a, reason := cancel(halfFailed); a.Code != 0 || reason != "" {
		t.Errorf("cancel of the failed, running instance: %d %q, reason %q", a.Code, a.Msg, reason)
	}
	in := mustInstance(t, r.srv, halfFailed)
	if in.Status != refserver.StatusCancel || !in.EndTime.Equal(t0.Add(2*time.Minute)) ||
		!maps.Equal(taskStatuses(in), map[string]int{"bad": refserver.StatusFail, "long": refserver.StatusCancel}) {
		t.Errorf("after cancel: %+v", in)
	}
	if v := r.getInstance(halfFailed); v.Status != 8 || v.EndTime != "2026-11-30 08:02:00" {
		t.Errorf("through the API: %+v", v)
	}

	if a, _ := cancel(failed); a.Code != 0 {
		t.Errorf("cancel of the failed, ended instance: %d %q", a.Code, a.Msg)
	}
	if in := mustInstance(t, r.srv, failed); in.Status != refserver.StatusFail || !in.EndTime.Equal(t0.Add(time.Minute)) {
		t.Errorf("the ended failed instance changed: %d, ended %v", in.Status, in.EndTime)
	}

	for id, status := range map[string]string{succeeded: "SUCCESS", timedOut: "TIMEOUT", halfFailed: "CANCEL"} {
		a, reason := cancel(id)
		wantErr(t, a, 62102, "Incorrect parameter")
		if !strings.Contains(reason, `"`+id+`" ended `+status) || !strings.Contains(reason, "only a waiting, running or failed instance can be cancelled") {
			t.Errorf("%s: reason %q", id, reason)
		}
	}
}
