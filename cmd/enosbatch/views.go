package main

import (
	"strings"
	"time"

	"github.com/enos-go/batchprocessing"
)

// The --json output of enosbatch is made of these views: flat documents with stable names,
// independent of the wire format. With --json, times are RFC 3339 with the server's offset
// ("2026-11-30T08:00:00+08:00"); in tables, as the service writes them ("2026-11-30
// 08:00:00"); "" when there is none. A timeText function makes the choice.

// instanceView is a flow instance.
type instanceView struct {
	InstanceID  string          `json:"instanceId"`
	FlowID      int64           `json:"flowId"`
	FlowName    string          `json:"flowName"`
	Status      string          `json:"status"`
	StatusCode  int             `json:"statusCode"`
	TriggerTime string          `json:"triggerTime"`
	StartTime   string          `json:"startTime"`
	EndTime     string          `json:"endTime"`
	CalDt       string          `json:"calDt"`
	Owner       string          `json:"owner"`
	Parameters  []parameterView `json:"parameters"`
	Tasks       []taskStateView `json:"tasks"`
}

// parameterView is a global parameter of a flow or flow instance.
type parameterView struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// taskStateView is a task of a flow instance, as the instance's graph shows it.
type taskStateView struct {
	TaskID         int64  `json:"taskId"`
	TaskName       string `json:"taskName"`
	TaskInstanceID string `json:"taskInstanceId"`
	Status         string `json:"status"`
}

// newInstanceView returns the view of fi. A graph or parameters that do not decode leave
// Tasks or Parameters empty.
func newInstanceView(fi *batchprocessing.FlowInstance, text timeText) instanceView {
	v := instanceView{
		InstanceID: string(fi.FlowInstanceID), FlowID: fi.FlowID, FlowName: fi.FlowName,
		Status: fi.Status.String(), StatusCode: int(fi.Status),
		TriggerTime: text(fi.TriggerTime), StartTime: text(fi.StartTime), EndTime: text(fi.EndTime),
		CalDt: fi.CalDt, Owner: fi.Owner, Parameters: []parameterView{}, Tasks: taskStates(fi),
	}
	if params, err := fi.DecodeParameters(); err == nil {
		v.Parameters = parameterViews(params)
	}
	return v
}

// taskStates returns the tasks of fi's graph, empty if it has none or does not decode.
func taskStates(fi *batchprocessing.FlowInstance) []taskStateView {
	out := []taskStateView{}
	g, err := fi.DecodeGraph()
	if err != nil {
		return out
	}
	for _, t := range g.Tasks {
		out = append(out, taskStateView{TaskID: t.TaskID, TaskName: t.TaskName, TaskInstanceID: string(t.TaskInstanceID), Status: t.Status.String()})
	}
	return out
}

// parameterViews converts parameters, never returning nil.
func parameterViews(params []batchprocessing.Parameter) []parameterView {
	out := make([]parameterView, 0, len(params))
	for _, p := range params {
		out = append(out, parameterView{Key: p.Key, Value: p.Value})
	}
	return out
}

// statusLine is one line of status for a terminal: head, then the tasks' states in brackets
// when there are any, made printable (task names come from the gateway).
func statusLine(head, tasks string) string {
	if tasks != "" {
		head += "  [" + tasks + "]"
	}
	return printable(head)
}

// taskSummary describes the state of each task: "extract=SUCCESS load=RUNNING".
func taskSummary(tasks []taskStateView) string {
	parts := make([]string, len(tasks))
	for i, t := range tasks {
		parts[i] = t.TaskName + "=" + t.Status
	}
	return strings.Join(parts, " ")
}

// taskView is a task instance (Get Task Instance).
type taskView struct {
	TaskInstanceID string `json:"taskInstanceId"`
	TaskID         int64  `json:"taskId"`
	TaskName       string `json:"taskName"`
	FlowInstanceID string `json:"flowInstanceId"`
	Status         string `json:"status"`
	StatusCode     int    `json:"statusCode"`
	StartTime      string `json:"startTime"`
	EndTime        string `json:"endTime"`
	RunNum         int    `json:"runNum"`
	Retries        int    `json:"retries"`
	RetryLimit     int    `json:"retryLimit"`
	TimeoutSeconds int    `json:"timeoutSeconds"`
	Command        string `json:"command"`
}

// newTaskView returns the view of t.
func newTaskView(t *batchprocessing.TaskInstance, text timeText) taskView {
	return taskView{
		TaskInstanceID: string(t.TaskInstanceID), TaskID: t.TaskID, TaskName: t.TaskName,
		FlowInstanceID: string(t.FlowInstanceID), Status: t.Status.String(), StatusCode: int(t.Status),
		StartTime: text(t.StartTime), EndTime: text(t.EndTime), RunNum: t.RunNum,
		Retries: t.RecallNum, RetryLimit: t.RecallLimit, TimeoutSeconds: t.Timeout, Command: t.Cmd,
	}
}

// logView is the log of one task instance; Log is null for a task that has not started.
type logView struct {
	TaskInstanceID string  `json:"taskInstanceId"`
	TaskID         int64   `json:"taskId"`
	TaskName       string  `json:"taskName"`
	Status         string  `json:"status"`
	Log            *string `json:"log"`
}

// flowView is a stored flow (Get Flow).
type flowView struct {
	FlowID      int64           `json:"flowId"`
	FlowName    string          `json:"flowName"`
	Description string          `json:"description"`
	Active      bool            `json:"active"`
	Type        string          `json:"type"`
	Cycle       string          `json:"cycle"`
	Freq        string          `json:"freq"`
	Owner       string          `json:"owner"`
	Locked      bool            `json:"locked"`
	CreateTime  string          `json:"createTime"`
	UpdateTime  string          `json:"updateTime"`
	Parameters  []parameterView `json:"parameters"`
	Tasks       []flowTaskView  `json:"tasks"`
}

// flowTaskView is a task node of a flow.
type flowTaskView struct {
	TaskID   int64  `json:"taskId"`
	TaskName string `json:"taskName"`
}

// newFlowView returns the view of f.
func newFlowView(f *batchprocessing.Flow, text timeText) flowView {
	v := flowView{
		FlowID: f.FlowID, FlowName: f.FlowName, Description: f.Desc, Active: f.Active,
		Type: flowTypeName(f.Type), Cycle: f.Cycle, Freq: f.Freq, Owner: f.Owner, Locked: f.Locked,
		CreateTime: text(f.CreateTime), UpdateTime: text(f.UpdateTime),
		Parameters: []parameterView{}, Tasks: []flowTaskView{},
	}
	if params, err := f.DecodeParameters(); err == nil {
		v.Parameters = parameterViews(params)
	}
	if g, err := f.DecodeGraph(); err == nil {
		for _, t := range g.Tasks {
			v.Tasks = append(v.Tasks, flowTaskView{TaskID: t.TaskID, TaskName: t.TaskName})
		}
	}
	return v
}

// flowTypes names the scheduling types, for --type and the output.
var flowTypes = map[string]batchprocessing.FlowType{
	"manual": batchprocessing.FlowTypeManual, "periodic": batchprocessing.FlowTypePeriodic,
	"temporary": batchprocessing.FlowTypeTemporary,
}

// flowTypeName returns the name of a scheduling type, or its number.
func flowTypeName(t batchprocessing.FlowType) string {
	for name, v := range flowTypes {
		if v == t {
			return name
		}
	}
	return "type " + itoa(int64(t))
}

// flowSummaryView is an entry of Search Flow.
type flowSummaryView struct {
	FlowID   int64  `json:"flowId"`
	FlowName string `json:"flowName"`
}

// timeText turns a time of the service into the text of a view.
type timeText func(batchprocessing.ServerTime) string

// asWritten is the timeText of tables: the time as the service wrote it.
func asWritten(t batchprocessing.ServerTime) string { return string(t) }

// rfc3339In returns the timeText of --json: RFC 3339 with the offset of loc, the server's
// zone; a time that does not parse is kept as written.
func rfc3339In(loc *time.Location) timeText {
	return func(t batchprocessing.ServerTime) string {
		tm, err := t.Time(loc)
		if err != nil || tm.IsZero() {
			return string(t)
		}
		return tm.Format(time.RFC3339)
	}
}
