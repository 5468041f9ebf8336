package refserver

import "strings"

// This file reads a page of List Flow Instances sorted by trigger time alone, oldest first,
// from the indexes, as instance_search.go reads the default order (newest first): the SDK
// asks for it when it lists several flow types oldest first. The order sorts instances of
// one trigger time by the greatest id first (ties keep the default order), so it is the
// indexes' ascending order with each run of equal trigger times reversed.

// oldestFirst reports whether sorters ask for the trigger time alone, ascending.
func oldestFirst(sorters []sorterInput) bool {
	return len(sorters) == 1 && sortField(sorters[0].Field) == "triggertime" &&
		(sorters[0].Order == "" || strings.EqualFold(sorters[0].Order, "ASC"))
}

// pageOldestFirst returns the page w, oldest first, of the instances of ranges (of orders
// that share none), and how many they are. A single range's page starts where it stands;
// several are merged from their bottoms up to the page's end.
func pageOldestFirst(ranges []orderRange, w pageWindow) ([]*instance, int) {
	count := rangesSize(ranges)
	lo, hi := w.bounds(count)
	out := make([]*instance, 0, hi-lo)
	if lo == hi {
		return out, count
	}
	streams := make([]oldestStream, len(ranges))
	skip := lo
	if len(ranges) == 1 {
		// Start at the run of equal trigger times that holds the page's first instance.
		r := ranges[0]
		at := r.order.upFrom(r.lo+lo, r.hi)
		first := at.peek()
		start := r.order.rank(func(in *instance) bool { return !in.TriggerTime.Before(first.TriggerTime) })
		streams[0] = newOldestStream(r.order, start, r.hi)
		skip = r.lo + lo - start
	} else {
		for i, r := range ranges {
			streams[i] = newOldestStream(r.order, r.lo, r.hi)
		}
	}
	return mergePage(streams, olderFirst, skip, hi-lo, out), count
}

// olderFirst reports whether a comes before b oldest first: the earlier trigger time, then
// the greater id.
func olderFirst(a, b *instance) bool {
	if c := a.TriggerTime.Compare(b.TriggerTime); c != 0 {
		return c < 0
	}
	return compareInstances(a, b) > 0
}

// oldestStream reads ranks of an order oldest first: a run of equal trigger times at a time,
// ascending, each read from its greatest id down.
type oldestStream struct {
	up  orderCursor
	run []*instance // the rest of the current run, read from its end
}

// newOldestStream returns a stream on the ranks lo to hi-1 of o; lo must start a run.
func newOldestStream(o *instanceOrder, lo, hi int) oldestStream {
	return oldestStream{up: o.upFrom(lo, hi)}
}

// peek returns the stream's next instance, or nil when it has none left.
func (s *oldestStream) peek() *instance {
	if len(s.run) == 0 {
		for in := s.up.peek(); in != nil && (len(s.run) == 0 || in.TriggerTime.Equal(s.run[0].TriggerTime)); in = s.up.peek() {
			s.run = append(s.run, in)
			s.up.next()
		}
		if len(s.run) == 0 {
			return nil
		}
	}
	return s.run[len(s.run)-1]
}

// next drops the instance peek returned.
func (s *oldestStream) next() { s.run = s.run[:len(s.run)-1] }
