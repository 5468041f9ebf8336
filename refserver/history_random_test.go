package refserver

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// TestIndexesFollowAChangingHistory runs random histories in which flows come, change
// owners and type from version to version (Save Flow), run, are cancelled and deleted,
// under a history bound or none, with the store cleared now and then; every 50 steps it
// checks that the indexes are exact and that searches find what a scan finds.
func TestIndexesFollowAChangingHistory(t *testing.T) {
	t.Parallel()
	for seed := uint64(1); seed <= 12; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			t.Parallel()
			h := newRandomHistory(seed)
			for step := 0; step < 3000; step++ {
				h.step()
				if step%50 == 0 {
					h.st.settle(h.now)
					checkStatusOrders(t, h.st, fmt.Sprintf("seed %d, step %d", seed, step))
					checkSearchesMatchAScan(t, h.st, h.rnd, h.now, 200, fmt.Sprintf("seed %d, step %d", seed, step))
				}
			}
		})
	}
}

// ownerLists are the owners a flow version of randomHistory gets: blanks, names twice,
// empty lists, and more owners than are indexed (maxIndexedOwners).
var ownerLists = []string{"ann", "bob", ";bob;ann;", " carl ;ann; carl;", "ann;ann", " ann ", "carl",
	"bob ; carl", ";", " ", "ann;bob;carl;ann;bob", "dave;;dave ;  dave",
	"ann;w1;w2;w3;w4;w5;w6;w7;w8;w9;w10;w11;w12;w13;w14;w15;w16;bob",
	"w1;w2;w3;w4;w5;w6;w7;w8;w9;w10;w11;w12;w13;w14;w15;w16;carl;w1"}

// randomHistory is a store driven by random steps.
type randomHistory struct {
	rnd    *rand.Rand
	st     *state
	now    time.Time
	nextID int64
	live   []int64 // the flows that exist
}

// newRandomHistory returns an empty store on its own clock, under a bound of 0 (none), 30
// or 80 instances as seed chooses.
func newRandomHistory(seed uint64) *randomHistory {
	h := &randomHistory{rnd: rand.New(rand.NewPCG(seed, 99)), now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC), nextID: 1}
	h.st = testState(&h.now, time.UTC, []int{0, 30, 80}[seed%3])
	return h
}

// step settles the store, makes one random change and moves the clock up to two minutes.
func (h *randomHistory) step() {
	h.st.settle(h.now)
	switch r := h.rnd.IntN(100); {
	case r < 5 || len(h.live) == 0:
		h.storeVersion(h.nextID)
		h.live = append(h.live, h.nextID)
		h.nextID++
	case r < 15:
		h.storeVersion(h.live[h.rnd.IntN(len(h.live))]) // Save Flow: new owners, maybe a new type
	case r < 18:
		h.deleteFlow(h.rnd.IntN(len(h.live)))
	case r < 19 && h.rnd.IntN(5) == 0:
		h.st.clear()
		h.live = nil
	case r < 30:
		h.stopOne()
	default:
		id := h.live[h.rnd.IntN(len(h.live))]
		trigger := h.now.Add(time.Duration(h.rnd.IntN(400)-300) * time.Minute)
		if h.st.instances[instanceID(id, trigger, h.st.loc)] == nil {
			h.st.createInstance(id, trigger, h.now)
		}
	}
	h.now = h.now.Add(time.Duration(h.rnd.IntN(120)) * time.Second)
}

// storeVersion stores a new version of flow id (org o2 for every fifth id), with random
// owners and type, some of them scheduled every seven minutes.
func (h *randomHistory) storeVersion(id int64) {
	org := "o1"
	if id%5 == 0 {
		org = "o2"
	}
	f := &Flow{ID: id, Name: fmt.Sprintf("flow %d", id), OrgID: org, Owner: ownerLists[h.rnd.IntN(len(ownerLists))],
		Type:  []int{FlowTypeManual, FlowTypeTemporary, FlowTypePeriodic}[h.rnd.IntN(3)],
		Tasks: []Task{{ID: id*10 + 1, Duration: time.Duration(1+h.rnd.IntN(5)) * time.Minute}}}
	if f.Type == FlowTypePeriodic && h.rnd.IntN(2) == 0 {
		f.Active, f.Freq, f.Cycle = true, "0 */7 * * * ? *", "mi"
	}
	h.st.storeFlow(f)
}

// deleteFlow deletes the k-th live flow as Delete Flow does.
func (h *randomHistory) deleteFlow(k int) {
	h.st.removeFlow(h.live[k])
	h.live = slices.Delete(h.live, k, k+1)
}

// stopOne cancels or times out the instance of the smallest id that has not ended, if
// there is one (the smallest, so that a seed always makes the same history).
func (h *randomHistory) stopOne() {
	var first *instance
	for _, in := range h.st.instances {
		if !in.ended() && (first == nil || in.ID < first.ID) {
			first = in
		}
	}
	if first != nil {
		h.st.stop(first, []int{StatusCancel, StatusTimeout}[h.rnd.IntN(2)], h.now)
	}
}
