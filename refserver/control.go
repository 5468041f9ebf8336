package refserver

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/enos-go/batchprocessing/internal/gatewayquery"
)

// This file is the control API: a JSON API under ControlPrefix, which no EnOS route uses, for
// clients written in other languages to do what Go tests do with the Go API (InjectFault,
// ManualClock, Reset, FlowInstances, ...). It needs no signature: it is a test tool, served
// where the server is served (cmd/refserver serves it unless -control=false).
//
//	GET    /_refserver/health    {"status":"ok"}
//	GET    /_refserver/state     apps, users, flows, instances with their tasks, settings and the
//	                             last requests with their verdicts (?requests=N, default 20, at most 200);
//	                             ?instances=N shows the last N instances of each flow (default all)
//	GET    /_refserver/requests  the last requests with their verdicts alone (?requests=N), or
//	                             the last of those with the given method, path, action,
//	                             status or code (?method=POST&action=trigger&status=200)
//	GET    /_refserver/clock     {"now":"2026-11-30T08:00:00Z","nowMillis":...,"manual":true}
//	POST   /_refserver/clock     {"advance":"1h"} or {"set":"2026-11-30T09:00:00Z"}: a manual clock only
//	GET    /_refserver/settings  {"tokenLifetime":"2h0m0s","timestampWindow":"15m0s","location":"UTC"}
//	PUT    /_refserver/settings  any of those fields: the new value
//	GET    /_refserver/faults    the armed faults
//	POST   /_refserver/faults    arm one: {"method","path","action", and Fault's fields:
//	                             "times","probability","delay","status","retryAfter","code",
//	                             "message","dropAfterProcessing"}; at most MaxFaults (1000)
//	                             armed, a delay of at most MaxFaultDelay (10m); a fault used
//	                             up is disarmed and leaves the list. A fault on a route the
//	                             service does not serve (it would only answer requests the
//	                             service refuses anyway) is refused: a path that is no EnOS
//	                             route, a method it does not take, an action it does not have
//	                             (case matters); so is one without effect (status, code, delay
//	                             or dropAfterProcessing), status with code or
//	                             dropAfterProcessing, retryAfter without status.
//	                             probability 0 (or absent) picks every matching request
//	DELETE /_refserver/faults    disarm all; with ?method=&path=[&action=], those of that route alone
//	POST   /_refserver/reset     back to the seed loaded last
//	POST   /_refserver/seed      load the seed in the body (the format of testdata/seed), up to 64 MiB
//
// Durations are Go durations ("1h30m", "500ms"); times RFC 3339. An error answers HTTP 400
// (bad request), 404 (no such endpoint), 405 (wrong method) or 409 (a clock that cannot be
// moved) with {"error": "..."}.

// ControlPrefix is the path prefix of the control API.
const ControlPrefix = "/_refserver/"

// NewControlHandler returns a handler that serves the control API of b under ControlPrefix
// and passes every other request to b. clock is b's clock when it is a ManualClock (give
// WithClock(clock.Now) to b), which the control API then reads and moves; with nil, the
// clock can be read but not moved.
func NewControlHandler(b *Backend, clock *ManualClock) http.Handler {
	c := &control{b: b, clock: clock}
	c.handlers = c.routes()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, ControlPrefix) {
			b.ServeHTTP(w, r)
			return
		}
		c.serve(w, r)
	})
}

// control serves the control API of one Backend.
type control struct {
	b        *Backend
	clock    *ManualClock
	handlers map[controlEndpoint]controlHandler
}

// controlEndpoint is a method and an endpoint name (the path after ControlPrefix).
type controlEndpoint struct{ method, name string }

// controlHandler answers one control request with the value to write as JSON.
type controlHandler func(*http.Request) (any, error)

// routes returns the handlers of the control API's endpoints.
func (c *control) routes() map[controlEndpoint]controlHandler {
	return map[controlEndpoint]controlHandler{
		{http.MethodGet, "health"}:    func(*http.Request) (any, error) { return map[string]string{"status": "ok"}, nil },
		{http.MethodGet, "state"}:     func(r *http.Request) (any, error) { return c.state(r) },
		{http.MethodGet, "clock"}:     func(*http.Request) (any, error) { return c.clockState(), nil },
		{http.MethodPost, "clock"}:    c.moveClock,
		{http.MethodGet, "settings"}:  func(*http.Request) (any, error) { return c.b.Settings().wire(), nil },
		{http.MethodPut, "settings"}:  c.putSettings,
		{http.MethodGet, "faults"}:    func(*http.Request) (any, error) { return c.b.faults.wire(), nil },
		{http.MethodPost, "faults"}:   c.injectFault,
		{http.MethodDelete, "faults"}: c.clearFaults,
		{http.MethodPost, "reset"}:    func(*http.Request) (any, error) { c.b.Reset(); return map[string]string{"status": "reset"}, nil },
		{http.MethodPost, "seed"}:     c.loadSeed,
		{http.MethodGet, "requests"}:  c.requests,
	}
}

// controlError is an error answer of the control API with its HTTP status.
type controlError struct {
	status int
	msg    string
}

func (e *controlError) Error() string { return e.msg }

// badRequest returns a 400 error.
func badRequest(format string, args ...any) error {
	return &controlError{http.StatusBadRequest, fmt.Sprintf(format, args...)}
}

// serve routes a control request and writes its JSON answer.
func (c *control) serve(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, ControlPrefix), "/")
	h := c.handlers[controlEndpoint{r.Method, name}]
	if h == nil {
		status, msg := http.StatusNotFound, "no control endpoint "+ControlPrefix+name
		for e := range c.handlers {
			if e.name == name {
				status, msg = http.StatusMethodNotAllowed, r.Method+" is not allowed on "+ControlPrefix+name
			}
		}
		writeJSON(w, status, contentTypeGateway, map[string]string{"error": msg})
		return
	}
	v, err := h(r)
	if err != nil {
		var ce *controlError
		if !errors.As(err, &ce) {
			ce = &controlError{http.StatusBadRequest, err.Error()}
		}
		writeJSON(w, ce.status, contentTypeGateway, map[string]string{"error": ce.msg})
		return
	}
	writeJSON(w, http.StatusOK, contentTypeGateway, v)
}

// decodeBody decodes a control request's JSON body into v, refusing unknown fields.
func decodeBody(r *http.Request, v any) error {
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(http.MaxBytesReader(nil, r.Body, MaxBodyBytes)); err != nil {
		return badRequest("reading the body: %v", err)
	}
	dec := json.NewDecoder(&buf)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return badRequest("the body: %v", err)
	}
	if dec.More() {
		return badRequest("the body holds more than one JSON value")
	}
	return nil
}

// duration reads an optional Go duration field.
func duration(name, s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, badRequest("%s %q: want a Go duration of zero or more, such as \"90s\" or \"1h30m\"", name, s)
	}
	return d, nil
}

// positiveDuration reads an optional Go duration field that must be longer than 0, as the
// flags of cmd/refserver for the same settings must.
func positiveDuration(name, s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	switch {
	case s == "":
		return 0, nil
	case err != nil || d <= 0:
		return 0, badRequest("%s %q: want a Go duration longer than 0, such as \"90s\" or \"1h30m\", as cmd/refserver's flags do", name, s)
	}
	return d, nil
}

// clockWire is the clock as the control API shows it.
type clockWire struct {
	Now       string `json:"now"`
	NowMillis int64  `json:"nowMillis"`
	Manual    bool   `json:"manual"`
}

func (c *control) clockState() clockWire {
	now := c.b.now()
	return clockWire{Now: now.UTC().Format(time.RFC3339Nano), NowMillis: now.UnixMilli(), Manual: c.clock != nil}
}

// moveClock is POST /_refserver/clock: {"advance": duration} or {"set": RFC 3339 time}.
func (c *control) moveClock(r *http.Request) (any, error) {
	var req struct {
		Advance string `json:"advance"`
		Set     string `json:"set"`
	}
	if err := decodeBody(r, &req); err != nil {
		return nil, err
	}
	if c.clock == nil {
		return nil, &controlError{http.StatusConflict, "the server runs on the wall clock; start it with -clock manual to move time"}
	}
	switch {
	case req.Advance != "" && req.Set != "":
		return nil, badRequest("give advance or set, not both")
	case req.Advance != "":
		d, err := duration("advance", req.Advance)
		if err != nil {
			return nil, err
		}
		c.clock.Advance(d)
	case req.Set != "":
		t, err := time.Parse(time.RFC3339Nano, req.Set)
		if err != nil {
			return nil, badRequest("set %q: want an RFC 3339 time such as \"2026-11-30T08:00:00Z\"", req.Set)
		}
		c.clock.Set(t)
	default:
		return nil, badRequest(`give {"advance": "1h"} or {"set": "2026-11-30T08:00:00Z"}`)
	}
	return c.clockState(), nil
}

// putSettings is PUT /_refserver/settings.
func (c *control) putSettings(r *http.Request) (any, error) {
	var req settingsWire
	if err := decodeBody(r, &req); err != nil {
		return nil, err
	}
	life, err := positiveDuration("tokenLifetime", req.TokenLifetime)
	if err != nil {
		return nil, err
	}
	window, err := positiveDuration("timestampWindow", req.TimestampWindow)
	if err != nil {
		return nil, err
	}
	var loc *time.Location
	if req.Location != "" {
		if loc, err = parseTimezone(req.Location); err != nil {
			return nil, badRequest("location %q: %v", req.Location, err)
		}
	}
	c.b.SetSettings(Settings{TokenLifetime: life, TimestampWindow: window, Location: loc})
	return c.b.Settings().wire(), nil
}

// faultWire is a fault on its route, as the control API reads and shows it.
type faultWire struct {
	Method              string  `json:"method"`
	Path                string  `json:"path"`
	Action              string  `json:"action,omitempty"`
	Times               int     `json:"times,omitempty"`
	Left                int     `json:"left"` // shown only: requests left to affect, -1 for every one
	Probability         float64 `json:"probability,omitempty"`
	Delay               string  `json:"delay,omitempty"`
	Status              int     `json:"status,omitempty"`
	RetryAfter          string  `json:"retryAfter,omitempty"`
	Code                int     `json:"code,omitempty"`
	Message             string  `json:"message,omitempty"`
	DropAfterProcessing bool    `json:"dropAfterProcessing,omitempty"`
}

// clearFaults is DELETE /_refserver/faults: ClearFaults, or with a route in the query
// (method and path, and action if the fault has one), ClearRouteFaults.
func (c *control) clearFaults(r *http.Request) (any, error) {
	if n, _ := r.Body.Read(make([]byte, 1)); n > 0 {
		return nil, badRequest("DELETE %sfaults takes no body: name a route in the query, ?method=POST&path=/batch-processing-service/v2.1/flows&action=trigger", ControlPrefix)
	}
	q := gatewayquery.Parse(r.URL.RawQuery)
	if len(q) == 0 {
		c.b.ClearFaults()
		return c.b.faults.wire(), nil
	}
	for k := range q {
		if k != "method" && k != "path" && k != "action" {
			return nil, badRequest("unknown query parameter %q: a route is method, path and action", k)
		}
	}
	if q.Get("method") == "" || !strings.HasPrefix(q.Get("path"), "/") {
		return nil, badRequest("a route needs a method and a path, e.g. ?method=POST&path=/batch-processing-service/v2.1/flows&action=trigger")
	}
	c.b.ClearRouteFaults(Route{Method: strings.ToUpper(q.Get("method")), Path: q.Get("path"), Action: q.Get("action")})
	return c.b.faults.wire(), nil
}

// injectFault is POST /_refserver/faults: InjectFault, with at most MaxFaults armed.
func (c *control) injectFault(r *http.Request) (any, error) {
	var req faultWire
	if err := decodeBody(r, &req); err != nil {
		return nil, err
	}
	route, f, err := req.fault()
	if err != nil {
		return nil, err
	}
	if errors.Is(c.b.faults.arm(route, f, MaxFaults), errTooManyFaults) {
		return nil, badRequest("%d faults are armed, the most the control API arms: clear some (DELETE %sfaults), or let those with a times count be used up",
			MaxFaults, ControlPrefix)
	}
	return c.b.faults.wire(), nil
}

// fault checks a fault the control API is asked to arm, and returns it and its route.
func (req *faultWire) fault() (Route, Fault, error) {
	switch {
	case req.Method == "" || !strings.HasPrefix(req.Path, "/"):
		return Route{}, Fault{}, badRequest(`a fault needs a method and a path, e.g. {"method":"POST","path":"/batch-processing-service/v2.1/flows","action":"trigger","status":503,"times":1}`)
	case req.Probability < 0 || req.Probability > 1:
		return Route{}, Fault{}, badRequest("probability %v: want 0 to 1", req.Probability)
	case req.Status != 0 && (req.Status < 200 || req.Status > 599):
		return Route{}, Fault{}, badRequest("status %d: want an HTTP status from 200 to 599", req.Status)
	case req.Times < 0:
		return Route{}, Fault{}, badRequest("times %d: want 0 (every request) or more", req.Times)
	}
	delay, err := duration("delay", req.Delay)
	if err != nil {
		return Route{}, Fault{}, err
	}
	if delay > MaxFaultDelay {
		return Route{}, Fault{}, badRequest("delay %q: want at most %v", req.Delay, MaxFaultDelay)
	}
	retryAfter, err := duration("retryAfter", req.RetryAfter)
	if err != nil {
		return Route{}, Fault{}, err
	}
	route := Route{Method: strings.ToUpper(req.Method), Path: req.Path, Action: req.Action}
	f := Fault{
		Times: req.Times, Probability: req.Probability, Delay: delay, Status: req.Status, RetryAfter: retryAfter,
		Code: req.Code, Message: req.Message, DropAfterProcessing: req.DropAfterProcessing,
	}
	if err := checkRoute(route); err != nil {
		return Route{}, Fault{}, err
	}
	if err := checkEffect(f); err != nil {
		return Route{}, Fault{}, err
	}
	return route, f, nil
}

// wire returns the armed faults as the control API shows them, in the order they are tried.
func (fs *faults) wire() []faultWire {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	out := make([]faultWire, 0, len(fs.list))
	for _, a := range fs.list {
		f := a.fault
		out = append(out, faultWire{
			Method: a.route.Method, Path: a.route.Path, Action: a.route.Action, Times: f.Times, Left: a.left,
			Probability: f.Probability, Delay: durationText(f.Delay), Status: f.Status,
			RetryAfter: durationText(f.RetryAfter), Code: f.Code, Message: f.Message, DropAfterProcessing: f.DropAfterProcessing,
		})
	}
	return out
}

// durationText is d as a Go duration, or "" for 0.
func durationText(d time.Duration) string {
	if d == 0 {
		return ""
	}
	return d.String()
}

// maxSeedBytes bounds a seed loaded through the control API: a seed of tens of thousands
// of flows fits; -seed reads a file of any size.
const maxSeedBytes = 64 << 20

// loadSeed is POST /_refserver/seed: Load.
func (c *control) loadSeed(r *http.Request) (any, error) {
	seed, err := LoadSeed(http.MaxBytesReader(nil, r.Body, maxSeedBytes))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, badRequest("the seed is larger than %d MiB: start cmd/refserver with -seed FILE instead", maxSeedBytes>>20)
	}
	if err != nil {
		return nil, badRequest("%v", err)
	}
	if err := c.b.Load(seed); err != nil {
		return nil, badRequest("%v", err)
	}
	return map[string]any{"status": "loaded", "apps": len(seed.Apps), "users": len(seed.Users), "flows": len(seed.Flows)}, nil
}

// lastN reads the requests query parameter: how many of the last requests to show.
func lastN(r *http.Request) (int, error) {
	n, err := queryCount(r, "requests", 20, fmt.Sprintf("a number from 0 to %d", maxRequestLog))
	return min(n, maxRequestLog), err
}

// queryCount reads the query parameter name, a count: absent when it is not given, else a
// decimal number, 0 or more (want says what is wanted, in the error).
func queryCount(r *http.Request, name string, absent int, want string) (int, error) {
	s := gatewayquery.Parse(r.URL.RawQuery).Get(name)
	if s == "" {
		return absent, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, badRequest("%s %q: want %s", name, s, want)
	}
	return n, nil
}

// requests is GET /_refserver/requests: the last requests and their verdicts, those the
// query's filter picks (Backend.Requests, filtered).
func (c *control) requests(r *http.Request) (any, error) {
	n, err := lastN(r)
	if err != nil {
		return nil, err
	}
	f, err := requestFilterOf(r)
	if err != nil {
		return nil, err
	}
	return requestsWire(f.lastMatching(c.b.Requests(maxRequestLog), n)), nil
}

// state is GET /_refserver/state.
func (c *control) state(r *http.Request) (*stateWire, error) {
	n, err := lastN(r)
	if err != nil {
		return nil, err
	}
	perFlow, err := instancesPerFlow(r)
	if err != nil {
		return nil, err
	}
	st := c.b.lock()
	defer st.mu.Unlock()
	st.settle(st.now())
	return st.wire(n, perFlow), nil
}

// instancesPerFlow reads the instances query parameter of GET /_refserver/state: how many of
// each flow's last instances to show (-1, when absent: all of them). The state is built with
// the store locked, so a long load test's history (hundreds of thousands of instances) would
// hold every other request while it is written out.
func instancesPerFlow(r *http.Request) (int, error) {
	return queryCount(r, "instances", -1, "a number of instances a flow, 0 or more")
}
