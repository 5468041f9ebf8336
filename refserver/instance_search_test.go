package refserver

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// TestInstanceSearchMatchesAScan runs random List Flow Instances queries (type, expression,
// owner, trigger-time range, statuses, pages, sorters) over instances of flows of two orgs
// and compares each page and count with a scan of every instance, filtered and sorted whole,
// as the store did before it kept indexes.
func TestInstanceSearchMatchesAScan(t *testing.T) {
	rnd := rand.New(rand.NewPCG(11, 13))
	base := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	now := base
	st := newState(options{now: func() time.Time { return now }, loc: time.UTC, window: time.Minute, tokenLife: time.Hour})
	flows := []*Flow{
		{ID: 1, Name: "Nightly Load", OrgID: "o1", Owner: "ann", Type: FlowTypePeriodic, Tasks: []Task{{ID: 11, Duration: time.Minute}}},
		{ID: 2, Name: "report", OrgID: "o1", Owner: ";bob;ann;", Type: FlowTypeManual, Tasks: []Task{{ID: 21, Duration: 3 * time.Minute}}},
		{ID: 12, Name: "load again", OrgID: "o1", Owner: "bob", Type: FlowTypeTemporary, Tasks: []Task{{ID: 121, Duration: 2 * time.Minute}}},
		{ID: 3, Name: "elsewhere", OrgID: "o2", Owner: "ann", Type: FlowTypeManual, Tasks: []Task{{ID: 31, Duration: time.Minute}}},
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

	for q := 0; q < 2000; q++ {
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
		want, wantCount := scanSearch(st, org, &req, statuses, order)
		if count != wantCount || !slices.Equal(got, want) {
			t.Fatalf("query %d %+v (statuses %v, org %s): count %d, %d instances; the scan finds %d, %d",
				q, req, statuses, org, count, len(got), wantCount, len(want))
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
	req.Owner = []string{"", "", "ann", "bob", "carl"}[rnd.IntN(5)]
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
