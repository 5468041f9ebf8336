package refserver

import (
	"sync"
	"time"
)

// ManualClock is a clock that only moves when told to, for driving a Server in tests:
//
//	clk := refserver.NewManualClock(time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC))
//	srv := refserver.NewDemoServer(refserver.WithClock(clk.Now))
//	clk.Advance(time.Hour) // instances and tasks are exactly where an hour has taken them
//
// It is safe for concurrent use. Share it with a client under test (its own clock option) so
// that request timestamps stay within the gateway's window.
type ManualClock struct {
	mu  sync.Mutex
	now time.Time
}

// NewManualClock returns a ManualClock standing at start.
func NewManualClock(start time.Time) *ManualClock {
	return &ManualClock{now: start}
}

// Now returns the clock's time.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d (backward if d is negative).
func (c *ManualClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Set moves the clock to t.
func (c *ManualClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}
