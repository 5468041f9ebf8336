package refserver

import (
	"cmp"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/enos-go/batchprocessing/internal/gatewayquery"
	"github.com/enos-go/batchprocessing/internal/signing"
)

// Route names the requests a Fault applies to: the HTTP method, the URL path, and the
// action query parameter ("" matches any action). The Route variables name the usual ones.
type Route struct {
	Method, Path, Action string
}

// Routes of the token service and of the 22 operations.
var (
	RouteTokenGet                = Route{http.MethodPost, signing.TokenGetPath, ""}
	RouteTokenRefresh            = Route{http.MethodPost, signing.TokenRefreshPath, ""}
	RouteTriggerFlow             = Route{http.MethodPost, batchPrefix + "/flows", "trigger"}
	RouteTriggerFlowFromTask     = Route{http.MethodPost, batchPrefix + "/flows", "triggerFromTask"}
	RouteUpdateAndTriggerFlow    = Route{http.MethodPost, batchPrefix + "/flows", "updateAndTrigger"}
	RouteGetFlow                 = Route{http.MethodGet, batchPrefix + "/flows", "get"}
	RouteGetMyFlows              = Route{http.MethodGet, batchPrefix + "/flows", "getMyFlow"}
	RouteSearchFlows             = Route{http.MethodPost, batchPrefix + "/flows", "search"}
	RouteEnableFlow              = Route{http.MethodPost, batchPrefix + "/flows", "enable"}
	RouteDisableFlow             = Route{http.MethodPost, batchPrefix + "/flows", "disable"}
	RouteDeleteFlow              = Route{http.MethodGet, batchPrefix + "/flows", "delete"}
	RouteSaveFlow                = Route{http.MethodPost, batchPrefix + "/flows", "save"}
	RouteLoadFlowForEdit         = Route{http.MethodGet, batchPrefix + "/flows", "loadForEdit"}
	RouteExportFlow              = Route{http.MethodGet, batchPrefix + "/flows", "export"}
	RouteImportFlow              = Route{http.MethodPost, batchPrefix + "/flows", "import"}
	RouteGetFlowInstance         = Route{http.MethodGet, batchPrefix + "/flowInstances", "get"}
	RouteListFlowInstances       = Route{http.MethodPost, batchPrefix + "/flowInstances", "search"}
	RouteCancelFlowInstance      = Route{http.MethodPost, batchPrefix + "/flowInstances", "cancel"}
	RouteGetTaskInstance         = Route{http.MethodGet, batchPrefix + "/taskInstances", "get"}
	RouteGetTaskInstanceLog      = Route{http.MethodGet, batchPrefix + "/taskInstances", "getLog"}
	RouteCreateDirectory         = Route{http.MethodPost, batchPrefix + "/directories", "create"}
	RouteListWorkflowDirectories = Route{http.MethodGet, batchPrefix + "/directories", "listWorkFlowDirs"}
	RouteGetCurrentTime          = Route{http.MethodGet, batchPrefix + "/time", "getCurrentTime"}
	RouteGetTimezone             = Route{http.MethodGet, batchPrefix + "/time", "getTimeZone"}
)

// Fault disturbs the requests of a route, for tests of a client's behaviour under failure.
// The first matching fault that is still armed applies; a request it does not pick is
// served as usual.
type Fault struct {
	// Times is how many requests the fault affects, after which it is disarmed; 0 means
	// every one until ClearFaults.
	Times int
	// Probability, between 0 and 1, picks each matching request at random, from a seed
	// fixed for each fault: the same fault armed again picks the same requests, whatever
	// ran before. 0 picks every one.
	Probability float64
	// Delay holds a picked request this long (real time, MaxFaultDelay at most) before
	// anything else; it ends early when the request's context ends.
	Delay time.Duration
	// Status answers with this HTTP status and {"message": Message}, as the gateway does,
	// without serving the request.
	Status int
	// RetryAfter, with Status, adds a Retry-After header of whole seconds.
	RetryAfter time.Duration
	// Code answers HTTP 200 with this business code and Message, without serving the
	// request: in the token service's answer ({"status": Code, ...}) on its routes, in the
	// Batch Processing Service's envelope ({"code": Code, ...}) on the others.
	Code int
	// Message is the text of Status or Code. Empty takes, for Status, the gateway's
	// documented message (429 "API rate limit exceeded", 500 "An unexpected error
	// occurred", 503 "Service unavailable", ...) or else the HTTP status text, and for Code
	// "injected fault".
	Message string
	// DropAfterProcessing serves the request, changing state as usual, then drops the
	// connection without answering: the client cannot know what happened. Over a socket
	// (NewServer's URL) the connection closes; through Client the call returns an error
	// matching io.EOF; through Handler alone the handler panics with http.ErrAbortHandler.
	DropAfterProcessing bool
}

// Bounds of the faults the control API arms (POST /_refserver/faults).
const (
	// MaxFaults bounds the control API: it arms a fault only while fewer than MaxFaults are
	// armed (those InjectFault armed count too), and refuses one more with HTTP 400 until
	// some are used up or cleared. InjectFault, for Go tests, has no bound.
	MaxFaults = 1000
	// MaxFaultDelay is the longest Delay of a fault: the control API refuses a longer one
	// with HTTP 400, and InjectFault holds a request this long at most.
	MaxFaultDelay = 10 * time.Minute
)

// faults holds the armed faults of a server.
type faults struct {
	mu   sync.Mutex
	list []*armedFault
}

type armedFault struct {
	route Route
	fault Fault
	left  int        // requests left to affect; <0 for unlimited
	rnd   *rand.Rand // picks requests for a Probability, from the same seed for every fault
}

// InjectFault arms f on the requests of route r. Faults are tried in the order injected;
// one whose Times requests have been affected is used up and disarmed. A Status that is not
// an HTTP status (outside 100 to 999) answers 500, a negative Delay none, one over
// MaxFaultDelay MaxFaultDelay, and a Times of 0 or less affects every request.
func (b *Backend) InjectFault(r Route, f Fault) {
	_ = b.faults.arm(r, f, 0) // without a bound, arm cannot fail
}

// errTooManyFaults refuses a fault beyond the bound of arm.
var errTooManyFaults = errors.New("too many faults armed")

// arm arms f on route r, as InjectFault says, unless limit (0 for none) faults are armed
// already: then it returns errTooManyFaults.
func (fs *faults) arm(r Route, f Fault, limit int) error {
	left := f.Times
	if left <= 0 {
		left = -1
	}
	if f.Status != 0 && (f.Status < 100 || f.Status > 999) {
		f.Status = http.StatusInternalServerError
	}
	f.Delay = min(max(f.Delay, 0), MaxFaultDelay)
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if limit > 0 && len(fs.list) >= limit {
		return errTooManyFaults
	}
	fs.list = append(fs.list, &armedFault{route: r, fault: f, left: left, rnd: rand.New(rand.NewPCG(1, 2))})
	return nil
}

// ClearFaults disarms every fault.
func (b *Backend) ClearFaults() {
	b.faults.mu.Lock()
	b.faults.list = nil
	b.faults.mu.Unlock()
}

// ClearRouteFaults disarms the faults armed on route r (the same method, path and action),
// and leaves the others armed.
func (b *Backend) ClearRouteFaults(r Route) {
	b.faults.mu.Lock()
	defer b.faults.mu.Unlock()
	b.faults.list = slices.DeleteFunc(b.faults.list, func(a *armedFault) bool { return a.route == r })
}

// gatewayMessages are the messages the EnOS API gateway documents for its HTTP errors
// (Getting Started, "Exception Handling"): those of an injected Status without a Message.
var gatewayMessages = map[int]string{
	http.StatusBadRequest:            msgBadRequestBody,
	http.StatusUnauthorized:          msgUnauthorized,
	http.StatusForbidden:             "Your IP address is not allowed",
	http.StatusRequestEntityTooLarge: msgTooLarge,
	http.StatusTooManyRequests:       "API rate limit exceeded",
	http.StatusInternalServerError:   "An unexpected error occurred",
	http.StatusServiceUnavailable:    "Service unavailable",
}

// pick returns the fault that applies to r, if any, and counts it; a fault it uses up
// leaves the list, so the list holds armed faults only and a pick looks at those alone.
func (fs *faults) pick(r *http.Request) (Fault, bool) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if len(fs.list) == 0 {
		return Fault{}, false
	}
	action := gatewayquery.Parse(r.URL.RawQuery).Get("action")
	for i, a := range fs.list {
		if a.route.Method != r.Method || a.route.Path != r.URL.Path || (a.route.Action != "" && a.route.Action != action) {
			continue
		}
		if p := a.fault.Probability; p > 0 && p < 1 && a.rnd.Float64() >= p {
			return Fault{}, false
		}
		if a.left > 0 {
			a.left--
			if a.left == 0 {
				fs.list = slices.Delete(fs.list, i, i+1)
			}
		}
		return a.fault, true
	}
	return Fault{}, false
}

// serveWithFaults applies the fault picked for r, if any, around serve, and logs how the
// request was judged.
func (b *Backend) serveWithFaults(w http.ResponseWriter, r *http.Request, serve func(http.ResponseWriter, *http.Request) verdict) {
	f, ok := b.faults.pick(r)
	if !ok {
		b.state.record(r, serve(w, r))
		return
	}
	if f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			reason := b.state.setReason(w, fmt.Sprintf("injected fault: the client went away during the delay of %v, before any answer", f.Delay))
			b.state.record(r, verdict{reason: reason}) // status 0: nothing was answered
			return
		}
	}
	switch {
	case f.Status != 0:
		w.Header().Set("Date", b.now().UTC().Format(http.TimeFormat))
		if f.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int((f.RetryAfter+time.Second-1)/time.Second)))
		}
		msg := cmp.Or(f.Message, gatewayMessages[f.Status], http.StatusText(f.Status))
		b.state.record(r, b.state.refuse(w, f.Status, msg, "injected fault"))
	case f.Code != 0:
		w.Header().Set("Date", b.now().UTC().Format(http.TimeFormat))
		fail := &failure{code: f.Code, msg: cmp.Or(f.Message, "injected fault")}
		b.state.setReason(w, "injected fault")
		if isTokenRoute(r) {
			writeTokenAnswer(w, nil, fail)
		} else {
			writeEnvelope(w, nil, fail)
		}
		b.state.record(r, verdictOf(http.StatusOK, fail, "injected fault"))
	case f.DropAfterProcessing:
		v := serve(httptest.NewRecorder(), r)
		v.reason = b.state.setReason(w, "injected fault: served, then the connection dropped unanswered") // for a log that wraps the handler
		b.state.record(r, v)
		panic(http.ErrAbortHandler) // net/http closes the connection without an answer
	default:
		b.state.record(r, serve(w, r))
	}
}
