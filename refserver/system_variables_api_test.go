package refserver_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/enos-go/batchprocessing/refserver"
)

// TestSystemVariablesInInstances triggers a daily flow whose global parameters, task
// parameters and command use system variables, on a server in GMT+8: the instance's
// parameters, the task instance's cmd and its log show them substituted, from the trigger
// time in the server's zone, while the flow keeps them as written.
func TestSystemVariablesInInstances(t *testing.T) {
	t.Parallel()
	r, clk := newManualRig(t, t0, refserver.WithLocation(time.FixedZone("GMT+8", 8*3600)))
	r.srv.AddFlow(refserver.Flow{ID: 80, Name: "vars", OrgID: refserver.DemoOrgID, Owner: refserver.DemoUserID,
		Parameters: []refserver.Parameter{{Key: "day", Value: "${cal_dt}"}, {Key: "stamp", Value: "${unix_timestamp}@${this_hour}"}, {Key: "app", Value: "${env.APP_ID}"}},
		Tasks: []refserver.Task{{ID: 801, Name: "load", Duration: time.Minute,
			Parameters: []refserver.Parameter{{Key: "out", Value: "/data/${day}/${cal_dt8}"}},
			Command:    "load.sh -o ${out} -d ${day} -t ${task_id} -i ${instance_id} -x ${unknown}"}}})
	// 2026-11-30 08:00 UTC is 16:00 in GMT+8: the business date is 2026-11-29.
	id := r.triggerAt(80, t0)
	v := r.getInstance(id)
	var params []refserver.Parameter
	if err := json.Unmarshal([]byte(v.Parameters), &params); err != nil {
		t.Fatal(err)
	}
	want := []refserver.Parameter{{Key: "day", Value: "2026-11-29"}, {Key: "stamp", Value: "1796025600@2026-11-30 16:00:00"}, {Key: "app", Value: "${env.APP_ID}"}}
	if len(params) != len(want) || params[0] != want[0] || params[1] != want[1] || params[2] != want[2] {
		t.Errorf("instance parameters %v, want %v", params, want)
	}
	if v.CalDt != "2026-11-29" {
		t.Errorf("calDt %s", v.CalDt)
	}
	var g struct{ Parameters string }
	if err := json.Unmarshal([]byte(v.Graph), &g); err != nil || g.Parameters != v.Parameters {
		t.Errorf("graph parameters %q, want the instance's %q (%v)", g.Parameters, v.Parameters, err)
	}

	const cmd = "load.sh -o /data/2026-11-29/20261129 -d 2026-11-29 -t 801 -i 80-20261130160000 -x ${unknown}"
	var ti struct{ Cmd string }
	decode(t, ok(t, r.op(http.MethodGet, taskInstancesPath, "get", "&taskInstId=801-20261130160000", "")), &ti)
	if ti.Cmd != cmd {
		t.Errorf("cmd %q, want %q", ti.Cmd, cmd)
	}
	var l struct{ Log string }
	decode(t, ok(t, r.op(http.MethodGet, taskInstancesPath, "getLog", "&taskInstId=801-20261130160000", "")), &l)
	if !strings.Contains(l.Log, "INFO command: "+cmd+"\n") {
		t.Errorf("log %q", l.Log)
	}

	// The flow keeps its parameters as written.
	var f struct{ Parameters string }
	decode(t, ok(t, r.op(http.MethodGet, flowsPath, "get", "&flowId=80", "")), &f)
	if !strings.Contains(f.Parameters, `"${cal_dt}"`) {
		t.Errorf("flow parameters %s", f.Parameters)
	}

	// Update And Trigger's parameters are substituted too, from their own trigger time.
	clk.Set(t0.Add(24 * time.Hour))
	body := `{"flowId":80,"triggerTime":` + ms(t0.Add(24*time.Hour)) + `,"parameters":[{"key":"day","value":"${ncal_dt8}"}]}`
	next := instanceID(t, r.op(http.MethodPost, flowsPath, "updateAndTrigger", "", body))
	if p := r.getInstance(next).Parameters; !strings.Contains(p, `{"key":"day","value":"20261201"}`) {
		t.Errorf("updateAndTrigger parameters %s", p)
	}
}
