package batchprocessing

import (
	"context"
	"errors"
	"sync"
	"time"
)

// zoneCache holds the server's time zone once a call has needed it: the ids of manually
// triggered instances carry the trigger minute in that zone.
type zoneCache struct {
	mu  sync.Mutex
	loc *time.Location
}

// serverLocation returns the server's time zone, asking Get Timezone the first time.
func (c *Client) serverLocation(ctx context.Context) (*time.Location, error) {
	c.zone.mu.Lock()
	loc := c.zone.loc
	c.zone.mu.Unlock()
	if loc != nil {
		return loc, nil
	}
	tz, err := c.getTimezone(ctx, true)
	if err != nil {
		return nil, err
	}
	if loc, err = tz.Location(); err != nil {
		return nil, err
	}
	c.zone.mu.Lock()
	c.zone.loc = loc
	c.zone.mu.Unlock()
	return loc, nil
}

// findInstance returns the created-check of a trigger: it computes the id the service
// gives the instance of flowID at triggerMillis (the flow id and the minute in the
// server's zone), asks Get Flow Instance, and on success stores the id in data. An answer
// that the instance is unknown (62102) means it was not created. Each lookup is a single
// request: the trigger's own loop retries them.
//
// An instance of that minute made by another trigger (another process, an earlier run of
// the same job) cannot be told from this call's: when this call's answer is lost and such
// an instance exists, the call returns its id.
func (c *Client) findInstance(q userQuery, flowID, triggerMillis int64, data *flowInstanceIDData) func(context.Context) (bool, error) {
	return func(ctx context.Context) (bool, error) {
		loc, err := c.serverLocation(ctx)
		if err != nil {
			return false, err
		}
		id := FlowInstanceIDFor(flowID, time.UnixMilli(triggerMillis), loc)
		_, err = c.getFlowInstance(ctx, GetFlowInstanceRequest{FlowInstanceID: id, OrgID: q.OrgID, UserID: q.UserID}, true)
		switch {
		case err == nil:
			data.FlowInstanceID = string(id)
			return true, nil
		case errors.Is(err, ErrInvalidParameter):
			return false, nil
		}
		return false, err
	}
}
