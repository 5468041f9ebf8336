package batchprocessing

import (
	"net/http"
)

// call describes one API operation: the operation methods build it, and the request path
// (do) performs it. Nothing else about an operation is known to the request path.
type call struct {
	op     string // SDK operation name, e.g. "TriggerFlow"
	method string // http.MethodGet or http.MethodPost
	path   string // path below the endpoint, e.g. servicePath + "/flows"
	query  any    // struct with `url` tags, encoded with go-querystring
	body   any    // JSON request body, marshalled once; nil for none
	rule   retryRule
	// creates, for a call that creates a flow instance, says which instance: the
	// reconciliation looks for it when an attempt may have created it (see createInstance),
	// and its response is checked as check would.
	creates *creation
	// check, if set, checks the decoded result against the request (a read instance is the
	// one asked for): an error makes the response an unexpected one.
	check resultChecker
	// codes gives some business codes another meaning for this operation: Delete Flow's
	// 62104 means "depended on by other flows", not "no task".
	codes map[int]error
	// now, for a call whose body holds a time the client read as now, moves that time with
	// the clock's corrections made during the call (see followClock); nil otherwise.
	now  *nowReading
	opts callSettings
	// background marks a call the client makes on its own (the clock's refinement): its
	// failure is logged at debug level, not as a failure of the caller's.
	background bool
}

// resultChecker checks a decoded result against the request. The result's holder
// implements it, so that a call declares its check without allocating a closure.
type resultChecker interface {
	checkResult() error
}

// retryRule says which failed attempts of a call may be sent again (see judge).
type retryRule struct {
	// repeatable calls leave the same state however often they are sent: reads, enable,
	// disable, save. Others are resent only when they certainly did not reach the service.
	repeatable bool
	// creates marks a call that creates a flow instance: when an attempt may have reached
	// the service, the client looks for the instance instead of sending again blindly.
	// prepare sets it from call.creates, the one place a creating call is declared.
	creates bool
	// finalInternalError marks a call whose 62109 is final, not a passing
	// failure (Get Task Instance Log: "No log found").
	finalInternalError bool
}

// The retry rules of the operations.
var (
	ruleRead     = retryRule{repeatable: true}                           // reads and idempotent writes
	ruleOnce     = retryRule{}                                           // cancel, delete, import, create directory
	ruleReadLogs = retryRule{repeatable: true, finalInternalError: true} // Get Task Instance Log
)

// CallOption configures one call of an operation: every operation method takes them last.
// They change nothing about the simple call: c.TriggerFlow(ctx, req) works as before.
type CallOption func(*callSettings)

// callSettings is what the call options set.
type callSettings struct {
	metadata *ResponseMetadata // filled when the call ends, if set
	retry    *RetryPolicy      // overrides the client's policy, if set
}

// WithMetadata makes the call fill md when it ends, with what the service said of its last
// attempt: the request id, the HTTP status, the headers, and how many attempts were sent.
// It is filled on success and on failure; the error of a failed call carries the same. A
// call refused before anything is sent (a *RequestError: bad input, a nil context) leaves
// md as it was: reset a ResponseMetadata you reuse, or look at the error first.
//
//	var md batchprocessing.ResponseMetadata
//	id, err := client.TriggerFlow(ctx, req, batchprocessing.WithMetadata(&md))
//	log.Printf("%s: request %s, %d attempt(s)", id, md.RequestID, md.Attempts)
func WithMetadata(md *ResponseMetadata) CallOption {
	return func(s *callSettings) { s.metadata = md }
}

// WithCallRetryPolicy makes one call retry with p instead of the client's policy; zero
// fields take DefaultRetryPolicy's values, and MaxRetries NoRetries sends the call once.
// An invalid policy fails the call before anything is sent.
func WithCallRetryPolicy(p RetryPolicy) CallOption {
	return func(s *callSettings) { s.retry = &p }
}

// ResponseMetadata is what the service said of a call, beyond its result.
type ResponseMetadata struct {
	// RequestID is the gateway's id of the last attempt (the envelope's requestId, or the
	// X-Request-Id header): quote it to Envision's support.
	RequestID string
	// HTTPStatus is the HTTP status of the last response; 0 if none came.
	HTTPStatus int
	// Header holds the headers of the last response; nil if none came.
	Header http.Header
	// Attempts is the number of requests of the operation sent, retries and resends
	// included; lookups of a trigger and token requests are not counted. A listing of
	// several types (ListFlowInstances, ListFlowInstancesIter) counts the requests of every
	// type and page; its other fields describe the last request.
	Attempts int
}

// withOptions returns cl with the call options applied.
func (cl call) withOptions(opts []CallOption) call {
	if len(opts) > 0 {
		cl.opts = applyOptions(cl.opts, opts)
	}
	return cl
}

// applyOptions returns the settings opts make of s. The options write through a pointer
// that escapes to the heap: applied here, to a copy of their own, they do not move a call
// without options to the heap with them.
func applyOptions(settings callSettings, opts []CallOption) callSettings {
	s := new(callSettings)
	*s = settings
	for _, opt := range opts {
		if opt != nil {
			opt(s)
		}
	}
	return *s
}
