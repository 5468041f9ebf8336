package refserver_test

import (
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/enos-go/batchprocessing/refserver"
)

const (
	msgUserNotInOrg  = "userId does not exist, or it does not match to orgId."
	msgLocked        = "Your account has been locked"
	msgInvalidBody   = "Invalid request body."
	msgCannotTrigger = "Cannot create workflow instance. Please check if the workflow or task exist, and do not trigger the same workflow repeatedly in 1 minute."
	msgNoPrivilege   = "User has no privilege."
	msgNoTask        = "This workflow has no task. You cannot trigger it."
	msgInvalidAction = "Invalid parameter: action"
)

// TestTriggerFlowPrerequisites checks each code of Trigger Flow, and their order: each case
// breaks one prerequisite while every later one is broken as well, so the expected code is
// the first check in the documented order.
func TestTriggerFlowPrerequisites(t *testing.T) {
	t.Parallel()
	r := newEmptyRig(t)
	srv := r.srv
	srv.AddUser("o1", "owner")
	srv.AddUser("o1", "stranger")
	srv.AddUser("o1", "locked")
	srv.LockUser("locked")
	srv.AddUser("o2", "outsider")
	tasks := []refserver.Task{{ID: 1, Name: "t"}}
	srv.AddFlow(refserver.Flow{ID: 20, OrgID: "o2", Owner: "owner", Tasks: tasks})            // other org
	srv.AddFlow(refserver.Flow{ID: 22, OrgID: "o1", Owner: "owner", Locked: true})            // locked, no task
	srv.AddFlow(refserver.Flow{ID: 23, OrgID: "o1", Owner: "owner"})                          // no task
	srv.AddFlow(refserver.Flow{ID: 24, OrgID: "o1", Owner: "owner", Tasks: tasks})            // ok
	srv.AddFlow(refserver.Flow{ID: 25, OrgID: "o1", Owner: ";someone; owner;", Tasks: tasks}) // several owners
	srv.AddFlow(refserver.Flow{ID: 26, OrgID: "o1", Owner: "someone;owner2", Locked: true})   // not owned, locked, no task
	srv.AddFlow(refserver.Flow{ID: 27, OrgID: "o1", Owner: "owner", Tasks: tasks})            // string fields
	srv.AddFlow(refserver.Flow{ID: 28, OrgID: "o1", Owner: "owner;locked", Locked: true})     // locked user owns it
	tok := r.token()
	ms := strconv.FormatInt(epoch.UnixMilli(), 10)
	bad := `not json`

	tests := []struct {
		name     string
		query    string
		body     string
		wantCode int
		wantMsg  string
	}{
		{"user not in org (user locked, body bad)", "orgId=o2&userId=locked", bad, 62101, msgUserNotInOrg},
		{"userId missing", "orgId=o1", bad, 62101, msgUserNotInOrg},
		{"orgId missing", "userId=owner", bad, 62101, msgUserNotInOrg},
		{"both missing", "", bad, 62101, msgUserNotInOrg},
		{"user unknown", "orgId=o1&userId=ghost", bad, 62101, msgUserNotInOrg},
		{"org unknown", "orgId=o9&userId=owner", bad, 62101, msgUserNotInOrg},
		{"user locked (body bad)", "orgId=o1&userId=locked", bad, 62105, msgLocked},
		{"user locked (flow locked and owned)", "orgId=o1&userId=locked", `{"flowId":28,"triggerTime":` + ms + `}`, 62105, msgLocked},
		{"body not JSON", "orgId=o1&userId=owner", bad, 62102, msgInvalidBody},
		{"body empty", "orgId=o1&userId=owner", "", 62102, msgInvalidBody},
		{"body an array", "orgId=o1&userId=owner", `[24]`, 62102, msgInvalidBody},
		{"flowId missing", "orgId=o1&userId=owner", `{"triggerTime":` + ms + `}`, 62102, msgInvalidBody},
		{"flowId zero", "orgId=o1&userId=owner", `{"flowId":0,"triggerTime":` + ms + `}`, 62102, msgInvalidBody},
		{"flowId negative", "orgId=o1&userId=owner", `{"flowId":-24,"triggerTime":` + ms + `}`, 62102, msgInvalidBody},
		{"flowId not a number", "orgId=o1&userId=owner", `{"flowId":"abc","triggerTime":` + ms + `}`, 62102, msgInvalidBody},
		{"flowId fractional", "orgId=o1&userId=owner", `{"flowId":24.5,"triggerTime":` + ms + `}`, 62102, msgInvalidBody},
		{"triggerTime missing (flow unknown)", "orgId=o1&userId=owner", `{"flowId":999}`, 62102, msgInvalidBody},
		{"triggerTime null", "orgId=o1&userId=owner", `{"flowId":24,"triggerTime":null}`, 62102, msgInvalidBody},
		{"flow unknown (no privilege either)", "orgId=o1&userId=stranger", `{"flowId":999,"triggerTime":` + ms + `}`, 62102, msgCannotTrigger},
		{"flow in another org", "orgId=o1&userId=owner", `{"flowId":20,"triggerTime":` + ms + `}`, 62102, msgCannotTrigger},
		{"not owner (flow locked, no task)", "orgId=o1&userId=stranger", `{"flowId":26,"triggerTime":` + ms + `}`, 62103, msgNoPrivilege},
		{"owner prefix is not owner", "orgId=o1&userId=owner", `{"flowId":26,"triggerTime":` + ms + `}`, 62103, msgNoPrivilege},
		{"flow locked (no task)", "orgId=o1&userId=owner", `{"flowId":22,"triggerTime":` + ms + `}`, 62105, msgLocked},
		{"flow has no task", "orgId=o1&userId=owner", `{"flowId":23,"triggerTime":` + ms + `}`, 62104, msgNoTask},
		{"ok", "orgId=o1&userId=owner", `{"flowId":24,"triggerTime":` + ms + `}`, 0, "OK"},
		{"same minute again", "orgId=o1&userId=owner", `{"flowId":24,"triggerTime":` + strconv.FormatInt(epoch.UnixMilli()+15000, 10) + `}`, 62102, msgCannotTrigger},
		{"one of several owners", "orgId=o1&userId=owner", `{"flowId":25,"triggerTime":` + ms + `}`, 0, "OK"},
		{"ids and time as strings", "orgId=o1&userId=owner", `{"flowId":"27","triggerTime":"` + ms + `"}`, 0, "OK"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := r.call(tok, http.MethodPost, flowsPath+"?action=trigger&"+tt.query, tt.body)
			if a.Code != tt.wantCode || a.Msg != tt.wantMsg {
				t.Fatalf("got %d %q, want %d %q", a.Code, a.Msg, tt.wantCode, tt.wantMsg)
			}
		})
	}
	if got := len(srv.FlowInstances(24)); got != 1 {
		t.Errorf("flow 24 has %d instances, want 1", got)
	}
	for _, id := range []int64{20, 22, 23, 26, 28} {
		if got := srv.FlowInstances(id); got != nil {
			t.Errorf("refused triggers created instances of flow %d: %+v", id, got)
		}
	}
}

func TestTriggerFlowDemoEmptyFlow(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	a := r.trigger(r.token(), refserver.DemoEmptyFlowID, epoch.UnixMilli())
	if a.Code != 62104 || a.Msg != msgNoTask {
		t.Fatalf("got %d %q, want 62104", a.Code, a.Msg)
	}
}

func TestTriggerFlowInstanceID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts []refserver.Option
		want string
	}{
		{"UTC by default", nil, "3377-20191122012300"},
		{"GMT+8", []refserver.Option{refserver.WithLocation(time.FixedZone("GMT+8", 8*3600))}, "3377-20191122092300"},
		{"GMT-5:30", []refserver.Option{refserver.WithLocation(time.FixedZone("", -(5*3600 + 1800)))}, "3377-20191121195300"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, tt.opts...)
			got := instanceID(t, r.trigger(r.token(), refserver.DemoFlowID, 1574385824000))
			if got != tt.want {
				t.Fatalf("flowInstanceId = %q, want %q", got, tt.want)
			}
			ins := r.srv.FlowInstances(refserver.DemoFlowID)
			if len(ins) != 1 || ins[0].ID != tt.want || ins[0].FlowID != refserver.DemoFlowID || ins[0].Status != refserver.StatusRunning {
				t.Fatalf("instances = %+v", ins)
			}
			if ins[0].TriggerTime.UnixMilli() != 1574385824000 || !ins[0].CreatedAt.Equal(epoch) {
				t.Errorf("times = %v, %v", ins[0].TriggerTime, ins[0].CreatedAt)
			}
		})
	}
}

func TestTriggerFlowRunsOneAtATime(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	tok := r.token()
	now := epoch.UnixMilli()
	first := instanceID(t, r.trigger(tok, refserver.DemoFlowID, now))            // 01:23
	later := instanceID(t, r.trigger(tok, refserver.DemoFlowID, now-60_000))     // 01:22, triggered second
	earliest := instanceID(t, r.trigger(tok, refserver.DemoFlowID, now-120_000)) // 01:21, triggered last
	if first != "3377-20191122012300" || later != "3377-20191122012200" || earliest != "3377-20191122012100" {
		t.Fatalf("ids %s %s %s", first, later, earliest)
	}
	want := map[string]int{first: refserver.StatusRunning, later: refserver.StatusWait, earliest: refserver.StatusWait}
	assertStatuses(t, r.srv, want)

	// Sorted by trigger time, not creation order.
	ins := r.srv.FlowInstances(refserver.DemoFlowID)
	if ins[0].ID != earliest || ins[1].ID != later || ins[2].ID != first {
		t.Errorf("order: %s %s %s", ins[0].ID, ins[1].ID, ins[2].ID)
	}

	// Finishing the running one starts the waiting one with the earliest trigger time.
	if err := r.srv.FinishFlowInstance(first, refserver.StatusSuccess); err != nil {
		t.Fatal(err)
	}
	want[first], want[earliest] = refserver.StatusSuccess, refserver.StatusRunning
	assertStatuses(t, r.srv, want)

	if err := r.srv.FinishFlowInstance(earliest, refserver.StatusFail); err != nil {
		t.Fatal(err)
	}
	want[earliest], want[later] = refserver.StatusFail, refserver.StatusRunning
	assertStatuses(t, r.srv, want)

	// Nothing waits any more: a new trigger waits behind the running one.
	next := instanceID(t, r.trigger(tok, refserver.DemoFlowID, now-180_000))
	want[next] = refserver.StatusWait
	assertStatuses(t, r.srv, want)
	if err := r.srv.FinishFlowInstance(later, refserver.StatusCancel); err != nil {
		t.Fatal(err)
	}
	want[later], want[next] = refserver.StatusCancel, refserver.StatusRunning
	assertStatuses(t, r.srv, want)
	if err := r.srv.FinishFlowInstance(next, refserver.StatusSkip); err != nil {
		t.Fatal(err)
	}
	// With nothing running, a trigger in the past runs at once.
	last := instanceID(t, r.trigger(tok, refserver.DemoFlowID, now-240_000))
	if got := statuses(r.srv, refserver.DemoFlowID)[last]; got != refserver.StatusRunning {
		t.Errorf("trigger with nothing running: status %d, want RUNNING", got)
	}
}

func TestTriggerFlowFlowsAreIndependent(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.srv.AddFlow(refserver.Flow{ID: 9, OrgID: refserver.DemoOrgID, Owner: refserver.DemoUserID, Tasks: []refserver.Task{{ID: 1}}})
	tok := r.token()
	a := instanceID(t, r.trigger(tok, refserver.DemoFlowID, epoch.UnixMilli()))
	b := instanceID(t, r.trigger(tok, 9, epoch.UnixMilli()))
	if statuses(r.srv, refserver.DemoFlowID)[a] != refserver.StatusRunning || statuses(r.srv, 9)[b] != refserver.StatusRunning {
		t.Fatalf("a running instance of one flow held back another flow")
	}
}

func TestTriggerFlowFutureTimeWaits(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	tok := r.token()
	future := epoch.Add(10 * time.Minute)
	id := instanceID(t, r.trigger(tok, refserver.DemoFlowID, future.UnixMilli()))
	if id != "3377-20191122013300" {
		t.Fatalf("id %s", id)
	}
	assertStatuses(t, r.srv, map[string]int{id: refserver.StatusWait})

	// A trigger in the past runs now, without waiting for the future one.
	past := instanceID(t, r.trigger(tok, refserver.DemoFlowID, epoch.Add(-time.Hour).UnixMilli()))
	assertStatuses(t, r.srv, map[string]int{id: refserver.StatusWait, past: refserver.StatusRunning})
	if err := r.srv.FinishFlowInstance(past, refserver.StatusSuccess); err != nil {
		t.Fatal(err)
	}
	assertStatuses(t, r.srv, map[string]int{id: refserver.StatusWait, past: refserver.StatusSuccess})

	r.clock.Advance(10*time.Minute - time.Millisecond)
	assertStatuses(t, r.srv, map[string]int{id: refserver.StatusWait, past: refserver.StatusSuccess})
	r.clock.Advance(time.Millisecond)
	assertStatuses(t, r.srv, map[string]int{id: refserver.StatusRunning, past: refserver.StatusSuccess})
}

func TestTriggerFlowFutureTimeStartsOnRequest(t *testing.T) {
	t.Parallel()
	// The promotion also happens when a request, not a method call, comes.
	r := newRig(t)
	tok := r.token()
	id := instanceID(t, r.trigger(tok, refserver.DemoFlowID, epoch.Add(time.Minute).UnixMilli()))
	// The demo flow's tasks take a second each, so the due instance is still running half a
	// second after its trigger time.
	r.clock.Advance(time.Minute + 500*time.Millisecond)
	// This trigger comes after the waiting one became due: that one runs, the new one waits.
	other := instanceID(t, r.trigger(tok, refserver.DemoFlowID, epoch.UnixMilli()))
	assertStatuses(t, r.srv, map[string]int{id: refserver.StatusRunning, other: refserver.StatusWait})
}

func TestUnknownActionOrMethod(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, method, path string }{
		{"no action", http.MethodPost, flowsPath + "?orgId=yourOrgId&userId=yourUserId"},
		{"empty action", http.MethodPost, flowsPath + "?action=&orgId=yourOrgId&userId=yourUserId"},
		{"unknown action", http.MethodPost, flowsPath + "?action=explode&orgId=yourOrgId&userId=yourUserId"},
		{"action in another case", http.MethodPost, flowsPath + "?action=Trigger&orgId=yourOrgId&userId=yourUserId"},
		{"trigger with GET", http.MethodGet, flowsPath + demoQuery},
		{"trigger with PUT", http.MethodPut, flowsPath + demoQuery},
		{"trigger on another resource", http.MethodPost, "/batch-processing-service/v2.1/flowInstances" + demoQuery},
		{"time action with POST", http.MethodPost, "/batch-processing-service/v2.1/time?action=getCurrentTime"},
		{"getTimeZone with a lowercase z", http.MethodGet, "/batch-processing-service/v2.1/time?action=getTimezone"},
		{"delete with POST", http.MethodPost, flowsPath + "?action=delete&flowId=3377&orgId=yourOrgId&userId=yourUserId"},
		{"flow get on taskInstances", http.MethodGet, "/batch-processing-service/v2.1/taskInstances?action=getMyFlow&orgId=yourOrgId&userId=yourUserId"},
	}
	r := newRig(t)
	tok := r.token()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := r.call(tok, tt.method, tt.path, `{"flowId":3377,"triggerTime":1574385824000}`)
			if a.Code != 62102 || a.Msg != msgInvalidAction {
				t.Fatalf("got %d %q, want 62102 %q", a.Code, a.Msg, msgInvalidAction)
			}
		})
	}
	if got := r.srv.FlowInstances(refserver.DemoFlowID); got != nil {
		t.Errorf("instances created: %+v", got)
	}
}

func TestTriggerFlowConcurrent(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	tok := r.token()
	const n = 40
	ids := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := `{"flowId":3377,"triggerTime":` + strconv.FormatInt(epoch.Add(-time.Duration(i)*time.Minute).UnixMilli(), 10) + `}`
			req := r.signed(tok, http.MethodPost, flowsPath+demoQuery, []byte(body))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			defer resp.Body.Close()
			var a answer
			if err := jsonDecode(resp, &a); err != nil || a.Code != 0 {
				t.Errorf("trigger %d: %+v %v", i, a, err)
				return
			}
			ids[i] = flowInstanceIDOf(a)
		}()
		// Readers and writers of the store run alongside.
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.srv.FlowInstances(refserver.DemoFlowID)
			r.srv.AddUser(refserver.DemoOrgID, "user"+strconv.Itoa(i))
		}()
	}
	wg.Wait()

	seen := make(map[string]bool)
	for i, id := range ids {
		if id == "" || seen[id] {
			t.Fatalf("trigger %d: id %q empty or repeated", i, id)
		}
		seen[id] = true
	}
	running := 0
	ins := r.srv.FlowInstances(refserver.DemoFlowID)
	for _, in := range ins {
		if in.Status == refserver.StatusRunning {
			running++
		}
	}
	if len(ins) != n || running != 1 {
		t.Fatalf("%d instances, %d running; want %d and 1", len(ins), running, n)
	}
}

func TestTokenGetConcurrent(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	const n = 30
	tokens := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ts := epoch.UnixMilli() - int64(i)
			body := tokenBody(ts, encryptionOf(refserver.DemoAccessKey, ts, refserver.DemoSecretKey), nil)
			resp, err := http.Post(r.srv.URL+tokenGet, "application/json", bytesReader(body))
			if err != nil {
				t.Error(err)
				return
			}
			defer resp.Body.Close()
			var a tokenAnswer
			if err := jsonDecode(resp, &a); err != nil || a.Status != 0 {
				t.Errorf("get %d: %+v %v", i, a, err)
				return
			}
			tokens[i] = a.Data.AccessToken
		}()
	}
	wg.Wait()
	for i := range tokens {
		if tokens[i] != tokens[0] {
			t.Fatalf("concurrent gets returned different tokens: %q and %q", tokens[0], tokens[i])
		}
	}
}

func assertStatuses(t *testing.T, srv *refserver.Server, want map[string]int) {
	t.Helper()
	got := statuses(srv, refserver.DemoFlowID)
	if len(got) != len(want) {
		t.Fatalf("instances %v, want %v", got, want)
	}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("%s: status %d, want %d (all: %v)", id, got[id], w, got)
		}
	}
}
