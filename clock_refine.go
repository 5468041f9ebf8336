package batchprocessing

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"
)

// refineClock makes a correction read from a Date exact with Get Current Time, which
// answers the gateway's time in milliseconds: a Date holds whole seconds, and a clock
// corrected from one could be off by a second and more, so that a trigger "now" in a
// minute's first second would name the minute before. Every call that finds the
// correction coarse waits for the one refinement (at most maxRefineTrip, the longest round
// trip it takes, or until its own context ends): one attempt, logged at debug level, that
// neither retries nor renews a token. When Get Current Time fails, or answers what cannot
// be taken (a cached answer, one that disagrees with the Date), the correction read from
// the Date stays; when the refining call's context ends first, the next call refines. Get
// Current Time's own signing does not refine (a background call), so it does not recurse.
func (c *Client) refineClock(ctx context.Context) {
	select {
	case c.refining <- struct{}{}:
	case <-ctx.Done():
		return // the attempt finds the context ended before it sends
	}
	defer func() { <-c.refining }()
	coarse := c.clock.coarse()
	if coarse == nil {
		return // refined while this call waited
	}
	server, start, end, err := c.currentTime(ctx)
	switch {
	case err == nil && c.clock.refine(coarse, server, start, end):
		c.log.LogAttrs(ctx, slog.LevelDebug, "batchprocessing clock correction refined", slog.Duration("offset", c.clock.Offset()))
		return
	case ctx.Err() != nil:
		return // the caller gave up: the next call refines
	case err != nil:
		c.log.LogAttrs(ctx, slog.LevelDebug, "batchprocessing clock correction kept to the Date's second: Get Current Time failed",
			slog.String("error", err.Error()))
	default:
		c.log.LogAttrs(ctx, slog.LevelDebug, "batchprocessing clock correction kept to the Date's second: Get Current Time's answer was not usable",
			slog.Time("server", server), slog.Duration("round_trip", end.Sub(start)))
	}
	c.clock.settle(coarse)
}

// currentTime asks Get Current Time once, within maxRefineTrip, as a background call, and
// returns its answer with the base clock's readings around the round trip. A cached answer
// (an Age header) is an error: it says nothing of the clock now.
func (c *Client) currentTime(ctx context.Context) (server, start, end time.Time, err error) {
	ctx, cancel := context.WithTimeout(ctx, maxRefineTrip)
	defer cancel()
	p, err := c.prepare(call{op: "GetCurrentTime", rule: ruleRead, method: http.MethodGet, path: timePath,
		query: actionQuery{"getCurrentTime"}, background: true})
	if err != nil {
		return server, start, end, err
	}
	var ms *flexInt
	res := c.attempt(ctx, p, &ms)
	switch {
	case res.err != nil:
		return server, start, end, res.err
	case ms == nil:
		return server, start, end, errors.New("no time in the answer")
	case res.resp.header.Get("Age") != "":
		return server, start, end, errors.New("an answer from a cache")
	}
	return time.UnixMilli(int64(*ms)), res.resp.start, res.resp.end, nil
}
