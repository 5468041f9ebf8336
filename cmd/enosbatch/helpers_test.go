package main

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/enos-go/batchprocessing/refserver"
)

// Flows the tests add to the demo server. Their tasks are short, so that waiting for them
// takes a fraction of a second; the tests never assert how long anything took.
const (
	fastFlowID = 41 // tasks "a" then "b", 20 ms each: ends SUCCESS
	failFlowID = 42 // task "a", 20 ms, fails: ends FAIL
	slowFlowID = 43 // task "long", one hour: still RUNNING when a test ends
	periodicID = 44 // like slowFlowID, but a periodic flow
)

// world is a reference server with the demo seed and the test flows, and the environment
// that reaches it.
type world struct {
	srv *refserver.Server
	env map[string]string
}

// newWorld starts a world; it stops when the test ends.
func newWorld(t *testing.T) *world {
	t.Helper()
	srv := refserver.NewDemoServer()
	t.Cleanup(srv.Close)
	flow := func(id int64, name string, tasks ...refserver.Task) refserver.Flow {
		return refserver.Flow{ID: id, Name: name, OrgID: refserver.DemoOrgID, Owner: refserver.DemoUserID, Tasks: tasks}
	}
	srv.AddFlow(flow(fastFlowID, "fast flow",
		refserver.Task{ID: 4101, Name: "a", Duration: 20 * time.Millisecond, Command: "echo a"},
		refserver.Task{ID: 4102, Name: "b", Duration: 20 * time.Millisecond, DependsOn: []int64{4101}}))
	srv.AddFlow(flow(failFlowID, "failing flow", refserver.Task{ID: 4201, Name: "a", Duration: 20 * time.Millisecond, Fail: true}))
	srv.AddFlow(flow(slowFlowID, "slow flow", refserver.Task{ID: 4301, Name: "long", Duration: time.Hour}))
	periodic := flow(periodicID, "periodic slow flow", refserver.Task{ID: 4401, Name: "long", Duration: time.Hour})
	periodic.Type = refserver.FlowTypePeriodic
	srv.AddFlow(periodic)
	return &world{srv: srv, env: map[string]string{
		"ENOS_API_GATEWAY": srv.URL,
		"ENOS_ACCESS_KEY":  refserver.DemoAccessKey,
		"ENOS_SECRET_KEY":  refserver.DemoSecretKey,
		"ENOS_ORG_ID":      refserver.DemoOrgID,
		"ENOS_USER_ID":     refserver.DemoUserID,
	}}
}

// result is what one run of the program did.
type result struct {
	code           int
	stdout, stderr string
}

// run runs the program in-process with the world's environment.
func (w *world) run(t *testing.T, args ...string) result {
	t.Helper()
	return runWith(t, context.Background(), w.env, args...)
}

// runWith runs the program in-process with ctx and env, and checks that no output shows the
// demo SecretKey.
func runWith(t *testing.T, ctx context.Context, env map[string]string, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(ctx, args, func(name string) string { return env[name] }, &stdout, &stderr)
	r := result{code: code, stdout: stdout.String(), stderr: stderr.String()}
	for _, secret := range []string{refserver.DemoSecretKey, env["ENOS_SECRET_KEY"]} {
		if secret != "" && strings.Contains(r.stdout+r.stderr, secret) {
			t.Errorf("enosbatch %s printed the SecretKey:\n%s%s", strings.Join(args, " "), r.stdout, r.stderr)
		}
	}
	return r
}

// want fails the test unless the run exited with code.
func (r result) want(t *testing.T, code int) result {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, code, r.stdout, r.stderr)
	}
	return r
}

// decodeJSON decodes the run's stdout, which must be one JSON document, into v.
func (r result) decodeJSON(t *testing.T, v any) {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("stdout is not the JSON expected: %v\n%s", err, r.stdout)
	}
	if dec.More() {
		t.Fatalf("stdout holds more than one JSON document:\n%s", r.stdout)
	}
}

// trigger triggers flowID and returns the instance id.
func (w *world) trigger(t *testing.T, flowID int64) string {
	t.Helper()
	r := w.run(t, "trigger", "--flow", itoa(flowID)).want(t, exitOK)
	return strings.TrimSpace(r.stdout)
}

// addFlow adds a flow of the demo organization, owned by the demo user, with tasks.
func (w *world) addFlow(id int64, name string, tasks ...refserver.Task) {
	w.srv.AddFlow(refserver.Flow{ID: id, Name: name, OrgID: refserver.DemoOrgID, Owner: refserver.DemoUserID, Tasks: tasks})
}

// with returns a copy of env with the given variables changed ("" deletes).
func with(env map[string]string, kv ...string) map[string]string {
	out := make(map[string]string, len(env))
	for k, v := range env {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

// listed runs 'instances --json' with args, which must succeed, and returns the instances
// and their flow ids, sorted: instances triggered within one second (trigger times on the
// wire have whole seconds) may come in either order.
func (w *world) listed(t *testing.T, args ...string) ([]instanceView, []int64) {
	t.Helper()
	var views []instanceView
	w.run(t, append([]string{"instances", "--json"}, args...)...).want(t, exitOK).decodeJSON(t, &views)
	flows := make([]int64, 0, len(views))
	for _, v := range views {
		flows = append(flows, v.FlowID)
	}
	slices.Sort(flows)
	return views, flows
}
