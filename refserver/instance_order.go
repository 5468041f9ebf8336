package refserver

import (
	"slices"
	"sort"
)

// instanceOrder keeps instances sorted by trigger time, then id (compareInstances), in blocks
// of at most maxOrderBlock: inserting or removing one costs a binary search and a move of at
// most one block, ranks and positions a walk over the block lengths, so that a search can
// find a trigger-time range and a page of it without sorting or visiting what it skips.
//
// Every block holds at least one instance, but one: an order that empties keeps its last
// block, empty, for its next instance, so that an order whose only instance comes and goes
// (the RUNNING instance of a flow, in the orders by status) allocates nothing.
type instanceOrder struct {
	blocks [][]*instance
	n      int
}

// maxOrderBlock is the most instances one block of an instanceOrder holds.
const maxOrderBlock = 512

// size returns the number of instances held.
func (o *instanceOrder) size() int { return o.n }

// insert adds in.
func (o *instanceOrder) insert(in *instance) {
	o.n++
	if o.n == 1 {
		if len(o.blocks) == 0 {
			o.blocks = [][]*instance{nil}
		}
		o.blocks[0] = append(o.blocks[0], in)
		return
	}
	// The first block whose last instance is not before in; the last block if none.
	b := sort.Search(len(o.blocks), func(b int) bool {
		blk := o.blocks[b]
		return compareInstances(blk[len(blk)-1], in) >= 0
	})
	b = min(b, len(o.blocks)-1)
	blk := o.blocks[b]
	i := sort.Search(len(blk), func(i int) bool { return compareInstances(blk[i], in) >= 0 })
	if len(blk) == maxOrderBlock {
		b, i = o.split(b, i)
	}
	o.blocks[b] = slices.Insert(o.blocks[b], i, in)
}

// split makes room in the full block b for an instance at its place i, and returns the
// block and the place where the instance goes. The block's second half moves to a new block;
// in the last block, what comes after i does, when i is in its second half: instances
// mostly come in trigger-time order, at or near the end of the order, and the blocks they
// leave behind stay full. A new block has room for maxOrderBlock instances, which it fills
// without growing.
func (o *instanceOrder) split(b, i int) (int, int) {
	blk := o.blocks[b]
	at := len(blk) / 2
	if b == len(o.blocks)-1 && i > at {
		at = i
	}
	right := append(make([]*instance, 0, maxOrderBlock), blk[at:]...)
	clear(blk[at:])
	o.blocks[b] = blk[:at]
	o.blocks = slices.Insert(o.blocks, b+1, right)
	if i >= at {
		return b + 1, i - at
	}
	return b, i
}

// remove removes in, and reports whether it was held.
func (o *instanceOrder) remove(in *instance) bool {
	if o.n == 0 {
		return false
	}
	b := sort.Search(len(o.blocks), func(b int) bool {
		blk := o.blocks[b]
		return compareInstances(blk[len(blk)-1], in) >= 0
	})
	if b == len(o.blocks) {
		return false
	}
	blk := o.blocks[b]
	i := sort.Search(len(blk), func(i int) bool { return compareInstances(blk[i], in) >= 0 })
	if i == len(blk) || blk[i] != in {
		return false
	}
	copy(blk[i:], blk[i+1:])
	blk[len(blk)-1] = nil
	o.blocks[b] = blk[:len(blk)-1]
	if o.n--; len(o.blocks[b]) == 0 && o.n > 0 {
		o.blocks = slices.Delete(o.blocks, b, b+1)
	}
	return true
}

// rank returns how many instances come before the first for which atOrAfter is true;
// atOrAfter must be false, then true, along the order.
func (o *instanceOrder) rank(atOrAfter func(*instance) bool) int {
	if o.n == 0 {
		return 0
	}
	r := 0
	for _, blk := range o.blocks {
		if atOrAfter(blk[len(blk)-1]) {
			return r + sort.Search(len(blk), func(i int) bool { return atOrAfter(blk[i]) })
		}
		r += len(blk)
	}
	return r
}

// descend calls yield with the instances of ranks hi-1 down to lo, until it returns false.
func (o *instanceOrder) descend(lo, hi int, yield func(*instance) bool) {
	for c := o.downFrom(lo, hi); c.left > 0; c.next() {
		if !yield(c.peek()) {
			return
		}
	}
}

// orderCursor reads the ranks of an instanceOrder one at a time, downward (newest first) or
// upward (oldest first, instance_oldest.go), so that a search can merge several orders and
// stop where its page ends.
type orderCursor struct {
	o    *instanceOrder
	b, r int  // the block and the place in it of the instance peek returns
	left int  // the instances still to read, that one included
	up   bool // toward the higher ranks
}

// downFrom returns a cursor on the ranks hi-1 down to lo.
func (o *instanceOrder) downFrom(lo, hi int) orderCursor { return o.cursor(hi-1, hi-lo, false) }

// upFrom returns a cursor on the ranks lo up to hi-1.
func (o *instanceOrder) upFrom(lo, hi int) orderCursor { return o.cursor(lo, hi-lo, true) }

// cursor returns a cursor that stands on rank at and reads n ranks in its direction.
func (o *instanceOrder) cursor(at, n int, up bool) orderCursor {
	c := orderCursor{o: o, left: max(n, 0), up: up}
	if c.left == 0 {
		return c
	}
	// Find the block holding rank at.
	c.r = at
	for c.r >= len(o.blocks[c.b]) {
		c.r -= len(o.blocks[c.b])
		c.b++
	}
	return c
}

// peek returns the instance the cursor stands on, or nil when it has read every rank.
func (c *orderCursor) peek() *instance {
	if c.left == 0 {
		return nil
	}
	return c.o.blocks[c.b][c.r]
}

// next moves the cursor to the next rank in its direction.
func (c *orderCursor) next() {
	c.left--
	switch {
	case c.up:
		if c.r++; c.r == len(c.o.blocks[c.b]) && c.left > 0 {
			c.b, c.r = c.b+1, 0
		}
	default:
		if c.r--; c.r < 0 && c.b > 0 {
			c.b--
			c.r = len(c.o.blocks[c.b]) - 1
		}
	}
}
