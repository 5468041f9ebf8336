package refserver_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/enos-go/batchprocessing"
	"github.com/enos-go/batchprocessing/refserver"
)

// loadSeedFile loads a seed from the module's testdata/seed.
func loadSeedFile(t *testing.T, name string) *refserver.Seed {
	t.Helper()
	f, err := os.Open("../testdata/seed/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	seed, err := refserver.LoadSeed(f)
	if err != nil {
		t.Fatalf("LoadSeed(%s): %v", name, err)
	}
	return seed
}

func TestLoadSeedRejectsBadSeeds(t *testing.T) {
	t.Parallel()
	const flow = `"id":1,"name":"f","org":"o","owner":"u"`
	tests := []struct {
		name, doc, want string
	}{
		{"empty document", ``, "empty document"},
		{"not JSON", `{"apps": [}`, "line 1: invalid character"},
		{"syntax error line", "{\n\"apps\": [\n}", "line 3"},
		{"two documents", `{} {}`, "more than one JSON value"},
		{"unknown field", `{"flows":[{` + flow + `,"nmae":"x"}]}`, `unknown field "nmae"`},
		{"wrong type", `{"flows":[{"id":"one"}]}`, "line 1: json: cannot unmarshal string"},
		{"timezone", `{"timezone":"Mars/Olympus"}`, `timezone "Mars/Olympus"`},
		{"timezone offset", `{"timezone":"GMT+25"}`, "bad UTC offset"},
		{"app without key", `{"apps":[{"secretKey":"s"}]}`, "apps[0]: accessKey is empty"},
		{"app without secret", `{"apps":[{"accessKey":"a"}]}`, "apps[0] (a): secretKey is empty"},
		{"app twice", `{"apps":[{"accessKey":"a","secretKey":"s"},{"accessKey":"a","secretKey":"t"}]}`, `apps[1]: accessKey "a" appears twice`},
		{"user without id", `{"users":[{"orgs":["o"]}]}`, "users[0]: id is empty"},
		{"user without org", `{"users":[{"id":"u"}]}`, "users[0] (u): orgs is empty"},
		{"user twice", `{"users":[{"id":"u","orgs":["o"]},{"id":"u","orgs":["o"]}]}`, `users[1]: id "u" appears twice`},
		{"flow id", `{"flows":[{"id":0,"name":"f","org":"o","owner":"u"}]}`, "flows[0]: id 0 is not positive"},
		{"flow name", `{"flows":[{"id":1,"org":"o","owner":"u"}]}`, "flows[0] (id 1): name is empty"},
		{"flow org", `{"flows":[{"id":1,"name":"f","owner":"u"}]}`, "org is empty"},
		{"flow owner", `{"flows":[{"id":1,"name":"f","org":"o","owner":";;"}]}`, "owner is empty"},
		{"flow twice", `{"flows":[{` + flow + `},{` + flow + `}]}`, "flows[1] (id 1): id appears twice"},
		{"flow type", `{"flows":[{` + flow + `,"type":"hourly"}]}`, `type "hourly"`},
		{"flow cycle", `{"flows":[{` + flow + `,"cycle":"Y"}]}`, `cycle "Y"`},
		{"unreadable freq", `{"flows":[{` + flow + `,"type":"periodic","freq":"every 5 minutes"}]}`, `freq "every 5 minutes"`},
		{"freq more often than the cycle", `{"flows":[{` + flow + `,"type":"periodic","freq":"0 */5 * * * ? *"}]}`,
			`freq "0 */5 * * * ? *" fires more than once a cycle "D" (2026-01-01T00:05:00Z and 2026-01-01T00:10:00Z)`},
		{"freq twice an hour, cycle H", `{"flows":[{` + flow + `,"type":"periodic","cycle":"H","freq":"0 0,30 * * * ? *"}]}`, `more than once a cycle "H"`},
		{"alert mode", `{"flows":[{` + flow + `,"alertMode":7}]}`, "alertMode 7"},
		{"start date", `{"flows":[{` + flow + `,"startDate":"01/02/2026"}]}`, `startDate "01/02/2026"`},
		{"flow depends on itself", `{"flows":[{` + flow + `,"dependsOn":[1]}]}`, "dependsOn names the flow itself"},
		{"flow depends on unknown", `{"flows":[{` + flow + `,"dependsOn":[9]}]}`, "flow 9, which is not in the seed"},
		{"parameter key", `{"flows":[{` + flow + `,"parameters":[{"value":"v"}]}]}`, "parameters[0]: key is empty"},
		{"task id", `{"flows":[{` + flow + `,"tasks":[{"name":"t"}]}]}`, "tasks[0]: id 0 is not positive"},
		{"task name", `{"flows":[{` + flow + `,"tasks":[{"id":5}]}]}`, "tasks[0] (id 5): name is empty"},
		{"task twice", `{"flows":[{` + flow + `,"tasks":[{"id":5,"name":"a"},{"id":5,"name":"b"}]}]}`, "tasks[1]: id 5 appears twice"},
		{"task name twice", `{"flows":[{` + flow + `,"tasks":[{"id":5,"name":"a"},{"id":6,"name":"a"}]}]}`, `name "a" appears twice`},
		{"task in two flows", `{"flows":[{` + flow + `,"tasks":[{"id":5,"name":"a"}]},{"id":2,"name":"g","org":"o","owner":"u","tasks":[{"id":5,"name":"a"}]}]}`, "task id 5 is also used by flow 1"},
		{"bad duration", `{"flows":[{` + flow + `,"tasks":[{"id":5,"name":"a","duration":"1x"}]}]}`, `tasks[0] (id 5): duration "1x"`},
		{"negative duration", `{"flows":[{` + flow + `,"tasks":[{"id":5,"name":"a","duration":"-1s"}]}]}`, "is negative"},
		{"negative durationMs", `{"flows":[{` + flow + `,"tasks":[{"id":5,"name":"a","durationMs":-1}]}]}`, "durationMs -1 is negative"},
		{"both durations", `{"flows":[{` + flow + `,"tasks":[{"id":5,"name":"a","duration":"1s","durationMs":1000}]}]}`, "not both"},
		{"negative retryLimit", `{"flows":[{` + flow + `,"tasks":[{"id":5,"name":"a","retryLimit":-1}]}]}`, "retryLimit -1 is negative"},
		{"negative timeout", `{"flows":[{` + flow + `,"tasks":[{"id":5,"name":"a","timeout":-5}]}]}`, "timeout -5 is negative"},
		{"fail and failures", `{"flows":[{` + flow + `,"tasks":[{"id":5,"name":"a","fail":true,"failures":2}]}]}`, "not both"},
		{"internal error and failures", `{"flows":[{` + flow + `,"tasks":[{"id":5,"name":"a","internalError":true,"failures":1}]}]}`, "without fail or failures"},
		{"bad suspend", `{"flows":[{` + flow + `,"tasks":[{"id":5,"name":"a","suspend":"a while"}]}]}`, `suspend "a while"`},
		{"negative resourceWait", `{"flows":[{` + flow + `,"tasks":[{"id":5,"name":"a","resourceWait":"-1m"}]}]}`, `resourceWait "-1m" is negative`},
		{"task depends on itself", `{"flows":[{` + flow + `,"tasks":[{"id":5,"name":"a","dependsOn":[5]}]}]}`, "names the task itself"},
		{"task depends on unknown", `{"flows":[{` + flow + `,"tasks":[{"id":5,"name":"a","dependsOn":[6]}]}]}`, "task 6, which is not in this flow"},
		{"task cycle", `{"flows":[{` + flow + `,"tasks":[{"id":5,"name":"a","dependsOn":[6]},{"id":6,"name":"b","dependsOn":[5]}]}]}`, "dependency cycle"},
		{"rerun after no upstream task", `{"flows":[{` + flow + `,"tasks":[{"id":5,"name":"a"},{"id":6,"name":"b","rerunAfter":[5]}]}]}`,
			"tasks[1] (id 6): rerunAfter names task 5, which is not in its dependsOn"},
		{"rerun after no upstream flow", `{"flows":[{` + flow + `,"tasks":[{"id":5,"name":"a","rerunAfterFlows":[2]}]}]}`,
			"tasks[0] (id 5): rerunAfterFlows names flow 2, which is not in the flow's dependsOn"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seed, err := refserver.LoadSeed(strings.NewReader(tt.doc))
			if err == nil {
				t.Fatalf("LoadSeed = %+v, want an error with %q", seed, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "seed: ") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want it to start with \"seed: \" and contain %q", err, tt.want)
			}
		})
	}
}

func TestSeedErrorsDoNotShowSecrets(t *testing.T) {
	t.Parallel()
	_, err := refserver.LoadSeed(strings.NewReader(`{"apps":[{"accessKey":"a","secretKey":"s3cr3t-value"},{"accessKey":"a","secretKey":"s3cr3t-value"}]}`))
	if err == nil || strings.Contains(err.Error(), "s3cr3t") {
		t.Errorf("error %v", err)
	}
}

func TestSeedTimezones(t *testing.T) {
	t.Parallel()
	tests := []struct {
		zone     string
		wantName string
		offset   int
	}{
		{"", "UTC", 0},
		{"UTC", "UTC", 0},
		{"GMT+8", "GMT+8", 8 * 3600},
		{"GMT-3", "GMT-3", -3 * 3600},
		{"UTC+05:30", "GMT+5:30", 5*3600 + 1800},
		{"GMT+0800", "GMT+8", 8 * 3600},
	}
	for _, tt := range tests {
		t.Run(tt.zone, func(t *testing.T) {
			loc, err := (&refserver.Seed{Timezone: tt.zone}).Location()
			if err != nil {
				t.Fatal(err)
			}
			name, offset := time.Date(2026, 1, 1, 0, 0, 0, 0, loc).Zone()
			if name != tt.wantName || offset != tt.offset {
				t.Errorf("zone %s %d, want %s %d", name, offset, tt.wantName, tt.offset)
			}
		})
	}
}

// TestDemoSeedFileIsTheDemoServer checks that testdata/seed/demo.json seeds what
// NewDemoServer does.
func TestDemoSeedFileIsTheDemoServer(t *testing.T) {
	t.Parallel()
	clk := refserver.NewManualClock(time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC))
	demo := refserver.NewDemoServer(refserver.WithClock(clk.Now))
	defer demo.Close()
	fromFile, err := refserver.NewServerFromSeed(loadSeedFile(t, "demo.json"), refserver.WithClock(clk.Now))
	if err != nil {
		t.Fatal(err)
	}
	defer fromFile.Close()
	for _, id := range []int64{refserver.DemoFlowID, refserver.DemoEmptyFlowID} {
		want, _ := demo.Flow(id)
		got, ok := fromFile.Flow(id)
		if !ok || !reflect.DeepEqual(got, want) {
			t.Errorf("flow %d:\n got %+v\nwant %+v", id, got, want)
		}
	}
	// Both register the demo app in the demo org only.
	for name, srv := range map[string]*refserver.Server{"NewDemoServer": demo, "demo.json": fromFile} {
		srv.AddUser("otherOrg", refserver.DemoUserID)
		c := clientOf(t, srv.Backend, clk, refserver.DemoAccessKey, refserver.DemoSecretKey)
		checkOrgCalls(t, refserver.DemoUserID, []orgCall{
			{name + ", demo org", c, flowsPath, "getMyFlow", refserver.DemoOrgID, http.StatusOK},
			{name + ", other org", c, flowsPath, "getMyFlow", "otherOrg", http.StatusForbidden},
		})
	}
}

// TestExampleSeedServes starts a server from testdata/seed/example.json and runs its flows
// through the SDK.
func TestExampleSeedServes(t *testing.T) {
	t.Parallel()
	clk := refserver.NewManualClock(time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC))
	srv, err := refserver.NewServerFromSeed(loadSeedFile(t, "example.json"), refserver.WithClock(clk.Now))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	client := func(accessKey, secretKey, userID string) *batchprocessing.Client {
		c, err := batchprocessing.NewClient(srv.URL, accessKey, secretKey, batchprocessing.WithClock(clk.Now),
			batchprocessing.WithOrgID("o15724268424841"), batchprocessing.WithUserID(userID))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	ctx := context.Background()
	alice := client("exampleAccessKey", "exampleSecretKey", "alice")

	tz, err := alice.GetTimezone(ctx)
	if err != nil || tz.Name != "GMT+8" {
		t.Errorf("timezone %+v, %v; want GMT+8", tz, err)
	}
	f, err := alice.GetFlow(ctx, batchprocessing.FlowRequest{FlowID: 5001})
	if err != nil {
		t.Fatal(err)
	}
	params, _ := f.DecodeParameters()
	if f.FlowName != "nightly load" || f.Type != batchprocessing.FlowTypePeriodic || !f.Active || f.Freq != "0 30 1 * * ? *" || len(params) != 2 {
		t.Errorf("flow 5001 = %+v, parameters %v", f, params)
	}

	nightly, err := alice.TriggerFlow(ctx, batchprocessing.TriggerFlowRequest{FlowID: 5001})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(nightly), "5001-20261130160000") {
		t.Errorf("instance id %s, want the trigger minute in GMT+8", nightly)
	}
	report, err := alice.TriggerFlow(ctx, batchprocessing.TriggerFlowRequest{FlowID: 5002})
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(3 * time.Second) // 1s + 1.5s + 0.5s; the report's tasks take 2s
	for id, want := range map[batchprocessing.FlowInstanceID]batchprocessing.FlowInstanceStatus{
		nightly: batchprocessing.StatusSuccess, report: batchprocessing.StatusFail,
	} {
		fi, err := alice.GetFlowInstance(ctx, batchprocessing.GetFlowInstanceRequest{FlowInstanceID: id})
		if err != nil || fi.Status != want {
			t.Errorf("%s: %v, %v; want %s", id, fi, err, want)
		}
	}

	// The hourly flow shows its tasks' statuses one after the other, as the README says.
	hourly, err := alice.TriggerFlow(ctx, batchprocessing.TriggerFlowRequest{FlowID: 5005})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]map[int]bool{}
	for range 40 {
		in, _ := srv.FlowInstance(string(hourly))
		for _, task := range in.Tasks {
			if seen[task.Name] == nil {
				seen[task.Name] = map[int]bool{}
			}
			seen[task.Name][task.Status] = true
		}
		clk.Advance(time.Second)
	}
	for task, statuses := range map[string][]int{
		"fetch":   {refserver.StatusRunning, refserver.StatusRerun, refserver.StatusSuccess},
		"convert": {refserver.StatusSuspend, refserver.StatusReady, refserver.StatusRunning, refserver.StatusSuccess},
		"audit":   {refserver.StatusRunning, refserver.StatusInternalError},
	} {
		for _, status := range statuses {
			if !seen[task][status] {
				t.Errorf("task %s of flow 5005 never had status %d; it had %v", task, status, seen[task])
			}
		}
	}
	if in, _ := srv.FlowInstance(string(hourly)); in.Status != refserver.StatusInternalError {
		t.Errorf("flow 5005's instance ended %d, want INTERNAL_ERROR (4)", in.Status)
	}

	_, err = alice.TriggerFlow(ctx, batchprocessing.TriggerFlowRequest{FlowID: 5003})
	if !errors.Is(err, batchprocessing.ErrAccountLocked) {
		t.Errorf("trigger of the locked flow: %v, want ErrAccountLocked", err)
	}
	mallory := client("ciAccessKey", "ciSecretKey", "mallory")
	_, err = mallory.TriggerFlow(ctx, batchprocessing.TriggerFlowRequest{FlowID: 5001})
	if !errors.Is(err, batchprocessing.ErrAccountLocked) {
		t.Errorf("trigger by the locked user: %v, want ErrAccountLocked", err)
	}
	bob := client("ciAccessKey", "ciSecretKey", "bob")
	if _, err := bob.GetFlow(ctx, batchprocessing.FlowRequest{FlowID: 5004, OrgID: "o15724268424842"}); err != nil {
		t.Errorf("bob, second org: %v", err)
	}
}

func TestApplySeed(t *testing.T) {
	t.Parallel()
	srv := refserver.NewDemoServer()
	defer srv.Close()
	if err := srv.ApplySeed(&refserver.Seed{Flows: []refserver.SeedFlow{{ID: 1, Name: "bad"}}}); err == nil {
		t.Error("ApplySeed of an invalid seed: no error")
	}
	if _, ok := srv.Flow(1); ok {
		t.Error("an invalid seed was applied")
	}
	err := srv.ApplySeed(&refserver.Seed{Flows: []refserver.SeedFlow{{
		ID: 8, Name: "upstream", Org: refserver.DemoOrgID, Owner: refserver.DemoUserID,
	}, {
		ID: 9, Name: "extra", Org: refserver.DemoOrgID, Owner: refserver.DemoUserID, DependsOn: []int64{8},
		Tasks: []refserver.SeedTask{{ID: 90, Name: "t", DurationMs: 250, RerunAfterFlows: []int64{8}},
			{ID: 91, Name: "u", DependsOn: []int64{90}, RerunAfter: []int64{90}}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	f, ok := srv.Flow(9)
	if !ok || len(f.Tasks) != 2 || f.Tasks[0].Duration != 250*time.Millisecond || f.Cycle != "D" ||
		!slices.Equal(f.Tasks[0].RerunAfterFlows, []int64{8}) || !slices.Equal(f.Tasks[1].RerunAfter, []int64{90}) {
		t.Errorf("flow 9 = %+v", f)
	}
	if err := srv.ApplySeed(nil); err == nil {
		t.Error("ApplySeed(nil): no error")
	}
	if _, err := refserver.NewServerFromSeed(nil); err == nil {
		t.Error("NewServerFromSeed(nil): no error")
	}
}
