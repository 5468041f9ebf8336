package refserver

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"
)

// TestInstanceOrder inserts and removes instances at random, enough to split and empty
// blocks, and checks the order, the ranks and the walks against a sorted slice.
func TestInstanceOrder(t *testing.T) {
	t.Parallel()
	rnd := rand.New(rand.NewPCG(7, 9))
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var o instanceOrder
	var want []*instance
	for step := 0; step < 6000; step++ {
		if len(want) > 0 && (step > 4000 || rnd.IntN(3) == 0) {
			victim := want[rnd.IntN(len(want))]
			if !o.remove(victim) || o.remove(victim) {
				t.Fatalf("step %d: removing a held instance twice does not succeed once", step)
			}
			want = slices.DeleteFunc(want, func(in *instance) bool { return in == victim })
		} else {
			// Few distinct trigger times, so that ids break many ties.
			in := &instance{FlowInstance: FlowInstance{ID: strconv.Itoa(step), TriggerTime: base.Add(time.Duration(rnd.IntN(300)) * time.Minute)}}
			o.insert(in)
			i, _ := slices.BinarySearchFunc(want, in, compareInstances)
			want = slices.Insert(want, i, in)
		}
		if step%97 == 0 || step > 5900 {
			if err := checkOrder(&o, want, rnd, base); err != nil {
				t.Fatalf("step %d: %v", step, err)
			}
		}
	}
}

// TestInstanceOrderFillsBlocksInOrder inserts instances in trigger-time order, as they mostly
// come, also before an instance that comes later (a periodic one, triggered at the clock):
// every block but the last stays full, or all but one instance.
func TestInstanceOrderFillsBlocksInOrder(t *testing.T) {
	t.Parallel()
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, later := range []int{0, 1, 3} {
		rnd := rand.New(rand.NewPCG(3, 5))
		var o instanceOrder
		var want []*instance
		for k := 0; k < later; k++ {
			in := &instance{FlowInstance: FlowInstance{ID: "later" + strconv.Itoa(k), TriggerTime: base.AddDate(1, 0, k)}}
			o.insert(in)
			want = append(want, in)
		}
		for k := 0; k < 3*maxOrderBlock+5; k++ {
			in := &instance{FlowInstance: FlowInstance{ID: strconv.Itoa(k), TriggerTime: base.Add(time.Duration(k) * time.Minute)}}
			o.insert(in)
			want = slices.Insert(want, k, in)
		}
		if err := checkOrder(&o, want, rnd, base); err != nil {
			t.Fatalf("%d later: %v", later, err)
		}
		for b, blk := range o.blocks[:len(o.blocks)-1] {
			if len(blk) < maxOrderBlock-later {
				t.Errorf("%d later: block %d of %d holds %d instances", later, b, len(o.blocks), len(blk))
			}
		}
	}
}

// checkOrder compares o with want, sorted: size, order, a random rank and a random walk
// each way.
func checkOrder(o *instanceOrder, want []*instance, rnd *rand.Rand, base time.Time) error {
	if o.size() != len(want) {
		return fmt.Errorf("size %d, want %d", o.size(), len(want))
	}
	var got []*instance
	o.descend(0, o.size(), func(in *instance) bool { got = append(got, in); return true })
	slices.Reverse(got)
	if !slices.Equal(got, want) {
		return errors.New("order differs")
	}
	at := base.Add(time.Duration(rnd.IntN(300)) * time.Minute)
	r := o.rank(func(in *instance) bool { return !in.TriggerTime.Before(at) })
	if wantRank := len(want) - len(slices.DeleteFunc(slices.Clone(want), func(in *instance) bool { return in.TriggerTime.Before(at) })); r != wantRank {
		return fmt.Errorf("rank %d, want %d", r, wantRank)
	}
	if len(want) == 0 {
		return nil
	}
	lo := rnd.IntN(len(want))
	hi := lo + rnd.IntN(len(want)-lo+1)
	var part []*instance
	o.descend(lo, hi, func(in *instance) bool { part = append(part, in); return len(part) < 7 })
	for k, in := range part {
		if in != want[hi-1-k] {
			return fmt.Errorf("descend(%d, %d)[%d] differs", lo, hi, k)
		}
	}
	k := 0
	for c := o.upFrom(lo, hi); c.peek() != nil; c.next() {
		if c.peek() != want[lo+k] {
			return fmt.Errorf("upFrom(%d, %d)[%d] differs", lo, hi, k)
		}
		k++
	}
	if k != hi-lo {
		return fmt.Errorf("upFrom(%d, %d) reads %d instances", lo, hi, k)
	}
	return nil
}
