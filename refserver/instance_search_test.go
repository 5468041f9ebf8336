package refserver

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// TestInstanceSearchMatchesAScan runs random List Flow Instances queries (type, expression,
// owner, trigger-time range, statuses, pages, sorters) over instances of flows of two orgs
// (some with several owners, one with more than are indexed)
// and compares each page and count with a scan of every instance, filtered and sorted whole,
// as the store did before it kept indexes.
func TestInstanceSearchMatchesAScan(t *testing.T) {
	t.Parallel()
	rnd := rand.New(rand.NewPCG(11, 13))
	base := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	now := base
	st := testState(&now, time.UTC, 0)
	flows := []*Flow{
		{ID: 1, Name: "Nightly Load", OrgID: "o1", Owner: "ann", Type: FlowTypePeriodic, Tasks: []Task{{ID: 11, Duration: time.Minute}}},
		{ID: 2, Name: "report", OrgID: "o1", Owner: ";bob;ann;", Type: FlowTypeManual, Tasks: []Task{{ID: 21, Duration: 3 * time.Minute}}},
		{ID: 12, Name: "load again", OrgID: "o1", Owner: "bob", Type: FlowTypeTemporary, Tasks: []Task{{ID: 121, Duration: 2 * time.Minute}}},
		{ID: 3, Name: "elsewhere", OrgID: "o2", Owner: "ann", Type: FlowTypeManual, Tasks: []Task{{ID: 31, Duration: time.Minute}}},
		// owners with blanks and one twice: each owner's index holds its instances once
		{ID: 4, Name: "shared", OrgID: "o1", Owner: " carl ;ann; carl;", Type: FlowTypeManual, Tasks: []Task{{ID: 41, Duration: 2 * time.Minute}}},
		// more owners than are indexed: o2's searches by owner check each instance
		{ID: 5, Name: "wide", OrgID: "o2", Owner: "bob;x1;x2;x3;x4;x5;x6;x7;x8;x9;x10;x11;x12;x13;x14;x15;x16;ann", Type: FlowTypeTemporary,
			Tasks: []Task{{ID: 51, Duration: time.Minute}}},
	}
	for _, f := range flows {
		st.storeFlow(f)
	}
	for i := 0; i < 800; i++ {
		st.settle(now)
		f := flows[rnd.IntN(len(flows))]
		trigger := base.Add(time.Duration(rnd.IntN(400)-200) * time.Minute)
		if st.instances[instanceID(f.ID, trigger, st.loc)] == nil {
			in := st.createInstance(f.ID, trigger, now)
			if rnd.IntN(8) == 0 && !isTerminal(in.Status) {
				st.stop(in, []int{StatusCancel, StatusTimeout, StatusInternalError}[rnd.IntN(3)], now)
			}
		}
		now = now.Add(time.Duration(rnd.IntN(90)) * time.Second)
	}
	st.settle(now)
	checkStatusOrders(t, st, "random history")

	checkSearchesMatchAScan(t, st, rnd, base, 4000, "random history")
}

// checkSearchesMatchAScan runs n random List Flow Instances queries (randomSearch, around
// base) over st and fails t, naming step, unless each page and count is the one a scan of
// every instance, filtered and sorted whole, finds.
func checkSearchesMatchAScan(t *testing.T, st *state, rnd *rand.Rand, base time.Time, n int, step string) {
	t.Helper()
	for q := 0; q < n; q++ {
		req, statuses, org := randomSearch(rnd, base)
		order, f := instanceSorters(req.Pagination)
		if f != nil {
			t.Fatal(f.msg)
		}
		w, f := pageOf(req.Pagination)
		if f != nil {
			t.Fatal(f.msg)
		}
		got, count := st.queryInstances(org, &req, statuses).page(order, w)
		var scanOrder func(a, b *instance) int // the sorters' order, without the default-order shortcut
		if req.Pagination != nil && len(req.Pagination.Sorters) > 0 {
			scanOrder, _ = sortedBy(req.Pagination)
		}
		want, wantCount := scanSearch(st, org, &req, statuses, scanOrder)
		if count != wantCount || !slices.Equal(got, want) {
			t.Fatalf("%s, query %d %+v (statuses %v, org %s): count %d, %d instances; the scan finds %d, %d",
				step, q, req, statuses, org, count, len(got), wantCount, len(want))
		}
	}
}

// randomSearch returns a random List Flow Instances request, its statuses and its org.
func randomSearch(rnd *rand.Rand, base time.Time) (searchInstancesRequest, map[int]bool, string) {
	var req searchInstancesRequest
	org := []string{"o1", "o1", "o1", "o2", "o3"}[rnd.IntN(5)]
	if rnd.IntN(3) == 0 {
		req.Type = flexInt{int64(rnd.IntN(4)), true}
	}
	req.Expression = []string{"", "", "", "LOAD", "report", "1-2026", " ", "zzz"}[rnd.IntN(8)]
	req.Owner = []string{"", "", "ann", "bob", "carl", "x16", "w5", " ann", "ann;bob", ";"}[rnd.IntN(10)]
	if rnd.IntN(2) == 0 {
		req.FromTriggerTime = flexInt{base.Add(time.Duration(rnd.IntN(500)-250) * time.Minute).UnixMilli(), true}
	}
	if rnd.IntN(2) == 0 {
		req.ToTriggerTime = flexInt{base.Add(time.Duration(rnd.IntN(500)-250) * time.Minute).UnixMilli(), true}
	}
	var statuses map[int]bool
	switch rnd.IntN(4) {
	case 0:
		statuses = map[int]bool{}
		for _, s := range instanceStatuses {
			statuses[s] = true
		}
		statuses[StatusReady] = true
	case 1:
		statuses = map[int]bool{StatusSuccess: true, StatusWait: rnd.IntN(2) == 0}
	}
	if rnd.IntN(5) > 0 {
		req.Pagination = &paginationInput{PageNo: flexInt{int64(rnd.IntN(6)), true}, PageSize: flexInt{int64(1 + rnd.IntN(40)), true}}
		fields := []string{"triggerTime", "start_time", "endTime", "createTime", "updateTime"}
		for n := rnd.IntN(3); n > 0; n-- {
			req.Pagination.Sorters = append(req.Pagination.Sorters,
				sorterInput{fields[rnd.IntN(len(fields))], []string{"", "ASC", "desc"}[rnd.IntN(3)]})
		}
		if rnd.IntN(3) == 0 { // as the SDK asks when it lists several flow types: newest or oldest first
			req.Pagination.Sorters = []sorterInput{{[]string{"triggerTime", "trigger_time"}[rnd.IntN(2)], []string{"DESC", "desc", "ASC", ""}[rnd.IntN(4)]}}
		}
	}
	return req, statuses, org
}

// scanSearch answers a search by visiting every instance and sorting all matches.
func scanSearch(st *state, org string, req *searchInstancesRequest, statuses map[int]bool, order func(a, b *instance) int) ([]*instance, int) {
	var matches []*instance
	for _, in := range st.instances {
		p := in.plan
		switch {
		case in.orgOf() != org,
			req.Type.set && int64(p.Type) != req.Type.value,
			!fuzzy(req.Expression, in.ID, p.Name),
			req.Owner != "" && !inList(p.Owner, req.Owner),
			req.FromTriggerTime.set && in.TriggerTime.UnixMilli() < req.FromTriggerTime.value,
			req.ToTriggerTime.set && in.TriggerTime.UnixMilli() > req.ToTriggerTime.value,
			statuses != nil && !statuses[in.Status]:
			continue
		}
		matches = append(matches, in)
	}
	if order == nil {
		order = func(a, b *instance) int { return -compareInstances(a, b) }
	}
	out, _ := page(matches, req.Pagination, order)
	if len(out) == 0 {
		out = nil
	}
	return out, len(matches)
}

// TestStatusSearchMatchesTheFilter compares the page and count of searches by status alone,
// read from the per-status orders, with those of the filter of the range (the path the
// search takes with other criteria) and of a scan of every instance, for organizations,
// status sets, flow types, trigger-time ranges and pages, empty results and pages past the
// end among them. The store holds enough instances of one status to fill several blocks of
// an order.
func TestStatusSearchMatchesTheFilter(t *testing.T) {
	t.Parallel()
	f := newStatusSearchFixture(t)
	ms := func(d time.Duration) flexInt { return flexInt{f.now.Add(d).UnixMilli(), true} }
	ranges := []struct{ from, to flexInt }{
		{}, {from: ms(-30 * time.Hour)}, {to: ms(-20 * time.Hour)},
		{from: ms(-30 * time.Hour), to: ms(-20 * time.Hour)},
		{from: ms(-time.Hour), to: ms(time.Hour)},
		{from: ms(time.Hour), to: ms(-time.Hour)}, // empty
		{from: ms(90 * 24 * time.Hour)},           // after every instance
	}
	pages := []*paginationInput{nil, pageInput(1, 10), pageInput(0, 7), pageInput(3, 25),
		pageInput(2, 1000), pageInput(300, 10)} // the last ones past the end of most
	statusSets := []map[int]bool{
		{StatusSuccess: true}, {StatusWait: true}, {StatusCancel: true}, {StatusRunning: true},
		{StatusSuccess: true, StatusInternalError: true}, {StatusSuccess: true, StatusWait: false},
		{StatusWait: true, StatusRunning: true, StatusCancel: true, StatusFail: true, StatusTimeout: true},
		{StatusSuspend: true}, {StatusInit: true}, {99: true}, {},
		everyStatusBut(StatusSuccess),
	}
	merged := 0 // pages merged from several orders that hold instances
	for _, org := range []string{"o1", "o2", "o3"} {
		for _, statuses := range statusSets {
			for _, typ := range []flexInt{{}, {FlowTypeManual, true}, {FlowTypeTemporary, true}, {7, true}} {
				for _, r := range ranges {
					for _, p := range pages {
						req := searchInstancesRequest{Type: typ, FromTriggerTime: r.from, ToTriggerTime: r.to, Pagination: p}
						if orders, found := checkStatusSearch(t, f.st, org, &req, statuses); orders > 1 && found > 0 {
							merged++
						}
					}
				}
			}
		}
	}
	if merged < 50 {
		t.Errorf("only %d pages merged from several orders", merged)
	}
}

// newStatusSearchFixture returns a statusFixture with a history: 1,500 ended instances in
// o1 and o2 (flows 1 and 3 end SUCCESS, flow 5 INTERNAL_ERROR), then instances of flows 1,
// 4 and 6 triggered from 150 minutes before the clock to 150 after, waiting, running, ended
// or cancelled.
func newStatusSearchFixture(t *testing.T) *statusFixture {
	f := newStatusFixture(t)
	f.st.maxInstances = 0 // keep them all
	for k := 0; k < 1500; k++ {
		f.trigger([]int64{1, 1, 3, 5}[k%4], -time.Duration(k)*time.Minute)
	}
	f.run("history", 5*24*time.Hour, 24*time.Hour)
	for k := 0; k < 300; k++ {
		if in := f.trigger([]int64{1, 4, 6}[k%3], time.Duration(k-150)*time.Minute); in != nil && k%5 == 0 && !in.ended() {
			f.st.stop(in, StatusCancel, f.now)
		}
	}
	f.check("history")
	return f
}

// checkStatusSearch fails t unless the search req of org by statuses takes the per-status
// orders and finds the page and count the filter of the range and a scan find. It returns
// how many orders the search read and how many instances its page holds.
func checkStatusSearch(t *testing.T, st *state, org string, req *searchInstancesRequest, statuses map[int]bool) (orders, found int) {
	t.Helper()
	w, fail := pageOf(req.Pagination)
	if fail != nil {
		t.Fatal(fail.msg)
	}
	q := st.queryInstances(org, req, statuses)
	if q.index != nil && !q.statusOnly {
		t.Fatalf("statuses %v, type %+v: the search does not read the per-status orders", statuses, req.Type)
	}
	got, count := q.page(instanceOrdering{}, w)
	filter := *q
	filter.statusOnly, filter.byStatus = false, nil
	want, wantCount := filter.page(instanceOrdering{}, w)
	scanned, scanCount := scanSearch(st, org, req, statuses, nil)
	if count != wantCount || !slices.Equal(got, want) || count != scanCount || !slices.Equal(got, scanned) {
		t.Fatalf("org %s, statuses %v, type %+v, range [%+v, %+v], page %+v: count %d, %v; the filter finds %d, %v; the scan %d",
			org, statuses, req.Type, req.FromTriggerTime, req.ToTriggerTime, req.Pagination, count, instanceIDs(got),
			wantCount, instanceIDs(want), scanCount)
	}
	return len(q.byStatus), len(got)
}

// pageInput returns the pagination of page no of size items.
func pageInput(no, size int64) *paginationInput {
	return &paginationInput{PageNo: flexInt{no, true}, PageSize: flexInt{size, true}}
}

// everyStatusBut returns a filter of every instance status but s.
func everyStatusBut(s int) map[int]bool {
	out := make(map[int]bool)
	for _, status := range instanceStatuses {
		out[status] = status != s
	}
	return out
}

// TestOldestFirstMergesTiesByGreatestID checks the merge of per-status orders oldest first
// where instances of different statuses share a trigger time: the greater id comes first,
// as the sorters' order has it, on every page.
func TestOldestFirstMergesTiesByGreatestID(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	st := testState(&at, time.UTC, 0)
	for id := int64(1); id <= 6; id++ {
		st.storeFlow(&Flow{ID: id, Name: "f", OrgID: "o1", Owner: "ann", Type: FlowTypeManual, Tasks: []Task{{ID: 10 * id, Duration: time.Hour}}})
	}
	for id := int64(1); id <= 6; id++ {
		for m := 0; m < 3; m++ {
			in := st.createInstance(id, at.Add(time.Duration(m)*time.Minute), at)
			if id%2 == 0 {
				st.stop(in, StatusCancel, at) // every other flow's instances cancelled: two statuses per minute
			}
		}
	}
	st.settle(at)
	statuses := map[int]bool{StatusCancel: true, StatusWait: true, StatusRunning: true}
	for no := int64(1); no <= 5; no++ {
		req := searchInstancesRequest{Pagination: &paginationInput{PageNo: flexInt{no, true}, PageSize: flexInt{4, true},
			Sorters: []sorterInput{{"triggerTime", "ASC"}}}}
		order, _ := instanceSorters(req.Pagination)
		w, _ := pageOf(req.Pagination)
		q := st.queryInstances("o1", &req, statuses)
		if !order.oldest || !q.statusOnly || len(q.byStatus) < 2 {
			t.Fatalf("the query does not merge per-status orders oldest first: %+v, %+v", order, q)
		}
		got, count := q.page(order, w)
		want, wantCount := scanSearch(st, "o1", &req, statuses, order.compare)
		if count != wantCount || !slices.Equal(got, want) {
			t.Errorf("page %d: count %d %v; the scan finds %d %v", no, count, ids(got), wantCount, ids(want))
		}
	}
}

// ids returns the ids of instances.
func ids(ins []*instance) []string {
	out := make([]string, len(ins))
	for i, in := range ins {
		out[i] = in.ID
	}
	return out
}

// countedStream is a pageStream over instances that counts how many it was moved past.
type countedStream struct {
	ins   []*instance
	moved int
}

func (s *countedStream) peek() *instance {
	if len(s.ins) == 0 {
		return nil
	}
	return s.ins[0]
}

func (s *countedStream) next() { s.ins, s.moved = s.ins[1:], s.moved+1 }

// TestMergePageReadsOnlyToThePageEnd checks that merging streams reads up to the page's
// end and no further, and that an empty page (a page number past the count) reads nothing
// rather than every instance before it.
func TestMergePageReadsOnlyToThePageEnd(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	stream := func(minutes ...int) countedStream {
		var s countedStream
		for _, m := range minutes {
			s.ins = append(s.ins, &instance{FlowInstance: FlowInstance{ID: fmt.Sprint(m), TriggerTime: at.Add(time.Duration(m) * time.Minute)}})
		}
		return s
	}
	for _, tt := range []struct {
		skip, take int
		want       string
		moved      int
	}{{0, 3, "[1 2 3]", 3}, {2, 2, "[3 4]", 4}, {6, 0, "[]", 0}} {
		streams := []countedStream{stream(1, 3, 5), stream(2, 4, 6)}
		got := mergePage(streams, olderFirst, tt.skip, tt.take, nil)
		ids := make([]string, len(got))
		for i, in := range got {
			ids[i] = in.ID
		}
		if fmt.Sprint(ids) != tt.want || streams[0].moved+streams[1].moved != tt.moved {
			t.Errorf("skip %d, take %d: %v after %d moves, want %s after %d",
				tt.skip, tt.take, ids, streams[0].moved+streams[1].moved, tt.want, tt.moved)
		}
	}
}
