package refserver

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Flow instance statuses (FlowInstanceStatus, spec section 3.2). The server creates instances
// RUNNING or WAIT; FinishFlowInstance ends them with one of the terminal statuses.
const (
	// StatusFail is FAIL, a terminal status.
	StatusFail = -1
	// StatusInit is INIT.
	StatusInit = 0
	// StatusSuccess is SUCCESS, a terminal status.
	StatusSuccess = 1
	// StatusRunning is RUNNING: at most one instance of a flow runs at a time.
	StatusRunning = 2
	// StatusSuspend is SUSPEND.
	StatusSuspend = 3
	// StatusInternalError is INTERNAL_ERROR, a terminal status.
	StatusInternalError = 4
	// StatusWait is WAIT: the trigger time has not come, or another instance of the flow runs.
	StatusWait = 5
	// StatusReady is READY.
	StatusReady = 6
	// StatusTimeout is TIMEOUT, a terminal status.
	StatusTimeout = 7
	// StatusCancel is CANCEL, a terminal status.
	StatusCancel = 8
	// StatusRerun is RERUN.
	StatusRerun = 9
	// StatusSkip is SKIP, a terminal status.
	StatusSkip = 10
)

// Flow is a workflow as the server stores it.
type Flow struct {
	ID    int64  // workflow id, > 0
	Name  string // display name
	OrgID string // the organization (OU) the workflow belongs to
	Owner string // owner user id, or several separated by ';' (e.g. ";u1;u2;")
	Tasks []Task // task nodes; a flow without tasks cannot be triggered (62104)
	// Locked marks a locked workflow: owner-only operations answer 62105.
	Locked bool
}

// Task is a task node of a Flow.
type Task struct {
	ID   int64
	Name string
}

// FlowInstance is one run of a flow, as the server stores it.
type FlowInstance struct {
	ID          string    // "<flowId>-<yyyyMMddHHmm00>" in the server's time zone
	FlowID      int64     // the flow it runs
	Status      int       // one of the Status constants
	TriggerTime time.Time // the requested trigger time, in the server's time zone
	CreatedAt   time.Time // server clock when the instance was created, in the server's time zone
}

// state is the in-memory store behind a Server. One mutex guards all of it: every request and
// every Server method holds it for the whole operation, so each sees and leaves a consistent
// store. The clock is only read with the mutex held.
type state struct {
	mu sync.Mutex

	now       func() time.Time
	loc       *time.Location
	window    time.Duration // accepted distance between a request timestamp and the clock
	tokenLife time.Duration

	apps        map[string]*app           // by access key
	tokens      map[string]*token         // by access token; expired ones stay so refresh can say 1203
	encryptions map[string]int64          // token-request encryptions already used -> their timestamp (ms)
	users       map[string]*user          // by user id
	flows       map[int64]*Flow           // by flow id
	instances   map[string]*FlowInstance  // by instance id
	byFlow      map[int64][]*FlowInstance // by flow id, in creation order
}

// app is a registered application (AccessKey/SecretKey pair).
type app struct {
	secret  string
	current string // the token token/get hands out while it is valid; "" before the first
}

// token is an access token issued by the token service.
type token struct {
	appKey  string
	expires time.Time
}

// user is an EnOS user.
type user struct {
	orgs   map[string]bool
	locked bool
}

func newState(o options) *state {
	return &state{
		now:         o.now,
		loc:         o.loc,
		window:      o.window,
		tokenLife:   o.tokenLife,
		apps:        make(map[string]*app),
		tokens:      make(map[string]*token),
		encryptions: make(map[string]int64),
		users:       make(map[string]*user),
		flows:       make(map[int64]*Flow),
		instances:   make(map[string]*FlowInstance),
		byFlow:      make(map[int64][]*FlowInstance),
	}
}

// clock reads the server clock.
func (st *state) clock() time.Time {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.now()
}

// withinWindow reports whether the epoch-millisecond timestamp ts is at most the window away
// from now, in either direction.
func (st *state) withinWindow(ts int64, now time.Time) bool {
	d := now.Sub(time.UnixMilli(ts))
	return -st.window <= d && d <= st.window
}

// member returns the user userID if it belongs to orgID, else nil.
func (st *state) member(orgID, userID string) *user {
	u := st.users[userID]
	if u == nil || !u.orgs[orgID] {
		return nil
	}
	return u
}

// isOwner reports whether userID is among the ';'-separated owners of f.
func isOwner(f *Flow, userID string) bool {
	for _, owner := range strings.Split(f.Owner, ";") {
		if owner = strings.TrimSpace(owner); owner != "" && owner == userID {
			return true
		}
	}
	return false
}

// instanceID returns the id of the manual instance of flowID triggered at trigger: the trigger
// time cut to the minute and formatted in loc, with literal "00" seconds (spec section 3.5).
func instanceID(flowID int64, trigger time.Time, loc *time.Location) string {
	return strconv.FormatInt(flowID, 10) + "-" + trigger.In(loc).Format("20060102150400")
}

// createInstance stores a new instance of flowID. It runs at once when its trigger time has come
// and no other instance of the flow is running; otherwise it waits. The caller has checked that
// the id is free and has settled the store.
func (st *state) createInstance(flowID int64, trigger, now time.Time) *FlowInstance {
	in := &FlowInstance{
		ID:          instanceID(flowID, trigger, st.loc),
		FlowID:      flowID,
		Status:      StatusWait,
		TriggerTime: trigger.In(st.loc),
		CreatedAt:   now.In(st.loc),
	}
	if !trigger.After(now) && !hasRunning(st.byFlow[flowID]) {
		in.Status = StatusRunning
	}
	st.instances[in.ID] = in
	st.byFlow[flowID] = append(st.byFlow[flowID], in)
	return in
}

// settle brings the store up to now: for each flow with no running instance, the waiting
// instance with the earliest trigger time that has come starts running. It runs whenever the
// store is read or changed, so no goroutine or timer is needed.
func (st *state) settle(now time.Time) {
	for _, list := range st.byFlow {
		if hasRunning(list) {
			continue
		}
		var next *FlowInstance
		for _, in := range list {
			if in.Status == StatusWait && !in.TriggerTime.After(now) && (next == nil || compareInstances(in, next) < 0) {
				next = in
			}
		}
		if next != nil {
			next.Status = StatusRunning
		}
	}
}

// finish gives the instance id the terminal status, then settles the store.
func (st *state) finish(id string, status int, now time.Time) error {
	if !isTerminal(status) {
		return fmt.Errorf("refserver: status %d is not a terminal flow instance status", status)
	}
	st.settle(now)
	in := st.instances[id]
	if in == nil {
		return fmt.Errorf("refserver: no flow instance %q", id)
	}
	if isTerminal(in.Status) {
		return fmt.Errorf("refserver: flow instance %q has already finished with status %d", id, in.Status)
	}
	in.Status = status
	st.settle(now)
	return nil
}

// instancesOf returns copies of the instances of flowID, sorted by trigger time then id.
func (st *state) instancesOf(flowID int64) []FlowInstance {
	var out []FlowInstance
	for _, in := range st.byFlow[flowID] {
		out = append(out, *in)
	}
	slices.SortFunc(out, func(a, b FlowInstance) int { return compareInstances(&a, &b) })
	return out
}

// compareInstances orders instances by trigger time, then id.
func compareInstances(a, b *FlowInstance) int {
	if c := a.TriggerTime.Compare(b.TriggerTime); c != 0 {
		return c
	}
	return cmp.Compare(a.ID, b.ID)
}

func hasRunning(list []*FlowInstance) bool {
	return slices.ContainsFunc(list, func(in *FlowInstance) bool { return in.Status == StatusRunning })
}

// isTerminal reports whether status ends an instance: SUCCESS, FAIL, CANCEL, TIMEOUT, SKIP or
// INTERNAL_ERROR (spec section 3.5).
func isTerminal(status int) bool {
	switch status {
	case StatusSuccess, StatusFail, StatusCancel, StatusTimeout, StatusSkip, StatusInternalError:
		return true
	}
	return false
}
