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
