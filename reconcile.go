package batchprocessing

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// creation describes a call that creates a flow instance: which instance, for the lookups
// of createInstance and the check of the response, and the call's result.
type creation struct {
	identity userQuery // the orgId and userId of the lookups
	flowID   int64
	// at is the trigger time; when the caller fixed it, the response's minute is checked.
	at   triggerAt
	zone *time.Location // the server's zone, if the client knew it when it sent the call
	// result is the call's data: the id in the service's response, or one a lookup found.
	result flowInstanceIDData
}

// createInstance performs a call that creates a flow instance, which must never run twice.
// It sends the call through send, which resends on its own only what certainly did not
// reach the service. When an attempt may have created the instance (no response, a 5xx,
// 62109, a success it could not read), it looks for the instance before sending again,
// and the call succeeds if it is there. A final response after such an attempt (a resend
// refused, or answered 62102 because the instance of that minute exists) is resolved the
// same way. When the lookups cannot tell, the error is an *OutcomeUnknownError.
//
// An instance of that minute made by another trigger (another process, an earlier run of
// the same job) cannot be told from this call's: when this call's response is lost and such
// an instance exists, the call returns its id.
func (c *Client) createInstance(ctx context.Context, p *prepared, data any) (attemptResult, error) {
	mayExist := false // an attempt may have created the instance
	for resends := 0; ; resends++ {
		res := c.send(ctx, p, data)
		switch {
		case res.err == nil:
			return res, nil
		case !res.mayHaveActed && !mayExist:
			return res, res.err // certainly not created
		}
		mayExist = true
		found, err := c.lookFor(ctx, p)
		switch {
		case found:
			return res, nil
		case err != nil:
			return res, c.giveUpUnknown(ctx, p, res, err)
		case !res.mayHaveActed:
			return res, c.giveUpUnknown(ctx, p, res, notListed(res))
		case resends >= p.policy.MaxRetries:
			return res, c.giveUpUnknown(ctx, p, res, errors.New("not found yet, and no attempt left to resend"))
		}
		if err := c.pause(ctx, p, resends+2, res, decision{retry, "the instance is not there: sending again"}); err != nil {
			return res, p.outcomeUnknown(res.err, whyStopped(err)) // pause logged why it gave up
		}
	}
}

// giveUpUnknown logs that a creating call gives up with its outcome unknown, and why, and
// returns its error.
func (c *Client) giveUpUnknown(ctx context.Context, p *prepared, res attemptResult, why error) error {
	c.logDecision(ctx, p, decision{stop, "the outcome is unknown: " + why.Error()}, res)
	return p.outcomeUnknown(res.err, why)
}

// whyStopped says why a pause did not happen: the context ended, or the server asked for
// longer than the policy allows.
func whyStopped(err error) error {
	var stopped *stoppedError
	if errors.As(err, &stopped) {
		return stopped.reason
	}
	return errors.New("the server asked for a longer pause than the policy allows")
}

// notListed says why a final response after an attempt that may have created the instance
// leaves the outcome unknown.
func notListed(res attemptResult) error {
	if res.apiError != nil && res.apiError.Code == CodeInvalidParameter {
		return errors.New("the service says an instance of that minute exists, but does not list it")
	}
	return errors.New("not found, and the last attempt failed")
}

// lookFor looks for the instance of a creating call, trying again as the policy allows
// when a lookup fails for a passing reason.
func (c *Client) lookFor(ctx context.Context, p *prepared) (bool, error) {
	cr := p.creates
	for n := 1; ; n++ {
		id, err := c.instanceOfMinute(ctx, cr)
		if err == nil {
			if id != "" {
				cr.result.FlowInstanceID = string(id)
			}
			return id != "", nil
		}
		if ctx.Err() != nil || !mayRecover(err) || n > p.policy.MaxRetries {
			return false, err
		}
		if perr := c.pause(ctx, p, n+1, attemptResult{err: err}, decision{retry, "looking for the instance failed"}); perr != nil {
			return false, err
		}
	}
}

// lookupOptions make each lookup a single request: lookFor retries them.
var lookupOptions = []CallOption{WithCallRetryPolicy(RetryPolicy{MaxRetries: NoRetries})}

// errAmbiguous is the lookup's error when the service shows more than one instance that
// the trigger may have created: it cannot tell which, and asking again will not help.
var errAmbiguous = errors.New("more than one instance of the flow was triggered in that minute")

// instanceOfMinute returns the id of the manually triggered instance of the creating call's
// flow whose trigger time falls in the call's minute, or "" when there is none.
//
// It asks List Flow Instances, whose trigger-time range is in epoch milliseconds, rather
// than computing the id from the server's time zone: Get Timezone reports only the offset
// in force now ("GMT+1"), which says nothing of the offset at a trigger time across a
// daylight-saving change, and an id computed with the wrong offset names the instance of
// another hour. The service does the zone arithmetic; the client compares instants. The
// listing's type is the flow's scheduling type, which the client does not know: it asks for
// each type until one shows the instance.
//
// What the listing shows is checked as a trigger's response is (checkTriggerResult), the
// minute included: an instance of another flow, or of a minute the range does not hold,
// is not the one looked for, whatever the listing says.
func (c *Client) instanceOfMinute(ctx context.Context, cr *creation) (FlowInstanceID, error) {
	flowID, minute := cr.flowID, cr.at.millis()-cr.at.millis()%60_000
	prefix := strconv.FormatInt(flowID, 10) + "-"
	l, err := c.newListing(ctx, ListFlowInstancesRequest{Expression: prefix, From: time.UnixMilli(minute),
		To: time.UnixMilli(minute + 59_999), OrgID: cr.identity.OrgID, UserID: cr.identity.UserID}, lookupOptions)
	if err != nil {
		return "", err
	}
	var found []FlowInstanceID
	for _, s := range l.streams(1) {
		// Every page: the expression is a fuzzy match, and "3377-" also finds the instances
		// of 13377, 23377, ..., in that minute, which may fill the first pages. A page that
		// fails after one that showed the instance leaves the instance found; before, the
		// lookup fails: the instance may be on the pages not read (a service that does not
		// page), and a lookup that did not see them cannot say it is absent.
		for !s.done {
			if err := l.readPage(ctx, s); err != nil {
				if len(found) > 0 {
					break
				}
				return "", err
			}
			for _, fi := range s.pending {
				// checkTriggerResult refuses the other flows' instances, the scheduled
				// instances of the same minute (a shorter suffix) and those of another minute.
				if id := fi.FlowInstanceID; fi.FlowID == flowID && checkTriggerResult(id, flowID, minute, true, cr.zone) == nil {
					found = append(found, id)
				}
			}
			s.pending = s.pending[:0]
		}
		if len(found) > 0 {
			break
		}
	}
	switch len(found) {
	case 0:
		return "", nil
	case 1:
		return found[0], nil
	}
	return "", fmt.Errorf("%w: %v", errAmbiguous, found)
}
