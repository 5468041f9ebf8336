package refserver

import (
	"slices"
	"sort"
)

// instanceOrder keeps instances sorted by trigger time, then id (compareInstances), in blocks
// of at most maxOrderBlock: inserting or removing one costs a binary search and a move of at
// most one block, ranks and positions a walk over the block lengths, so that a search can
// find a trigger-time range and a page of it without sorting or visiting what it skips.
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
	if len(o.blocks) == 0 {
		o.blocks = [][]*instance{{in}}
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
	blk = append(blk, nil)
	copy(blk[i+1:], blk[i:])
	blk[i] = in
	o.blocks[b] = blk
	if len(blk) > maxOrderBlock {
		half := len(blk) / 2
		right := append([]*instance(nil), blk[half:]...)
		clear(blk[half:])
		o.blocks[b] = blk[:half:half]
		o.blocks = slices.Insert(o.blocks, b+1, right)
	}
}

// remove removes in, and reports whether it was held.
func (o *instanceOrder) remove(in *instance) bool {
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
	if len(o.blocks[b]) == 0 {
		o.blocks = slices.Delete(o.blocks, b, b+1)
	}
	o.n--
	return true
}

// rank returns how many instances come before the first for which atOrAfter is true;
// atOrAfter must be false, then true, along the order.
func (o *instanceOrder) rank(atOrAfter func(*instance) bool) int {
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
	if lo >= hi {
		return
	}
	// Find the block holding rank hi-1.
	b, r := 0, hi-1
	for r >= len(o.blocks[b]) {
		r -= len(o.blocks[b])
		b++
	}
	for n := hi - lo; n > 0; n-- {
		if !yield(o.blocks[b][r]) {
			return
		}
		if r--; r < 0 && b > 0 {
			b--
			r = len(o.blocks[b]) - 1
		}
	}
}
