package refserver

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"time"

	"github.com/enos-go/batchprocessing/internal/signing"
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

// Server is a running reference server: the EnOS API gateway with its token service and the
// 22 operations of the Batch Processing Service V2.1, over one in-memory store. Its methods
// are safe for concurrent use, also while requests are being served.
type Server struct {
	// URL is the base URL of the server, "http://127.0.0.1:port", without a trailing slash.
	URL string

	listener *httptest.Server
	handler  http.Handler
	state    *state
	faults   faults
}

// Option configures a Server.
type Option func(*options)

type options struct {
	now          func() time.Time
	loc          *time.Location
	window       time.Duration
	tokenLife    time.Duration
	maxInstances int
	noListener   bool
}

// WithoutListener makes NewServer (and NewDemoServer, NewServerFromSeed) open no socket:
// URL stays empty, Close does nothing, and the server is reached through Handler only, for
// a program that serves it on its own http.Server and address.
func WithoutListener() Option {
	return func(o *options) { o.noListener = true }
}

// WithClock makes now the server clock (default time.Now). Token lifetimes, the timestamp
// window, trigger times, instance statuses and the Date header all follow it. The server calls
// now with its store locked, one call at a time, so now must not call the Server's methods. A
// nil now keeps the default.
func WithClock(now func() time.Time) Option {
	return func(o *options) {
		if now != nil {
			o.now = now
		}
	}
}

// WithLocation sets the server's time zone (default time.UTC), in which flow instance ids,
// times on the wire and task logs are formatted and which Get Timezone reports. A nil loc
// keeps the default.
func WithLocation(loc *time.Location) Option {
	return func(o *options) {
		if loc != nil {
			o.loc = loc
		}
	}
}

// WithTimestampWindow sets how far a request timestamp (token requests and apim-timestamp) may
// be from the server clock, in either direction (default 15 minutes; the real gateway's window
// is undocumented). A d <= 0 keeps the default.
func WithTimestampWindow(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.window = d
		}
	}
}

// WithTokenLifetime sets the lifetime of issued access tokens (default 7200 seconds). A d <= 0
// keeps the default.
func WithTokenLifetime(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.tokenLife = d
		}
	}
}

// WithMaxInstances bounds the flow instances the server keeps to n: when it holds more, it
// forgets those that ended first (as if they had never been), until it holds n or only
// waiting and running instances are left, which it never forgets. By default (and with n <= 0)
// it keeps every instance, as tests that count them expect; a long-running server under load
// (cmd/refserver) sets a bound so that its history cannot exhaust memory. An instance holds
// about 0.35 KB of heap plus 0.13 KB a task of its flow (0.6 KB for the demo flow), and, once
// read through the API, its graph: about 0.3 KB plus 0.15 KB a task.
func WithMaxInstances(n int) Option {
	return func(o *options) { o.maxInstances = max(n, 0) }
}

// NewServer starts a reference server on a loopback port (none with WithoutListener), with
// no application, user or flow. Seed it with AddApp, AddUser and AddFlow; call Close when
// done. Like httptest.NewServer, it panics if it cannot listen.
func NewServer(opts ...Option) *Server {
	o := options{now: time.Now, loc: time.UTC, window: 15 * time.Minute, tokenLife: 7200 * time.Second}
	for _, opt := range opts {
		opt(&o)
	}
	s := &Server{state: newState(o)}
	s.handler = http.HandlerFunc(s.serveHTTP)
	if !o.noListener {
		s.listener = httptest.NewServer(s.handler)
		s.URL = s.listener.URL
	}
	return s
}

// NewDemoServer starts a reference server seeded with the demo identities: the application
// DemoAccessKey/DemoSecretKey registered in DemoOrgID (its calls in other organizations are
// refused: see AddApp), the user DemoUserID in DemoOrgID, the flow DemoFlowID ("demo flow",
// periodic and active, daily, tasks "extract" then "load" of one second each) and the flow
// DemoEmptyFlowID ("empty flow", manual, no task), both in DemoOrgID's root directory and
// owned by DemoUserID.
func NewDemoServer(opts ...Option) *Server {
	s := NewServer(opts...)
	s.AddApp(DemoAccessKey, DemoSecretKey, DemoOrgID)
	s.AddUser(DemoOrgID, DemoUserID)
	s.AddFlow(Flow{
		ID: DemoFlowID, Name: "demo flow", OrgID: DemoOrgID, Owner: DemoUserID,
		Active: true, Type: FlowTypePeriodic, DoAs: "yourDoAs",
		Tasks: []Task{
			{ID: DemoExtractTaskID, Name: "extract", Duration: time.Second, Command: "echo extract", X: 100, Y: 100},
			{ID: DemoLoadTaskID, Name: "load", Duration: time.Second, Command: "echo load", DependsOn: []int64{DemoExtractTaskID}, X: 300, Y: 100},
		},
	})
	s.AddFlow(Flow{ID: DemoEmptyFlowID, Name: "empty flow", OrgID: DemoOrgID, Owner: DemoUserID, DoAs: "yourDoAs"})
	return s
}

// Close stops the server and waits until the requests it is serving are done.
func (s *Server) Close() {
	if s.listener != nil {
		s.listener.Close()
	}
}

// Handler returns the server's handler, to serve the same routes and store without a socket
// (with httptest.NewRecorder, an in-process http.RoundTripper or an httpmock responder).
func (s *Server) Handler() http.Handler {
	return s.handler
}

// AddApp registers an application with its AccessKey and SecretKey in the organizations
// orgIDs. Its calls that name another organization (orgId) are refused by the gateway with
// HTTP 403 {"message":"You cannot consume this service"}. With no orgIDs, the app is
// registered in every organization, as before apps were bound to organizations. Adding an
// application with the same AccessKey again replaces its secret and registers it in orgIDs
// too (in every organization, with none).
func (s *Server) AddApp(accessKey, secretKey string, orgIDs ...string) {
	st := s.lock()
	defer st.mu.Unlock()
	st.addApp(accessKey, secretKey, orgIDs, len(orgIDs) == 0)
}

// addApp registers an application in orgIDs, or in every organization when anyOrg is set.
func (st *state) addApp(accessKey, secretKey string, orgIDs []string, anyOrg bool) {
	a := st.apps[accessKey]
	if a == nil {
		a = &app{orgs: make(map[string]bool)}
		st.apps[accessKey] = a
	}
	a.secret = secretKey
	a.anyOrg = a.anyOrg || anyOrg
	for _, org := range orgIDs {
		a.orgs[org] = true
	}
}

// AddUser registers the user userID as a member of the organization orgID. A user may be added
// to several organizations.
func (s *Server) AddUser(orgID, userID string) {
	st := s.lock()
	defer st.mu.Unlock()
	st.userRecord(userID).orgs[orgID] = true
}

// AddFlow stores a copy of f with its defaults filled (see Flow), replacing the flow with the
// same ID. The instances of a replaced flow stay, and keep running the flow as it was when
// they were triggered.
func (s *Server) AddFlow(f Flow) {
	st := s.lock()
	defer st.mu.Unlock()
	c := cloneFlow(&f)
	st.normalizeFlow(c, st.now())
	st.storeFlow(c)
}

// Flow returns a copy of the flow id as the server stores it, and whether it exists.
func (s *Server) Flow(id int64) (Flow, bool) {
	st := s.lock()
	defer st.mu.Unlock()
	f := st.flows[id]
	if f == nil {
		return Flow{}, false
	}
	return *cloneFlow(f), true
}

// RootDirectory returns the id (32 hex characters) of the root workflow directory of the
// organization orgID, the parent of the directories Create Directory makes first. It is the
// same for the same orgID on every server.
func (s *Server) RootDirectory(orgID string) string {
	st := s.lock()
	defer st.mu.Unlock()
	return st.rootDirectory(orgID)
}

// LockUser locks the user userID: owner-only operations answer 62105 "Your account has been
// locked" for it. Locking a user not yet added is remembered for when it is.
func (s *Server) LockUser(userID string) {
	st := s.lock()
	defer st.mu.Unlock()
	st.userRecord(userID).locked = true
}

// FlowInstances returns copies of the instances of the flow flowID, sorted by trigger time then
// id, with statuses, times and task instances brought up to the server clock; nil if it has
// none.
func (s *Server) FlowInstances(flowID int64) []FlowInstance {
	st := s.lock()
	defer st.mu.Unlock()
	st.settle(st.now())
	return st.instancesOf(flowID)
}

// FlowInstance returns a copy of the flow instance id brought up to the server clock (status,
// start and end times, task instances), and whether it exists.
func (s *Server) FlowInstance(id string) (FlowInstance, bool) {
	st := s.lock()
	defer st.mu.Unlock()
	st.settle(st.now())
	in := st.instances[id]
	if in == nil {
		return FlowInstance{}, false
	}
	return in.public(), true
}

// FinishFlowInstance ends the instance id at once with a terminal status (StatusSuccess,
// StatusFail, StatusCancel, StatusTimeout, StatusSkip or StatusInternalError), then starts the
// next waiting instance of its flow whose trigger time has come. Its running tasks end with
// the same status; tasks not started stay as they are. It is a test hook to force an end
// before the instance's tasks bring it. It fails for another status, an unknown id or an
// instance already ended.
func (s *Server) FinishFlowInstance(id string, status int) error {
	st := s.lock()
	defer st.mu.Unlock()
	return st.finish(id, status, st.now())
}

// lock locks the store and returns it.
func (s *Server) lock() *state {
	s.state.mu.Lock()
	return s.state
}

// userRecord returns the user userID, creating it with no organization.
func (st *state) userRecord(userID string) *user {
	u := st.users[userID]
	if u == nil {
		u = &user{orgs: make(map[string]bool)}
		st.users[userID] = u
	}
	return u
}

// Routing.

// batchPrefix is the path prefix of the Batch Processing Service V2.1.
const batchPrefix = "/batch-processing-service/v2.1"

// resources are the known paths under batchPrefix (spec section 3.1). A request to one of them
// passes the gateway; one to any other path is refused with 404 before authentication.
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

// operations maps each operation of spec section 3.1 to its handler; a request matching no
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

// serveHTTP serves a request, with the faults injected for its route (InjectFault).
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	s.serveWithFaults(w, r, s.serveGateway)
}

// serveGateway is the gateway: Date header, route (404), body size (413), then the token
// service or the signature check (401) and the operation.
func (s *Server) serveGateway(w http.ResponseWriter, r *http.Request) {
	st := s.state
	w.Header().Set("Date", st.clock().UTC().Format(http.TimeFormat))

	path := r.URL.Path
	isToken := r.Method == http.MethodPost && (path == signing.TokenGetPath || path == signing.TokenRefreshPath)
	resource, isBatch := strings.CutPrefix(path, batchPrefix)
	isBatch = isBatch && resources[resource]
	if !isToken && !isBatch {
		// Token routes take POST only, like a Kong route with methods set.
		writeGatewayError(w, http.StatusNotFound, msgNoRoute)
		return
	}

	body, status := readBody(r)
	switch {
	case status == http.StatusRequestEntityTooLarge:
		writeGatewayError(w, status, msgTooLarge)
		return
	case status != 0:
		writeGatewayError(w, status, msgBadRequestBody)
		return
	}

	if isToken {
		st.serveToken(w, body, path == signing.TokenRefreshPath)
		return
	}
	data, f, refused := st.serveOperation(r, resource, body)
	if refused != nil {
		writeGatewayError(w, refused.status, refused.message)
		return
	}
	writeEnvelope(w, data, f)
}

// refusal is an answer of the gateway itself: an HTTP status and {"message": ...}.
type refusal struct {
	status  int
	message string
}

var (
	// refusedUnauthorized answers a call that fails authentication.
	refusedUnauthorized = &refusal{http.StatusUnauthorized, msgUnauthorized}
	// refusedOrg answers an app acting on an organization it is not registered in. The EnOS
	// documentation gives no answer for this case; this one is inferred. In EnOS an app is
	// registered in an organization and authorized there, and the gateway, which knows the
	// app from the token, refuses the rest as the Kong gateway refuses a consumer that a
	// route does not allow: HTTP 403 with Kong's stock message, in the {"message": ...} body
	// of the gateway's other refusals.
	refusedOrg = &refusal{http.StatusForbidden, msgOrgForbidden}
)

// serveOperation authenticates a Batch Processing call, checks that its app is registered in
// the organization the call acts in (orgId, when present), and runs its operation with the
// store locked and settled. refused is the gateway's refusal, if any.
func (st *state) serveOperation(r *http.Request, resource string, body []byte) (data any, f *failure, refused *refusal) {
	query := r.URL.Query()
	st.mu.Lock()
	defer st.mu.Unlock()
	now := st.now()
	a := st.authenticate(r.Header, query, body, now)
	if a == nil {
		return nil, nil, refusedUnauthorized
	}
	// Get Current Time and Get Timezone (/time) take no orgId: the others act in one.
	if org := query.Get("orgId"); org != "" && resource != "/time" && !a.registeredIn(org) {
		return nil, nil, refusedOrg
	}
	st.settle(now)
	handle := operations[operation{r.Method, resource, query.Get("action")}]
	if handle == nil {
		return nil, errInvalidAction, nil
	}
	data, f = handle(st, &call{query: query, body: body, now: now})
	return data, f, nil
}

// readBody reads the whole body, up to MaxBodyBytes. status is 413 when the body is larger and
// 400 when it cannot be read, else 0.
func readBody(r *http.Request) (body []byte, status int) {
	if r.Body == nil {
		return nil, 0
	}
	if r.ContentLength > MaxBodyBytes {
		return nil, http.StatusRequestEntityTooLarge
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
	switch {
	case err != nil:
		return nil, http.StatusBadRequest
	case len(body) > MaxBodyBytes:
		return nil, http.StatusRequestEntityTooLarge
	}
	return body, 0
}
