package refserver

import (
	"slices"
	"strings"
	"time"
)

// This file selects the page of List Flow Instances from the store's indexes (history.go):
// the instances of the organization, of the flow type when one is asked, by trigger time.
// The trigger-time range is found by binary search; without other criteria the count is the
// range's size and the page is read where it stands, so neither depends on the history's
// size. Other criteria (expression, owner, some statuses) are checked over the range, which a
// count needs; the page is then selected, never the whole range sorted.

// instanceQuery is the candidates of a search, the ranks lo to hi of index, and the criteria
// the index does not answer.
type instanceQuery struct {
	index    *instanceOrder // nil: no candidate
	lo, hi   int
	expr     string         // lower-case, trimmed; "" matches every instance
	owner    string         // "" matches every instance
	statuses map[int]bool   // nil matches every status
	names    map[*Flow]bool // whether expr is in the name of a flow version, once asked
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
	idx := st.order[key]
	if idx == nil {
		return &instanceQuery{}
	}
	q := &instanceQuery{
		index:    &idx.every,
		expr:     strings.ToLower(strings.TrimSpace(req.Expression)),
		owner:    req.Owner,
		statuses: statuses,
	}
	if coversEveryStatus(statuses) {
		q.statuses = nil
	}
	q.hi = q.index.size()
	if req.FromTriggerTime.set {
		from := req.FromTriggerTime.value
		q.lo = q.index.rank(func(in *instance) bool { return in.TriggerTime.UnixMilli() >= from })
	}
	if req.ToTriggerTime.set {
		to := req.ToTriggerTime.value
		q.hi = q.index.rank(func(in *instance) bool { return in.TriggerTime.UnixMilli() > to })
	}
	q.hi = max(q.hi, q.lo)
	return q
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
	p := in.plan
	switch {
	case q.statuses != nil && !q.statuses[in.Status],
		q.owner != "" && !inList(p.Owner, q.owner),
		q.expr != "" && !strings.Contains(strings.ToLower(in.ID), q.expr) && !q.nameMatches(p):
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

// page returns the page w of the matching instances in order (nil: the default order, the
// newest trigger time first, then the greatest id), and how many match in all.
func (q *instanceQuery) page(order func(a, b *instance) int, w pageWindow) ([]*instance, int) {
	if q.index == nil {
		return nil, 0
	}
	if order != nil {
		matches := q.matches(q.hi - q.lo)
		return selectPage(matches, w, order), len(matches)
	}
	if !q.filtered() {
		count := q.hi - q.lo
		lo, hi := w.bounds(count)
		out := make([]*instance, 0, hi-lo)
		q.index.descend(q.hi-hi, q.hi-lo, func(in *instance) bool { out = append(out, in); return true })
		return out, count
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

// instanceSorters returns the order the sorters of p ask for, or nil for the default order
// (the newest trigger time first, then the greatest id). Sort fields: triggerTime,
// startTime, endTime, createTime, updateTime, camelCase or snake_case.
func instanceSorters(p *paginationInput) (func(a, b *instance) int, *failure) {
	if p == nil || len(p.Sorters) == 0 {
		return nil, nil
	}
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
