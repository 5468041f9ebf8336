package refserver

import (
	"crypto/sha256"
	"encoding/hex"
	"iter"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Flow instance and task instance statuses (the FlowInstanceStatus table of
// https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/list_flow_instances.html).
// Task instances use the same codes.
const (
	// StatusFail is FAIL, a terminal status: a task failed. An instance shows it as soon as
	// a task fails, and ends when its other started tasks have (Cancel Flow Instance may stop
	// it meanwhile).
	StatusFail = -1
	// StatusInit is INIT: a task instance that has not started (and, downstream of a failed
	// task, never will).
	StatusInit = 0
	// StatusSuccess is SUCCESS, a terminal status.
	StatusSuccess = 1
	// StatusRunning is RUNNING: at most one instance of a flow runs at a time.
	StatusRunning = 2
	// StatusSuspend is SUSPEND: a task held by its Task.Suspend, and its instance while no
	// task of it runs, waits for a retry or for a resource.
	StatusSuspend = 3
	// StatusInternalError is INTERNAL_ERROR, a terminal status: a task seeded with
	// Task.InternalError, and its instance.
	StatusInternalError = 4
	// StatusWait is WAIT: the trigger time has not come, or another instance of the flow runs.
	StatusWait = 5
	// StatusReady is READY: a task waiting for its resource (Task.ResourceWait), and its
	// instance while no task of it runs or waits for a retry.
	StatusReady = 6
	// StatusTimeout is TIMEOUT, a terminal status: a task whose attempt ran longer than its
	// Task.Timeout, and its instance.
	StatusTimeout = 7
	// StatusCancel is CANCEL, a terminal status: the instance, or a task that was running
	// when it was cancelled.
	StatusCancel = 8
	// StatusRerun is RERUN: a task whose attempt failed, waiting for its retry
	// (Task.RetryLimit, Task.RetryInterval), and its instance while no task of it runs.
	StatusRerun = 9
	// StatusSkip is SKIP, a terminal status. A task instance is SKIP when Trigger Flow From
	// Task left its task out of the run.
	StatusSkip = 10
)

// Scheduling types of a flow (Flow.Type; "type" on
// https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/get_flow.html).
const (
	// FlowTypeManual is a flow that only runs when triggered.
	FlowTypeManual = 0
	// FlowTypePeriodic is a flow scheduled by its cron expression.
	FlowTypePeriodic = 1
	// FlowTypeTemporary is a temporary flow.
	FlowTypeTemporary = 2
)

// Defaults that AddFlow, Save Flow and Import Flow fill in.
const (
	// DefaultFreq is the cron expression of a flow that does not set one: every day at 00:00.
	DefaultFreq = "0 0 0 * * ? *"
	// DefaultTaskDuration is how long a task whose Duration is not positive runs.
	DefaultTaskDuration = time.Minute

	// defaultCycle is the cycle of a flow that does not set one: daily.
	defaultCycle = "D"
	// defaultTaskType is the type of a task that does not set one.
	defaultTaskType = "COMMAND"

	// DefaultCycle is the cycle of a flow that does not set one: daily ("D").
	//
	// Deprecated: kept for the callers of 1.0; the seed format (testdata/seed/README.md at the module root)
	// documents the defaults.
	DefaultCycle = defaultCycle
	// DefaultTaskType is the type of a task that does not set one ("COMMAND").
	//
	// Deprecated: kept for the callers of 1.0; the seed format (testdata/seed/README.md at the module root)
	// documents the defaults.
	DefaultTaskType = defaultTaskType
)

// Flow is a workflow as the server stores it. AddFlow fills the zero fields that have a
// default: Cycle ("D"), Freq, DirID (the org's root directory), Creator (the first owner),
// UpdateUser, CreatedAt and UpdatedAt (the server clock), and the tasks' Duration and Type.
type Flow struct {
	ID    int64  // workflow id, > 0
	Name  string // display name
	OrgID string // the organization (OU) the workflow belongs to
	Owner string // owner user id, or several separated by ';' (e.g. ";u1;u2;")
	Tasks []Task // task nodes; a flow without tasks cannot be triggered (62104)
	// Locked marks a locked workflow: owner-only operations answer 62105.
	Locked bool

	Active      bool        // scheduling started (Get Flow "active" 1) or paused (0)
	Type        int         // FlowTypeManual, FlowTypePeriodic or FlowTypeTemporary
	Cycle       string      // "M", "W", "D", "H" or "mi"
	Freq        string      // 7-field Quartz cron expression
	Parameters  []Parameter // global parameters, in order
	Description string      // "desc"
	DirID       string      // the workflow directory holding the flow
	DependsOn   []int64     // ids of upstream flows; a flow others depend on cannot be deleted (62104)
	Visitors    string      // users with read access, ';'-separated
	DoAs        string      // the OU's big-data account
	AlertMode   int         // 0 none, 1 email, 2 SMS, 3 both
	Queue       string      // computing queue
	StartDate   string      // effective date "yyyy-MM-dd", or ""
	Creator     string      // user who created the flow
	UpdateUser  string      // user who last changed the flow
	CreatedAt   time.Time   // creation time
	UpdatedAt   time.Time   // last change
	// Entry is how the flow was created, Get Flow's "entry": EntryPortal (AddFlow and
	// seeds), EntryAPI (Import Flow) or EntryEOS.
	Entry int
}

// How a flow was created (Flow.Entry): the "entry" of the Flow struct of
// https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/get_flow.html.
const (
	EntryPortal = 0 // created in the console
	EntryAPI    = 1 // created through the API (Import Flow)
	EntryEOS    = 2 // created by EnOS itself
)

// Task is a task node of a Flow.
type Task struct {
	ID   int64
	Name string
	// Duration is how long the task runs on the server clock (DefaultTaskDuration if not
	// positive).
	Duration time.Duration
	// Fail makes every attempt of the task fail when its Duration has passed, instead of
	// succeeding; Failures makes only the first Failures attempts fail. A failed attempt is
	// retried RetryLimit times (the task instance's recallLimit), each after RetryInterval
	// (recallInterval, whole seconds on the wire), with the task StatusRerun meanwhile.
	Fail          bool
	Failures      int
	RetryLimit    int
	RetryInterval time.Duration
	// Timeout, when positive, ends an attempt that would run longer with StatusTimeout at
	// the timeout, without a retry (the task instance's timeout, whole seconds on the wire).
	Timeout time.Duration
	// InternalError makes the task end StatusInternalError when its Duration has passed,
	// without a retry.
	InternalError bool
	// Suspend holds the task StatusSuspend for this long once its upstream tasks have
	// succeeded; then ResourceWait holds it StatusReady, waiting for its resource
	// ResourceName (the task instance's hasResourceBefore and resourceName), before its first
	// attempt. See task_timeline.go.
	Suspend      time.Duration
	ResourceName string
	ResourceWait time.Duration
	// DependsOn holds the ids of the upstream tasks of the same flow: the task starts when
	// all of them have succeeded. Ids of tasks not in the flow are ignored.
	DependsOn []int64
	// RerunAfter holds the upstream tasks (of DependsOn) whose relation to this task has
	// "rerun" set, RerunAfterFlows the upstream flows (of the flow's DependsOn) whose
	// relation to it has: the flags Save Flow and Import Flow are given, shown again in the
	// relations of the flow's graph and of Export Flow. The server keeps them; it does not
	// act on them. Ids that name no such upstream task or flow are ignored.
	RerunAfter      []int64
	RerunAfterFlows []int64
	Command         string  // the command it runs, shown as "cmd" with its ${key} substituted
	Type            string  // task type as Export Flow shows it: "COMMAND" (the default), "SHELL", ...
	X, Y            float64 // position of the node in the flow graph
	// Parameters are the task's own parameters ("key=value" in the console's parameter
	// settings). The ${key} of the Command take them first, then the instance's parameters,
	// then the system variables (system_variables.go).
	Parameters []Parameter
}

// Parameter is a parameter of a flow, a task or a flow instance.
type Parameter struct {
	Key   string
	Value string
}

// FlowInstance is one run of a flow, as the server stores it.
type FlowInstance struct {
	ID          string    // "<flowId>-<yyyyMMddHHmm00>" in the server's time zone
	FlowID      int64     // the flow it runs
	Status      int       // one of the Status constants
	TriggerTime time.Time // the requested trigger time, in the server's time zone
	CreatedAt   time.Time // server clock when the instance was created, in the server's time zone

	StartTime  time.Time      // when it started running; zero while it waits
	EndTime    time.Time      // when it ended; zero until then
	Parameters []Parameter    // the parameters of this run: the flow's, merged with Update And Trigger's
	FromTaskID int64          // the task Trigger Flow From Task started from, or 0
	Tasks      []TaskInstance // one per task of the flow when it was triggered, in the flow's order
}

// TaskInstance is the run of one task within a FlowInstance.
type TaskInstance struct {
	ID     string // "<taskId>-<suffix of the flow instance id>"
	TaskID int64  // the task it runs
	Name   string // the task's name
	// Status is StatusInit until the task's upstream tasks have succeeded; then StatusSuspend,
	// StatusReady, StatusRunning or StatusRerun as its seeded behaviour says (see Task); it
	// ends StatusSuccess, StatusFail, StatusTimeout, StatusInternalError or StatusCancel. A
	// task Trigger Flow From Task left out is StatusSkip.
	Status    int
	RunNum    int       // the attempts started: 0 before the first, 1 + the retries started
	StartTime time.Time // when its first attempt started; zero until then
	EndTime   time.Time // zero until it ends
}

// state is the in-memory store behind a Server. One mutex guards all of it: every request and
// every Server method holds it for the whole operation, so each sees and leaves a consistent
// store. The clock is only read with the mutex held.
//
// Flows in flows are never changed in place: a change stores a changed copy, so that the
// instances triggered before it keep running the version they share.
type state struct {
	mu sync.Mutex

	now          func() time.Time
	loc          *time.Location
	window       time.Duration // accepted distance between a request timestamp and the clock
	tokenLife    time.Duration
	maxInstances int   // the most instances kept (WithMaxInstances); 0 keeps all
	locSet       bool  // loc was set (WithLocation): a seed's time zone does not replace it
	seed         *Seed // the seed Load last loaded, which Reset loads again; nil for none
	requests     requestLog
	explaining   func() // a test's hook, called as a refused signature is explained; nil

	apps        map[string]*app   // by access key
	tokens      map[string]*token // by access token; pruned when long expired
	encryptions map[string]int64  // token-request encryptions already used -> their timestamp (ms)
	// tokenExpiry and spentEncryptions hold tokens and encryptions by the time they may be
	// forgotten, so that forgetting them costs a heap operation each, not a scan.
	tokenExpiry      heapOf[expiringToken]
	spentEncryptions heapOf[spentEncryption]

	users     map[string]*user      // by user id
	flows     map[int64]*Flow       // by flow id
	flowEpoch uint64                // counts the changes of flows, whose names instance graphs show
	dirs      map[string]*directory // by directory id

	instances map[string]*instance // by instance id
	// made counts the instances created since the store was cleared, forgotten ones too:
	// what a history bound cannot change (the tests of the bound compare stores by it).
	made int
	runs map[int64]*flowRuns // the instances of each flow, by flow id
	// schedule holds the flows that have something to do later, by when (flowRuns.nextAt);
	// settledAt is the clock of the last settle.
	schedule  heapOf[*flowRuns]
	settledAt time.Time
	// cron holds the periodic flows by their next fire time (schedule.go); cronOf by flow id.
	cron   heapOf[*cronEntry]
	cronOf map[int64]*cronEntry
	// fired holds the ids each periodic flow fired lately (fired.go); fallBackSpan is the
	// largest fall-back of the zone fallBackOf, the last one asked.
	fired        map[int64]firedIDs
	fallBackOf   *time.Location
	fallBackSpan time.Duration
	order        map[orderKey]*instanceIndex // instances by trigger time, per org, flow type and owner, and by status (history.go)
	// taskFlows maps each task id to the flows (ascending) whose instances run it.
	taskFlows map[int64][]int64
	// topFlowID and topTaskID are the largest flow and task ids ever stored, and
	// deletedFlows the ids of the flows Delete Flow removed: the ids Import Flow and Save
	// Flow give are above them, so no id is given twice, even after a delete.
	topFlowID, topTaskID int64
	deletedFlows         map[int64]bool
	// ended holds, with maxInstances set, the instances in the order they ended, from
	// endedHead on: the next ones the history bound forgets. endedDead of them are already
	// forgotten (Delete Flow removed them).
	ended     []*instance
	endedHead int
	endedDead int
}

// app is a registered application (AccessKey/SecretKey pair) and the organizations it is
// registered in.
type app struct {
	accessKey string
	secret    string
	current   string          // the token token/get hands out while it is valid; "" before the first
	orgs      map[string]bool // the organizations it is registered in
	anyOrg    bool            // registered with no organization named: it acts on every one
}

// registeredIn reports whether the app may act on the organization orgID.
func (a *app) registeredIn(orgID string) bool {
	return a.anyOrg || a.orgs[orgID]
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

// directory is a workflow directory. A root directory has no parent.
type directory struct {
	id, orgID, parentID, name string
}

func newState(o options) *state {
	st := &state{
		now:          o.now,
		loc:          o.loc,
		locSet:       o.locSet,
		window:       o.window,
		tokenLife:    o.tokenLife,
		maxInstances: o.maxInstances,
	}
	st.clear()
	return st
}

// clear empties the store: no app, token, user, flow, directory or instance. The clock and
// the settings stay.
func (st *state) clear() {
	st.apps = make(map[string]*app)
	st.tokens = make(map[string]*token)
	st.encryptions = make(map[string]int64)
	st.tokenExpiry = newHeap(func(a, b expiringToken) bool { return a.expires.Before(b.expires) }, nil)
	st.spentEncryptions = newHeap(func(a, b spentEncryption) bool { return a.timestamp < b.timestamp }, nil)
	st.users = make(map[string]*user)
	st.flows = make(map[int64]*Flow)
	st.flowEpoch++
	st.dirs = make(map[string]*directory)
	st.instances = make(map[string]*instance)
	st.made = 0
	st.runs = make(map[int64]*flowRuns)
	st.schedule = newHeap(func(a, b *flowRuns) bool { return a.nextAt.Before(b.nextAt) },
		func(fr *flowRuns, slot int) { fr.slot = slot })
	st.settledAt = time.Time{}
	st.cron = newHeap(func(a, b *cronEntry) bool { return a.next.Before(b.next) }, func(e *cronEntry, slot int) { e.slot = slot })
	st.cronOf = make(map[int64]*cronEntry)
	st.fired = make(map[int64]firedIDs)
	st.order = make(map[orderKey]*instanceIndex)
	st.taskFlows = make(map[int64][]int64)
	st.topFlowID, st.topTaskID = 0, 0
	st.deletedFlows = make(map[int64]bool)
	st.ended, st.endedHead, st.endedDead = nil, 0, 0
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
	return inList(f.Owner, userID)
}

// names yields the names of a ';'-separated list (owners, visitors), trimmed, skipping the
// empty ones, without allocating.
func names(list string) iter.Seq[string] {
	return func(yield func(string) bool) {
		for rest := list; rest != ""; {
			var name string
			name, rest, _ = strings.Cut(rest, ";")
			if name = strings.TrimSpace(name); name != "" && !yield(name) {
				return
			}
		}
	}
}

// inList reports whether userID is one of the ';'-separated names of list.
func inList(list, userID string) bool {
	for name := range names(list) {
		if name == userID {
			return true
		}
	}
	return false
}

// firstOf returns the first name of a ';'-separated list, or "".
func firstOf(list string) string {
	for name := range names(list) {
		return name
	}
	return ""
}

// instanceID returns the id of the manual instance of flowID triggered at trigger: the trigger
// time cut to the minute and formatted in loc, with literal "00" seconds, as the samples'
// ids show ("2809-20190808093200" for the trigger time 2019-08-08 09:32:12, on
// https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/get_flow_instance.html).
func instanceID(flowID int64, trigger time.Time, loc *time.Location) string {
	return formatFlowID(flowID) + "-" + trigger.In(loc).Format("20060102150400")
}

// formatFlowID writes a flow id in decimal.
func formatFlowID(id int64) string { return strconv.FormatInt(id, 10) }

// taskInstanceID returns the id of the instance of taskID within the flow instance
// flowInstID: the task id and the flow instance id's suffix, as the samples show
// ("104890-20190812080700" in the instance "2809-20190812080700").
func taskInstanceID(taskID int64, flowInstID string) string {
	_, suffix, _ := strings.Cut(flowInstID, "-")
	return strconv.FormatInt(taskID, 10) + "-" + suffix
}

// rootDirectory returns the id of orgID's root workflow directory, creating it on first use.
// The id is derived from the org id, so it is the same on every server.
func (st *state) rootDirectory(orgID string) string {
	sum := sha256.Sum256([]byte("refserver workflow directory\x00" + orgID))
	id := hex.EncodeToString(sum[:16])
	if st.dirs[id] == nil {
		st.dirs[id] = &directory{id: id, orgID: orgID, name: rootDirectoryTitle}
	}
	return id
}

// cloneFlow returns a deep copy of f.
func cloneFlow(f *Flow) *Flow {
	c := *f
	c.Tasks = slices.Clone(f.Tasks)
	for i := range c.Tasks {
		c.Tasks[i].DependsOn = slices.Clone(c.Tasks[i].DependsOn)
		c.Tasks[i].RerunAfter = slices.Clone(c.Tasks[i].RerunAfter)
		c.Tasks[i].RerunAfterFlows = slices.Clone(c.Tasks[i].RerunAfterFlows)
		c.Tasks[i].Parameters = slices.Clone(c.Tasks[i].Parameters)
	}
	c.Parameters = slices.Clone(f.Parameters)
	c.DependsOn = slices.Clone(f.DependsOn)
	return &c
}

// normalizeFlow fills the defaults of f (see Flow) at now.
func (st *state) normalizeFlow(f *Flow, now time.Time) {
	if f.Cycle == "" {
		f.Cycle = defaultCycle
	}
	if f.Freq == "" {
		f.Freq = DefaultFreq
	}
	if f.DirID == "" {
		f.DirID = st.rootDirectory(f.OrgID)
	}
	if f.Creator == "" {
		f.Creator = firstOf(f.Owner)
	}
	if f.UpdateUser == "" {
		f.UpdateUser = f.Creator
	}
	if f.CreatedAt.IsZero() {
		f.CreatedAt = now
	}
	if f.UpdatedAt.IsZero() {
		f.UpdatedAt = f.CreatedAt
	}
	for i := range f.Tasks {
		if f.Tasks[i].Duration <= 0 {
			f.Tasks[i].Duration = DefaultTaskDuration
		}
		if f.Tasks[i].Type == "" {
			f.Tasks[i].Type = defaultTaskType
		}
	}
}

// instancesOf returns copies of the instances of flowID, sorted by trigger time then id.
func (st *state) instancesOf(flowID int64) []FlowInstance {
	return st.lastInstancesOf(flowID, -1)
}

// lastInstancesOf is instancesOf cut to its last n instances; n < 0 keeps them all.
func (st *state) lastInstancesOf(flowID int64, n int) []FlowInstance {
	fr := st.runs[flowID]
	if fr == nil {
		return nil
	}
	list := fr.instances()
	if len(list) == 0 {
		return nil
	}
	slices.SortFunc(list, compareInstances)
	if n >= 0 && len(list) > n {
		list = list[len(list)-n:]
	}
	out := make([]FlowInstance, len(list))
	for i, in := range list {
		out[i] = in.public()
	}
	return out
}

// storeFlow stores f (a copy no one else holds, with its defaults filled) as the flow f.ID.
// The flow it replaces, if any, stays with the instances that run it.
func (st *state) storeFlow(f *Flow) {
	st.flows[f.ID] = f
	st.flowEpoch++
	st.topFlowID = max(st.topFlowID, f.ID)
	for _, t := range f.Tasks {
		st.topTaskID = max(st.topTaskID, t.ID)
	}
	st.schedulePeriodic(f, st.now())
}

// isTerminal reports whether status ends an instance: SUCCESS, FAIL, CANCEL, TIMEOUT, SKIP or
// INTERNAL_ERROR.
func isTerminal(status int) bool {
	switch status {
	case StatusSuccess, StatusFail, StatusCancel, StatusTimeout, StatusSkip, StatusInternalError:
		return true
	}
	return false
}
