package refserver_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/enos-go/batchprocessing"
	"github.com/enos-go/batchprocessing/refserver"
)

// TestSettingsAndRequestsInGo: the settings the control API changes, and its request log,
// are there in Go too, and act on the running server.
func TestSettingsAndRequestsInGo(t *testing.T) {
	t.Parallel()
	clk := refserver.NewManualClock(time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC))
	srv := refserver.NewDemoServer(refserver.WithClock(clk.Now))
	defer srv.Close()
	gmt8 := time.FixedZone("GMT+8", 8*3600)
	srv.SetSettings(refserver.Settings{TokenLifetime: 10 * time.Minute, Location: gmt8})
	if s := srv.Settings(); s.TokenLifetime != 10*time.Minute || s.TimestampWindow != 15*time.Minute || s.Location != gmt8 {
		t.Errorf("Settings() = %+v, want a 10m lifetime, the default 15m window and GMT+8", s)
	}
	c, err := batchprocessing.NewClient(srv.URL, refserver.DemoAccessKey, refserver.DemoSecretKey, batchprocessing.WithClock(clk.Now),
		batchprocessing.WithOrgID(refserver.DemoOrgID), batchprocessing.WithUserID(refserver.DemoUserID))
	if err != nil {
		t.Fatal(err)
	}
	id, err := c.TriggerFlow(context.Background(), batchprocessing.TriggerFlowRequest{FlowID: refserver.DemoFlowID, TriggerTime: clk.Now()})
	if err != nil || id != "3377-20261130160000" {
		t.Fatalf("trigger: %s, %v; want the minute in GMT+8", id, err)
	}
	_, err = c.TriggerFlow(context.Background(), batchprocessing.TriggerFlowRequest{FlowID: refserver.DemoEmptyFlowID, TriggerTime: clk.Now()})
	if !errors.Is(err, batchprocessing.ErrFlowHasNoTask) {
		t.Fatalf("trigger of the empty flow: %v", err)
	}
	reqs := srv.Requests(2)
	if len(reqs) != 2 || reqs[0].Action != "trigger" || reqs[0].Status != 200 || reqs[0].Code != 0 ||
		reqs[1].Code != 62104 || !reqs[1].Time.Equal(clk.Now()) {
		t.Errorf("Requests(2) = %+v, want the trigger, then its 62104", reqs)
	}
	if all := srv.Requests(1000); len(all) != 3 { // the token, then the two triggers
		t.Errorf("Requests(1000) holds %d requests, want 3", len(all))
	}
}
