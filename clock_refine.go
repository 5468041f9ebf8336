package batchprocessing

import (
	"context"
	"log/slog"
	"net/http"
	"time"
)

// refineClock makes a correction read from a Date exact with Get Current Time, which
// answers the gateway's time in milliseconds: a Date holds whole seconds, and a clock
// corrected from one could be off by a second and more, so that a trigger "now" in a
// minute's first second would name the minute before. Every call that finds the
// correction coarse waits for the one refinement (at most maxRefineTrip, the longest round
// trip it takes, or until its own context ends), which is made once: one attempt, logged
// at debug level, that neither retries nor renews a token. When it fails, the correction
// read from the Date stays. Get Current Time's own signing does not refine (a background
// call), so it does not recurse.
func (c *Client) refineClock(ctx context.Context) {
	select {
	case c.refining <- struct{}{}:
	case <-ctx.Done():
		return // the attempt finds the context ended before it sends
	}
	defer func() { <-c.refining }()
	if !c.clock.coarse.Load() {
		return // refined while this call waited
	}
	defer c.clock.coarse.Store(false) // once, whatever comes of it
	ctx, cancel := context.WithTimeout(ctx, maxRefineTrip)
	defer cancel()
	p, err := c.prepare(call{op: "GetCurrentTime", rule: ruleRead, method: http.MethodGet, path: timePath,
		query: actionQuery{"getCurrentTime"}, background: true})
	if err != nil {
		return // the same query every time: it cannot fail
	}
	var ms *flexInt
	res := c.attempt(ctx, p, &ms)
	switch {
	case res.err != nil || ms == nil:
		c.log.LogAttrs(ctx, slog.LevelDebug, "batchprocessing clock correction kept to the Date's second: Get Current Time failed")
	case c.clock.refine(time.UnixMilli(int64(*ms)), res.resp.start, res.resp.end):
		c.log.LogAttrs(ctx, slog.LevelDebug, "batchprocessing clock correction refined", slog.Duration("offset", c.clock.Offset()))
	default:
		c.log.LogAttrs(ctx, slog.LevelDebug, "batchprocessing clock correction kept to the Date's second: Get Current Time's answer was not usable",
			slog.Int64("server_millis", int64(*ms)), slog.Duration("round_trip", res.resp.end.Sub(res.resp.start)))
	}
}
