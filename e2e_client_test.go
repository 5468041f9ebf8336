package batchprocessing_test

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/enos-go/batchprocessing"
	"github.com/enos-go/batchprocessing/refserver"
)

// End-to-end tests of what the client does over several calls: waiting for an instance,
// listing every type and every page, reading times in the server's zone, carrying unusual
// text, and waiting from several goroutines. Client and reference server share the process
// and one manual clock, so instances move only when a test moves the clock. Each operation
// on its own is TestOperationRoundTrips; the server's rules are refserver's own tests.

// e2eStart is where the manual clock of these tests starts: a whole second, so that the
// service's second-precision times compare exactly.
var e2eStart = time.Date(2026, 11, 30, 8, 0, 30, 0, time.UTC)

// e2e is a demo reference server without a socket, in a time zone, and a client of the
// demo identities that reaches it in-process; both read one manual clock.
type e2e struct {
	t        *testing.T
	ctx      context.Context
	clk      *refserver.ManualClock
	srv      *refserver.Backend
	c        *batchprocessing.Client
	searches *countingTransport // the List Flow Instances requests the client sent
}

func newE2E(t *testing.T, start time.Time, loc *time.Location) *e2e {
	t.Helper()
	clk := refserver.NewManualClock(start)
	srv := refserver.NewDemoBackend(refserver.WithClock(clk.Now), refserver.WithLocation(loc))
	searches := &countingTransport{next: srv.Client().Transport, action: "search"}
	c := demoClient(t, "https://gateway.test", batchprocessing.WithHTTPClient(&http.Client{Transport: searches}),
		batchprocessing.WithClock(clk.Now))
	return &e2e{t: t, ctx: context.Background(), clk: clk, srv: srv, c: c, searches: searches}
}

// countingTransport counts the requests of one action it passes on.
type countingTransport struct {
	next   http.RoundTripper
	action string
	mu     sync.Mutex
	n      int
}

func (ct *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Query().Get("action") == ct.action {
		ct.mu.Lock()
		ct.n++
		ct.mu.Unlock()
	}
	return ct.next.RoundTrip(req)
}

func (ct *countingTransport) count() int {
	ct.mu.Lock()
	defer ct.mu.Unlock()
	return ct.n
}

// addFlow stores a flow of DemoOrgID owned by DemoUserID.
func (e *e2e) addFlow(f refserver.Flow) {
	f.OrgID, f.Owner = refserver.DemoOrgID, refserver.DemoUserID
	e.srv.AddFlow(f)
}

// trigger triggers flowID at the given time and fails the test on error.
func (e *e2e) trigger(flowID int64, at time.Time) batchprocessing.FlowInstanceID {
	e.t.Helper()
	id, err := triggerAt(e.c, flowID, at)
	if err != nil {
		e.t.Fatalf("TriggerFlow(%d, %s): %v", flowID, at, err)
	}
	return id
}

// instance returns the flow instance id and fails the test on error.
func (e *e2e) instance(id batchprocessing.FlowInstanceID) *batchprocessing.FlowInstance {
	e.t.Helper()
	fi, err := e.c.GetFlowInstance(e.ctx, batchprocessing.GetFlowInstanceRequest{FlowInstanceID: id})
	if err != nil {
		e.t.Fatalf("GetFlowInstance(%s): %v", id, err)
	}
	return fi
}

// wantTime checks that the server time got reads, through the client, as want.
func (e *e2e) wantTime(what string, got batchprocessing.ServerTime, want time.Time) {
	e.t.Helper()
	if at, err := e.c.Time(e.ctx, got); err != nil || !at.Equal(want) {
		e.t.Errorf("%s %q reads as %s, %v; want %s", what, got, at, err, want)
	}
}

// TestEndToEndWaitForFlowInstance waits for a queued instance of the demo flow: the status
// callback sees WAIT, RUNNING and SUCCESS in order (it moves the clock on each change, so
// nothing sleeps for a state) and the instance returns with its times. The wait for an
// instance whose task fails returns it FAIL, with ErrFlowInstanceFailed.
func TestEndToEndWaitForFlowInstance(t *testing.T) {
	t.Parallel()
	e := newE2E(t, e2eStart, time.UTC)
	e.trigger(refserver.DemoFlowID, e2eStart.Add(-time.Minute)) // runs 0-2 s
	id := e.trigger(refserver.DemoFlowID, e2eStart)             // waits, then runs 2-4 s

	var seen []batchprocessing.FlowInstanceStatus
	fi, err := e.c.WaitForFlowInstance(e.ctx, id,
		batchprocessing.WithPollInterval(time.Millisecond, 2*time.Millisecond),
		batchprocessing.WithStatusChange(func(fi *batchprocessing.FlowInstance) {
			seen = append(seen, fi.Status)
			if !fi.Status.IsTerminal() {
				e.clk.Advance(2500 * time.Millisecond)
			}
		}))
	if err != nil || fi.FlowInstanceID != id || fi.Status != batchprocessing.StatusSuccess {
		t.Fatalf("WaitForFlowInstance = %+v, %v", fi, err)
	}
	want := []batchprocessing.FlowInstanceStatus{batchprocessing.StatusWait, batchprocessing.StatusRunning, batchprocessing.StatusSuccess}
	if !slices.Equal(seen, want) {
		t.Errorf("status changes %v, want %v", seen, want)
	}
	e.wantTime("startTime", fi.StartTime, e2eStart.Add(2*time.Second))
	e.wantTime("endTime", fi.EndTime, e2eStart.Add(4*time.Second))

	e.addFlow(refserver.Flow{ID: 4100, Name: "failing flow", Tasks: []refserver.Task{
		{ID: 41001, Name: "crash", Duration: time.Second, Fail: true},
		{ID: 41002, Name: "never", DependsOn: []int64{41001}},
	}})
	failing := e.trigger(4100, e2eStart)
	e.clk.Advance(time.Minute)
	fi, err = e.c.WaitForFlowInstance(e.ctx, failing, batchprocessing.WithPollInterval(time.Millisecond, time.Millisecond))
	var failed *batchprocessing.FlowInstanceFailedError
	if !errors.Is(err, batchprocessing.ErrFlowInstanceFailed) || !errors.As(err, &failed) || failed.Instance.Status != batchprocessing.StatusFail ||
		fi == nil || fi.Status != batchprocessing.StatusFail {
		t.Errorf("WaitForFlowInstance of a failing instance = %+v, %v; want it FAIL and ErrFlowInstanceFailed", fi, err)
	}
}

// TestEndToEndConcurrentWaiters has three goroutines wait for three queued instances of the
// demo flow through one client while another goroutine moves the shared clock: each wait
// returns its instance SUCCESS, each reports its statuses in the order WAIT, RUNNING,
// SUCCESS (steps may be missed, never reordered), and the instances ran one after the
// other.
func TestEndToEndConcurrentWaiters(t *testing.T) {
	t.Parallel()
	e := newE2E(t, e2eStart, time.UTC)
	var ids []batchprocessing.FlowInstanceID
	for i := 3; i > 0; i-- {
		ids = append(ids, e.trigger(refserver.DemoFlowID, e2eStart.Add(-time.Duration(i)*time.Minute)))
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
		e.wantTime(string(prev.FlowInstanceID)+" endTime", prev.EndTime, e2eStart.Add(time.Duration(2*i)*time.Second))
		if cur.StartTime != prev.EndTime {
			t.Errorf("%s started at %q, %s ended at %q", cur.FlowInstanceID, cur.StartTime, prev.FlowInstanceID, prev.EndTime)
		}
	}
}

// TestEndToEndListingEveryTypeAndPage lists instances of a manual flow and of the periodic
// demo flow, triggered in interleaved minutes, two of them in the same one: the zero request
// merges the types newest first (ties by id), a page of the merge is the same slice of it,
// and the iterator goes through every page of one type or of all, one request per page.
func TestEndToEndListingEveryTypeAndPage(t *testing.T) {
	t.Parallel()
	e := newE2E(t, e2eStart, time.UTC)
	e.addFlow(refserver.Flow{ID: 4300, Name: "manual flow", Type: refserver.FlowTypeManual, Tasks: []refserver.Task{{ID: 43001, Name: "step"}}})
	base := e2eStart.Add(-time.Hour).Truncate(time.Minute)
	at := func(flowID int64, minute int) batchprocessing.FlowInstanceID {
		return batchprocessing.FlowInstanceIDFor(flowID, base.Add(time.Duration(minute)*time.Minute), time.UTC)
	}
	for _, run := range []struct {
		flowID  int64
		minutes []int
	}{{4300, []int{0, 2, 3, 5, 6}}, {refserver.DemoFlowID, []int{0, 1, 4}}} {
		for _, m := range run.minutes {
			e.trigger(run.flowID, base.Add(time.Duration(m)*time.Minute))
		}
	}
	newestFirst := []batchprocessing.FlowInstanceID{at(4300, 6), at(4300, 5), at(3377, 4), at(4300, 3), at(4300, 2), at(3377, 1),
		at(4300, 0), at(3377, 0)}
	manual := []batchprocessing.FlowInstanceID{at(4300, 6), at(4300, 5), at(4300, 3), at(4300, 2), at(4300, 0)}

	page, err := e.c.ListFlowInstances(e.ctx, batchprocessing.ListFlowInstancesRequest{})
	if got := instanceIDs(page); err != nil || !slices.Equal(got, newestFirst) || page.Count != 8 {
		t.Errorf("the zero request = %v (count %d), %v; want %v", got, page.Count, err, newestFirst)
	}
	page, err = e.c.ListFlowInstances(e.ctx, batchprocessing.ListFlowInstancesRequest{PageNo: 2, PageSize: 3})
	if got := instanceIDs(page); err != nil || !slices.Equal(got, newestFirst[3:6]) || page.Count != 8 {
		t.Errorf("page 2 of 3 = %v (count %d), %v; want %v", got, page.Count, err, newestFirst[3:6])
	}

	for _, tt := range []struct {
		name     string
		types    []batchprocessing.FlowType
		want     []batchprocessing.FlowInstanceID
		requests int // one per page of each type
	}{
		{"one type", []batchprocessing.FlowType{batchprocessing.FlowTypeManual}, manual, 3},
		{"every type", nil, newestFirst, 3 + 2 + 1}, // manual, periodic, temporary
	} {
		before := e.searches.count()
		var got []batchprocessing.FlowInstanceID
		for fi, err := range e.c.ListFlowInstancesIter(e.ctx, batchprocessing.ListFlowInstancesRequest{Types: tt.types, PageSize: 2}) {
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			got = append(got, fi.FlowInstanceID)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: the iterator gave %v, want %v", tt.name, got, tt.want)
		}
		if n := e.searches.count() - before; n != tt.requests {
			t.Errorf("%s: %d requests, want %d", tt.name, n, tt.requests)
		}
	}
}

// instanceIDs returns the ids of a page's instances, in order.
func instanceIDs(p *batchprocessing.FlowInstancePage) []batchprocessing.FlowInstanceID {
	if p == nil {
		return nil
	}
	var out []batchprocessing.FlowInstanceID
	for _, fi := range p.FlowInstances {
		out = append(out, fi.FlowInstanceID)
	}
	return out
}

// TestEndToEndServerTimeZones runs the server in zones east and west of UTC, a half-hour
// one among them, with a clock between two seconds: the client learns the zone
// (ServerLocation), FlowInstanceIDFor in it gives the id TriggerFlow returns (across the
// date line from UTC), and the times on the wire read, through Client.Time, as the instants
// they record: to the second for trigger and start times and an instance's timestamp (the
// server writes it ".0", as the service does), and a task instance's Java-style timeStamp.
func TestEndToEndServerTimeZones(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		offset  int // seconds east of UTC
		trigger time.Time
		wantID  batchprocessing.FlowInstanceID
	}{
		{"GMT+8", 8 * 3600, time.Date(2026, 11, 30, 18, 30, 42, 0, time.UTC), "3377-20261201023000"},
		{"GMT+5:30", 5*3600 + 1800, time.Date(2026, 11, 30, 18, 45, 5, 0, time.UTC), "3377-20261201001500"},
		{"GMT-3", -3 * 3600, time.Date(2026, 12, 1, 1, 30, 59, 0, time.UTC), "3377-20261130223000"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			now := tt.trigger.Add(10*time.Minute + 5*time.Millisecond)
			e := newE2E(t, now, time.FixedZone(tt.name, tt.offset))
			zone, err := e.c.ServerLocation(e.ctx)
			if err != nil {
				t.Fatal(err)
			}
			if _, offset := now.In(zone).Zone(); offset != tt.offset {
				t.Fatalf("ServerLocation = %v, offset %d s; want %d", zone, offset, tt.offset)
			}
			id := e.trigger(refserver.DemoFlowID, tt.trigger)
			if want := batchprocessing.FlowInstanceIDFor(refserver.DemoFlowID, tt.trigger, zone); id != want || id != tt.wantID {
				t.Errorf("TriggerFlow id %s, FlowInstanceIDFor in %s %s; want %s", id, tt.name, want, tt.wantID)
			}
			if at, err := id.Time(zone); err != nil || !at.Equal(tt.trigger.Truncate(time.Minute)) {
				t.Errorf("%s.Time = %s, %v; want %s", id, at, err, tt.trigger.Truncate(time.Minute))
			}
			fi := e.instance(id)
			e.wantTime("triggerTime", fi.TriggerTime, tt.trigger)
			e.wantTime("startTime", fi.StartTime, now.Truncate(time.Second))
			e.wantTime("timestamp", fi.Timestamp, now.Truncate(time.Second))
			taskID, err := batchprocessing.TaskInstanceIDFor(refserver.DemoExtractTaskID, id)
			if err != nil {
				t.Fatal(err)
			}
			ti, err := e.c.GetTaskInstance(e.ctx, batchprocessing.GetTaskInstanceRequest{TaskInstanceID: taskID})
			if err != nil {
				t.Fatal(err)
			}
			e.wantTime("task timeStamp", ti.Timestamp, now.Truncate(time.Second))
		})
	}
}

// TestEndToEndUnusualText sends names, expressions and parameter values that stress the
// query encoding, the signature over decoded query values, and the JSON documents carried in
// strings: spaces, '+', '&', '=', '%', quotes, backslashes, tabs, newlines and non-ASCII.
// Every call must be signed correctly and give the text back unchanged.
func TestEndToEndUnusualText(t *testing.T) {
	t.Parallel()
	e := newE2E(t, e2eStart, time.UTC)
	names := []string{"a+b & c=d", "100% done?", "描述 flow", `say "hi" \ bye`, "tab\there #1"}
	for i, name := range names {
		e.addFlow(refserver.Flow{ID: int64(4900 + i), Name: name, Tasks: []refserver.Task{{ID: int64(49000 + i), Name: "t"}}})
	}
	root := e.srv.RootDirectory(refserver.DemoOrgID)
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
		id := e.trigger(flowID, e2eStart)
		p, err := e.c.ListFlowInstances(e.ctx, batchprocessing.ListFlowInstancesRequest{Expression: name})
		if got := instanceIDs(p); err != nil || !slices.Equal(got, []batchprocessing.FlowInstanceID{id}) || p.FlowInstances[0].FlowName != name {
			t.Errorf("ListFlowInstances(%q) = %v, %v; want %s", name, got, err, id)
		}
		if _, err := e.c.CreateDirectory(e.ctx, batchprocessing.CreateDirectoryRequest{ParentID: root, Name: name + " dir"}); err != nil {
			t.Errorf("CreateDirectory(%q): %v", name+" dir", err)
		}
	}
	dirs, err := e.c.ListWorkflowDirectories(e.ctx, batchprocessing.ListWorkflowDirectoriesRequest{})
	if err != nil || len(dirs) != 1 {
		t.Fatalf("ListWorkflowDirectories = %+v, %v", dirs, err)
	}
	var titles []string
	for _, d := range dirs[0].Children {
		titles = append(titles, d.Title)
	}
	for _, name := range names {
		if !slices.Contains(titles, name+" dir") || !slices.Contains(titles, name) {
			t.Errorf("the directory tree %q lacks %q or its directory", titles, name)
		}
	}

	params := []batchprocessing.Parameter{
		{Key: "quote", Value: `he said "no"`}, {Key: "path", Value: `C:\tmp\new`}, {Key: "lines", Value: "one\ntwo"},
		{Key: "中文", Value: "描述"}, {Key: "json", Value: `{"a":[1,2]}`}, {Key: "empty", Value: ""},
	}
	id, err := e.c.UpdateAndTriggerFlow(e.ctx, batchprocessing.UpdateAndTriggerFlowRequest{FlowID: 4900, TriggerTime: e2eStart.Add(-time.Minute), Parameters: params})
	if err != nil {
		t.Fatalf("UpdateAndTriggerFlow: %v", err)
	}
	if got, err := e.instance(id).DecodeParameters(); err != nil || !slices.Equal(got, params) {
		t.Errorf("instance parameters = %+v, %v; want %+v", got, err, params)
	}

	const renamed, desc = "renamed: 描述 & \"quotes\" + 100%", "line1\nline2"
	saved, err := e.c.SaveFlow(e.ctx, batchprocessing.SaveFlowRequest{FlowID: 4901, Name: renamed, Desc: desc,
		Freq: refserver.DefaultFreq, Cycle: "D", StartTime: "2026-12-01", Owners: refserver.DemoUserID, Parameters: params,
		Tasks: []batchprocessing.TaskNode{{TaskID: 49001, TaskName: "t"}}})
	if err != nil || saved != 4901 {
		t.Fatalf("SaveFlow = %d, %v", saved, err)
	}
	f, err := e.c.GetFlow(e.ctx, batchprocessing.FlowRequest{FlowID: 4901})
	if err != nil || f.FlowName != renamed || f.Desc != desc {
		t.Fatalf("GetFlow after SaveFlow = %+v, %v; want name %q, desc %q", f, err, renamed, desc)
	}
	if got, err := f.DecodeParameters(); err != nil || !slices.Equal(got, params) {
		t.Errorf("saved parameters = %+v, %v; want %+v", got, err, params)
	}
}

// TestEndToEndLoadEditSave saves a flow back from what Load Flow For Edit gave, one
// field changed, for a flow with an effective date and one without: the save is accepted
// and the next load gives the same flow, the change made.
func TestEndToEndLoadEditSave(t *testing.T) {
	t.Parallel()
	for _, startDate := range []string{"", "2026-12-01"} {
		t.Run("start date "+strconv.Quote(startDate), func(t *testing.T) {
			t.Parallel()
			e := newE2E(t, e2eStart, time.UTC)
			e.addFlow(refserver.Flow{ID: 4700, Name: "to edit", Type: refserver.FlowTypePeriodic, Cycle: "D", StartDate: startDate,
				Visitors: ";v1;", DoAs: "db_demo", Parameters: []refserver.Parameter{{Key: "k", Value: "v"}},
				Tasks: []refserver.Task{{ID: 47001, Name: "first"}, {ID: 47002, Name: "second", DependsOn: []int64{47001}}}})
			loaded := e.loadForEdit(4700)
			g, err := loaded.DecodeGraph()
			if err != nil {
				t.Fatal(err)
			}
			params, err := loaded.DecodeParameters()
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.c.SaveFlow(e.ctx, batchprocessing.SaveFlowRequest{FlowID: loaded.FlowID, Type: loaded.Type,
				Name: loaded.FlowName + " (edited)", Desc: loaded.Desc, Freq: loaded.Freq, Cycle: loaded.Cycle,
				StartTime: string(loaded.StartTime), Active: loaded.Active, AlertMode: loaded.AlertMode, DoAs: loaded.DoAs,
				Owners: loaded.Owner, Visitors: loaded.Visitor, Parameters: params, Tasks: g.Tasks, Relations: g.Relations}); err != nil {
				t.Fatalf("SaveFlow of the flow as loaded: %v", err)
			}
			again := e.loadForEdit(4700)
			gotGraph, err := again.DecodeGraph()
			if err != nil {
				t.Fatal(err)
			}
			g.Name = loaded.FlowName + " (edited)"
			if !reflect.DeepEqual(gotGraph, g) {
				t.Errorf("graph after the save:\n%+v\nwant\n%+v", gotGraph, g)
			}
			loaded.FlowName, loaded.Graph = g.Name, again.Graph // the graph compared decoded, above
			if !reflect.DeepEqual(again, loaded) {
				t.Errorf("after the save:\n%+v\nwant\n%+v", again, loaded)
			}
		})
	}
}

// loadForEdit loads flowID for editing and fails the test on error.
func (e *e2e) loadForEdit(flowID int64) *batchprocessing.Flow {
	e.t.Helper()
	f, err := e.c.LoadFlowForEdit(e.ctx, batchprocessing.FlowRequest{FlowID: flowID})
	if err != nil {
		e.t.Fatalf("LoadFlowForEdit(%d): %v", flowID, err)
	}
	return f
}

// TestEndToEndPeriodicInstanceIDs lets the server fire a periodic flow of each cycle: the
// client reads every id the server writes (the cycle's granularity, down to a month's
// yyyyMM), gets the instance by it, and reads the id's time as the fire time.
func TestEndToEndPeriodicInstanceIDs(t *testing.T) {
	t.Parallel()
	firstOfMonth := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC) // a Tuesday
	for _, tt := range []struct {
		cycle, freq string
		fire        time.Time
		suffix      string
	}{
		{"mi", "0 5 8 * * ? *", e2eStart.Truncate(time.Hour).Add(5 * time.Minute), "202611300805"},
		{"H", "0 0 9 * * ? *", e2eStart.Truncate(time.Hour).Add(time.Hour), "2026113009"},
		{"D", "0 0 0 * * ? *", firstOfMonth, "20261201"},
		{"W", "0 0 0 ? * TUE *", firstOfMonth, "20261201"},
		{"M", "0 0 0 1 * ? *", firstOfMonth, "202612"},
	} {
		t.Run(tt.cycle, func(t *testing.T) {
			t.Parallel()
			e := newE2E(t, e2eStart, time.UTC)
			e.addFlow(refserver.Flow{ID: 4400, Name: "cycle " + tt.cycle, Type: refserver.FlowTypePeriodic, Active: true,
				Cycle: tt.cycle, Freq: tt.freq, Tasks: []refserver.Task{{ID: 44001, Name: "step"}}})
			e.clk.Set(tt.fire.Add(time.Minute))
			page, err := e.c.ListFlowInstances(e.ctx, batchprocessing.ListFlowInstancesRequest{
				Types: []batchprocessing.FlowType{batchprocessing.FlowTypePeriodic}, Expression: "cycle"})
			want := batchprocessing.FlowInstanceID("4400-" + tt.suffix)
			if got := instanceIDs(page); err != nil || !slices.Equal(got, []batchprocessing.FlowInstanceID{want}) {
				t.Fatalf("periodic instances = %v, %v; want [%s]", got, err, want)
			}
			if fi := e.instance(want); fi.FlowInstanceID != want {
				t.Errorf("GetFlowInstance(%s) = %s", want, fi.FlowInstanceID)
			}
			if at, err := want.Time(time.UTC); err != nil || !at.Equal(tt.fire) {
				t.Errorf("%s.Time = %v, %v; want %v", want, at, err, tt.fire)
			}
		})
	}
}
