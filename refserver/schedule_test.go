package refserver_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/enos-go/batchprocessing/refserver"
)

// TestPeriodicSchedule: a seeded flow firing every five minutes, on a manual clock moved by
// an hour, has twelve periodic instances with the minute-cycle id form of the documentation
// ("<flowId>-yyyyMMddHHmm"), each triggered and started at its fire time; Disable Flow stops
// the schedule and Enable Flow starts it again from then on.
func TestPeriodicSchedule(t *testing.T) {
	t.Parallel()
	clk := refserver.NewManualClock(t0)
	b := refserver.NewBackend(refserver.WithClock(clk.Now))
	seed := refserver.DemoSeed()
	seed.Flows = append(seed.Flows, refserver.SeedFlow{
		ID: 4000, Name: "every five minutes", Org: refserver.DemoOrgID, Owner: refserver.DemoUserID,
		Type: "periodic", Active: true, Cycle: "mi", Freq: "0 */5 * * * ? *",
		Tasks: []refserver.SeedTask{{ID: 40001, Name: "tick", Duration: "30s"}},
	})
	if err := b.Load(seed); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Hour)
	got := b.FlowInstances(4000)
	if len(got) != 12 {
		t.Fatalf("%d instances after an hour, want 12", len(got))
	}
	for i, in := range got {
		at := t0.Add(time.Duration(i+1) * 5 * time.Minute)
		status := refserver.StatusSuccess
		if i == 11 {
			status = refserver.StatusRunning // it has just started
		}
		if want := "4000-" + at.Format("200601021504"); in.ID != want || !in.TriggerTime.Equal(at) || !in.StartTime.Equal(at) ||
			in.Status != status || in.Tasks[0].ID != "40001-"+at.Format("200601021504") {
			t.Errorf("instance %d: %s triggered %v started %v status %d, want %s at %v", i, in.ID, in.TriggerTime, in.StartTime, in.Status, want, at)
		}
	}
	// The daily demo flow has not fired: its midnight has not come.
	if n := len(b.FlowInstances(refserver.DemoFlowID)); n != 0 {
		t.Errorf("demo flow: %d instances", n)
	}

	c := clientOf(t, b, clk, refserver.DemoAccessKey, refserver.DemoSecretKey)
	data := c.call(http.MethodGet, flowInstancesPath, "get", "&flowInstId=4000-202611300805", "")
	if !strings.Contains(string(data), `"calDt":"2026-11-30"`) || !strings.Contains(string(data), `"cycle":"mi"`) {
		t.Errorf("Get Flow Instance: %s", data)
	}
	c.call(http.MethodPost, flowsPath, "disable", "", `{"flowId":4000}`)
	clk.Advance(time.Hour)
	if n := len(b.FlowInstances(4000)); n != 12 {
		t.Errorf("%d instances after an hour disabled, want 12", n)
	}
	c.call(http.MethodPost, flowsPath, "enable", "", `{"flowId":4000}`)
	clk.Advance(11 * time.Minute)
	if got := b.FlowInstances(4000); len(got) != 14 || got[13].ID != "4000-202611301010" {
		t.Errorf("after enabling again: %d instances, last %s", len(got), got[len(got)-1].ID)
	}
}

// TestPeriodicScheduleYearsAway: a flow whose year field, or whose two day fields, put its
// next fire years away fires when the clock gets there: the scheduler does not give up on
// a fire beyond some horizon.
func TestPeriodicScheduleYearsAway(t *testing.T) {
	t.Parallel()
	clk := refserver.NewManualClock(t0)
	b := refserver.NewBackend(refserver.WithClock(clk.Now))
	seed := refserver.DemoSeed()
	seed.Flows = nil
	for id, freq := range map[int64]string{10: "0 0 0 1 1 ? 2035", 11: "0 0 0 1 1 ? 2030", 12: "0 0 0 1 1 ? 2028,2034", 13: "0 0 0 29 FEB MON *"} {
		seed.Flows = append(seed.Flows, refserver.SeedFlow{
			ID: id, Name: freq, Org: refserver.DemoOrgID, Owner: refserver.DemoUserID,
			Type: "periodic", Active: true, Cycle: "M", Freq: freq,
			Tasks: []refserver.SeedTask{{ID: id*10 + 1, Name: "once", Duration: "1s"}},
		})
	}
	if err := b.Load(seed); err != nil {
		t.Fatal(err)
	}
	clk.Set(time.Date(2044, 6, 1, 0, 0, 0, 0, time.UTC))
	var got []string
	for _, id := range []int64{10, 11, 12, 13} {
		for _, in := range b.FlowInstances(id) {
			got = append(got, in.ID)
		}
	}
	if want := []string{"10-203501", "11-203001", "12-202801", "12-203401", "13-204402"}; !slices.Equal(got, want) {
		t.Errorf("instances %v, want %v", got, want)
	}
}

// TestPeriodicScheduleStartDate: a daily flow whose start date lies ahead fires first at
// that date's midnight (it counts), never before it.
func TestPeriodicScheduleStartDate(t *testing.T) {
	t.Parallel()
	clk := refserver.NewManualClock(t0)
	b := refserver.NewBackend(refserver.WithClock(clk.Now))
	b.AddFlow(refserver.Flow{ID: 4100, Name: "from Thursday", OrgID: refserver.DemoOrgID, Owner: refserver.DemoUserID,
		Type: refserver.FlowTypePeriodic, Active: true, Cycle: "D", Freq: "0 0 0 * * ? *", StartDate: "2026-12-03",
		Tasks: []refserver.Task{{ID: 41001, Name: "load"}}})
	clk.Advance(4 * 24 * time.Hour)
	var ids []string
	for _, in := range b.FlowInstances(4100) {
		ids = append(ids, in.ID)
	}
	if want := []string{"4100-20261203", "4100-20261204"}; !slices.Equal(ids, want) {
		t.Errorf("instances %v, want %v", ids, want)
	}
}

// TestZoneChangeReschedules: a change of the server's zone (Settings.Location) is a server
// started again in the new zone. The fires due before it keep the old zone's ids, and the
// schedules then fire on the new zone's clock: a flow that fired at 08:00 in UTC fires next
// at 08:00 in GMT+8, not once more at 08:00 UTC.
func TestZoneChangeReschedules(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 11, 30, 7, 0, 0, 0, time.UTC)
	clk := refserver.NewManualClock(start)
	b := refserver.NewBackend(refserver.WithClock(clk.Now))
	b.AddFlow(refserver.Flow{ID: 4200, Name: "at eight", OrgID: refserver.DemoOrgID, Owner: refserver.DemoUserID,
		Type: refserver.FlowTypePeriodic, Active: true, Cycle: "H", Freq: "0 0 8 * * ? *",
		Tasks: []refserver.Task{{ID: 42001, Name: "load"}}})
	clk.Set(time.Date(2026, 11, 30, 8, 30, 0, 0, time.UTC)) // 08:00 UTC is due, not yet settled
	b.SetSettings(refserver.Settings{Location: time.FixedZone("GMT+8", 8*3600)})
	clk.Set(time.Date(2026, 12, 1, 8, 30, 0, 0, time.UTC))
	var ids []string
	for _, in := range b.FlowInstances(4200) {
		ids = append(ids, in.ID+" "+in.TriggerTime.UTC().Format(time.RFC3339))
	}
	// 08:00 UTC on the 30th, in UTC; then 08:00 in GMT+8 on the 1st, 00:00 UTC.
	if want := []string{"4200-2026113008 2026-11-30T08:00:00Z", "4200-2026120108 2026-12-01T00:00:00Z"}; !slices.Equal(ids, want) {
		t.Errorf("instances %v, want %v", ids, want)
	}
}

// TestZoneChangeSchedulesWhatTheOldZoneNeverFired: a flow whose only fire the old zone had
// already passed (cron with a year) fires in the new zone, where that time is still ahead,
// as a server started in the new zone would.
func TestZoneChangeSchedulesWhatTheOldZoneNeverFired(t *testing.T) {
	t.Parallel()
	start := time.Date(2031, 12, 31, 15, 0, 0, 0, time.UTC) // 20:00 has passed in GMT+8, not in UTC-8
	gmt8, west := time.FixedZone("GMT+8", 8*3600), time.FixedZone("GMT-8", -8*3600)
	clk := refserver.NewManualClock(start)
	b := refserver.NewBackend(refserver.WithClock(clk.Now), refserver.WithLocation(gmt8))
	b.AddFlow(refserver.Flow{ID: 4300, Name: "once", OrgID: refserver.DemoOrgID, Owner: refserver.DemoUserID,
		Type: refserver.FlowTypePeriodic, Active: true, Cycle: "D", Freq: "0 0 20 31 12 ? 2031",
		Tasks: []refserver.Task{{ID: 43001, Name: "load"}}})
	b.SetSettings(refserver.Settings{Location: west})
	clk.Set(time.Date(2032, 1, 1, 5, 0, 0, 0, time.UTC)) // 21:00 on the 31st in GMT-8
	var ids []string
	for _, in := range b.FlowInstances(4300) {
		ids = append(ids, in.ID)
	}
	if want := []string{"4300-20311231"}; !slices.Equal(ids, want) {
		t.Errorf("instances %v, want %v", ids, want)
	}
}
