package batchprocessing

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
)

// TestTriggerNowFollowsTheClock: a trigger "now" moves with a correction of the clock made
// during its call (a 401 with the gateway's Date an hour ahead) while no attempt may have
// created the instance, and only then; a fixed time never moves.
func TestTriggerNowFollowsTheClock(t *testing.T) {
	t.Parallel()
	hourOff := gatewayError(401).HeaderSet(http.Header{"Date": {time.UnixMilli(testNowMillis).Add(time.Hour).Format(http.TimeFormat)}})
	fixed := time.UnixMilli(testNowMillis)
	for _, tt := range []struct {
		name    string
		at      time.Time            // the request's TriggerTime
		answers []httpmock.Responder // of the trigger endpoint, in order
		want    []time.Duration      // each attempt's trigger time, from the client's now
	}{
		{"refused for its timestamp", time.Time{}, []httpmock.Responder{hourOff, okInstance(wantGMT8ID)}, []time.Duration{0, time.Hour}},
		{"rate-limited, then refused", time.Time{}, []httpmock.Responder{gatewayError(429), hourOff, okInstance(wantGMT8ID)}, []time.Duration{0, 0, time.Hour}},
		{"not sent, then refused", time.Time{}, []httpmock.Responder{refused, hourOff, okInstance(wantGMT8ID)}, []time.Duration{0, 0, time.Hour}},
		{"lost, not found, then refused: the minute looked for stays", time.Time{}, []httpmock.Responder{lost, hourOff, okInstance(wantGMT8ID)}, []time.Duration{0, 0, 0}},
		{"a fixed time", fixed, []httpmock.Responder{hourOff, okInstance(wantGMT8ID)}, []time.Duration{0, 0}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt, _ := newTestClient(t, fastRetries)
			reconcileMocks(mt, func() bool { return false })
			var triggers recorder
			seq := tt.answers[0]
			for _, next := range tt.answers[1:] {
				seq = seq.Then(next)
			}
			mt.RegisterResponder(http.MethodPost, flowsURL, triggers.wrap(seq))
			if _, err := c.TriggerFlow(context.Background(), TriggerFlowRequest{FlowID: 3377, TriggerTime: tt.at}); err != nil {
				t.Fatal(err)
			}
			var got []time.Duration
			for _, r := range triggers.all() {
				var body triggerFlowBody
				if err := json.Unmarshal(r.body, &body); err != nil {
					t.Fatal(err)
				}
				got = append(got, time.Duration(body.TriggerTime-testNowMillis)*time.Millisecond)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("trigger times sent %v, want %v", got, tt.want)
			}
		})
	}
}

// TestListingRangeFollowsTheClock: a listing whose range ends now moves it with a correction
// of the clock made during its first page's request (a 401 with the gateway's Date an hour
// ahead, or eight days behind), start and end, and reads every later page with that range,
// even when the clock is corrected again (a 401 two hours ahead). A range ending now never
// ends before a start the caller gave, and a range the caller gave never moves.
func TestListingRangeFollowsTheClock(t *testing.T) {
	t.Parallel()
	off := func(d time.Duration) httpmock.Responder {
		return gatewayError(401).HeaderSet(http.Header{"Date": {time.UnixMilli(testNowMillis).Add(d).Format(http.TimeFormat)}})
	}
	first := okData(`{"flowInsts":[{"instanceId":"1-20191122010000","flowId":1},{"instanceId":"1-20191122010100","flowId":1}],"count":3}`)
	second := okData(`{"flowInsts":[{"instanceId":"1-20191122010200","flowId":1}],"count":3}`)
	week := 7 * 24 * time.Hour
	given := time.UnixMilli(testNowMillis).Add(-time.Minute)
	day := 24 * time.Hour
	for _, tt := range []struct {
		name     string
		from, to time.Time
		within   time.Duration
		off      time.Duration      // the gateway's clock against the client's, as the first 401 gives it
		want     [][2]time.Duration // each request's range, from the client's now
	}{
		{"the last week", time.Time{}, time.Time{}, 0, time.Hour, [][2]time.Duration{{-week, 0}, {time.Hour - week, time.Hour}, {time.Hour - week, time.Hour}, {time.Hour - week, time.Hour}}},
		{"the last week, eight days back", time.Time{}, time.Time{}, 0, -8 * day, [][2]time.Duration{{-week, 0}, {-8*day - week, -8 * day}, {-8*day - week, -8 * day}, {-8*day - week, -8 * day}}},
		{"from a given time", given, time.Time{}, 0, time.Hour, [][2]time.Duration{{-time.Minute, 0}, {-time.Minute, time.Hour}, {-time.Minute, time.Hour}, {-time.Minute, time.Hour}}},
		{"from a given time, now moved back before it", given, time.Time{}, 0, -time.Hour,
			[][2]time.Duration{{-time.Minute, 0}, {-time.Minute, -time.Minute}, {-time.Minute, -time.Minute}, {-time.Minute, -time.Minute}}},
		{"the last week, back before 1970", time.Time{}, time.Time{}, 0, -time.Duration(testNowMillis)*time.Millisecond - day,
			[][2]time.Duration{{-week, 0}, {-time.Duration(testNowMillis) * time.Millisecond, -time.Duration(testNowMillis) * time.Millisecond},
				{-time.Duration(testNowMillis) * time.Millisecond, -time.Duration(testNowMillis) * time.Millisecond},
				{-time.Duration(testNowMillis) * time.Millisecond, -time.Duration(testNowMillis) * time.Millisecond}}},
		{"a given range", given.Add(-week), given, 0, time.Hour, slices.Repeat([][2]time.Duration{{-time.Minute - week, -time.Minute}}, 4)},
		{"the last day", time.Time{}, time.Time{}, day, time.Hour, [][2]time.Duration{{-day, 0}, {time.Hour - day, time.Hour}, {time.Hour - day, time.Hour}, {time.Hour - day, time.Hour}}},
		{"the last day and 1.5 ms: whole milliseconds on every page", time.Time{}, time.Time{}, day + 1500*time.Microsecond, time.Hour,
			slices.Concat([][2]time.Duration{{-day - time.Millisecond, 0}}, slices.Repeat([][2]time.Duration{{time.Hour - day - time.Millisecond, time.Hour}}, 3))},
		{"from the client's now, to the nanosecond", time.UnixMilli(testNowMillis).Add(500 * time.Microsecond), time.Time{}, 0, time.Hour,
			[][2]time.Duration{{0, 0}, {0, time.Hour}, {0, time.Hour}, {0, time.Hour}}},
		{"a day before a given end", time.Time{}, given, day, time.Hour, slices.Repeat([][2]time.Duration{{-time.Minute - day, -time.Minute}}, 4)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt, _ := newTestClient(t)
			var searches recorder
			mt.RegisterResponder(http.MethodPost, searchURL, searches.wrap(off(tt.off).Then(first).Then(off(2*time.Hour)).Then(second)))
			req := ListFlowInstancesRequest{Types: []FlowType{FlowTypeManual}, PageSize: 2, From: tt.from, To: tt.to, Within: tt.within}
			n := 0
			for _, err := range c.ListFlowInstancesIter(context.Background(), req) {
				if err != nil {
					t.Fatal(err)
				}
				n++
			}
			var got [][2]time.Duration
			for _, r := range searches.all() {
				var body listFlowInstancesBody
				if err := json.Unmarshal(r.body, &body); err != nil {
					t.Fatal(err)
				}
				got = append(got, [2]time.Duration{time.Duration(body.FromTriggerTime-testNowMillis) * time.Millisecond,
					time.Duration(body.ToTriggerTime-testNowMillis) * time.Millisecond})
			}
			if n != 3 || !slices.Equal(got, tt.want) {
				t.Errorf("%d instances, ranges sent %v, want 3 and %v", n, got, tt.want)
			}
		})
	}
}
