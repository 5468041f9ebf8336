package batchprocessing

import (
	"context"
	"net/http"
	"sync"
	"time"
)

// locationCache holds the server's time zone between calls of ServerLocation.
type locationCache struct {
	given    *time.Location // the zone WithServerLocation gave, never asked for; nil if none
	mu       sync.Mutex
	loc      *time.Location
	until    time.Time     // ask again from then on (client clock)
	inflight chan struct{} // closed when the running Get Timezone ends; nil if none runs
}

// locationRenewal is the grid on which the client asks Get Timezone again: its response ("GMT+1")
// is the offset in force when it is asked, and offsets change (daylight saving) on the hour
// or the half hour, in UTC as much as in local time, in every zone that has them.
const locationRenewal = 30 * time.Minute

// ServerLocation returns the time zone of the service's server-local times (the times in
// its responses, ServerTime) and of its manual flow instance ids: the one WithServerLocation
// gave, else what Get Timezone answers. The first call asks it; the response is kept until
// the next full or half hour, when an offset may change. Concurrent callers share one
// request.
//
// Get Timezone names an offset such as "GMT+8" (a fixed zone: exact for times in the same
// daylight-saving period as now, an hour off across a change) or, on some servers, an IANA
// zone such as "Europe/Berlin" (exact for every time).
//
// EnOS API docs: https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/get_time_zone.html
func (c *Client) ServerLocation(ctx context.Context) (*time.Location, error) {
	if ctx == nil {
		return nil, invalid("ServerLocation", "context", "nil context.Context")
	}
	z := c.location
	if z.given != nil {
		return z.given, nil
	}
	for {
		z.mu.Lock()
		now := c.clock.Now()
		if z.loc != nil && now.Before(z.until) {
			loc := z.loc
			z.mu.Unlock()
			return loc, nil
		}
		if running := z.inflight; running != nil {
			z.mu.Unlock()
			select {
			case <-running:
				continue
			case <-ctx.Done():
				return nil, contextEnded("GetTimezone", http.MethodGet, timePath, ctx.Err())
			}
		}
		done := make(chan struct{})
		z.inflight = done
		z.mu.Unlock()

		loc, err := c.askLocation(ctx)

		z.mu.Lock()
		if err == nil {
			z.loc, z.until = loc, now.Truncate(locationRenewal).Add(locationRenewal)
		}
		z.inflight = nil
		z.mu.Unlock()
		close(done)
		return loc, err
	}
}

// known returns the server's zone if the cache holds a fresh one, without asking.
func (z *locationCache) known(now time.Time) *time.Location {
	if z.given != nil {
		return z.given
	}
	z.mu.Lock()
	defer z.mu.Unlock()
	if z.loc != nil && now.Before(z.until) {
		return z.loc
	}
	return nil
}

// askLocation asks Get Timezone once and reads its response.
func (c *Client) askLocation(ctx context.Context) (*time.Location, error) {
	tz, err := c.GetTimezone(ctx)
	if err != nil {
		return nil, err
	}
	return tz.Location()
}

// Time returns t, a time the service wrote in its own zone (any ServerTime of a result), as
// a time.Time in the server's location (ServerLocation). A zero ServerTime gives the zero
// time.Time.
//
// Where Get Timezone names a fixed offset ("GMT+1"), a time from another daylight-saving
// period than now is read with today's offset: an hour off. A server that names an IANA
// zone, or a client given one (WithServerLocation), has no such limit.
func (c *Client) Time(ctx context.Context, t ServerTime) (time.Time, error) {
	if t.IsZero() {
		return time.Time{}, nil
	}
	loc, err := c.ServerLocation(ctx)
	if err != nil {
		return time.Time{}, err
	}
	return t.Time(loc)
}
