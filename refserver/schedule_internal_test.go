package refserver

import (
	"fmt"
	"testing"
	"time"
)

// TestFireOnceAnID: a fire whose id the flow has fired before makes no instance, though the
// history bound forgot that instance. A cron firing every minute on an hour cycle runs once
// an hour, at the hour's first minute; a minute flow does not run again in the hour that
// repeats when daylight saving time ends (New York, 2026-11-01). Each with a bound of 10
// and a minute flow beside it, whose instances push the first one's out of the history, in
// one jump and in steps of a minute.
func TestFireOnceAnID(t *testing.T) {
	t.Parallel()
	newYork := mustZone(t, "America/New_York")
	for _, c := range []struct {
		name       string
		loc        *time.Location
		start, end time.Time
		cycle      string
	}{
		{"hour cycle, minute cron", time.UTC, time.Date(2026, 3, 1, 12, 0, 30, 0, time.UTC),
			time.Date(2026, 3, 1, 15, 40, 30, 0, time.UTC), "H"},
		{"repeated hour", newYork, time.Date(2026, 11, 1, 0, 30, 30, 0, newYork),
			time.Date(2026, 11, 1, 6, 25, 30, 0, time.UTC), "mi"},
	} {
		// The first fire of each id: the one instance the id may name.
		first := make(map[string]time.Time)
		for at := c.start.Truncate(time.Minute).Add(time.Minute); !at.After(c.end); at = at.Add(time.Minute) {
			if id := periodicInstanceID(1, at, c.cycle, c.loc); first[id].IsZero() {
				first[id] = at
			}
		}
		for _, stepped := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/stepped=%v", c.name, stepped), func(t *testing.T) {
				fireOnce(t, c.loc, c.start, c.end, c.cycle, stepped, first)
			})
		}
	}
}

// fireOnce moves the clock of a store of the two flows of TestFireOnceAnID from start to end
// (in steps of a minute, or in one jump), checking the first flow's instances as it goes.
func fireOnce(t *testing.T, loc *time.Location, start, end time.Time, cycle string, stepped bool, first map[string]time.Time) {
	now := start
	st := testState(&now, loc, 10)
	for i, cycle := range []string{cycle, "mi"} {
		id := int64(i + 1)
		st.storeFlow(&Flow{ID: id, Type: FlowTypePeriodic, Active: true, Cycle: cycle,
			Freq: "0 * * * * ? *", Tasks: []Task{{ID: 10 * id, Duration: time.Second}}})
	}
	for now.Before(end) {
		if next := now.Add(time.Minute); stepped && next.Before(end) {
			now = next
		} else {
			now = end
		}
		st.settle(now)
		for _, in := range st.instancesOf(1) {
			if !in.TriggerTime.Equal(first[in.ID]) {
				t.Fatalf("at %v, %s triggered at %v, again: it first fired at %v", now, in.ID, in.TriggerTime, first[in.ID])
			}
		}
	}
}

// TestFireOnceAnIDAcrossCycles: an hour flow fires its 03 hour at 03:01, is saved as a minute
// flow, then as an hour flow again within the hour: the fires of the rest of the hour make
// no second instance of the 03 hour, though a bound of 3 has forgotten the first.
func TestFireOnceAnIDAcrossCycles(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 3, 0, 30, 0, time.UTC)
	st := testState(&now, time.UTC, 3)
	version := func(cycle string) {
		st.storeFlow(&Flow{ID: 1, Type: FlowTypePeriodic, Active: true, Cycle: cycle, Freq: "0 * * * * ? *",
			Tasks: []Task{{ID: 10, Duration: time.Second}}})
	}
	version("H")
	now = now.Add(time.Minute) // 03:01:30: 1-2026030103 fired at 03:01
	st.settle(now)
	version("mi")
	now = now.Add(10 * time.Minute) // ten minute fires: the first instance is forgotten
	st.settle(now)
	version("H")
	now = now.Add(10 * time.Minute)
	st.settle(now)
	if in := st.instances["1-2026030103"]; in != nil {
		t.Errorf("1-2026030103 ran again, triggered at %v", in.TriggerTime)
	}
}

// TestFiresNotHeldBackByTheirIDs: what keeps an id from running twice holds back no fire
// whose id is new, with and without a bound (found by a review of an earlier rule that
// refused every id not after the latest one fired). A minute flow created in the first pass
// of New York's repeated hour fires, in the second pass, the minutes the first pass did not
// (01:00 to 01:30 EST), and a flow whose server moves from Shanghai to UTC goes on firing
// every minute, its ids eight hours back.
func TestFiresNotHeldBackByTheirIDs(t *testing.T) {
	t.Parallel()
	newYork, shanghai := mustZone(t, "America/New_York"), mustZone(t, "Asia/Shanghai")
	for _, c := range []struct {
		name       string
		loc, later *time.Location // the store's zone, and the one it moves to after a minute
		start, end time.Time
		want       int
	}{
		// 01:31 to 01:59 EDT, 01:00 to 01:30 EST, 02:00 to 02:30 EST.
		{"repeated hour", newYork, newYork, time.Date(2026, 11, 1, 5, 30, 30, 0, time.UTC),
			time.Date(2026, 11, 1, 7, 30, 30, 0, time.UTC), 29 + 31 + 31},
		{"zone change", shanghai, time.UTC, time.Date(2026, 3, 1, 2, 0, 30, 0, time.UTC),
			time.Date(2026, 3, 1, 5, 0, 30, 0, time.UTC), 180},
	} {
		for _, bound := range []int{0, 10} {
			now := c.start
			st := testState(&now, c.loc, bound)
			st.storeFlow(&Flow{ID: 1, Type: FlowTypePeriodic, Active: true, Cycle: "mi", Freq: "0 * * * * ? *",
				Tasks: []Task{{ID: 10, Duration: time.Second}}})
			now = now.Add(time.Minute)
			st.settle(now)
			st.loc = c.later
			now = c.end
			st.settle(now)
			if st.made != c.want {
				t.Errorf("%s, bound %d: %d instances fired, want %d", c.name, bound, st.made, c.want)
			}
		}
	}
}

// TestFiredIDsAreBounded: under a bound, a minute flow fired for 30 days in UTC remembers the
// id of the last minute, not the month's; set back by a day and saved again 30 times (its
// fires go back in time), at most maxRememberedIDs.
func TestFiredIDsAreBounded(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 3, 1, 12, 0, 30, 0, time.UTC)
	now := start
	st := testState(&now, time.UTC, 100)
	flow := func() *Flow {
		return &Flow{ID: 1, Type: FlowTypePeriodic, Active: true, Cycle: "mi", Freq: "0 * * * * ? *",
			Tasks: []Task{{ID: 10, Duration: time.Second}}}
	}
	st.storeFlow(flow())
	now = now.Add(30 * 24 * time.Hour)
	st.settle(now)
	if ids, room := remembered(st, 1); ids > 2 || room > 8 {
		t.Errorf("%d ids remembered (room for %d); UTC has no fall-back, and a minute of minutes is 1", ids, room)
	}
	for k := 1; k <= 30; k++ {
		now = start.Add(-time.Duration(k) * 24 * time.Hour)
		st.storeFlow(flow()) // scheduled again from the earlier now
		now = now.Add(3 * time.Hour)
		st.settle(now)
	}
	if ids, room := remembered(st, 1); ids > maxRememberedIDs || room > 4*maxRememberedIDs {
		t.Errorf("after the clock was set back: %d ids remembered (room for %d), want at most %d",
			ids, room, maxRememberedIDs)
	}
}

// remembered returns how many fired ids flowID remembers, and the room its queues hold.
func remembered(st *state, flowID int64) (ids, room int) {
	for _, recent := range st.fired[flowID] {
		ids += len(recent.set)
		room += cap(recent.queue)
	}
	return ids, room
}

// TestLongCyclesFireOnce: under a bound that forgets every instance of a periodic flow at
// once (a manual flow's instance comes after each fire), a day cycle fired every hour runs
// once a day and a month cycle fired every day once a month.
func TestLongCyclesFireOnce(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		cycle, freq string
		step        time.Duration
		steps, want int
	}{
		{"D", "0 0 * * * ? *", time.Hour, 3 * 24, 4},          // 2026-03-01 to 04
		{"M", "0 0 0 * * ? *", 24 * time.Hour, 40, 2},         // March and April
		{"H", "0 */10 * * * ? *", 10 * time.Minute, 3 * 6, 4}, // 12:10 to 15:00
	} {
		now := time.Date(2026, 3, 1, 0, 0, 30, 0, time.UTC)
		if c.cycle == "H" {
			now = now.Add(12 * time.Hour)
		}
		st := testState(&now, time.UTC, 1)
		st.storeFlow(&Flow{ID: 1, Type: FlowTypePeriodic, Active: true, Cycle: c.cycle, Freq: c.freq,
			Tasks: []Task{{ID: 10, Duration: time.Second}}})
		st.storeFlow(&Flow{ID: 2, Tasks: []Task{{ID: 20, Duration: time.Second}}})
		manual := 0
		for k := 0; k < c.steps; k++ {
			now = now.Add(c.step)
			st.settle(now)
			st.createInstance(2, now, now) // the bound forgets flow 1's instance
			manual++
			now = now.Add(2 * time.Second)
			st.settle(now)
		}
		if fired := st.made - manual; fired != c.want {
			t.Errorf("%s cycle, freq %q: %d instances fired, want %d", c.cycle, c.freq, fired, c.want)
		}
	}
}

// TestFallBacksOfEveryShape: a flow fires as many instances under a bound of 1 (a manual
// flow's instance after each fire forgets the periodic one) as without a bound, across
// fall-backs to standard time of every shape (found by a review): one that repeats an
// hour's end and the next hour's start (Pacific/Chatham, hour cycle), one of two hours
// (Antarctica/Troll, minute and hour cycles), one across midnight (America/St_Johns in
// 2006, day cycle), one of seven hours (Antarctica/Vostok in 1994), and the common hour
// (America/New_York, minute cycle) and half hour (Australia/Lord_Howe); and into year 10000,
// whose ids have a digit more.
func TestFallBacksOfEveryShape(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		zone  string
		start time.Time
		cycle string
		steps int // minutes
	}{
		{"Pacific/Chatham", time.Date(2026, 4, 4, 13, 10, 30, 0, time.UTC), "H", 60},
		{"Antarctica/Troll", time.Date(2026, 10, 24, 22, 50, 30, 0, time.UTC), "mi", 240},
		{"Antarctica/Troll", time.Date(2026, 10, 24, 22, 50, 30, 0, time.UTC), "H", 240},
		{"America/St_Johns", time.Date(2006, 10, 29, 2, 20, 30, 0, time.UTC), "D", 30},
		{"America/New_York", time.Date(2026, 11, 1, 4, 50, 30, 0, time.UTC), "mi", 150},
		{"Australia/Lord_Howe", time.Date(2026, 4, 4, 14, 50, 30, 0, time.UTC), "mi", 120},
		{"Antarctica/Vostok", time.Date(1994, 1, 31, 9, 50, 30, 0, time.UTC), "mi", 480}, // seven hours
		{"Antarctica/Vostok", time.Date(1994, 1, 31, 9, 50, 30, 0, time.UTC), "H", 480},
		{"Antarctica/Vostok", time.Date(1994, 1, 30, 16, 50, 30, 0, time.UTC), "D", 32 * 60},
		{"UTC", time.Date(9999, 12, 31, 22, 50, 30, 0, time.UTC), "D", 300}, // ids of year 10000 are longer
		{"UTC", time.Date(9999, 12, 31, 22, 50, 30, 0, time.UTC), "M", 300},
	} {
		loc := mustZone(t, c.zone)
		unbounded, bounded := firesAcross(loc, loc, c.start, c.cycle, c.steps, 0), firesAcross(loc, loc, c.start, c.cycle, c.steps, 1)
		if unbounded != bounded {
			t.Errorf("%s, %s cycle: %d fires without a bound, %d under one", c.zone, c.cycle, unbounded, bounded)
		}
	}
}

// TestFallBackFollowsTheZone: a store under a bound whose zone moves from UTC (no fall-back)
// to New York an hour before its fall-back fires as many instances as one without a bound:
// the fall-back it allows for is the new zone's, not the one it worked out first.
func TestFallBackFollowsTheZone(t *testing.T) {
	t.Parallel()
	newYork, start := mustZone(t, "America/New_York"), time.Date(2026, 11, 1, 4, 50, 30, 0, time.UTC)
	unbounded, bounded := firesAcross(time.UTC, newYork, start, "mi", 150, 0), firesAcross(time.UTC, newYork, start, "mi", 150, 1)
	if unbounded != bounded {
		t.Errorf("%d fires without a bound, %d under one", unbounded, bounded)
	}
}

// firesAcross moves the clock of a store of a periodic flow firing every minute on cycle
// and of a manual flow by a minute steps times from start, triggering the manual flow after
// each move, and returns how many instances the periodic flow made. The store's zone is
// first for the first minute, loc after it.
func firesAcross(first, loc *time.Location, start time.Time, cycle string, steps, bound int) int {
	now := start
	st := testState(&now, first, bound)
	st.storeFlow(&Flow{ID: 1, Type: FlowTypePeriodic, Active: true, Cycle: cycle, Freq: "0 * * * * ? *",
		Tasks: []Task{{ID: 10, Duration: time.Second}}})
	st.storeFlow(&Flow{ID: 2, Tasks: []Task{{ID: 20, Duration: time.Second}}})
	for k := 0; k < steps; k++ {
		now = now.Add(time.Minute)
		st.settle(now)
		st.loc = loc
		st.createInstance(2, now, now)
		now = now.Add(2 * time.Second)
		st.settle(now)
	}
	return st.made - steps
}

// TestLargestFallBack reads the longest repeat of local times from the time zone database.
func TestLargestFallBack(t *testing.T) {
	t.Parallel()
	for zone, want := range map[string]time.Duration{"UTC": 0, "America/New_York": time.Hour,
		"Australia/Lord_Howe": time.Hour /* until 1985; half an hour since */, "Antarctica/Troll": 2 * time.Hour, "Antarctica/Vostok": 7 * time.Hour} {
		loc := mustZone(t, zone)
		if got := largestFallBack(loc); got != want {
			t.Errorf("%s: %v, want %v", zone, got, want)
		}
	}
	if got := largestFallBack(time.FixedZone("GMT+8", 8*3600)); got != 0 {
		t.Errorf("a fixed zone: %v", got)
	}
}
