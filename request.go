package batchprocessing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"time"

	"github.com/enos-go/batchprocessing/internal/signing"

	"github.com/go-resty/resty/v2"
)

// servicePath is the path prefix of the Batch Processing Service V2.1 behind the gateway.
const servicePath = "/batch-processing-service/v2.1"

// contentTypeJSON is the Content-Type of request bodies, as Envision's clients send it.
const contentTypeJSON = "application/json;charset=UTF-8"

// call describes one API operation; the operation methods build it and do performs it.
type call struct {
	op     string     // SDK operation name, e.g. "TriggerFlow"
	method string     // http.MethodGet or http.MethodPost
	path   string     // path below the endpoint, e.g. servicePath + "/flows"
	query  any        // struct with `url` tags, encoded with go-querystring
	body   any        // JSON request body, marshalled once; nil for none
	kind   sideEffect // what sending it twice would do; the zero value is the careful oneShot
	// created, for creating calls, looks for the instance the call would create; when it
	// finds it, it stores its id in the call's result and reports true.
	created func(ctx context.Context) (bool, error)
	// internalErrorIsFinal marks a call whose 62109 is a lasting answer, not a passing
	// failure (Get Task Instance Log: "No log found").
	internalErrorIsFinal bool
	// once sends the call a single time (token renewal aside): the lookups of a creating
	// call, whose own loop retries them.
	once bool
	// check, if set, checks a decoded answer against the request (a trigger's instance id
	// against the flow and minute asked for); its error makes the answer unexpected.
	check func() error
}

// userQuery is the query every operation but the time ones carries.
type userQuery struct {
	Action string `url:"action"`
	OrgID  string `url:"orgId"`
	UserID string `url:"userId"`
}

// callState travels in the request's context from do to the signing hook.
type callState struct {
	query     url.Values // the query sent, encoded in the URL
	body      []byte     // the exact body bytes sent
	token     string     // the access token the last attempt was signed with
	signature string     // and its signature
	notSigned bool       // the hook failed (no token): the attempt was not sent
}

type callStateKey struct{}

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

// do performs a call: it encodes the query and marshals the body once, then sends
// attempts through resty (signRequest signs each one afresh) and decodes the envelope into
// data, retrying as the client's RetryPolicy and the call's side effect allow.
func (c *Client) do(ctx context.Context, cl call, data any) error {
	q, rawQuery, err := c.queries.encode(cl.query)
	if err != nil {
		return fmt.Errorf("batchprocessing: %s: encoding query: %w", cl.op, err)
	}
	state := &callState{query: q}
	if cl.body != nil {
		if state.body, err = json.Marshal(cl.body); err != nil {
			return fmt.Errorf("batchprocessing: %s: encoding body: %w", cl.op, err)
		}
	}
	// The query goes into the URL as encoded here: resty leaves an absolute URL without
	// query parameters of its own as it is, which saves it parsing and encoding again.
	target := c.endpoint + cl.path + "?" + rawQuery

	maxRetries := c.retry.MaxRetries
	if cl.once {
		maxRetries = 0
	}
	var (
		last        error          // the error of the last attempt
		lastRes     *attemptResult // and its result
		authRenewed bool           // the token (and clock) were renewed once after a 401 or 1203
		maybeMade   bool           // an attempt of this creating call may have created the instance
	)
	for attempt := 1; ; attempt++ {
		if maybeMade {
			// Before sending again, look for the instance an earlier attempt may have made.
			found, err := cl.created(ctx)
			switch {
			case found:
				return nil
			case err != nil:
				if ctx.Err() != nil || attempt > maxRetries+1 || !mayRecover(err) {
					return outcomeUnknown(last, err)
				}
				if err := c.pauseBefore(ctx, cl, attempt, &attemptResult{}, last); err != nil {
					return outcomeUnknown(last, err)
				}
				continue
			}
			// Not there: send again, after the pause the failed attempt calls for.
			if err := c.pauseBefore(ctx, cl, attempt, lastRes, last); err != nil {
				return outcomeUnknown(last, err)
			}
		}
		res := c.attempt(ctx, cl, state, target, data, attempt)
		if res.err == nil {
			return nil
		}
		last, lastRes = res.err, res
		v := judge(cl, res)
		switch {
		case v == findCreated:
			maybeMade = true
		case v == renewAuth:
			// The gateway refused the token or the signature: whatever happens next, the
			// next attempt, or the next call, starts with a fresh token.
			c.tokens.invalidate(state.token)
		}
		if ctx.Err() != nil {
			if maybeMade {
				return outcomeUnknown(last, ctx.Err())
			}
			return last
		}
		if maybeMade && res.apiError != nil && res.apiError.Code == CodeInvalidParameter {
			// A resend collided with an instance of that minute: the one an earlier
			// attempt created?
			return c.lookLast(ctx, cl, last, errors.New("the service says an instance of that minute exists, "+
				"but does not list it"))
		}
		switch v {
		case giveUp:
			if maybeMade {
				return c.lookLast(ctx, cl, last, errors.New("not found, and the last attempt failed"))
			}
			return last
		case renewAuth:
			if authRenewed {
				return last
			}
			authRenewed = true
			if c.clock.observe(res.header, res.start, res.end) {
				c.log.LogAttrs(ctx, slog.LevelWarn, "batchprocessing clock differs from the gateway's; corrected",
					slog.Duration("offset", c.clock.Offset()))
			}
			attempt-- // a renewal is not a retry
			continue
		}
		if attempt > maxRetries {
			if maybeMade {
				return c.lookLast(ctx, cl, last, errors.New("not found yet, and no attempt left to resend"))
			}
			return last
		}
		if maybeMade {
			continue // the top of the loop looks for the instance, then pauses
		}
		if err := c.pauseBefore(ctx, cl, attempt+1, res, last); err != nil {
			return err
		}
	}
}

// lookLast looks for the instance of a creating call one last time, when it cannot send
// again: the call succeeded if the instance is there, else its outcome is unknown, for the
// reason given if the lookup could not say more.
func (c *Client) lookLast(ctx context.Context, cl call, last, reason error) error {
	found, err := cl.created(ctx)
	if found {
		return nil
	}
	if err == nil {
		err = reason
	}
	return outcomeUnknown(last, err)
}

// mayRecover reports whether a failed lookup is worth trying again: not when the service
// refused it for good (an unknown user, no privilege, a refused certificate).
func mayRecover(err error) bool {
	if errors.Is(err, errAmbiguous) {
		return false
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr.HTTPStatus >= 500 || transientStatus(apiErr.HTTPStatus) || apiErr.Code == CodeInternalServer ||
			apiErr.HTTPStatus == http.StatusUnauthorized || apiErr.Code == CodeTokenExpired
	}
	return !permanentTransportError(err)
}

// pauseBefore waits before attempt next, or returns the error to give up with: the
// server asked for a longer pause than the policy allows, or the context ended.
func (c *Client) pauseBefore(ctx context.Context, cl call, next int, res *attemptResult, last error) error {
	d, ok := c.retry.pause(next, res, c.clock.Now())
	if !ok {
		return last
	}
	if c.log.Enabled(ctx, slog.LevelDebug) {
		c.log.LogAttrs(ctx, slog.LevelDebug, "batchprocessing retry", slog.String("operation", cl.op),
			slog.Int("attempt", next), slog.Duration("pause", d), slog.String("after", last.Error()))
	}
	if err := wait(ctx, d); err != nil {
		return &stoppedError{last: last, reason: err}
	}
	return nil
}

// attempt sends the call once and decodes the answer into data.
func (c *Client) attempt(ctx context.Context, cl call, state *callState, target string, data any, n int) *attemptResult {
	state.notSigned, state.token, state.signature = false, "", ""
	req := c.rest.R().SetContext(context.WithValue(ctx, callStateKey{}, state))
	if state.body != nil {
		req.SetHeader("Content-Type", contentTypeJSON).SetBody(state.body)
	}
	res := &attemptResult{start: c.clock.base()}
	started := time.Now()
	resp, err := req.Execute(cl.method, target)
	r := &response{op: cl.op, method: cl.method, path: cl.path, secrets: secrets{state.token, *c.secretKey, state.signature}}
	if err != nil {
		// No answer: the request was not sent (no token, refused connection), or its fate
		// is unknown.
		res.end = c.clock.base()
		res.reached = !state.notSigned && !neverSent(err)
		res.err = c.sendError(cl, err, r.secrets)
	} else {
		res.reached = true // an answer came, whatever it is
		err = readLimited(resp, c.maxBody, r)
		res.end = c.clock.base()
		res.status, res.header = r.status, r.header
		if err != nil {
			res.err = c.sendError(cl, err, r.secrets)
		} else {
			if data != nil {
				// Start from an empty result: an earlier attempt may have half-filled it.
				reflect.ValueOf(data).Elem().SetZero()
			}
			res.err = decodeEnvelope(r, data)
			if res.err == nil && cl.check != nil {
				if err := cl.check(); err != nil {
					res.err = r.unexpected(err)
				}
			}
		}
	}
	errors.As(res.err, &res.apiError)
	c.logCall(ctx, cl, started, n, res.status, res.err)
	return res
}

// signRequest is resty's pre-request hook: it runs for every attempt, sees the final URL,
// and sets the token, a fresh timestamp and the signature over the exact body bytes.
func (c *Client) signRequest(_ *resty.Client, req *http.Request) error {
	state, ok := req.Context().Value(callStateKey{}).(*callState)
	if !ok {
		return errors.New("batchprocessing: request sent outside the client's request path")
	}
	token, err := c.tokens.token(req.Context())
	if err != nil {
		state.notSigned = true
		return err
	}
	ts := c.clock.Now().UnixMilli()
	state.token, state.signature = token, signing.Sign(token, *c.secretKey, ts, state.query, state.body)
	req.Header.Set(signing.HeaderAccessToken, token)
	req.Header.Set(signing.HeaderTimestamp, itoa(ts))
	req.Header.Set(signing.HeaderSignature, state.signature)
	return nil
}

// errBodyTooLarge reports a response body over the client's limit.
var errBodyTooLarge = errors.New("response body larger than the client's limit (WithMaxResponseBytes)")

// readLimited reads the answer of one attempt into r: its status and headers, and its body,
// which resty left unread, up to limit bytes. A body announced or found longer fails with an
// unexpected-response *APIError without being read further; so does a redirect, which the
// client never follows (see newResty).
func readLimited(resp *resty.Response, limit int, r *response) error {
	raw := resp.RawResponse
	defer raw.Body.Close()
	r.status, r.header = raw.StatusCode, raw.Header
	tooLarge := func() error {
		e := r.unexpected(errBodyTooLarge)
		e.BodySize = -1
		return e
	}
	if raw.ContentLength > int64(limit) {
		return tooLarge()
	}
	size := 512
	if raw.ContentLength >= 0 {
		size = int(raw.ContentLength) + 1 // +1: EOF is read without growing the buffer
	}
	body, err := readAll(io.LimitReader(raw.Body, int64(limit)+1), size, limit+1)
	if err != nil {
		return err
	}
	if len(body) > limit {
		return tooLarge()
	}
	r.body = body
	if isRedirect(raw.StatusCode) {
		return r.unexpected(redirectRefused(resp))
	}
	return nil
}

func isRedirect(status int) bool { return status >= 300 && status < 400 }

// redirectRefused describes a redirect the client did not follow: its status and the host
// it pointed to.
func redirectRefused(resp *resty.Response) error {
	target := "no Location"
	if loc, err := resp.RawResponse.Location(); err == nil {
		target = "a Location on host " + strconv.Quote(loc.Host)
	} else if resp.Header().Get("Location") != "" {
		target = "an unreadable Location"
	}
	return fmt.Errorf("redirect not followed: http %d %s with %s; the EnOS gateway does not redirect API calls",
		resp.StatusCode(), http.StatusText(resp.StatusCode()), target)
}

// readAll is io.ReadAll starting from a buffer of the given capacity, doubling it as
// needed but never past limit, for a reader that gives at most limit bytes.
func readAll(r io.Reader, size, limit int) ([]byte, error) {
	b := make([]byte, 0, min(size, limit))
	for {
		if len(b) == cap(b) {
			grown := make([]byte, len(b), min(max(2*cap(b), 512), limit))
			copy(grown, b)
			b = grown
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
		if len(b) == limit {
			return b, nil // the reader has no more to give
		}
	}
}

// sendError turns an error of sending or reading into the SDK's: errors of our own (token
// fetch, validation, an unexpected answer) pass through; transport and context errors are
// wrapped with the operation, staying reachable with errors.Is and errors.As.
func (c *Client) sendError(cl call, err error, ss secrets) error {
	var apiErr *APIError
	var transportErr *TransportError
	if errors.As(err, &apiErr) || errors.As(err, &transportErr) {
		return err
	}
	return &TransportError{Operation: cl.op, Method: cl.method, Path: cl.path, Err: err, secrets: ss}
}

// TransportError reports a call that got no HTTP answer: the connection failed, the
// context ended, or the body could not be read. Err is the cause; errors.Is(err,
// context.DeadlineExceeded) and errors.As(err, &urlErr) see through it.
type TransportError struct {
	Operation, Method, Path string
	Err                     error
	// secrets are masked in Error: Go's transport quotes a malformed answer in its errors,
	// and a hostile server may put a reflected secret there.
	secrets secrets
}

// Error returns "batchprocessing: <operation>: <method> <path>: <cause>".
func (e *TransportError) Error() string {
	return "batchprocessing: " + e.Operation + ": " + e.Method + " " + e.Path + ": " + e.secrets.redact(e.Err.Error())
}

// Unwrap returns the cause.
func (e *TransportError) Unwrap() error { return e.Err }

// logCall logs the outcome of a call: debug for success, warn for failure. The attributes
// are built only when the logger wants the record.
func (c *Client) logCall(ctx context.Context, cl call, start time.Time, attempt, status int, err error) {
	level := slog.LevelDebug
	if err != nil {
		level = slog.LevelWarn
	}
	if !c.log.Enabled(ctx, level) {
		return
	}
	attrs := []slog.Attr{
		slog.String("operation", cl.op),
		slog.String("method", cl.method),
		slog.String("path", cl.path),
		slog.Duration("duration", time.Since(start)),
		slog.Int("attempt", attempt),
	}
	if status != 0 {
		attrs = append(attrs, slog.Int("status", status))
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		attrs = append(attrs, slog.Int("code", apiErr.Code))
		if apiErr.RequestID != "" {
			attrs = append(attrs, slog.String("request_id", apiErr.RequestID))
		}
	}
	msg := "batchprocessing call"
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
		msg = "batchprocessing call failed"
	}
	c.log.LogAttrs(ctx, level, msg, attrs...)
}
