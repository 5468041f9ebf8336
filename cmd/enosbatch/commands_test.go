package main

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/enos-go/batchprocessing"
	"github.com/enos-go/batchprocessing/refserver"
)

var instanceLine = regexp.MustCompile(`^\d+-\d{14}$`)

func TestTriggerAndWait(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		code       int
		wantStatus string
	}{
		{"success", []string{"trigger", "--flow", "41", "--wait", "--poll", "10ms"}, exitOK, "SUCCESS"},
		{"failure", []string{"trigger", "--flow", "42", "--wait", "--poll", "10ms"}, exitFlowFailed, "FAIL"},
		{"flow id as the argument", []string{"trigger", "41", "--wait", "--poll", "10ms"}, exitOK, "SUCCESS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			r := w.run(t, tt.args...).want(t, tt.code)
			lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
			if len(lines) != 2 || !instanceLine.MatchString(lines[0]) {
				t.Fatalf("stdout %q, want the instance id then the outcome", r.stdout)
			}
			if !strings.HasPrefix(lines[1], lines[0]+" "+tt.wantStatus+" after ") {
				t.Errorf("outcome %q, want %s", lines[1], tt.wantStatus)
			}
			// Not a terminal: one progress line per change on stderr, the last one terminal.
			progress := strings.Split(strings.TrimSpace(r.stderr), "\n")
			if !strings.Contains(progress[0], " RUNNING ") && !strings.Contains(progress[0], " WAIT ") && !strings.Contains(progress[0], " INIT ") {
				t.Errorf("first progress line %q", progress[0])
			}
			if strings.Contains(r.stderr, "\r") || strings.Contains(r.stderr, "\x1b") {
				t.Errorf("terminal codes in non-terminal progress: %q", r.stderr)
			}
			for i := 1; i < len(progress); i++ {
				if strings.TrimSpace(progress[i][7:]) == strings.TrimSpace(progress[i-1][7:]) {
					t.Errorf("progress repeats a line without a change: %q", progress)
				}
			}
		})
	}
}

func TestTriggerWaitJSON(t *testing.T) {
	w := newWorld(t)
	r := w.run(t, "trigger", "--flow", "42", "--wait", "--poll", "10ms", "--json", "--quiet").want(t, exitFlowFailed)
	var v instanceView
	r.decodeJSON(t, &v)
	if v.FlowID != failFlowID || v.Status != "FAIL" || v.StatusCode != -1 || len(v.Tasks) != 1 || v.Tasks[0].Status != "FAIL" || v.EndTime == "" {
		t.Errorf("instance %+v", v)
	}
	if !strings.Contains(r.stderr, "ended FAIL") || strings.Contains(r.stderr, "RUNNING") {
		t.Errorf("stderr %q: want the outcome and, with --quiet, no progress", r.stderr)
	}
}

func TestTriggerVariants(t *testing.T) {
	w := newWorld(t)
	var id struct {
		InstanceID string `json:"instanceId"`
	}
	w.run(t, "trigger", "--flow", "41", "--json").want(t, exitOK).decodeJSON(t, &id)
	if !strings.HasPrefix(id.InstanceID, "41-") {
		t.Errorf("instance id %q", id.InstanceID)
	}

	fromTask := strings.TrimSpace(w.run(t, "trigger", "--flow", "42", "--from-task", "4201").want(t, exitOK).stdout)
	if in, ok := w.srv.FlowInstance(fromTask); !ok || in.FromTaskID != 4201 {
		t.Errorf("instance %+v, want FromTaskID 4201", in)
	}

	params := strings.TrimSpace(w.run(t, "trigger", "--flow", "43", "--param", "region=eu", "--param", "day=mon=1").want(t, exitOK).stdout)
	var v instanceView
	w.run(t, "status", "--json", params).want(t, exitOK).decodeJSON(t, &v)
	got := map[string]string{}
	for _, p := range v.Parameters {
		got[p.Key] = p.Value
	}
	if got["region"] != "eu" || got["day"] != "mon=1" {
		t.Errorf("parameters %+v", v.Parameters)
	}
}

func TestWaitInterrupted(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		wantStatus int
		wantMsg    string
	}{
		{"goes on", nil, refserver.StatusRunning, "goes on (not cancelled"},
		{"cancel on interrupt", []string{"--cancel-on-interrupt"}, refserver.StatusCancel, "interrupted: cancelled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			id := w.trigger(t, slowFlowID)
			// The interrupt has come before the first poll: the context is already done.
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			r := runWith(t, ctx, w.env, append([]string{"wait", id}, tt.args...)...).want(t, exitInterrupted)
			if !strings.Contains(r.stderr, tt.wantMsg) {
				t.Errorf("stderr %q, want %q", r.stderr, tt.wantMsg)
			}
			if in, _ := w.srv.FlowInstance(id); in.Status != tt.wantStatus {
				t.Errorf("instance status %d, want %d", in.Status, tt.wantStatus)
			}
		})
	}
}

func TestWaitTimeout(t *testing.T) {
	w := newWorld(t)
	id := w.trigger(t, slowFlowID)
	// Whether the deadline comes before or after the first poll, waiting stops the same way.
	r := w.run(t, "--timeout", "50ms", "wait", "--poll", "10ms", id).want(t, exitInterrupted)
	if !strings.Contains(r.stderr, "--timeout 50ms reached: stopped waiting; "+id) {
		t.Errorf("stderr %q", r.stderr)
	}
	if in, _ := w.srv.FlowInstance(id); in.Status != refserver.StatusRunning {
		t.Errorf("instance status %d, want it still RUNNING", in.Status)
	}
}

// TestWaitOutage: once wait has seen the instance, polls that fail as an outage does (503
// past the client's retries) are notes on stderr and waiting goes on until the instance
// ends; a failure of another kind, or of the first poll, ends the wait with exit code 3,
// saying that a seen instance goes on.
func TestWaitOutage(t *testing.T) {
	unavailable := func(rw http.ResponseWriter) {
		rw.Header().Set("Content-Type", "application/json")
		rw.WriteHeader(http.StatusServiceUnavailable)
		_, _ = rw.Write([]byte(`{"message":"Service unavailable"}`))
	}
	noPrivilege := func(rw http.ResponseWriter) {
		_, _ = rw.Write([]byte(`{"code":62103,"msg":"User has no privilege."}`))
	}
	internalError := func(rw http.ResponseWriter) {
		_, _ = rw.Write([]byte(`{"code":62109,"msg":"Internal server exception"}`))
	}
	tooMany := func(rw http.ResponseWriter) {
		rw.WriteHeader(http.StatusTooManyRequests)
		_, _ = rw.Write([]byte(`{"message":"API rate limit exceeded"}`))
	}
	dropped := func(rw http.ResponseWriter) { // no answer: a *TransportError
		if conn, _, err := http.NewResponseController(rw).Hijack(); err == nil {
			conn.Close()
		}
	}
	tests := []struct {
		name         string
		failing      func(http.ResponseWriter)
		from, to     int32 // the polls (requests, retries included) that fail
		code         int
		want, absent string
	}{
		{"an outage after the first poll", unavailable, 2, 9, exitOK, "failed, trying again in", "resumes"},
		{"no answer after the first poll", dropped, 2, 9, exitOK, "failed, trying again in", "resumes"},
		{"62109 after the first poll", internalError, 2, 5, exitOK, "failed, trying again in", "resumes"},
		{"429 after the first poll", tooMany, 2, 5, exitOK, "failed, trying again in", "resumes"},
		{"a refusal after the first poll", noPrivilege, 2, 2, exitAPI, "(RUNNING; it goes on, 'enosbatch wait ", "trying again"},
		{"an outage from the first poll", unavailable, 1, 1000, exitAPI, "Service unavailable", "trying again"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			id := w.trigger(t, slowFlowID)
			var polls atomic.Int32
			gateway := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/flowInstances") {
					switch n := polls.Add(1); {
					case n >= tt.from && n <= tt.to:
						tt.failing(rw)
						return
					case n == tt.to+1:
						if err := w.srv.FinishFlowInstance(id, refserver.StatusSuccess); err != nil {
							t.Error(err)
						}
					}
				}
				w.srv.ServeHTTP(rw, r)
			}))
			t.Cleanup(gateway.Close)
			env := with(w.env, "ENOS_API_GATEWAY", gateway.URL)
			r := runWith(t, context.Background(), env, "--timeout", "1m", "wait", "--poll", "1ms", "--max-poll", "5ms", id).want(t, tt.code)
			if !strings.Contains(r.stderr, tt.want) || strings.Contains(r.stderr, tt.absent) {
				t.Errorf("stderr %q, want %q and no %q", r.stderr, tt.want, tt.absent)
			}
			if tt.code == exitOK && !strings.HasPrefix(r.stdout, id+" SUCCESS after ") {
				t.Errorf("stdout %q, want the instance's success", r.stdout)
			}
		})
	}
}

// TestWaitPausesGrow: while an instance does not change, the pause between two polls grows
// by half from --poll: in 300 ms from 1 ms, 13 polls at most (pauses of 1, 1.5, 2.25, ...
// ms), against about 300 at a fixed 1 ms. A slow machine only polls less.
func TestWaitPausesGrow(t *testing.T) {
	w := newWorld(t)
	id := w.trigger(t, slowFlowID)
	var polls atomic.Int32
	counting := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/flowInstances") {
			polls.Add(1)
		}
		w.srv.ServeHTTP(rw, r)
	}))
	t.Cleanup(counting.Close)
	env := with(w.env, "ENOS_API_GATEWAY", counting.URL)
	runWith(t, context.Background(), env, "--timeout", "300ms", "wait", "--quiet", "--poll", "1ms", "--max-poll", "1s", id).
		want(t, exitInterrupted)
	if n := polls.Load(); n < 1 || n > 13 {
		t.Errorf("%d polls in 300 ms from a first pause of 1 ms, want 1 to 13", n)
	}
}

func TestFinishWait(t *testing.T) {
	running := instanceWith(t, batchprocessing.StatusRunning, "a=RUNNING")
	tests := []struct {
		name       string
		json       bool
		fi         *batchprocessing.FlowInstance
		err        error
		code       int
		wantStdout string
	}{
		{"success", false, instanceWith(t, batchprocessing.StatusSuccess, "a=SUCCESS"), nil, exitOK, "41-20261130080000 SUCCESS after "},
		{"failure", false, instanceWith(t, batchprocessing.StatusTimeout), nil, exitFlowFailed, "41-20261130080000 TIMEOUT after "},
		{"stopped, text", false, running, &stoppedError{msg: "interrupted"}, exitInterrupted, ""},
		{"stopped, json: the last state", true, running, &stoppedError{msg: "interrupted"}, exitInterrupted, `"status": "RUNNING"`},
		{"stopped before any poll", true, nil, &stoppedError{msg: "interrupted"}, exitInterrupted, ""},
		{"poll failed", true, running, &batchprocessing.APIError{Code: 62109}, exitAPI, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout bytes.Buffer
			s := &session{g: globals{json: tt.json}, stdout: &stdout}
			err := s.finishWait(tt.fi, tt.err, time.Now(), asWritten)
			if code := exitCode(err); code != tt.code {
				t.Errorf("exit code %d, want %d (%v)", code, tt.code, err)
			}
			if !strings.Contains(stdout.String(), tt.wantStdout) || (tt.wantStdout == "") != (stdout.Len() == 0) {
				t.Errorf("stdout %q, want %q", stdout.String(), tt.wantStdout)
			}
		})
	}
}

func TestStatusTasksLogs(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	id := strings.Split(w.run(t, "trigger", "--flow", "41", "--wait", "--poll", "10ms").want(t, exitOK).stdout, "\n")[0]

	r := w.run(t, "status", id).want(t, exitOK)
	for _, want := range []string{"instance      " + id, "status        SUCCESS", "TASK  TASK ID  STATUS", "a     4101     SUCCESS"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("status lacks %q:\n%s", want, r.stdout)
		}
	}

	var tasks []taskView
	w.run(t, "tasks", "--json", id).want(t, exitOK).decodeJSON(t, &tasks)
	if len(tasks) != 2 || tasks[0].TaskName != "a" || tasks[1].Status != "SUCCESS" || tasks[0].Command != "echo a" || tasks[1].StartTime == "" {
		t.Errorf("tasks %+v", tasks)
	}
	if r := w.run(t, "tasks", id).want(t, exitOK); !strings.HasPrefix(r.stdout, "TASK  TASK ID  STATUS") {
		t.Errorf("tasks table:\n%s", r.stdout)
	}

	var logs []logView
	w.run(t, "logs", "--json", id).want(t, exitOK).decodeJSON(t, &logs)
	if len(logs) != 2 || logs[0].Log == nil || !strings.Contains(*logs[0].Log, "task a") {
		t.Errorf("logs %+v", logs)
	}
	if r := w.run(t, "logs", id, "--task", "b").want(t, exitOK); strings.Contains(r.stdout, "==>") || !strings.Contains(r.stdout, "task b") {
		t.Errorf("log of b:\n%s", r.stdout)
	}
	if r := w.run(t, "logs", id, "--task", "4101").want(t, exitOK); !strings.Contains(r.stdout, "task a") {
		t.Errorf("log of 4101:\n%s", r.stdout)
	}
	w.run(t, "logs", id, "--task", "nope").want(t, exitUsage)

	// A task that has not started has no log: null in JSON, a note in text.
	slow := w.trigger(t, slowFlowID)
	r = w.run(t, "logs", slow).want(t, exitOK)
	if !strings.Contains(r.stdout, "==> long") {
		t.Errorf("logs of a running task:\n%s", r.stdout)
	}
}

func TestInstances(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.run(t, "trigger", "--flow", "41", "--wait", "--poll", "10ms", "--quiet").want(t, exitOK)
	w.run(t, "trigger", "--flow", "42", "--wait", "--poll", "10ms", "--quiet").want(t, exitFlowFailed)
	periodic := w.trigger(t, periodicID)

	tests := []struct {
		name  string
		args  []string
		flows []int64
	}{
		{"all types", nil, []int64{periodicID, 42, 41}},
		{"manual only", []string{"--type", "manual"}, []int64{42, 41}},
		{"periodic only", []string{"--type", "periodic"}, []int64{periodicID}},
		{"by flow", []string{"--flow", "42"}, []int64{42}},
		{"by status", []string{"--status", "fail,cancel"}, []int64{42}},
		{"by status code", []string{"--status", "1"}, []int64{41}},
		{"by search", []string{"--search", "fast"}, []int64{41}},
		{"limit", []string{"--type", "manual", "--limit", "1"}, []int64{42}},
		{"old window", []string{"--from", "2020-01-01", "--to", "2020-01-02"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, got := w.listed(t, tt.args...)
			if want := slices.Sorted(slices.Values(tt.flows)); !slices.Equal(got, want) {
				t.Errorf("flows %v, want %v", got, tt.flows)
			}
		})
	}

	r := w.run(t, "instances").want(t, exitOK)
	if !strings.HasPrefix(r.stdout, "INSTANCE ") || !strings.Contains(r.stdout, periodic) {
		t.Errorf("instances table:\n%s", r.stdout)
	}
	if r := w.run(t, "instances", "--flow", "3378").want(t, exitOK); r.stdout != "" || !strings.Contains(r.stderr, "no flow instances") {
		t.Errorf("empty list: stdout %q, stderr %q", r.stdout, r.stderr)
	}
}

func TestCancel(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	id := w.trigger(t, slowFlowID)
	var v struct {
		InstanceID string `json:"instanceId"`
		Cancelled  bool   `json:"cancelled"`
	}
	w.run(t, "cancel", "--json", id).want(t, exitOK).decodeJSON(t, &v)
	if v.InstanceID != id || !v.Cancelled {
		t.Errorf("output %+v", v)
	}
	if in, _ := w.srv.FlowInstance(id); in.Status != refserver.StatusCancel {
		t.Errorf("status %d, want CANCEL", in.Status)
	}
	r := w.run(t, "cancel", id).want(t, exitAPI)
	if !strings.Contains(r.stderr, "code 62102: Incorrect parameter") {
		t.Errorf("second cancel: %q", r.stderr)
	}
	// Waiting for a cancelled instance ends at once, as a failure of the flow.
	if r := w.run(t, "wait", id).want(t, exitFlowFailed); !strings.Contains(r.stdout, "CANCEL") {
		t.Errorf("wait: %q", r.stdout)
	}
}

func TestFlows(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	var found []flowSummaryView
	w.run(t, "flows", "search", "--json", "flow").want(t, exitOK).decodeJSON(t, &found)
	if len(found) != 6 {
		t.Errorf("search: %+v", found)
	}
	r := w.run(t, "flows", "search", "demo").want(t, exitOK)
	if r.stdout != "FLOW  NAME\n3377  demo flow\n" {
		t.Errorf("search table %q", r.stdout)
	}

	var f flowView
	w.run(t, "flows", "get", "--json", "3377").want(t, exitOK).decodeJSON(t, &f)
	if f.FlowName != "demo flow" || !f.Active || f.Type != "periodic" || len(f.Tasks) != 2 || f.Tasks[1].TaskName != "load" {
		t.Errorf("flow %+v", f)
	}
	if r := w.run(t, "flows", "get", "3377").want(t, exitOK); !strings.Contains(r.stdout, "flow         3377 demo flow") {
		t.Errorf("flow text:\n%s", r.stdout)
	}

	var state struct {
		FlowID int64 `json:"flowId"`
		Active bool  `json:"active"`
	}
	w.run(t, "flows", "disable", "--json", "3377").want(t, exitOK).decodeJSON(t, &state)
	if got, _ := w.srv.Flow(3377); got.Active || state.Active || state.FlowID != 3377 {
		t.Errorf("after disable: %+v, output %+v", got, state)
	}
	if r := w.run(t, "flows", "enable", "3377").want(t, exitOK); r.stdout != "flow 3377 enabled\n" {
		t.Errorf("enable: %q", r.stdout)
	}
	if got, _ := w.srv.Flow(3377); !got.Active {
		t.Error("enable did not enable")
	}
}

func TestDemoFlag(t *testing.T) {
	r := runWith(t, context.Background(), map[string]string{}, "--demo", "flows", "get", "--json", itoa(refserver.DemoFlowID)).want(t, exitOK)
	if !strings.Contains(r.stderr, "in-process reference server") {
		t.Errorf("stderr %q: want a note that --demo started a server", r.stderr)
	}
	var f flowView
	r.decodeJSON(t, &f)
	if f.FlowID != refserver.DemoFlowID {
		t.Errorf("flow %+v", f)
	}
}

// attemptTimeout is like net/http's error for a request that ran past Client.Timeout.
type attemptTimeout struct{}

func (attemptTimeout) Error() string        { return "Client.Timeout exceeded while awaiting headers" }
func (attemptTimeout) Timeout() bool        { return true }
func (attemptTimeout) Temporary() bool      { return true }
func (attemptTimeout) Is(target error) bool { return target == context.DeadlineExceeded }

func TestExitCodes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err  error
		want int
	}{
		{nil, exitOK},
		{&flowEndedError{status: batchprocessing.StatusFail}, exitFlowFailed},
		{usagef("bad"), exitUsage},
		{configf("bad"), exitUsage},
		{&batchprocessing.RequestError{Operation: "TriggerFlow", Field: "FlowID", Reason: "must be positive"}, exitUsage},
		{&batchprocessing.APIError{Code: 62104}, exitAPI},
		{&batchprocessing.TransportError{Err: context.Canceled}, exitInterrupted},
		{&batchprocessing.TransportError{Err: context.DeadlineExceeded}, exitInterrupted},
		{&stoppedError{msg: "interrupted"}, exitInterrupted},
		{&batchprocessing.TransportError{Err: errors.New("connect: connection refused")}, exitAPI},
		// An attempt without an answer in time matches context.DeadlineExceeded, as
		// net/http's Client.Timeout error does, without being it: not an interruption.
		{&batchprocessing.TransportError{Err: &url.Error{Op: "Get", URL: "http://gateway", Err: attemptTimeout{}}}, exitAPI},
		{&unreachableError{err: &batchprocessing.TransportError{Err: attemptTimeout{}}}, exitAPI},
		// A trigger whose attempt timed out: the context cut the look for its instance, or
		// the look failed on its own.
		{&batchprocessing.OutcomeUnknownError{Err: &batchprocessing.TransportError{Err: attemptTimeout{}}, Lookup: context.DeadlineExceeded}, exitInterrupted},
		{&batchprocessing.OutcomeUnknownError{Err: &batchprocessing.TransportError{Err: attemptTimeout{}}, Lookup: errors.New("503")}, exitAPI},
	}
	for _, tt := range tests {
		if got := exitCode(tt.err); got != tt.want {
			t.Errorf("exitCode(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
}

// TestCancelOnInterruptOutcome: --cancel-on-interrupt says when it starts the cancel (which
// may take a while), then what became of it: cancelled, refused by the service ("failed"),
// or, when no answer came, "outcome unknown", never "failed".
func TestCancelOnInterruptOutcome(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		fault     *refserver.Fault // on Cancel Flow Instance
		want, not string
	}{
		{"cancelled", nil, "--timeout 200ms reached: cancelled ", "outcome unknown"},
		{"refused", &refserver.Fault{Code: 62102, Message: "refused here"}, ") failed: ", "outcome unknown"},
		{"no answer in time", &refserver.Fault{Delay: 2 * time.Second}, "): outcome unknown, it may or may not be cancelled ('enosbatch status ", "failed"},
		{"connection dropped", &refserver.Fault{DropAfterProcessing: true}, "): outcome unknown", "failed"},
		{"a 504", &refserver.Fault{Status: http.StatusGatewayTimeout}, "): outcome unknown", "failed"},
		{"an internal error", &refserver.Fault{Code: batchprocessing.CodeInternalServer}, "): outcome unknown", "failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			id := w.trigger(t, slowFlowID)
			if tt.fault != nil {
				w.srv.InjectFault(refserver.RouteCancelFlowInstance, *tt.fault)
			}
			r := w.run(t, "--timeout", "200ms", "--request-timeout", "500ms", "wait", id, "--poll", "10ms", "--quiet", "--cancel-on-interrupt").
				want(t, exitInterrupted)
			start := "enosbatch: --timeout 200ms reached: cancelling " + id + " (waiting up to 15s for the answer)\n"
			if !strings.HasPrefix(r.stderr, start) || !strings.Contains(r.stderr, tt.want) || strings.Contains(r.stderr, tt.not) {
				t.Errorf("stderr %q; want it to start %q, with %q and without %q", r.stderr, start, tt.want, tt.not)
			}
		})
	}
}
