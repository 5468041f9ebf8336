package batchprocessing

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"
)

// refinement is the one refinement of the clock's correction in flight, if any.
type refinement struct {
	mu   sync.Mutex
	done chan struct{} // closed when the refinement in flight ends; nil if none runs
}

// refineClock makes a correction read from a Date exact before a call reads the time as
// now (a trigger's time, the end of a listing's range), with Get Current Time, which
// answers the gateway's time in milliseconds: a Date holds whole seconds, and a clock
// corrected from one could be off by a second and more, so that a trigger "now" in a
// minute's first second would name the minute before. Signatures need no such precision,
// so other calls never refine nor wait. The refinement runs on its own, bounded by
// maxRefineTrip, whatever becomes of the calls that wait for it (each until it ends or
// its own context does): one attempt, logged at debug level, that neither retries nor
// renews a token. When Get Current Time fails, or answers what cannot be taken (a cached
// answer, one outside the Date's error), the correction read from the Date stays.
//
// A Date may correct the clock again while a refinement runs (another call's 401): that
// refinement then neither refines nor settles the new correction, and the waiting call
// starts or joins the refinement of the new one, until the correction in force is final,
// for at most maxRefinePasses refinements: Dates that keep replacing each other would
// otherwise hold it for ever.
func (c *Client) refineClock(ctx context.Context) {
	for range maxRefinePasses {
		done := c.startRefinement(ctx)
		if done == nil {
			return
		}
		select {
		case <-done:
		case <-ctx.Done(): // the attempt finds the context ended before it sends
			return
		}
	}
}

// maxRefinePasses is how many refinements a call waits for at most.
const maxRefinePasses = 3

// startRefinement starts the refinement of a coarse correction, unless one runs, and
// returns the channel its end closes; nil when the correction is not coarse.
func (c *Client) startRefinement(ctx context.Context) <-chan struct{} {
	r := c.refinement
	r.mu.Lock()
	defer r.mu.Unlock()
	coarse := c.clock.coarse()
	switch {
	case coarse == nil:
		return nil
	case r.done != nil:
		return r.done
	}
	done := make(chan struct{})
	r.done = done
	ctx = context.WithoutCancel(ctx) // its values (a logger's), not its end
	go func() {
		c.refine(ctx, coarse)
		r.mu.Lock()
		r.done = nil
		r.mu.Unlock()
		close(done)
	}()
	return done
}

// refine refines the coarse correction from Get Current Time's answer, or settles it.
func (c *Client) refine(ctx context.Context, coarse *correction) {
	server, start, end, err := c.currentTime(ctx)
	switch {
	case err == nil && c.clock.refine(coarse, server, start, end):
		c.log.LogAttrs(ctx, slog.LevelDebug, "batchprocessing clock correction refined", slog.Duration("offset", c.clock.Offset()))
		return
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
	cl := currentTimeCall
	cl.background = true
	p, err := c.prepare(cl)
	if err != nil {
		return server, start, end, err
	}
	var ms *flexInt
	res := c.attempt(ctx, p, &ms)
	switch {
	case res.err != nil:
		return server, start, end, res.err
	case fromCache(res.resp.header):
		return server, start, end, errors.New("an answer from a cache")
	}
	return time.UnixMilli(int64(*ms)), res.resp.start, res.resp.end, nil
}
