package refserver

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"
)

// TestInstanceOrder inserts and removes instances at random, enough to split and empty
// blocks, and checks the order, the ranks and the walks against a sorted slice.
func TestInstanceOrder(t *testing.T) {
	rnd := rand.New(rand.NewPCG(7, 9))
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var o instanceOrder
	var want []*instance
	newInstance := func(i int) *instance {
		// Few distinct trigger times, so that ids break many ties.
		at := base.Add(time.Duration(rnd.IntN(300)) * time.Minute)
		return &instance{FlowInstance: FlowInstance{ID: strconv.Itoa(i), TriggerTime: at}}
	}
	check := func(step int) {
		t.Helper()
		if o.size() != len(want) {
			t.Fatalf("step %d: size %d, want %d", step, o.size(), len(want))
		}
		var got []*instance
		o.descend(0, o.size(), func(in *instance) bool { got = append(got, in); return true })
		slices.Reverse(got)
		if !slices.Equal(got, want) {
			t.Fatalf("step %d: order differs", step)
		}
		at := base.Add(time.Duration(rnd.IntN(300)) * time.Minute)
		r := o.rank(func(in *instance) bool { return !in.TriggerTime.Before(at) })
		wantRank := slices.IndexFunc(want, func(in *instance) bool { return !in.TriggerTime.Before(at) })
		if wantRank < 0 {
			wantRank = len(want)
		}
		if r != wantRank {
			t.Fatalf("step %d: rank %d, want %d", step, r, wantRank)
		}
		if len(want) > 0 {
			lo := rnd.IntN(len(want))
			hi := lo + rnd.IntN(len(want)-lo+1)
			var part []*instance
			o.descend(lo, hi, func(in *instance) bool { part = append(part, in); return len(part) < 7 })
			for k, in := range part {
				if in != want[hi-1-k] {
					t.Fatalf("step %d: descend(%d, %d)[%d] differs", step, lo, hi, k)
				}
			}
		}
	}
	for step := 0; step < 6000; step++ {
		if len(want) > 0 && (step > 4000 || rnd.IntN(3) == 0) {
			victim := want[rnd.IntN(len(want))]
			if !o.remove(victim) {
				t.Fatalf("step %d: remove of a held instance failed", step)
			}
			want = slices.DeleteFunc(want, func(in *instance) bool { return in == victim })
			if o.remove(victim) {
				t.Fatalf("step %d: second remove succeeded", step)
			}
		} else {
			in := newInstance(step)
			o.insert(in)
			i, _ := slices.BinarySearchFunc(want, in, compareInstances)
			want = slices.Insert(want, i, in)
		}
		if step%97 == 0 || step > 5900 {
			check(step)
		}
	}
	check(6000)
}
