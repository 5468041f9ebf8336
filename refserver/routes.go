package refserver

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/enos-go/batchprocessing/internal/gatewayquery"
	"github.com/enos-go/batchprocessing/internal/signing"
)

// batchPrefix is the path prefix of the Batch Processing Service V2.1.
const batchPrefix = "/batch-processing-service/v2.1"

// resources are the known paths under batchPrefix
// (https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/overview.html). A request
// to one of them passes the gateway; one to any other path is refused with 404 before
// authentication.
var resources = map[string]bool{
	"/flows": true, "/flowInstances": true, "/taskInstances": true, "/directories": true, "/time": true,
}

// operation identifies a Batch Processing operation the way the service routes it.
type operation struct {
	method   string
	resource string // path below batchPrefix
	action   string
}

// call is what a handler sees of one authenticated request.
type call struct {
	query url.Values
	body  []byte
	now   time.Time // the server clock when the store was locked for this call
}

// operations maps each of the 22 operations to its handler; a request matching no
// entry (unknown action, or a known action with another method or on another resource) is
// answered 62102 "Invalid parameter: action".
var operations = map[operation]func(*state, *call) (any, *failure){
	{http.MethodPost, "/flows", "trigger"}:               (*state).triggerFlow,
	{http.MethodPost, "/flows", "triggerFromTask"}:       (*state).triggerFromTask,
	{http.MethodPost, "/flows", "updateAndTrigger"}:      (*state).updateAndTrigger,
	{http.MethodGet, "/flowInstances", "get"}:            (*state).getFlowInstance,
	{http.MethodPost, "/flowInstances", "search"}:        (*state).searchFlowInstances,
	{http.MethodPost, "/flowInstances", "cancel"}:        (*state).cancelFlowInstance,
	{http.MethodGet, "/taskInstances", "get"}:            (*state).getTaskInstance,
	{http.MethodGet, "/taskInstances", "getLog"}:         (*state).getTaskInstanceLog,
	{http.MethodGet, "/flows", "get"}:                    (*state).getFlow,
	{http.MethodGet, "/flows", "getMyFlow"}:              (*state).getMyFlow,
	{http.MethodPost, "/flows", "search"}:                (*state).searchFlow,
	{http.MethodPost, "/flows", "enable"}:                (*state).enableFlow,
	{http.MethodPost, "/flows", "disable"}:               (*state).disableFlow,
	{http.MethodGet, "/flows", "delete"}:                 (*state).deleteFlow,
	{http.MethodPost, "/flows", "save"}:                  (*state).saveFlow,
	{http.MethodGet, "/flows", "loadForEdit"}:            (*state).loadForEdit,
	{http.MethodGet, "/flows", "export"}:                 (*state).exportFlow,
	{http.MethodPost, "/flows", "import"}:                (*state).importFlow,
	{http.MethodPost, "/directories", "create"}:          (*state).createDirectory,
	{http.MethodGet, "/directories", "listWorkFlowDirs"}: (*state).listWorkFlowDirs,
	{http.MethodGet, "/time", "getCurrentTime"}:          (*state).getCurrentTime,
	{http.MethodGet, "/time", "getTimeZone"}:             (*state).getTimeZone,
}

// serveGateway is the gateway: Date header, route (404), body size (413), then the token
// service or the signature check (401) and the operation. It writes the answer and returns
// how the request was judged.
func (b *Backend) serveGateway(w http.ResponseWriter, r *http.Request) verdict {
	st := b.state
	w.Header().Set("Date", st.clock().UTC().Format(http.TimeFormat))

	path := r.URL.Path
	isToken := isTokenRoute(r)
	resource, isBatch := strings.CutPrefix(path, batchPrefix)
	isBatch = isBatch && resources[resource]
	if !isToken && !isBatch {
		// Token routes take POST only, like a Kong route with methods set.
		return st.refuse(w, http.StatusNotFound, msgNoRoute, "no EnOS route for "+r.Method+" "+quote(path))
	}

	body, status := readBody(w, r)
	switch {
	case status == http.StatusRequestEntityTooLarge:
		return st.refuse(w, status, msgTooLarge, fmt.Sprintf("the body is larger than %d bytes", MaxBodyBytes))
	case status != 0:
		return st.refuse(w, status, msgBadRequestBody, "the body could not be read")
	}

	if isToken {
		data, f, reason := st.token(body, path == signing.TokenRefreshPath)
		reason = st.setReason(w, reason)
		writeTokenAnswer(w, data, f)
		return verdictOf(http.StatusOK, f, reason)
	}
	data, f, refused := st.serveOperation(r, resource, body)
	if refused != nil {
		return st.refuse(w, refused.status, refused.message, refused.reason)
	}
	reason := ""
	if f != nil {
		reason = st.setReason(w, f.reason)
	}
	writeEnvelope(w, data, f)
	return verdictOf(http.StatusOK, f, reason)
}

// isTokenRoute reports whether r goes to the token service: a POST to get or refresh.
func isTokenRoute(r *http.Request) bool {
	return r.Method == http.MethodPost && (r.URL.Path == signing.TokenGetPath || r.URL.Path == signing.TokenRefreshPath)
}

// refuse writes a refusal of the gateway itself, with its reason.
func (st *state) refuse(w http.ResponseWriter, status int, message, reason string) verdict {
	reason = st.setReason(w, reason)
	writeGatewayError(w, status, message)
	return verdict{status: status, msg: message, reason: reason}
}

// setReason sets the reason header of an answer, as shownReason shows it, and returns what
// it set for the request log; an empty reason sets nothing.
func (st *state) setReason(w http.ResponseWriter, reason string) string {
	if reason == "" {
		return ""
	}
	reason = st.shownReason(reason)
	w.Header().Set(HeaderReason, reason)
	return reason
}

// refusal is an answer of the gateway itself: an HTTP status and {"message": ...}, and why.
type refusal struct {
	status  int
	message string
	reason  string
}

// refusedOrg answers an app acting on an organization it is not registered in. The EnOS
// documentation gives no answer for this case; this one is inferred. In EnOS an app is
// registered in an organization and authorized there, and the gateway, which knows the app
// from the token, refuses the rest as the Kong gateway refuses a consumer that a route does
// not allow: HTTP 403 with Kong's stock message, in the {"message": ...} body of the
// gateway's other refusals.
func refusedOrg(accessKey, orgID string) *refusal {
	return &refusal{http.StatusForbidden, msgOrgForbidden,
		"app " + quote(accessKey) + " is not registered in organization " + quote(orgID)}
}

// serveOperation authenticates a Batch Processing call, checks that its app is registered in
// the organization the call acts in (orgId, when present), and runs its operation with the
// store locked and settled. refused is the gateway's refusal, if any; a wrong signature is
// explained once the store is unlocked, so that a large badly signed request does not hold
// up the others.
func (st *state) serveOperation(r *http.Request, resource string, body []byte) (data any, f *failure, refused *refusal) {
	data, f, refused, bad := st.serveLocked(r, resource, body)
	if bad != nil {
		return nil, nil, &refusal{http.StatusUnauthorized, msgUnauthorized, bad.explain()}
	}
	return data, f, refused
}

// serveLocked is serveOperation with the store locked, but for the explanation of a wrong
// signature: bad, when the signature is wrong.
func (st *state) serveLocked(r *http.Request, resource string, body []byte) (data any, f *failure, refused *refusal, bad *badSignature) {
	query := gatewayquery.Parse(r.URL.RawQuery)
	st.mu.Lock()
	defer st.mu.Unlock()
	now := st.now()
	a, reason, bad := st.authenticate(r, query, body, now)
	if bad != nil {
		return nil, nil, nil, bad
	}
	if a == nil {
		return nil, nil, &refusal{http.StatusUnauthorized, msgUnauthorized, reason}, nil
	}
	// Get Current Time and Get Timezone (/time) take no orgId: the others act in one.
	if org := query.Get("orgId"); org != "" && resource != "/time" && !a.registeredIn(org) {
		return nil, nil, refusedOrg(a.accessKey, org), nil
	}
	st.settle(now)
	handle := operations[operation{r.Method, resource, query.Get("action")}]
	if handle == nil {
		return nil, errInvalidAction.because(whyNoAction(r.Method, resource, query.Get("action"))), nil, nil
	}
	data, f = handle(st, &call{query: query, body: body, now: now})
	return data, f, nil, nil
}

// readBody reads the whole body, up to MaxBodyBytes. status is 413 when the body is larger and
// 400 when it cannot be read, else 0. A larger body is read on and discarded before the 413
// goes out (see drain), unless its Content-Length alone shows it too large and the client
// waits for 100 Continue before sending it: such a client has sent no byte of the body, so it
// is answered at once, as nginx and Kong do, and does not upload it in vain.
func readBody(w http.ResponseWriter, r *http.Request) (body []byte, status int) {
	if r.Body == nil {
		return nil, 0
	}
	if r.ContentLength > MaxBodyBytes {
		if expectsContinue(r) {
			w.Header().Set("Connection", "close")
		} else {
			drain(w, r, r.ContentLength)
		}
		return nil, http.StatusRequestEntityTooLarge
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
	switch {
	case err != nil:
		return nil, http.StatusBadRequest
	case len(body) > MaxBodyBytes:
		drain(w, r, -1)
		return nil, http.StatusRequestEntityTooLarge
	}
	return body, 0
}

// expectsContinue reports whether r asks for 100 Continue before its body is sent: net/http
// sends the 100 when the handler first reads the body.
func expectsContinue(r *http.Request) bool {
	return strings.EqualFold(strings.TrimSpace(r.Header.Get("Expect")), "100-continue")
}

// drainTimeout bounds the time drain spends reading a body it will refuse: a client that
// announces a large body and sends it slowly, or not at all, gets the 413 after at most this
// long, also on a server with no read timeout (httptest, NewServer, NewDemoServer). It
// leaves a client on a busy machine time to send 8 MiB (MaxDrainBytes).
const drainTimeout = 5 * time.Second

// drain reads and discards the rest of a body that is too large, so that the client, still
// sending it, can read the 413: a server that answers and closes the connection with unread
// data on it makes the kernel reset the connection, and the client loses the answer. size is
// the body's Content-Length, or -1 when unknown (chunked). The 413 always closes the
// connection. A body that would take more than MaxDrainBytes is not drained, or not wholly,
// and reading stops after drainTimeout, or the server's ReadTimeout if shorter: the read
// deadline of the connection is set to then (http.ResponseController). The server's own
// deadline (t0 + ReadTimeout) cannot be read, so this one can fall after it, by less than that
// bound. Where no deadline can be set (see MaxDrainBytes), the body is read on regardless.
func drain(w http.ResponseWriter, r *http.Request, size int64) {
	w.Header().Set("Connection", "close")
	if size > MaxDrainBytes {
		return
	}
	d := drainTimeout
	if srv, ok := r.Context().Value(http.ServerContextKey).(*http.Server); ok && srv.ReadTimeout > 0 {
		d = min(d, srv.ReadTimeout)
	}
	// An error means the writer cannot set deadlines (see above): drain anyway.
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(d))
	_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, MaxDrainBytes))
}

// whyNoAction says why no operation answers action with method on resource: the action is
// missing, is one of the resource's with another method, or is none of the resource's.
func whyNoAction(method, resource, action string) string {
	if action == "" {
		return "the query has no action"
	}
	var actions []string
	for op := range operations {
		if op.resource != resource {
			continue
		}
		if op.action == action {
			return fmt.Sprintf("action %s of %s takes %s, not %s", quote(action), resource, op.method, method)
		}
		actions = append(actions, op.method+" "+op.action)
	}
	slices.Sort(actions)
	return fmt.Sprintf("action %s: %s has no such operation; it has %s", shown(action), resource, strings.Join(actions, ", "))
}
