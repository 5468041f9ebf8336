package refserver

import (
	"net/http"
	"time"
)

// Identities seeded by NewDemoServer: the placeholders of the EnOS documentation's samples.
const (
	// DemoAccessKey is the AccessKey of the demo application.
	DemoAccessKey = "yourAppAccessKey"
	// DemoSecretKey is the SecretKey of the demo application.
	DemoSecretKey = "yourAppSecretKey"
	// DemoOrgID is the demo organization.
	DemoOrgID = "yourOrgId"
	// DemoUserID is the demo user: a member of DemoOrgID and the owner of the demo flows.
	DemoUserID = "yourUserId"
	// DemoFlowID is the "demo flow", with tasks DemoExtractTaskID "extract" and DemoLoadTaskID
	// "load", which depends on "extract"; each runs for one second.
	DemoFlowID = 3377
	// DemoExtractTaskID is the first task of the demo flow, "extract".
	DemoExtractTaskID = 108580
	// DemoLoadTaskID is the second task of the demo flow, "load": it runs after "extract".
	DemoLoadTaskID = 108581
	// DemoEmptyFlowID is the "empty flow": it has no task, so triggering it answers 62104.
	DemoEmptyFlowID = 3378
)

// MaxBodyBytes is the largest request body the server accepts; a larger one is refused with
// HTTP 413 {"message":"Request size limit exceeded"}.
const MaxBodyBytes = 1 << 20

// MaxDrainBytes bounds how much of a body larger than MaxBodyBytes the server reads and
// discards before it answers 413, so that a client that sends the whole body before reading the
// answer gets the 413 and not a connection reset (which a server that answers and closes with
// unread data on the socket causes). A body over MaxDrainBytes, by its Content-Length or as it
// arrives, is answered without being read through, and its client may see the connection reset
// instead of the 413. Draining also stops 5 s after the server knows the body too large, or its
// http.Server's ReadTimeout if shorter, so that a client that announces a body and sends none
// cannot hold the request (a server with no read timeout, as NewServer and NewDemoServer have,
// would otherwise wait for ever): a client that takes longer to send the rest may see the reset
// too. The drain sets the connection's read deadline to that time, which can fall after the
// deadline the ReadTimeout had set, by less than that bound. Where no read deadline can be set
// (httptest.NewRecorder and the in-process Client, whose body is in memory; a wrapper of the
// http.ResponseWriter without Unwrap; a request served under a DropAfterProcessing fault), the
// body is read on, up to MaxDrainBytes, with no bound in time. A client that asks for 100
// Continue (Expect: 100-continue) with a Content-Length over MaxBodyBytes gets the 413 at once
// and not the 100, as it has sent none of the body. The 413 closes the connection.
const MaxDrainBytes = 8 << 20

// Backend is the reference server without a listener: the EnOS API gateway with its token
// service and the 22 operations of the Batch Processing Service V2.1, over one in-memory
// store, as an http.Handler. Serve it on your own http.Server, call it in-process through
// Client, or hand it to an httpmock responder. A Server is a Backend with a loopback
// listener. Its methods are safe for concurrent use, also while requests are being served.
type Backend struct {
	state  *state
	faults faults
}

// NewBackend returns a reference server without a listener and with no application, user or
// flow: seed it with Load, or with AddApp, AddUser and AddFlow. It holds no resource that
// needs closing.
func NewBackend(opts ...Option) *Backend {
	return newBackend(applyOptions(opts))
}

func newBackend(o options) *Backend {
	return &Backend{state: newState(o)}
}

// ServeHTTP serves one request: the gateway's routes, the token service and the operations,
// with the faults injected for its route (InjectFault).
func (b *Backend) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b.serveWithFaults(w, r, b.serveGateway)
}

// Handler returns b, the server's handler, to serve the same routes and store without a
// socket (with httptest.NewRecorder, an in-process http.RoundTripper or an httpmock
// responder).
func (b *Backend) Handler() http.Handler {
	return b
}

// now reads the server clock.
func (b *Backend) now() time.Time {
	return b.state.clock()
}
