package refserver_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/enos-go/batchprocessing/refserver"
)

// This file holds rules of the server that the client's end-to-end tests used to check.

// TestCalDtInTheServersZone triggers daily flows at instants whose date differs between
// UTC and the server's zone: calDt is the day before the trigger date in the server's zone.
func TestCalDtInTheServersZone(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		zone    *time.Location
		trigger time.Time
		want    string
	}{
		{time.FixedZone("GMT+8", 8*3600), time.Date(2026, 11, 30, 20, 0, 0, 0, time.UTC), "2026-11-30"}, // 12-01 04:00 local
		{time.FixedZone("GMT-3", -3*3600), time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC), "2026-11-29"},  // 11-30 22:00 local
		{time.FixedZone("GMT+5:30", 5*3600+1800), time.Date(2026, 11, 30, 18, 45, 0, 0, time.UTC), "2026-11-30"},
		{time.UTC, time.Date(2026, 11, 30, 20, 0, 0, 0, time.UTC), "2026-11-29"},
	} {
		r, _ := newManualRig(t, tt.trigger, refserver.WithLocation(tt.zone))
		if got := r.getInstance(r.triggerAt(refserver.DemoFlowID, tt.trigger)).CalDt; got != tt.want {
			t.Errorf("%s, trigger %v: calDt %s, want %s", tt.zone, tt.trigger, got, tt.want)
		}
	}
}

// TestInstanceTimesInTheServersZone reads an instance of a server in GMT+8 through Get and
// List Flow Instances: triggerTime, startTime, endTime and timestamp are all local times.
func TestInstanceTimesInTheServersZone(t *testing.T) {
	t.Parallel()
	r, clk := newManualRig(t, t0, refserver.WithLocation(time.FixedZone("GMT+8", 8*3600)))
	trigger := t0.Add(-90 * time.Second) // 07:58:30 UTC, 15:58:30 local
	id := r.triggerAt(refserver.DemoFlowID, trigger)
	clk.Advance(time.Hour)
	want := instanceView{TriggerTime: "2026-11-30 15:58:30", StartTime: "2026-11-30 16:00:00",
		EndTime: "2026-11-30 16:00:02", Timestamp: "2026-11-30 16:00:00.0"}
	for name, v := range map[string]instanceView{
		"get":  r.getInstance(id),
		"list": r.listedInstance(id, refserver.FlowTypePeriodic),
	} {
		if v.TriggerTime != want.TriggerTime || v.StartTime != want.StartTime || v.EndTime != want.EndTime || v.Timestamp != want.Timestamp {
			t.Errorf("%s: trigger %s, start %s, end %s, timestamp %s; want %+v", name, v.TriggerTime, v.StartTime, v.EndTime, v.Timestamp, want)
		}
	}
}

// TestSaveFlowClearsWithEmptyValues saves a flow with "desc":"", "queue":"", "visitors":""
// and "parameters":"[]": each clears what the flow had.
func TestSaveFlowClearsWithEmptyValues(t *testing.T) {
	t.Parallel()
	r, _ := newManualRig(t, t0)
	r.srv.AddFlow(refserver.Flow{ID: 40, Name: "full", OrgID: refserver.DemoOrgID, Owner: refserver.DemoUserID,
		Description: "described", Queue: "root.etl", Visitors: "v1;v2", Parameters: []refserver.Parameter{{Key: "k", Value: "v"}},
		Tasks: []refserver.Task{{ID: 401, Name: "t"}}})
	save := `{"id":40,"type":0,"name":"full","freq":"0 0 0 * * ? *","cycle":"D","alertMode":0,"doAs":"","owners":"yourUserId",` +
		`"visitors":"","startTime":"","active":0,"desc":"","queue":"","parameters":"[]"}`
	ok(t, r.op(http.MethodPost, flowsPath, "save", "", save))
	var f struct {
		Desc, Queue, Visitor, Parameters string
	}
	decode(t, ok(t, r.op(http.MethodGet, flowsPath, "loadForEdit", "&flowId=40", "")), &f)
	if f.Desc != "" || f.Queue != "" || f.Visitor != "" || f.Parameters != "[]" {
		t.Errorf("after saving empty values: %+v", f)
	}
	if stored, _ := r.srv.Flow(40); stored.Description != "" || stored.Queue != "" || stored.Visitors != "" || len(stored.Parameters) != 0 {
		t.Errorf("stored %+v", stored)
	}
}

// TestUpdateAndTriggerSameMinute refuses a second Update And Trigger Flow of a flow in the
// same minute, and one after a plain trigger of that minute.
func TestUpdateAndTriggerSameMinute(t *testing.T) {
	t.Parallel()
	r, _ := newManualRig(t, t0)
	body := func(at time.Time) string {
		return `{"flowId":3377,"triggerTime":` + ms(at) + `,"parameters":[{"key":"k","value":"v"}]}`
	}
	instanceID(t, r.op(http.MethodPost, flowsPath, "updateAndTrigger", "", body(t0)))
	wantErr(t, r.op(http.MethodPost, flowsPath, "updateAndTrigger", "", body(t0.Add(59*time.Second))), 62102, msgCannotTrigger)
	r.triggerAt(refserver.DemoFlowID, t0.Add(time.Minute))
	wantErr(t, r.op(http.MethodPost, flowsPath, "updateAndTrigger", "", body(t0.Add(time.Minute+30*time.Second))), 62102, msgCannotTrigger)
	if n := len(r.srv.FlowInstances(refserver.DemoFlowID)); n != 2 {
		t.Errorf("%d instances, want 2", n)
	}
}

// TestRefusedOwnerOnlyCallsChangeNothing has a member who owns nothing try each owner-only
// change: each answers 62103 and leaves the flow and its instance as they were.
func TestRefusedOwnerOnlyCallsChangeNothing(t *testing.T) {
	t.Parallel()
	r := newAccessRig(t)
	ok(t, r.opAs("o1", "owner", http.MethodPost, flowsPath, "enable", "", `{"flowId":20}`))
	before, _ := r.srv.Flow(20)
	for _, c := range []struct{ method, path, action, query, body string }{
		{http.MethodPost, flowInstancesPath, "cancel", "", `{"flowInstId":"` + r.inst20 + `"}`},
		{http.MethodPost, flowsPath, "disable", "", `{"flowId":20}`},
		{http.MethodGet, flowsPath, "delete", "&flowId=20", ""},
		{http.MethodPost, flowsPath, "save", "", `{"id":20,"type":0,"name":"taken","freq":"0 0 0 * * ? *","cycle":"D","alertMode":0,"doAs":"","owners":"stranger","visitors":"","startTime":"","active":0}`},
		{http.MethodPost, flowsPath, "trigger", "", triggerBody(20, t0.Add(time.Minute))},
	} {
		wantErr(t, r.opAs("o1", "stranger", c.method, c.path, c.action, c.query, c.body), 62103, msgNoPrivilege)
	}
	after, found := r.srv.Flow(20)
	if !found || !after.Active || after.Name != before.Name || after.Owner != before.Owner || !after.UpdatedAt.Equal(before.UpdatedAt) {
		t.Errorf("flow 20 changed: %+v, was %+v", after, before)
	}
	if in := mustInstance(t, r.srv, r.inst20); in.Status != refserver.StatusRunning || !in.EndTime.IsZero() {
		t.Errorf("instance %s: %d, ended %v; want it running", r.inst20, in.Status, in.EndTime)
	}
	if n := len(r.srv.FlowInstances(20)); n != 1 {
		t.Errorf("%d instances of flow 20, want 1", n)
	}
}

// TestLockedFlowCanBeRead reads the locked flow 22 and its instance, as its owner and as
// another member: locking stops owner-only changes, not reading.
func TestLockedFlowCanBeRead(t *testing.T) {
	t.Parallel()
	r := newAccessRig(t)
	taskInst := strings.Replace(r.inst22, "22-", "221-", 1)
	for _, user := range []string{"owner", "stranger"} {
		for _, c := range []struct{ method, path, action, query, body string }{
			{http.MethodGet, flowsPath, "get", "&flowId=22", ""},
			{http.MethodGet, flowsPath, "loadForEdit", "&flowId=22", ""},
			{http.MethodGet, flowsPath, "export", "&flowId=22", ""},
			{http.MethodGet, flowInstancesPath, "get", "&flowInstId=" + r.inst22, ""},
			{http.MethodPost, flowInstancesPath, "search", "", listBody(t, `{"type":0,"expression":"`+r.inst22+`"}`)},
			{http.MethodGet, taskInstancesPath, "get", "&taskInstId=" + taskInst, ""},
			{http.MethodGet, taskInstancesPath, "getLog", "&taskInstId=" + taskInst, ""},
		} {
			data := ok(t, r.opAs("o1", user, c.method, c.path, c.action, c.query, c.body))
			if c.action == "search" && !strings.Contains(string(data), `"count":1`) {
				t.Errorf("%s: List Flow Instances %s", user, data)
			}
		}
	}
	var f struct{ Locked bool }
	decode(t, ok(t, r.opAs("o1", "owner", http.MethodGet, flowsPath, "get", "&flowId=22", "")), &f)
	if !f.Locked {
		t.Error("flow 22 does not show locked")
	}
}

// TestImportByAMemberWhoOwnsNothing imports a flow as a member of the org who owns no flow:
// it succeeds, and the member owns (and may trigger) the new flow.
func TestImportByAMemberWhoOwnsNothing(t *testing.T) {
	t.Parallel()
	r, _ := newManualRig(t, t0)
	r.srv.AddUser(refserver.DemoOrgID, "newcomer")
	exported := string(ok(t, r.op(http.MethodGet, flowsPath, "export", "&flowId=3377", "")))
	body := `{"flowName":"mine","desc":"","dirId":"` + r.srv.RootDirectory(refserver.DemoOrgID) + `","flowJson":` + exported + `}`
	var created struct{ FlowID int64 }
	decode(t, ok(t, r.opAs(refserver.DemoOrgID, "newcomer", http.MethodPost, flowsPath, "import", "", body)), &created)
	var f struct {
		Owner, Creator string
		HasEditPri     bool
	}
	decode(t, ok(t, r.opAs(refserver.DemoOrgID, "newcomer", http.MethodGet, flowsPath, "get", "&flowId="+itoa(created.FlowID), "")), &f)
	if f.Owner != "newcomer" || f.Creator != "newcomer" || !f.HasEditPri {
		t.Errorf("imported flow %+v, want it owned and created by newcomer", f)
	}
	instanceID(t, r.opAs(refserver.DemoOrgID, "newcomer", http.MethodPost, flowsPath, "trigger", "", triggerBody(created.FlowID, t0)))
	wantErr(t, r.op(http.MethodPost, flowsPath, "trigger", "", triggerBody(created.FlowID, t0.Add(time.Minute))), 62103, msgNoPrivilege)
}

// TestDeletedFlowLeavesNoTrace deletes a flow with instances: they are gone from List Flow
// Instances, and the flow from Get My Flow.
func TestDeletedFlowLeavesNoTrace(t *testing.T) {
	t.Parallel()
	r, clk := newManualRig(t, t0)
	r.srv.AddFlow(refserver.Flow{ID: 45, Name: "doomed", OrgID: refserver.DemoOrgID, Owner: refserver.DemoUserID,
		Tasks: []refserver.Task{{ID: 451, Name: "t", Duration: time.Second}}})
	r.triggerAt(45, t0)
	clk.Advance(time.Minute)
	r.triggerAt(45, clk.Now()) // one ended, one running
	list := func() string {
		return string(ok(t, r.op(http.MethodPost, flowInstancesPath, "search", "", listBody(t, `{"type":0}`))))
	}
	myFlows := func() string { return string(ok(t, r.op(http.MethodGet, flowsPath, "getMyFlow", "", ""))) }
	if !strings.Contains(list(), `"count":2`) || !strings.Contains(myFlows(), `"flowId":"45"`) {
		t.Fatalf("before the delete: %s, %s", list(), myFlows())
	}
	ok(t, r.op(http.MethodGet, flowsPath, "delete", "&flowId=45", ""))
	if got := list(); got != `{"flowInsts":[],"count":0}` {
		t.Errorf("List Flow Instances after the delete: %s", got)
	}
	if got := myFlows(); strings.Contains(got, `"45"`) || strings.Contains(got, "doomed") {
		t.Errorf("Get My Flow after the delete: %s", got)
	}
}
