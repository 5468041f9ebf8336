package batchprocessing

import (
	"context"
	"log/slog"
)

// refineOptions make the refinement one request: it is worth no retries.
var refineOptions = []CallOption{WithCallRetryPolicy(RetryPolicy{MaxRetries: NoRetries})}

// refineClock makes a correction read from a Date exact, once after it was made, with Get
// Current Time, which answers the gateway's time in milliseconds: a Date holds whole
// seconds, and a clock corrected from one could trail the gateway's by up to one, so that
// a trigger "now" in a minute's first second would name the minute before. A refinement
// that fails keeps the correction read from the Date. Get Current Time's own signing finds
// nothing to refine, so the call does not recurse.
func (c *Client) refineClock(ctx context.Context) {
	if !c.clock.coarse.CompareAndSwap(true, false) {
		return // another call refines it
	}
	start := c.clock.base()
	server, err := c.GetCurrentTime(ctx, refineOptions...)
	end := c.clock.base()
	switch {
	case err != nil:
		c.log.LogAttrs(ctx, slog.LevelDebug, "batchprocessing clock correction kept to the second: Get Current Time failed",
			slog.String("error", err.Error()))
	case c.clock.refine(server, start, end):
		c.log.LogAttrs(ctx, slog.LevelDebug, "batchprocessing clock correction refined", slog.Duration("offset", c.clock.Offset()))
	default:
		c.log.LogAttrs(ctx, slog.LevelDebug, "batchprocessing clock correction kept to the second: Get Current Time's answer was not usable",
			slog.Time("server", server), slog.Duration("round_trip", end.Sub(start)))
	}
}
