package batchprocessing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"reflect"
	"strconv"
	"time"

	"github.com/enos-go/batchprocessing/internal/signing"
)

// servicePath is the path prefix of the Batch Processing Service V2.1 behind the gateway.
const servicePath = "/batch-processing-service/v2.1"

// contentTypeJSON is the Content-Type of request bodies, as Envision's clients send it.
const contentTypeJSON = "application/json;charset=UTF-8"

// userQuery is the query every operation but the time ones carries.
type userQuery struct {
	Action string `url:"action"`
	OrgID  string `url:"orgId"`
	UserID string `url:"userId"`
}

// userQuery validates the caller's context and identity (falling back to the client's
// defaults) and returns the query for action.
func (c *Client) userQuery(ctx context.Context, op, action, orgID, userID string) (userQuery, error) {
	if ctx == nil {
		return userQuery{}, invalid(op, "context", "nil context.Context")
	}
	if orgID == "" {
		orgID = c.orgID
	}
	if userID == "" {
		userID = c.userID
	}
	if orgID == "" {
		return userQuery{}, invalid(op, "OrgID", "empty, and the client has no default (WithOrgID)")
	}
	if userID == "" {
		return userQuery{}, invalid(op, "UserID", "empty, and the client has no default (WithUserID)")
	}
	return userQuery{Action: action, OrgID: orgID, UserID: userID}, nil
}

// do performs a call and decodes its result into data (nil for none). A call that creates
// a flow instance goes through createInstance, every other through send; either way the
// call's metadata is filled when it ends.
func (c *Client) do(ctx context.Context, cl call, data any) error {
	p, err := c.prepare(cl)
	if err != nil {
		return err
	}
	var last attemptResult
	if cl.creates != nil {
		last, err = c.createInstance(ctx, p, data)
	} else {
		last = c.send(ctx, p, data)
		err = last.err
	}
	if md := cl.opts.metadata; md != nil {
		*md = p.metadata(last)
	}
	return err
}

// prepared is a call ready to send: its query encoded and its body marshalled once, the
// same bytes for every attempt.
type prepared struct {
	call
	query    url.Values
	url      string // absolute, with the encoded query
	body     []byte
	policy   RetryPolicy
	attempts int // sent so far
}

// prepare encodes the call's query and body, and picks its retry policy.
func (c *Client) prepare(cl call) (*prepared, error) {
	policy := c.retry
	if p := cl.opts.retry; p != nil {
		var err error
		if policy, err = p.complete(); err != nil {
			return nil, invalid(cl.op, "WithCallRetryPolicy", err.Error())
		}
	}
	// The query goes into the absolute URL as encoded here, once: the sender sends that URL
	// as it is, without parsing and encoding the query again (see httpSender).
	q, u, err := c.queries.encode(c.endpoint, cl.path, cl.query)
	if err != nil {
		return nil, fmt.Errorf("batchprocessing: %s: encoding query: %w", cl.op, err)
	}
	p := &prepared{call: cl, query: q, policy: policy, url: u}
	if cl.creates != nil {
		p.rule.creates = true
		p.check = cl.creates // a trigger's instance is of the flow and minute asked for
	}
	if cl.body != nil {
		if p.body, err = json.Marshal(cl.body); err != nil {
			return nil, fmt.Errorf("batchprocessing: %s: encoding body: %w", cl.op, err)
		}
	}
	return p, nil
}

// send is the one retry loop: it sends attempts until one succeeds or judge says to stop,
// pausing as the policy says between them. A refused token is renewed once, without
// counting as a retry. For a creating call, it stops at the first attempt that may have
// created the instance: what comes next is createInstance's to decide.
func (c *Client) send(ctx context.Context, p *prepared, data any) attemptResult {
	renewed := false
	for retries := 0; ; {
		res := c.attempt(ctx, p, data)
		if res.err == nil {
			return res
		}
		d := judge(p.rule, res)
		if d.step == renewToken {
			// Whatever comes next, this attempt or the next call, starts with a fresh token.
			c.tokens.invalidate(res.token)
		}
		d = p.limited(ctx, d, retries, renewed)
		if d.step != retry {
			c.logDecision(ctx, p, d, res) // a retry is logged with its pause
		}
		switch d.step {
		case renewToken:
			renewed = true
			c.clock.correctFrom(ctx, c.log, res.resp) // a refusal of the timestamp says the clock is off
			continue
		case stop, lookForInstance:
			res.mayHaveActed = d.step == lookForInstance
			if res.mayHaveActed {
				p.now = nil // an instance of the time sent may exist: the time stays (followClock)
			}
			return res
		}
		retries++
		if err := c.pause(ctx, p, retries+1, res, d); err != nil {
			res.err = err
			return res
		}
	}
}

// limited turns a renewal or a retry that the call may no longer make into giving up, and
// says why: the token was renewed once already, the retries are used up, the context ended.
func (p *prepared) limited(ctx context.Context, d decision, retries int, renewed bool) decision {
	switch {
	case d.step == renewToken && renewed:
		return decision{stop, d.reason + " again, after a renewal"}
	case d.step == retry && retries >= p.policy.MaxRetries:
		return decision{stop, d.reason + "; no retries left"}
	case d.step == retry && ctx.Err() != nil:
		return decision{stop, d.reason + "; the context ended"}
	}
	return d
}

// pause waits before attempt number next, logging why, or returns the error to stop
// with, logging that it gives up: the last error alone when the server asked for a longer
// pause than the policy allows, with the context's error when the context ends first.
func (c *Client) pause(ctx context.Context, p *prepared, next int, res attemptResult, d decision) error {
	wait, ok := p.policy.pause(next, res.resp, c.clock.Now())
	if !ok {
		c.logDecision(ctx, p, decision{stop, d.reason + "; the server asked for a longer pause than the policy allows"}, res)
		return res.err
	}
	if c.log.Enabled(ctx, slog.LevelDebug) {
		c.log.LogAttrs(ctx, slog.LevelDebug, "batchprocessing retry", slog.String("operation", p.op),
			slog.Int("attempt", next), slog.Duration("pause", wait), slog.String("reason", d.reason),
			slog.String("after", res.err.Error()))
	}
	if err := sleepWithin(ctx, wait); err != nil {
		c.logDecision(ctx, p, decision{stop, d.reason + "; the context ended during the pause"}, res)
		return &stoppedError{last: res.err, reason: err}
	}
	return nil
}

// attemptResult is the outcome of one attempt.
type attemptResult struct {
	resp     *response // the response; nil if none came
	err      error
	apiError *APIError // err as an *APIError, if it is one
	// reached reports that the request may have reached the service: false when it
	// certainly did not (no token, refused connection, unknown host).
	reached bool
	// mayHaveActed reports, for a creating call, that the service may have created the
	// instance although the attempt failed.
	mayHaveActed bool
	token        issuedToken // the access token the attempt was signed with
}

// attempt signs and sends the call once and decodes the response into data.
func (c *Client) attempt(ctx context.Context, p *prepared, data any) attemptResult {
	started := time.Now()
	req, res, err := c.sign(ctx, p)
	if err != nil {
		res.err, res.apiError = err, apiErrorOf(err) // no token: nothing was sent
		c.logCall(ctx, p, started, res)
		return res
	}
	r := &response{op: p.op, method: p.method, path: p.path, start: c.clock.base()}
	r.keepSecret(res.token.value, *c.secretKey, req.signed[2])
	// A context that has ended sends nothing: the attempt certainly did not reach the service.
	// Its error is the context's cause, as net/http reports an ended context.
	err = context.Cause(ctx)
	if err == nil {
		p.attempts++
		var answered bool
		answered, err = exchange(ctx, c.http, c.timeout, req, c.maxBody, r)
		if answered {
			res.resp, res.reached = r, true // a response came, whatever it is
		} else {
			res.reached = !neverSent(err)
		}
	}
	r.end = c.clock.base()
	switch {
	case err != nil:
		res.err = transportError(ctx, r, err)
	default:
		res.err = c.decode(r, p, data)
	}
	r.release() // decoded: the result and the error hold copies
	res.apiError = apiErrorOf(res.err)
	c.logCall(ctx, p, started, res)
	return res
}

// apiErrorOf returns err as an *APIError, if it is one. Its target lives here, on the
// heap only when there is an error: an errors.As into the attempt's result would move the
// result of every attempt to the heap.
func apiErrorOf(err error) *APIError {
	if err == nil {
		return nil
	}
	var e *APIError
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// sign builds the attempt's request: the token, a fresh timestamp and the signature over
// the exact query and body sent.
func (c *Client) sign(ctx context.Context, p *prepared) (outgoing, attemptResult, error) {
	token, err := c.tokens.token(ctx)
	if err != nil {
		return outgoing{}, attemptResult{}, err
	}
	if p.now != nil && c.clock.coarse() != nil {
		c.refineClock(ctx) // the token request, or a refusal, corrected the clock from a Date
	}
	now, offset := c.clock.reading()
	p.followClock(offset) // the token request may have corrected the clock
	ts := now.UnixMilli()
	req := outgoing{method: p.method, url: p.url, body: p.body, once: !p.rule.repeatable,
		signed: [3]string{token.value, strconv.FormatInt(ts, 10), signing.Sign(token.value, *c.secretKey, ts, p.query, p.body)}}
	return req, attemptResult{token: token}, nil
}

// decode decodes a response into data, from an empty result (an earlier attempt may have
// half-filled it), and checks it against the request.
func (c *Client) decode(r *response, p *prepared, data any) error {
	if data != nil {
		reflect.ValueOf(data).Elem().SetZero()
	}
	r.codes = p.codes
	if err := decodeEnvelope(r, data); err != nil {
		return err
	}
	if p.check != nil {
		if err := p.check.checkResult(); err != nil {
			return r.unexpected(err)
		}
	}
	return nil
}

// metadata describes the call's last attempt.
func (p *prepared) metadata(last attemptResult) ResponseMetadata {
	md := ResponseMetadata{Attempts: p.attempts}
	if r := last.resp; r != nil {
		md.HTTPStatus, md.Header, md.RequestID = r.status, r.secrets.redactHeader(r.header), r.secrets.redact(r.requestID)
	}
	if last.apiError != nil && last.apiError.RequestID != "" {
		md.RequestID = last.apiError.RequestID
	}
	return md
}
