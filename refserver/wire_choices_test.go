package refserver_test

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/enos-go/batchprocessing/refserver"
)

// sampleRunMode is the runMode of the documentation's samples (Export Flow), all eight
// fields of the RunMode struct.
const sampleRunMode = `{"taskMode":1,"cpu":0.5,"memory":1,"maxParallel":0,"keyType":0,"datasourceId":0,"path":"","content":""}`

// TestRunModeHasTheEightFields reads the runMode of an exported task and of a task
// instance: both are the sample's, with its eight fields.
func TestRunModeHasTheEightFields(t *testing.T) {
	t.Parallel()
	r, _ := newManualRig(t, t0)
	var exported struct {
		Tasks []struct{ RunMode string } `json:"tasks"`
	}
	decode(t, ok(t, r.op(http.MethodGet, flowsPath, "export", "&flowId=3377", "")), &exported)
	id := r.triggerAt(refserver.DemoFlowID, t0)
	var ti struct{ RunMode string }
	decode(t, ok(t, r.op(http.MethodGet, taskInstancesPath, "get", "&taskInstId=108580-"+id[len("3377-"):], "")), &ti)
	for _, got := range []string{exported.Tasks[0].RunMode, exported.Tasks[1].RunMode, ti.RunMode} {
		if got != sampleRunMode {
			t.Errorf("runMode %s, want %s", got, sampleRunMode)
		}
	}
}

// TestFlowsMadeThroughTheAPI imports flows: they show entry 1 (API), the seeded ones 0
// (Portal); and a deleted flow's id is never given again, neither to the next import nor to
// one that asks for it.
func TestFlowsMadeThroughTheAPI(t *testing.T) {
	t.Parallel()
	r, _ := newManualRig(t, t0)
	entry := func(id int64) string {
		m := shape(t, ok(t, r.op(http.MethodGet, flowsPath, "get", "&flowId="+strconv.FormatInt(id, 10), "")), flowShape)
		return string(m["entry"])
	}
	exported := string(ok(t, r.op(http.MethodGet, flowsPath, "export", "&flowId=3377", "")))
	importAs := func(flowID string) int64 {
		body := `{"flowId":` + flowID + `,"flowName":"copy","desc":"","dirId":"` + r.srv.RootDirectory(refserver.DemoOrgID) + `","flowJson":` + exported + `}`
		var got struct{ FlowID int64 }
		decode(t, ok(t, r.op(http.MethodPost, flowsPath, "import", "", body)), &got)
		return got.FlowID
	}
	if got := entry(refserver.DemoFlowID); got != "0" {
		t.Errorf("seeded flow: entry %s, want 0", got)
	}
	first := importAs("null")
	if first != refserver.DemoEmptyFlowID+1 {
		t.Fatalf("first import: flow %d, want %d", first, refserver.DemoEmptyFlowID+1)
	}
	if got := entry(first); got != "1" {
		t.Errorf("imported flow: entry %s, want 1", got)
	}
	if f, _ := r.srv.Flow(first); f.Entry != refserver.EntryAPI {
		t.Errorf("Flow.Entry %d, want EntryAPI", f.Entry)
	}
	ok(t, r.op(http.MethodGet, flowsPath, "delete", "&flowId="+strconv.FormatInt(first, 10), ""))
	if second := importAs("null"); second != first+1 {
		t.Errorf("after deleting flow %d, the next import got %d, want %d", first, second, first+1)
	}
	if third := importAs(strconv.FormatInt(first, 10)); third != first+2 {
		t.Errorf("an import asking for the deleted id %d got %d, want %d", first, third, first+2)
	}
	// Saving keeps how the flow was made.
	save := `{"id":3377,"type":1,"name":"demo flow","freq":"0 0 0 * * ? *","cycle":"D","alertMode":0,"doAs":"yourDoAs",` +
		`"owners":"yourUserId","visitors":"","startTime":"","active":1}`
	ok(t, r.op(http.MethodPost, flowsPath, "save", "", save))
	if got := entry(refserver.DemoFlowID); got != "0" {
		t.Errorf("saved flow: entry %s, want 0", got)
	}
}

// TestTaskIDsNeverReused deletes the flow with the largest task ids: an import afterwards
// gives its tasks ids above them.
func TestTaskIDsNeverReused(t *testing.T) {
	t.Parallel()
	r, _ := newManualRig(t, t0)
	r.srv.AddFlow(refserver.Flow{ID: 50, Name: "big ids", OrgID: refserver.DemoOrgID, Owner: refserver.DemoUserID,
		Tasks: []refserver.Task{{ID: 900000, Name: "t"}}})
	ok(t, r.op(http.MethodGet, flowsPath, "delete", "&flowId=50", ""))
	exported := string(ok(t, r.op(http.MethodGet, flowsPath, "export", "&flowId=3377", "")))
	body := `{"flowName":"copy","desc":"","dirId":"` + r.srv.RootDirectory(refserver.DemoOrgID) + `","flowJson":` + exported + `}`
	var got struct{ FlowID int64 }
	decode(t, ok(t, r.op(http.MethodPost, flowsPath, "import", "", body)), &got)
	if f, _ := r.srv.Flow(got.FlowID); f.Tasks[0].ID != 900001 {
		t.Errorf("imported tasks %+v, want ids from 900001", f.Tasks)
	}
}
