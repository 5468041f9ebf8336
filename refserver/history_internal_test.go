package refserver

import (
	"testing"
	"time"
)

// TestPruneDropsDeletedInstances deletes flows whose instances have ended, under a history
// bound they never reach: the list of ended instances the bound keeps does not grow with
// the deleted ones.
func TestPruneDropsDeletedInstances(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	st := newState(options{now: func() time.Time { return now }, loc: time.UTC, window: time.Minute,
		tokenLife: time.Hour, maxInstances: 1000})
	for round := int64(1); round <= 200; round++ {
		st.storeFlow(&Flow{ID: round, Tasks: []Task{{ID: 1000 + round, Duration: time.Second}}})
		for k := 0; k < 10; k++ {
			st.createInstance(round, now.Add(-time.Duration(k)*time.Minute), now)
			now = now.Add(2 * time.Second)
			st.settle(now)
		}
		st.deleteInstances(round)
		st.settle(now)
	}
	if len(st.instances) != 0 {
		t.Errorf("%d instances left", len(st.instances))
	}
	if held := len(st.ended) - st.endedHead; held > 40 {
		t.Errorf("the history bound holds %d ended instances of deleted flows", held)
	}
}
