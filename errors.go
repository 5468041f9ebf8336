package batchprocessing

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Sentinel errors. An *APIError matches them with errors.Is according to its code or HTTP
// status; errors.As gives the details:
//
//	if errors.Is(err, batchprocessing.ErrFlowHasNoTask) { ... }
//	var apiErr *batchprocessing.APIError
//	if errors.As(err, &apiErr) { log.Print(apiErr.Code, apiErr.RequestID) }
var (
	// ErrUserNotFound matches code 62101: the userId does not exist or does not belong to the orgId.
	ErrUserNotFound = errors.New("batchprocessing: user not found or not in organization")
	// ErrInvalidParameter matches code 62102: an invalid parameter, an unknown flow or task,
	// or a second trigger of the same flow within one minute.
	ErrInvalidParameter = errors.New("batchprocessing: invalid parameter")
	// ErrNoPrivilege matches code 62103: the user may not do this (for example, is not the flow's owner).
	ErrNoPrivilege = errors.New("batchprocessing: no privilege")
	// ErrFlowHasNoTask matches code 62104: the flow has no task, so it cannot be triggered.
	ErrFlowHasNoTask = errors.New("batchprocessing: flow has no task")
	// ErrFlowDependedOn matches code 62104 from DeleteFlow: other flows depend on the flow.
	ErrFlowDependedOn = errors.New("batchprocessing: flow is depended on by other flows")
	// ErrAccountLocked matches code 62105: the user or the flow is locked.
	ErrAccountLocked = errors.New("batchprocessing: account locked")
	// ErrInternalServer matches code 62109: an internal error of the Batch Processing Service.
	ErrInternalServer = errors.New("batchprocessing: internal server error")
	// ErrUnauthorized matches HTTP 401 from the gateway (bad or missing signature, unknown
	// token, timestamp outside the gateway's window) and the token service's codes 1002
	// (unknown AccessKey) and 1003 (bad encryption, usually a wrong SecretKey).
	ErrUnauthorized = errors.New("batchprocessing: unauthorized")
	// ErrTokenExpired matches the token service's code 1203: the access token has expired.
	ErrTokenExpired = errors.New("batchprocessing: access token expired")
	// ErrRateLimited matches HTTP 429 from the gateway.
	ErrRateLimited = errors.New("batchprocessing: rate limited")
	// ErrUnexpectedResponse matches an *APIError whose body was not the JSON the API
	// documents: an HTML error page, an empty or truncated body, a success without the
	// expected data. The error's Body holds the first bytes of what came back.
	ErrUnexpectedResponse = errors.New("batchprocessing: unexpected response")
	// ErrInvalidRequest matches a *RequestError: the client refused to send an invalid request.
	ErrInvalidRequest = errors.New("batchprocessing: invalid request")
)

// Business codes of the Batch Processing Service: the Common Error Codes of the API
// (https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/overview.html)
// and the codes each operation's page lists.
const (
	CodeUserNotFound     = 62101
	CodeInvalidParameter = 62102
	CodeNoPrivilege      = 62103
	CodeFlowHasNoTask    = 62104
	CodeAccountLocked    = 62105
	CodeInternalServer   = 62109
)

// Codes of the token service ("Invoke API with Access Token",
// https://support.enos-iot.com/docs/apim/en/2.4.0/token/invoke_api_with_access_token.html).
const (
	CodeTokenReplayed         = 1001
	CodeTokenUnknownAppKey    = 1002
	CodeTokenBadEncryption    = 1003
	CodeTokenInvalidParameter = 1004
	CodeTokenInternal         = 1005
	CodeTokenEmptyParameter   = 1202
	CodeTokenExpired          = 1203
	CodeTokenRefreshFailed    = 1204
)

// codeSentinels maps business and token-service codes to the sentinel they match.
var codeSentinels = map[int]error{
	CodeUserNotFound:       ErrUserNotFound,
	CodeInvalidParameter:   ErrInvalidParameter,
	CodeNoPrivilege:        ErrNoPrivilege,
	CodeFlowHasNoTask:      ErrFlowHasNoTask,
	CodeAccountLocked:      ErrAccountLocked,
	CodeInternalServer:     ErrInternalServer,
	CodeTokenUnknownAppKey: ErrUnauthorized,
	CodeTokenBadEncryption: ErrUnauthorized,
	CodeTokenExpired:       ErrTokenExpired,
}

// statusSentinels maps gateway HTTP statuses to the sentinel they match.
var statusSentinels = map[int]error{
	http.StatusUnauthorized:    ErrUnauthorized,
	http.StatusTooManyRequests: ErrRateLimited,
}

// APIError is the error of a call that reached the gateway and got a response other than
// success: a business error (HTTP 200 with a non-zero code), a token-service error (a
// non-zero status), a gateway error (an HTTP error status with {"message": ...}), or a
// body that is not the documented JSON (then Unexpected is true and Body holds its start).
//
// It never holds the SecretKey or the access token.
type APIError struct {
	// Operation is the SDK operation that failed, e.g. "TriggerFlow" or "GetAccessToken".
	Operation string
	// Method is the HTTP method of the request.
	Method string
	// Path is the URL path of the request, without the host and the query.
	Path string
	// HTTPStatus is the HTTP status code of the response.
	HTTPStatus int
	// Code is the business code (621xx), the token service's status (1xxx), or 0 when the
	// response carried none (a gateway error).
	Code int
	// Message is the service's msg, or the gateway's message.
	Message string
	// RequestID is the request id the response carried, if any.
	RequestID string
	// Unexpected reports that the body was not the JSON the API documents; see ErrUnexpectedResponse.
	Unexpected bool
	// ContentType is the response's Content-Type; set when Unexpected.
	ContentType string
	// Body holds at most the first 512 bytes of the response body; set when Unexpected.
	Body string
	// BodySize is the length of the response body in bytes; set when Unexpected.
	BodySize int
	// Err is the decoding error behind an unexpected body, if any.
	Err error
	// sentinel, if set, is what Code means for this operation (ErrFlowDependedOn for
	// Delete Flow's 62104), in place of the code's usual sentinel.
	sentinel error
}

// maxErrorBodySample bounds APIError.Body.
const maxErrorBodySample = 512

// Error returns a one-line description: operation, method and path, code or HTTP status,
// message and request id.
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("batchprocessing: ")
	if e.Operation != "" {
		b.WriteString(e.Operation)
		b.WriteString(": ")
	}
	if e.Method != "" {
		b.WriteString(e.Method)
		b.WriteByte(' ')
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	switch {
	case e.Unexpected:
		fmt.Fprintf(&b, "unexpected response (http %d, content type %q, %d bytes)", e.HTTPStatus, e.ContentType, e.BodySize)
		if e.Err != nil {
			b.WriteString(": ")
			b.WriteString(e.Err.Error())
		}
		if e.Body != "" {
			fmt.Fprintf(&b, ": body %q", e.Body)
		}
	case e.Code != 0:
		fmt.Fprintf(&b, "code %d: %s (http %d", e.Code, e.Message, e.HTTPStatus)
		e.writeRequestID(&b)
		b.WriteByte(')')
	default:
		fmt.Fprintf(&b, "http %d", e.HTTPStatus)
		if e.Message != "" {
			b.WriteString(": ")
			b.WriteString(e.Message)
		}
		if e.RequestID != "" {
			b.WriteString(" (")
			e.writeRequestID(&b)
			b.WriteByte(')')
		}
	}
	return b.String()
}

func (e *APIError) writeRequestID(b *strings.Builder) {
	if e.RequestID == "" {
		return
	}
	if e.Code != 0 && !e.Unexpected {
		b.WriteString(", ")
	}
	b.WriteString("request id ")
	b.WriteString(e.RequestID)
}

// Is reports whether the error matches target: the sentinel of its code (ErrFlowHasNoTask
// for 62104, or ErrFlowDependedOn for 62104 from DeleteFlow, ...), of its HTTP status (ErrUnauthorized for 401, ErrRateLimited for 429),
// or ErrUnexpectedResponse for an unexpected body.
func (e *APIError) Is(target error) bool {
	if target == nil {
		return false
	}
	if e.Unexpected && target == ErrUnexpectedResponse {
		return true
	}
	if e.sentinel != nil {
		return target == e.sentinel
	}
	if s, ok := codeSentinels[e.Code]; ok && s == target {
		return true
	}
	if s, ok := statusSentinels[e.HTTPStatus]; ok && s == target {
		return true
	}
	return false
}

// Unwrap returns the decoding error behind an unexpected body, or nil.
func (e *APIError) Unwrap() error { return e.Err }

// RequestError reports a request that the client refused to send because its input is
// invalid. No network call was made. It matches ErrInvalidRequest.
type RequestError struct {
	// Operation is the SDK operation, e.g. "TriggerFlow".
	Operation string
	// Field names the offending input, e.g. "FlowID".
	Field string
	// Reason says what is wrong with it.
	Reason string
}

// Error returns "batchprocessing: <operation>: invalid <field>: <reason>".
func (e *RequestError) Error() string {
	return "batchprocessing: " + e.Operation + ": invalid " + e.Field + ": " + e.Reason
}

// Is reports whether target is ErrInvalidRequest.
func (e *RequestError) Is(target error) bool { return target == ErrInvalidRequest }

// TransportError reports a call that got no HTTP response: the connection failed, the
// attempt timed out, the context ended, or the body could not be read. Err is the cause;
// errors.Is(err, context.DeadlineExceeded) and errors.As(err, &urlErr) see through it.
type TransportError struct {
	// Operation is the SDK operation, e.g. "TriggerFlow"; Method and Path are the HTTP method
	// and URL path of the request (no host, no query).
	Operation, Method, Path string
	// Err is the cause: typically a *url.Error (connection refused, timeout, reset), or the
	// context's error. A cause whose text held a secret of the attempt (a hostile server's
	// malformed response that reflects the access token) is replaced by a copy with its
	// text masked: a *url.Error stays one, and the copy reports a timeout and matches the
	// context's and the network's errors as the cause did: no printer (%#v), unwrapping or
	// reflection finds the secret in it.
	Err error
	// contextEnded reports that the caller's context had ended when the attempt failed.
	contextEnded bool
}

// Error returns "batchprocessing: <operation>: <method> <path>: <cause>".
func (e *TransportError) Error() string {
	return "batchprocessing: " + e.Operation + ": " + e.Method + " " + e.Path + ": " + errorText(e.Err)
}

// errorText returns err's text, or a placeholder for a nil error (a zero error value of
// this package still prints).
func errorText(err error) string {
	if err == nil {
		return "unknown cause"
	}
	return err.Error()
}

// Unwrap returns the cause.
func (e *TransportError) Unwrap() error { return e.Err }

// Timeout reports whether the attempt ran out of time: the per-attempt timeout
// (WithTimeout, or the Timeout of the WithHTTPClient client) or a network timeout, and not
// the caller's context. errors.Is(err, context.DeadlineExceeded) cannot tell them apart: it
// holds for both, as it does for net/http's own Client.Timeout; the caller's ctx.Err()
// tells whether its context ended.
func (e *TransportError) Timeout() bool {
	var timeout interface{ Timeout() bool }
	return !e.contextEnded && errors.As(e.Err, &timeout) && timeout.Timeout()
}

// contextEnded is the error of an operation that stopped waiting because its context
// ended: a *TransportError, as if the call had been cut short, that errors.Is matches to
// the context's error.
func contextEnded(op, method, path string, err error) error {
	return &TransportError{Operation: op, Method: method, Path: path, Err: err, contextEnded: true}
}

// transportError turns an error of sending or reading r's request into the SDK's: errors
// of our own (an unexpected response, a token failure) pass through; transport and context
// errors are wrapped with the operation.
func transportError(ctx context.Context, r *response, err error) error {
	var apiErr *APIError
	var transportErr *TransportError
	if errors.As(err, &apiErr) || errors.As(err, &transportErr) {
		return err
	}
	if text := err.Error(); r.secrets.redact(text) != text {
		err = masked(err, r.secrets) // Go's transport quoted a secret a hostile server reflected
	}
	return &TransportError{Operation: r.op, Method: r.method, Path: r.path, Err: err, contextEnded: ctx.Err() != nil}
}

// ErrFlowInstanceFailed matches a *FlowInstanceFailedError: WaitForFlowInstance saw the run
// end in a status other than SUCCESS.
var ErrFlowInstanceFailed = errors.New("batchprocessing: flow instance did not succeed")

// FlowInstanceFailedError reports a flow instance that ended FAIL, CANCEL, TIMEOUT, SKIP or
// INTERNAL_ERROR. It matches ErrFlowInstanceFailed; errors.As gives the final instance.
type FlowInstanceFailedError struct {
	// Instance is the instance as last polled, in its terminal status.
	Instance *FlowInstance
}

// Error returns "batchprocessing: flow instance <id> ended <STATUS>".
func (e *FlowInstanceFailedError) Error() string {
	if e.Instance == nil {
		return ErrFlowInstanceFailed.Error()
	}
	msg := "batchprocessing: flow instance " + string(e.Instance.FlowInstanceID) + " ended " + e.Instance.Status.String()
	if e.Instance.StatusDesc != "" && e.Instance.StatusDesc != e.Instance.Status.String() {
		msg += " (" + e.Instance.StatusDesc + ")"
	}
	return msg
}

// Is reports whether target is ErrFlowInstanceFailed.
func (e *FlowInstanceFailedError) Is(target error) bool { return target == ErrFlowInstanceFailed }

// ErrOutcomeUnknown matches an *OutcomeUnknownError: a call that creates a flow instance
// whose outcome the client could not find out.
var ErrOutcomeUnknown = errors.New("batchprocessing: outcome unknown: the flow instance may have been created")

// OutcomeUnknownError reports a trigger (TriggerFlow, TriggerFlowFromTask,
// UpdateAndTriggerFlow) that may or may not have created its flow instance: an attempt got
// no response, or one from which the service may have acted (a 5xx, 62109, a success that
// could not be read), and looking for the instance did not find it or failed. It matches
// ErrOutcomeUnknown. Look for the instance of FlowID triggered in Minute (ListFlowInstances
// over that minute) before triggering again.
type OutcomeUnknownError struct {
	// Operation is the SDK operation, e.g. "TriggerFlow".
	Operation string
	// FlowID is the flow triggered.
	FlowID int64
	// Minute is the trigger time sent (the one asked for, or now on the gateway's clock as
	// last sent), cut to the minute, in UTC: the instance, if the service created it, is
	// the one of FlowID triggered in this minute.
	Minute time.Time
	// Err is the error of the last attempt of the operation. Unwrap returns it, so that
	// errors.As finds the *APIError or *TransportError of the trigger itself.
	Err error
	// Lookup says why looking for the instance did not tell: it failed (its error), or
	// found nothing while the trigger could not be sent again.
	Lookup error
}

// Error returns the last attempt's error ("batchprocessing: TriggerFlow: POST ...: ..."),
// then that the outcome is unknown and why the lookup did not tell.
func (e *OutcomeUnknownError) Error() string {
	return errorText(e.Err) + "; outcome unknown: an instance of flow " + itoa(e.FlowID) + " for " +
		e.Minute.UTC().Format("2006-01-02T15:04Z") + " may have been created (looking for it: " +
		strings.TrimPrefix(errorText(e.Lookup), "batchprocessing: ") + ")"
}

// Is reports whether target is ErrOutcomeUnknown.
func (e *OutcomeUnknownError) Is(target error) bool { return target == ErrOutcomeUnknown }

// Unwrap returns the last attempt's error and, when the call's context ended while it
// looked, the context's error, so that errors.Is(err, context.DeadlineExceeded) holds.
func (e *OutcomeUnknownError) Unwrap() []error {
	if errors.Is(e.Lookup, context.Canceled) || errors.Is(e.Lookup, context.DeadlineExceeded) {
		return []error{e.Err, e.Lookup}
	}
	return []error{e.Err}
}

// outcomeUnknown builds the error of a creating call that gave up not knowing.
func (p *prepared) outcomeUnknown(last, lookup error) error {
	return &OutcomeUnknownError{Operation: p.op, FlowID: p.creates.flowID, Err: last, Lookup: lookup,
		Minute: time.UnixMilli(p.creates.at.millis() - p.creates.at.millis()%60_000).UTC()}
}

func invalid(op, field, reason string) error {
	return &RequestError{Operation: op, Field: field, Reason: reason}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
