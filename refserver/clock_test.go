package refserver_test

import (
	"sync"
	"testing"
	"time"

	"github.com/enos-go/batchprocessing/refserver"
)

func TestManualClock(t *testing.T) {
	t.Parallel()
	clk := refserver.NewManualClock(t0)
	if !clk.Now().Equal(t0) {
		t.Fatalf("Now %v", clk.Now())
	}
	clk.Advance(90 * time.Second)
	if !clk.Now().Equal(t0.Add(90 * time.Second)) {
		t.Errorf("after Advance: %v", clk.Now())
	}
	clk.Advance(-time.Minute)
	if !clk.Now().Equal(t0.Add(30 * time.Second)) {
		t.Errorf("after a negative Advance: %v", clk.Now())
	}
	clk.Set(epoch)
	if !clk.Now().Equal(epoch) {
		t.Errorf("after Set: %v", clk.Now())
	}

	var wg sync.WaitGroup
	for range 50 {
		wg.Add(2)
		go func() { defer wg.Done(); clk.Advance(time.Millisecond) }()
		go func() { defer wg.Done(); _ = clk.Now() }()
	}
	wg.Wait()
	if !clk.Now().Equal(epoch.Add(50 * time.Millisecond)) {
		t.Errorf("after 50 concurrent advances: %v", clk.Now())
	}
}
