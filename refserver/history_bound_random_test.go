package refserver

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"
)

// TestBoundDecidesOnlyWhatIsRemembered drives two stores with the same random history, one
// without a history bound and one with a bound of 25: flows come, change and go, periodic
// ones fire (some more often than their cycle), instances are triggered, cancelled and run,
// and the clock moves by seconds, by hours in one jump, and back, across the end of
// daylight saving time in New York. After every step each instance the bounded store holds
// is the same as in the other store, and it holds no more than the bound besides the
// instances that have not ended: the bound decides what is remembered, never what runs or
// when.
func TestBoundDecidesOnlyWhatIsRemembered(t *testing.T) {
	t.Parallel()
	newYork := mustZone(t, "America/New_York")
	for seed := uint64(1); seed <= 8; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			t.Parallel()
			runTwins(t, newTwinHistory(seed, newYork, 25, 0), 1000)
		})
	}
}

// TestSettleInStepsOrInOneJump drives two stores without a history bound with the same
// random history (as TestBoundDecidesOnlyWhatIsRemembered does), one of them also settled
// every 13 s of server time between the steps, through the jumps too: every instance is
// the same in both. Settling handles the events it passes in time order, so when a store is
// looked at does not change what happens in it.
func TestSettleInStepsOrInOneJump(t *testing.T) {
	t.Parallel()
	newYork := mustZone(t, "America/New_York")
	for seed := uint64(101); seed <= 104; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			t.Parallel()
			runTwins(t, newTwinHistory(seed, newYork, 0, 13*time.Second), 600)
		})
	}
}

// runTwins runs steps of h, comparing the stores after every move of the clock by a jump
// or back, and every twentieth step (a comparison visits every instance of the second
// store).
func runTwins(t *testing.T, h *twinHistory, steps int) {
	for step := 0; step < steps; step++ {
		if h.step() || step%20 == 0 {
			if err := h.compare(); err != nil {
				t.Fatalf("step %d, at %v: %v", step, h.now, err)
			}
		}
	}
}

// twinHistory is a store without a history bound and a second one, driven alike: with a
// bound, or settled every settleEvery of server time as well.
type twinHistory struct {
	rnd           *rand.Rand
	full, bounded *state
	bound         int
	settleEvery   time.Duration
	now           time.Time
	nextID        int64
	live          []int64
}

func newTwinHistory(seed uint64, loc *time.Location, bound int, settleEvery time.Duration) *twinHistory {
	h := &twinHistory{rnd: rand.New(rand.NewPCG(seed, 7)), bound: bound, settleEvery: settleEvery, nextID: 1,
		now: time.Date(2026, 10, 31, 20, 0, 0, 0, loc)} // daylight saving time ends at 2026-11-01 02:00
	h.full, h.bounded = testState(&h.now, loc, 0), testState(&h.now, loc, bound)
	return h
}

// both applies change to the two stores.
func (h *twinHistory) both(change func(st *state)) {
	change(h.full)
	change(h.bounded)
}

// step settles both stores, makes one random change to both and moves the clock. It
// reports whether the clock jumped or went back.
func (h *twinHistory) step() bool {
	h.both(func(st *state) { st.settle(h.now) })
	switch r := h.rnd.IntN(100); {
	case r < 6 || len(h.live) == 0:
		h.storeVersion(h.nextID)
		h.live = append(h.live, h.nextID)
		h.nextID++
	case r < 12:
		h.storeVersion(h.live[h.rnd.IntN(len(h.live))])
	case r < 14:
		k := h.rnd.IntN(len(h.live))
		h.both(func(st *state) { st.removeFlow(h.live[k]) })
		h.live = slices.Delete(h.live, k, k+1)
	case r < 24:
		h.stopOne()
	default:
		// A minute never triggered before: the unbounded store tells (the bounded one
		// may have forgotten it, and would take it again, as documented).
		id := h.live[h.rnd.IntN(len(h.live))]
		trigger := h.now.Add(time.Duration(h.rnd.IntN(300)-240) * time.Minute)
		if h.full.instances[instanceID(id, trigger, h.full.loc)] == nil {
			h.both(func(st *state) { st.createInstance(id, trigger, h.now) })
		}
	}
	from := h.now
	jumped := true
	switch r := h.rnd.IntN(100); {
	case r < 3:
		h.now = h.now.Add(time.Duration(1+h.rnd.IntN(6)) * time.Hour) // a jump
	case r < 6:
		h.now = h.now.Add(-time.Duration(1+h.rnd.IntN(10)) * time.Minute) // back
	default:
		h.now = h.now.Add(time.Duration(h.rnd.IntN(120)) * time.Second)
		jumped = false
	}
	for at := from.Add(h.settleEvery); h.settleEvery > 0 && at.Before(h.now); at = at.Add(h.settleEvery) {
		h.bounded.settle(at)
	}
	return jumped
}

// storeVersion stores a new version of flow id in both stores: manual, or periodic on a
// minute, hour, day or month cycle, firing every minute, every seven, every hour or every
// five hours, with one or two tasks.
func (h *twinHistory) storeVersion(id int64) {
	typ := []int{FlowTypeManual, FlowTypePeriodic, FlowTypePeriodic}[h.rnd.IntN(3)]
	cycle := []string{"mi", "H", "D", "M"}[h.rnd.IntN(4)]
	freq := []string{"0 * * * * ? *", "0 */7 * * * ? *", "0 0 * * * ? *", "0 0 */5 * * ? *"}[h.rnd.IntN(4)]
	// Runs shorter than a minute, but one flow version in eight runs for minutes: its
	// instances queue.
	longest := 50
	if h.rnd.IntN(8) == 0 {
		longest = 150
	}
	durations := []time.Duration{time.Duration(1+h.rnd.IntN(longest)) * time.Second}
	if h.rnd.IntN(2) == 0 {
		durations = append(durations, time.Duration(h.rnd.IntN(longest))*time.Second)
	}
	h.both(func(st *state) {
		f := &Flow{ID: id, Name: fmt.Sprintf("flow %d", id), OrgID: "o1", Owner: "ann", Type: typ}
		for i, d := range durations {
			f.Tasks = append(f.Tasks, Task{ID: id*10 + int64(i), Duration: d})
		}
		if typ == FlowTypePeriodic {
			f.Active, f.Freq, f.Cycle = true, freq, cycle
		}
		st.storeFlow(f)
	})
}

// stopOne cancels or times out, in both stores, the instance of the smallest id that has
// not ended (the bound never forgets those: the bounded store has them all, as compare
// checks).
func (h *twinHistory) stopOne() {
	var first *instance
	for _, in := range h.bounded.instances {
		if !in.ended() && (first == nil || in.ID < first.ID) {
			first = in
		}
	}
	if first == nil {
		return
	}
	status := []int{StatusCancel, StatusTimeout}[h.rnd.IntN(2)]
	h.both(func(st *state) { st.stop(st.instances[first.ID], status, h.now) })
}

// compare settles both stores and checks the bounded one against the other: it made as many
// instances, it holds them as the other does, and no ended one beyond its bound.
func (h *twinHistory) compare() error {
	h.both(func(st *state) { st.settle(h.now) })
	notEnded := 0
	for id, in := range h.bounded.instances {
		other := h.full.instances[id]
		if other == nil {
			return fmt.Errorf("%s is only in the bounded store", id)
		}
		if got, want := in.public(), other.public(); !reflect.DeepEqual(got, want) {
			return fmt.Errorf("%s differs:\nbounded %+v\nfull    %+v", id, got, want)
		}
		if !in.ended() {
			notEnded++
		}
	}
	switch n := len(h.bounded.instances); {
	case h.bounded.made != h.full.made:
		return fmt.Errorf("the second store made %d instances, the first %d", h.bounded.made, h.full.made)
	case h.bound > 0 && n > max(h.bound, notEnded):
		return fmt.Errorf("the bounded store holds %d instances; bound %d, %d not ended", n, h.bound, notEnded)
	case h.bound == 0 && n != len(h.full.instances):
		return fmt.Errorf("the second store holds %d instances, the first %d", n, len(h.full.instances))
	}
	return nil
}
