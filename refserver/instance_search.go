package refserver

import (
	"slices"
	"strings"
	"time"
)

// This file selects the page of List Flow Instances from the store's indexes (history.go):
// the instances of the organization, of the flow type when one is asked and of the owner
// when one is asked, by trigger time, all of them and those of each status. The trigger-time
// range is found by binary search (rank). Without other criteria the count is the range's
// size and the page is read where it stands. With statuses alone, the range is found in the
// order of each status asked, the count is the sum of their sizes and the page is merged
// from their tops down to the page's end. Neither visits the range, so neither depends on
// the history's size: a page costs a rank in each of the k orders asked and the page's end
// times k. An expression (and statuses with it) is checked over the range, which a count
// needs, as is an owner in an organization with flows of more owners than are indexed
// (maxIndexedOwners), and the criteria of a page in another order (sorters other than by
// trigger time, for which instance_oldest.go reads oldest first); the page is then
// selected, never the whole range sorted.

// instanceQuery is the candidates of a search, the ranks lo to hi of index, and the criteria
// the index does not answer.
type instanceQuery struct {
	index    *instanceOrder // nil: no candidate
	lo, hi   int
	expr     string         // lower-case, trimmed; "" matches every instance
	owner    string         // "" matches every instance (or the index holds only the owner's)
	statuses map[int]bool   // nil matches every status
	names    map[*Flow]bool // whether expr is in the name of a flow version, once asked

	// statusOnly is set when statuses are the only criteria beyond the range; byStatus then
	// holds the range in the order of each status asked that has candidates, and a page in
	// the default order is read from them instead of visiting the range of index.
	statusOnly bool
	byStatus   []orderRange
}

// orderRange is the ranks lo to hi of an instanceOrder.
type orderRange struct {
	order  *instanceOrder
	lo, hi int
}

// queryInstances returns the query of a List Flow Instances request of orgID.
func (st *state) queryInstances(orgID string, req *searchInstancesRequest, statuses map[int]bool) *instanceQuery {
	key := orderKey{org: orgID, all: true}
	if req.Type.set {
		key = orderKey{org: orgID, typ: int(req.Type.value)}
		if int64(key.typ) != req.Type.value {
			return &instanceQuery{} // no flow has this type
		}
	}
	key, owner := st.ownerIndex(key, req.Owner)
	idx := st.order[key]
	if idx == nil {
		return &instanceQuery{}
	}
	q := &instanceQuery{
		index:    &idx.every,
		expr:     strings.ToLower(strings.TrimSpace(req.Expression)),
		owner:    owner,
		statuses: statuses,
	}
	if coversEveryStatus(statuses) {
		q.statuses = nil
	}
	q.lo, q.hi = triggerRange(q.index, req)
	if q.statuses != nil && q.expr == "" && q.owner == "" {
		q.statusOnly = true
		q.byStatus = statusRanges(idx, q.statuses, req)
	}
	return q
}

// ownerIndex returns the key of the index to search for the instances of key owned by owner
// ("": any), and the owner the search must still check over its range. That is the owner's
// own index, unless some instance of key is in a wide index (a flow version of more than
// maxIndexedOwners owners): then key itself, and owner. An owner that no trimmed name of a
// ';'-separated list can equal (inList) gets a key of no index.
func (st *state) ownerIndex(key orderKey, owner string) (orderKey, string) {
	switch {
	case owner == "":
		return key, ""
	case owner != strings.TrimSpace(owner) || strings.Contains(owner, ";"):
		key.owner = wideOwners + owner // never an index's
		return key, ""
	}
	wide := key
	wide.owner = wideOwners
	if st.order[wide] != nil {
		return key, owner
	}
	key.owner = owner
	return key, ""
}

// triggerRange returns the ranks of o whose trigger times are in the range req asks for.
func triggerRange(o *instanceOrder, req *searchInstancesRequest) (lo, hi int) {
	hi = o.size()
	if req.FromTriggerTime.set {
		from := req.FromTriggerTime.value
		lo = o.rank(func(in *instance) bool { return in.TriggerTime.UnixMilli() >= from })
	}
	if req.ToTriggerTime.set {
		to := req.ToTriggerTime.value
		hi = o.rank(func(in *instance) bool { return in.TriggerTime.UnixMilli() > to })
	}
	return lo, max(hi, lo)
}

// statusRanges returns, for each status statuses asks for, the trigger-time range of req in
// the order of idx's instances that have it, when the range is not empty.
func statusRanges(idx *instanceIndex, statuses map[int]bool, req *searchInstancesRequest) []orderRange {
	var ranges []orderRange
	for s, asked := range statuses {
		o := idx.byStatus[s]
		if !asked || o == nil {
			continue
		}
		if lo, hi := triggerRange(o, req); lo < hi {
			ranges = append(ranges, orderRange{o, lo, hi})
		}
	}
	return ranges
}

// instanceStatuses are the statuses an instance can have: waiting, running (also suspended,
// ready, rerun), or one of the terminal ones.
var instanceStatuses = []int{StatusWait, StatusRunning, StatusSuspend, StatusReady, StatusRerun,
	StatusSuccess, StatusFail, StatusCancel, StatusTimeout, StatusSkip, StatusInternalError}

// coversEveryStatus reports whether a status filter lets every instance through, as the
// SDK's filter of all the documented statuses does.
func coversEveryStatus(statuses map[int]bool) bool {
	for _, s := range instanceStatuses {
		if !statuses[s] {
			return false
		}
	}
	return true
}

// filtered reports whether the query has criteria beyond the index and the range.
func (q *instanceQuery) filtered() bool {
	return q.expr != "" || q.owner != "" || q.statuses != nil
}

// match reports whether a candidate meets the criteria beyond the index and the range.
func (q *instanceQuery) match(in *instance) bool {
	switch {
	case q.statuses != nil && !q.statuses[in.Status],
		q.owner != "" && !inList(in.plan.Owner, q.owner),
		q.expr != "" && !strings.Contains(strings.ToLower(in.ID), q.expr) && !q.nameMatches(in.plan):
		return false
	}
	return true
}

// nameMatches reports whether the expression is in the name of the flow version p, once per
// version.
func (q *instanceQuery) nameMatches(p *Flow) bool {
	m, ok := q.names[p]
	if !ok {
		if q.names == nil {
			q.names = make(map[*Flow]bool)
		}
		m = strings.Contains(strings.ToLower(p.Name), q.expr)
		q.names[p] = m
	}
	return m
}

// page returns the page w of the matching instances in the order o, and how many match in
// all.
func (q *instanceQuery) page(o instanceOrdering, w pageWindow) ([]*instance, int) {
	switch {
	case q.index == nil:
		return nil, 0
	case o.oldest && !q.filtered():
		return pageOldestFirst([]orderRange{{q.index, q.lo, q.hi}}, w)
	case o.oldest && q.statusOnly:
		return pageOldestFirst(q.byStatus, w)
	case o.compare != nil:
		matches := q.matches(q.hi - q.lo)
		return selectPage(matches, w, o.compare), len(matches)
	case !q.filtered():
		return pageOfRanges([]orderRange{{q.index, q.lo, q.hi}}, w)
	case q.statusOnly:
		return pageOfRanges(q.byStatus, w)
	}
	var out []*instance
	if !w.all {
		out = make([]*instance, 0, min(w.end-w.start, int64(q.hi-q.lo)))
	}
	count := 0
	q.index.descend(q.lo, q.hi, func(in *instance) bool {
		if q.match(in) {
			if w.holds(count) {
				out = append(out, in)
			}
			count++
		}
		return true
	})
	return out, count
}

// pageOfRanges returns the page w, in the default order, of the instances of ranges (of
// orders that share none), and how many they are. A single range's page is read where it
// stands; several are merged from their tops down to the page's end.
func pageOfRanges(ranges []orderRange, w pageWindow) ([]*instance, int) {
	count := rangesSize(ranges)
	lo, hi := w.bounds(count)
	out := make([]*instance, 0, hi-lo)
	if len(ranges) == 1 {
		r := ranges[0]
		r.order.descend(r.hi-hi, r.hi-lo, func(in *instance) bool { out = append(out, in); return true })
		return out, count
	}
	cursors := make([]orderCursor, len(ranges))
	for i, r := range ranges {
		cursors[i] = r.order.downFrom(r.lo, r.hi)
	}
	return mergePage(cursors, newerFirst, lo, hi-lo, out), count
}

// rangesSize returns how many instances ranges hold.
func rangesSize(ranges []orderRange) int {
	n := 0
	for _, r := range ranges {
		n += r.hi - r.lo
	}
	return n
}

// newerFirst reports whether a comes before b in the default order: the later trigger time,
// then the greater id.
func newerFirst(a, b *instance) bool { return compareInstances(a, b) > 0 }

// pageStream reads instances in the order of a page: peek returns the next one, nil when
// none is left, and next moves past it.
type pageStream interface {
	peek() *instance
	next()
}

// mergePage merges streams, each in the page's order, where first reports whether a comes
// before b: it passes over skip instances and appends the take that follow to out. The
// streams must hold skip+take instances between them. An empty page (a page number past the
// end) reads nothing.
func mergePage[S any, P interface {
	*S
	pageStream
}](streams []S, first func(a, b *instance) bool, skip, take int, out []*instance) []*instance {
	if take == 0 {
		return out
	}
	for n := 0; n < skip+take; n++ {
		var best P
		for i := range streams {
			if s := P(&streams[i]); s.peek() != nil && (best == nil || first(s.peek(), best.peek())) {
				best = s
			}
		}
		if n >= skip {
			out = append(out, best.peek())
		}
		best.next()
	}
	return out
}

// matches returns the candidates that match, in no particular order; capacity is the most
// there can be.
func (q *instanceQuery) matches(capacity int) []*instance {
	out := make([]*instance, 0, capacity)
	q.index.descend(q.lo, q.hi, func(in *instance) bool {
		if !q.filtered() || q.match(in) {
			out = append(out, in)
		}
		return true
	})
	return out
}

// selectPage returns the page w of items in order: the page's instances are selected with a
// heap bounded by the page's end, and only they are sorted. order must be total.
func selectPage(items []*instance, w pageWindow, order func(a, b *instance) int) []*instance {
	lo, hi := w.bounds(len(items))
	if lo == hi {
		return nil
	}
	if hi < len(items) {
		// The hi first items: a heap of the best so far, the worst of them on top.
		h := newHeap(func(a, b *instance) bool { return order(a, b) > 0 }, nil)
		for _, in := range items {
			switch {
			case h.Len() < hi:
				h.push(in)
			case order(in, h.top()) < 0:
				h.items[0] = in
				h.fix(0)
			}
		}
		items = h.items
	}
	slices.SortFunc(items, order)
	return items[lo:hi]
}

// instanceOrdering is the order a List Flow Instances request asks for, as the indexes can
// serve it: the default order (newest trigger time first, then the greatest id) and the
// trigger time alone, oldest first, are read from the indexes (instance_oldest.go); any
// other order sorts a page out of the matches.
type instanceOrdering struct {
	// compare orders the matches when they are selected rather than read from the indexes;
	// nil for the default order.
	compare func(a, b *instance) int
	// oldest is set when the sorters ask for the trigger time alone, oldest first. compare
	// is set too: a search the indexes cannot answer selects its page with it.
	oldest bool
}

// instanceSorters returns the order the sorters of p ask for. Sort fields: triggerTime,
// startTime, endTime, createTime, updateTime, camelCase or snake_case. No sorters, or the
// trigger time alone, newest first, is the default order (ties go to the greatest id either
// way); it is what the SDK sends when it lists several flow types, and the trigger time
// alone, oldest first, what it sends to list them oldest first.
func instanceSorters(p *paginationInput) (instanceOrdering, *failure) {
	if p == nil || len(p.Sorters) == 0 || newestFirst(p.Sorters) {
		return instanceOrdering{}, nil
	}
	compare, f := sortedBy(p)
	return instanceOrdering{compare: compare, oldest: f == nil && oldestFirst(p.Sorters)}, f
}

// newestFirst reports whether sorters ask for the trigger time alone, descending.
func newestFirst(sorters []sorterInput) bool {
	return len(sorters) == 1 && sortField(sorters[0].Field) == "triggertime" && strings.EqualFold(sorters[0].Order, "DESC")
}

// sortedBy returns the order the sorters of p ask for, ties in the default order.
func sortedBy(p *paginationInput) (func(a, b *instance) int, *failure) {
	timeOf := func(key func(*instance) time.Time) func(a, b *instance) int {
		return func(a, b *instance) int { return key(a).Compare(key(b)) }
	}
	return orderBy(p, map[string]func(a, b *instance) int{
		"triggertime": timeOf(func(in *instance) time.Time { return in.TriggerTime }),
		"starttime":   timeOf(func(in *instance) time.Time { return in.StartTime }),
		"endtime":     timeOf(func(in *instance) time.Time { return in.EndTime }),
		"createtime":  timeOf(func(in *instance) time.Time { return in.CreatedAt }),
		"updatetime":  timeOf((*instance).updatedAt),
	}, func(a, b *instance) int { return -compareInstances(a, b) })
}
