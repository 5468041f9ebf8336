package refserver_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/enos-go/batchprocessing/refserver"
)

func TestGetTaskInstanceShape(t *testing.T) {
	t.Parallel()
	r, clk := newManualRig(t, t0, refserver.WithLocation(time.FixedZone("CST", 8*3600)))
	id := r.triggerAt(refserver.DemoFlowID, t0)
	if id != "3377-20261130160000" {
		t.Fatalf("id %s", id)
	}
	clk.Advance(1500 * time.Millisecond)

	get := func(taskInstID string) map[string]string {
		t.Helper()
		raw := ok(t, r.op(http.MethodGet, taskInstancesPath, "get", "&taskInstId="+taskInstID, ""))
		// One object, as the documentation's sample shows, not a one-element array.
		m := shape(t, raw, map[string]string{
			"instanceId": "string", "taskId": "number", "taskName": "string", "cycle": "string", "status": "number",
			"runNum": "number", "type": "number", "syncType": "null", "freq": "null", "ifPre": "number",
			"stsDesc": "string", "recallNum": "number", "triggerTime": "string", "timeout": "number",
			"recallLimit": "number", "recallInterval": "number", "startTime": "string", "endTime": "string",
			"timeStamp": "string", "isTimeout": "bool", "flowInstId": "string", "doAs": "string", "alert": "bool",
			"runMode": "string", "cmd": "string", "hasResourceBefore": "bool", "resourceName": "string",
			"fileName": "string", "resourceVersion": "string",
		})
		var runMode map[string]any
		embedded(t, m["runMode"], &runMode)
		if runMode["taskMode"] != 1.0 {
			t.Errorf("runMode %v", runMode)
		}
		out := make(map[string]string, len(m))
		for k, v := range m {
			out[k] = string(v)
		}
		return out
	}
	tests := []struct {
		id   string
		want map[string]string
	}{
		{"108580-20261130160000", map[string]string{
			"instanceId": `"108580-20261130160000"`, "taskId": "108580", "taskName": `"extract"`, "cycle": `"D"`,
			"status": "1", "stsDesc": `"SUCCESS"`, "runNum": "1", "type": "7", "triggerTime": `"2026-11-30 16:00:00"`,
			"startTime": `"2026-11-30 16:00:00"`, "endTime": `"2026-11-30 16:00:01"`, "timeStamp": `"Mon Nov 30 16:00:00 CST 2026"`,
			"flowInstId": `"3377-20261130160000"`, "doAs": `"yourDoAs"`, "cmd": `"echo extract"`,
		}},
		{"108581-20261130160000", map[string]string{
			"taskId": "108581", "status": "2", "stsDesc": `"RUNNING"`, "runNum": "1",
			"startTime": `"2026-11-30 16:00:01"`, "endTime": `""`, "cmd": `"echo load"`,
		}},
	}
	for _, tt := range tests {
		got := get(tt.id)
		for k, v := range tt.want {
			if got[k] != v {
				t.Errorf("%s: %s = %s, want %s", tt.id, k, got[k], v)
			}
		}
	}

	// A task type from the documented table shows its code.
	r.srv.AddFlow(refserver.Flow{ID: 10, OrgID: refserver.DemoOrgID, Owner: refserver.DemoUserID,
		Tasks: []refserver.Task{{ID: 1001, Name: "h", Type: "HIVE"}}})
	r.triggerAt(10, t0)
	if got := get("1001-20261130160000"); got["type"] != "5" || got["status"] != "2" || got["startTime"] != `"2026-11-30 16:00:01"` {
		t.Errorf("hive task: type %s status %s start %s", got["type"], got["status"], got["startTime"])
	}
}

func TestGetTaskInstanceErrors(t *testing.T) {
	t.Parallel()
	r, _ := newManualRig(t, t0)
	r.srv.AddUser("o2", "u2")
	r.srv.AddApp(refserver.DemoAccessKey, refserver.DemoSecretKey, "o2")
	r.srv.AddFlow(refserver.Flow{ID: 20, OrgID: "o2", Owner: "u2", Tasks: []refserver.Task{{ID: 201}}})
	r.triggerAt(refserver.DemoFlowID, t0)
	instanceID(t, r.opAs("o2", "u2", http.MethodPost, flowsPath, "trigger", "", triggerBody(20, t0)))
	tests := []struct {
		name, org, user, id string
		code                int
		msg                 string
	}{
		{"user not in org", "o2", refserver.DemoUserID, "108580-20261130080000", 62101, msgUserNotInOrg},
		{"no taskInstId", refserver.DemoOrgID, refserver.DemoUserID, "", 62102, "Invalid parameter: taskInstId"},
		{"unknown task", refserver.DemoOrgID, refserver.DemoUserID, "108582-20261130080000", 62102, "Instance not found"},
		{"unknown suffix", refserver.DemoOrgID, refserver.DemoUserID, "108580-20261130080100", 62102, "Instance not found"},
		{"flow instance id instead", refserver.DemoOrgID, refserver.DemoUserID, "3377-20261130080000", 62102, "Instance not found"},
		{"not an id", refserver.DemoOrgID, refserver.DemoUserID, "x-y", 62102, "Instance not found"},
		{"task instance of another org", refserver.DemoOrgID, refserver.DemoUserID, "201-20261130080000", 62102, "Instance not found"},
		{"the other org sees its own", "o2", "u2", "201-20261130080000", 0, "OK"},
		{"ok", refserver.DemoOrgID, refserver.DemoUserID, "108580-20261130080000", 0, "OK"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantErr(t, r.opAs(tt.org, tt.user, http.MethodGet, taskInstancesPath, "get", "&taskInstId="+tt.id, ""), tt.code, tt.msg)
		})
	}
}
