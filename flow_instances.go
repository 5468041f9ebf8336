package batchprocessing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// flowInstancesPath is the resource of the flow instance operations.
const flowInstancesPath = servicePath + "/flowInstances"

// FlowInstance is one run of a flow, as Get Flow Instance and List Flow Instances return it
// (https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/get_flow_instance.html).
// Times are the server's local times: Client.Time turns one into a time.Time. Graph and
// Parameters are JSON documents; read them with DecodeGraph and DecodeParameters.
type FlowInstance struct {
	// FlowInstanceID is the instance's id, "<flowId>-<time suffix>".
	FlowInstanceID FlowInstanceID `json:"instanceId"`
	// FlowID and FlowName are the flow the instance runs.
	FlowID   int64  `json:"flowId"`
	FlowName string `json:"flowName"`
	// Freq is the flow's schedule, a 7-field Quartz cron expression ("0 0 0 * * ? *").
	Freq string `json:"freq"`
	// Cycle is the flow's scheduling period: M (month), W (week), D (day), H (hour) or mi
	// (minute).
	Cycle string `json:"cycle"`
	// Parameters are the global parameters of this run (a JSON list of key and value).
	Parameters EmbeddedJSON `json:"parameters"`
	// DoAs is the account the run's tasks execute as.
	DoAs string `json:"doAs"`
	// Graph holds the run's task instances and their relations (see DecodeGraph).
	Graph EmbeddedJSON `json:"graph"`
	// Status is the run's status; Status.IsTerminal reports that the run is over. An answer
	// without one (or with null) has the status its StatusDesc names.
	Status FlowInstanceStatus `json:"status"`
	// StatusDesc is the service's text for Status ("SUCCESS").
	StatusDesc string `json:"statusDesc"`
	// TriggerTime is the time the run was triggered for (its business time).
	TriggerTime ServerTime `json:"triggerTime"`
	// StartTime and EndTime are when the run started and ended; empty until it does.
	StartTime ServerTime `json:"startTime"`
	EndTime   ServerTime `json:"endTime"`
	// Timestamp is when the instance was created.
	Timestamp ServerTime `json:"timestamp"`
	// Virtual reports a virtual run: one whose tasks are marked done without running.
	Virtual bool `json:"virtual"`
	// Owner lists the flow's owners, ';'-separated user names.
	Owner string `json:"owner"`
	// AlertMode says how failures are reported: 0 none, 1 email, 2 SMS, 3 both.
	AlertMode int `json:"alertMode"`
	// CalDt is the run's business date, yyyy-MM-dd: the trigger time minus one cycle.
	CalDt string `json:"calDt"`
	// HasEditPri and HasReadPri report whether the calling user may edit and read the flow.
	HasEditPri bool `json:"hasEditPri"`
	HasReadPri bool `json:"hasReadPri"`
	// IsCancelled reports a run that was cancelled.
	IsCancelled bool `json:"isCancelled"`

	// Deprecated: use FlowInstanceID, which holds the same id.
	InstanceID FlowInstanceID `json:"-"`
}

// UnmarshalJSON decodes a flow instance in any form the service writes (see the package doc, Decoding).
func (fi *FlowInstance) UnmarshalJSON(b []byte) error {
	w := (*flowInstanceWire)(fi)
	if err := decodeTolerant(b, w); err != nil {
		return err
	}
	*fi = w.instance()
	return nil
}

// flowInstanceWire is FlowInstance without its methods: the request path decodes into it in
// one pass, sparing the second pass over the JSON that FlowInstance.UnmarshalJSON costs.
type flowInstanceWire FlowInstance

func (w *flowInstanceWire) instance() FlowInstance {
	fi := FlowInstance(*w)
	fi.InstanceID = fi.FlowInstanceID
	fi.Status = fi.Status.withDesc(fi.StatusDesc)
	return fi
}

func (w *flowInstanceWire) validate() error {
	if w.FlowInstanceID == "" {
		return errors.New("no instanceId in the flow instance")
	}
	return nil
}

// DecodeParameters returns the instance's parameters.
func (fi *FlowInstance) DecodeParameters() ([]Parameter, error) {
	return decodeParameters(fi.Parameters)
}

// DecodeGraph returns the instance's graph: its task instances and their relations.
func (fi *FlowInstance) DecodeGraph() (*InstanceGraph, error) {
	var g InstanceGraph
	if err := fi.Graph.Decode(&g); err != nil {
		return nil, err
	}
	return &g, nil
}

// InstanceGraph is the graph of a flow instance (FlowInstance.Graph): its task instances,
// the flows it refers to, and the relations between them. Older samples spell some keys in
// snake_case (inst_id, do_as, alert_mode); both spellings are read.
type InstanceGraph struct {
	// FlowID is the flow's id (the graph's "id").
	FlowID int64 `json:"id"`
	// FlowInstanceID is the instance the graph belongs to (its "instId", documented as an
	// Integer, sent as the instance id).
	FlowInstanceID FlowInstanceID `json:"instId" alias:"inst_id"`
	// Name is the flow's name.
	Name string `json:"name"`
	// Creator is the user name of the flow's creator.
	Creator string `json:"creator"`
	// Owners lists the flow's owners, ';'-separated user names.
	Owners string `json:"owners"`
	// Freq is the flow's schedule, a 7-field Quartz cron expression.
	Freq string `json:"freq"`
	// Cycle is the scheduling period: M, W, D, H or mi.
	Cycle string `json:"cycle"`
	// DoAs is the account the tasks execute as.
	DoAs string `json:"doAs" alias:"do_as"`
	// AlertMode: 0 none, 1 email, 2 SMS, 3 both.
	AlertMode int `json:"alertMode" alias:"alert_mode"`
	// Parameters are the global parameters, a JSON list of key and value, as in
	// FlowInstance.Parameters.
	Parameters EmbeddedJSON `json:"parameters"`
	// Tasks are the task nodes, each with its task instance and status in this run.
	Tasks []TaskInstanceNode `json:"tasks"`
	// Flows are the nodes that stand for other flows.
	Flows []FlowInstanceNode `json:"flows"`
	// Relations are the edges between the nodes (by NodeID).
	Relations []Relation `json:"relations"`

	// Deprecated: use FlowID, which holds the same id.
	ID int64 `json:"-"`
	// Deprecated: use FlowInstanceID, which holds the same id.
	InstID string `json:"-"`
}

// UnmarshalJSON decodes a graph in any form the service writes (see the package doc, Decoding).
func (g *InstanceGraph) UnmarshalJSON(b []byte) error {
	type plain InstanceGraph
	if err := decodeTolerant(b, (*plain)(g)); err != nil {
		return err
	}
	g.ID, g.InstID = g.FlowID, string(g.FlowInstanceID)
	return nil
}

// TaskInstanceNode is a task node of an instance graph: one task and its run in this flow
// instance. Older samples spell its keys in snake_case; both spellings are read.
type TaskInstanceNode struct {
	TaskID   int64  `json:"taskId" alias:"task_id"`
	TaskName string `json:"taskName" alias:"task_name"`
	// TaskInstanceID is the task's run in this instance: pass it to GetTaskInstance and
	// GetTaskInstanceLog.
	TaskInstanceID TaskInstanceID `json:"taskInstId" alias:"task_inst_id"`
	// NodeID is the node's id in the graph's relations: "t_<taskId>".
	NodeID string `json:"nodeId" alias:"node_id"`
	// Status is the task's status in this run; the graph names it (SUCCESS, RUNNING, INIT,
	// NONE for a task that does not run in this instance). StatusUnknown when the graph
	// gives none: the zero value, StatusInit, would claim the task has not started.
	Status FlowInstanceStatus `json:"status"`
	// X and Y place the node in the console's drawing.
	X float64 `json:"x"`
	Y float64 `json:"y"`

	// Deprecated: use TaskInstanceID, which holds the same id.
	TaskInstID TaskInstanceID `json:"-"`
}

// UnmarshalJSON decodes a task node in any form the service writes (see the package doc, Decoding).
func (t *TaskInstanceNode) UnmarshalJSON(b []byte) error {
	type plain TaskInstanceNode
	if err := decodeTolerant(b, (*plain)(t)); err != nil {
		return err
	}
	t.TaskInstID = t.TaskInstanceID
	if !statusGiven(b) {
		t.Status = StatusUnknown
	}
	return nil
}

// statusGiven reports whether the JSON object b gives a status (a "status" that is not
// null), as the graph's nodes may not.
func statusGiven(b []byte) bool {
	var probe struct {
		Status json.RawMessage `json:"status"`
	}
	return json.Unmarshal(b, &probe) == nil && len(probe.Status) > 0 && string(probe.Status) != "null"
}

// TaskInstanceGraph is the former name of TaskInstanceNode.
//
// Deprecated: use TaskInstanceNode.
type TaskInstanceGraph = TaskInstanceNode

// FlowInstanceNode is a node of an instance graph that stands for another flow.
type FlowInstanceNode struct {
	// FlowID and FlowName are the flow the node stands for; FlowInstanceID is that flow's
	// instance this run is linked to.
	FlowID         int64          `json:"flowId"`
	FlowName       string         `json:"flowName"`
	FlowInstanceID FlowInstanceID `json:"flowInstId"`
	// NodeID is the node's id in the graph's relations: "f_<flowId>".
	NodeID string `json:"nodeId"`
	// IsVirtual reports a virtual node: the flow's run is not awaited.
	IsVirtual bool `json:"isVirtual"`
	// Status is the node's status as the graph names it (NONE in the documentation's
	// sample); StatusUnknown when the graph gives none.
	Status FlowInstanceStatus `json:"status"`
	// X and Y place the node in the console's drawing.
	X float64 `json:"x"`
	Y float64 `json:"y"`

	// Deprecated: use FlowInstanceID, which holds the same id.
	FlowInstID string `json:"-"`
}

// UnmarshalJSON decodes a flow node in any form the service writes (see the package doc, Decoding).
func (f *FlowInstanceNode) UnmarshalJSON(b []byte) error {
	type plain FlowInstanceNode
	if err := decodeTolerant(b, (*plain)(f)); err != nil {
		return err
	}
	f.FlowInstID = string(f.FlowInstanceID)
	if !statusGiven(b) {
		f.Status = StatusUnknown
	}
	return nil
}

// FlowInstanceGraph is the former name of FlowInstanceNode.
//
// Deprecated: use FlowInstanceNode.
type FlowInstanceGraph = FlowInstanceNode

// Relation is an edge of a flow or instance graph: Target runs after Source.
type Relation struct {
	// Source and Target are node ids ("t_108580" for a task, "f_3377" for a flow).
	Source string `json:"source"`
	Target string `json:"target"`
	// CycleGap is "{cycle}{offset}", e.g. "D0": which cycle of Source Target waits for.
	CycleGap string `json:"cycleGap"`
	// Rerun reports whether Target runs again when Source is rerun.
	Rerun bool `json:"rerun"`
}

// UnmarshalJSON decodes a relation in any form the service writes (see the package doc, Decoding).
func (r *Relation) UnmarshalJSON(b []byte) error {
	type plain Relation
	return decodeTolerant(b, (*plain)(r))
}

// GetFlowInstanceRequest is the input of Client.GetFlowInstance.
type GetFlowInstanceRequest struct {
	FlowInstanceID FlowInstanceID // required
	OrgID, UserID  string         // empty: the client's defaults
}

type flowInstanceQuery struct {
	userQuery
	FlowInstID string `url:"flowInstId"`
}

// GetFlowInstance returns a flow instance: its status, times and graph (Get Flow Instance:
// GET /batch-processing-service/v2.1/flowInstances?action=get).
//
// EnOS API docs: https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/get_flow_instance.html
func (c *Client) GetFlowInstance(ctx context.Context, req GetFlowInstanceRequest, opts ...CallOption) (*FlowInstance, error) {
	const op = "GetFlowInstance"
	q, err := c.userQuery(ctx, op, "get", req.OrgID, req.UserID)
	if err != nil {
		return nil, err
	}
	if err := checkFlowInstanceID(op, req.FlowInstanceID); err != nil {
		return nil, err
	}
	a := &askedInstance{asked: req.FlowInstanceID}
	err = c.do(ctx, call{op: op, rule: ruleRead, method: http.MethodGet, path: flowInstancesPath,
		query: flowInstanceQuery{q, string(req.FlowInstanceID)}, check: a}.withOptions(opts), &a.result)
	if err != nil {
		return nil, err
	}
	fi := a.result.instance()
	return &fi, nil
}

// askedInstance is the result of Get Flow Instance with the id it asked for, to check it
// against: a wait must never report another run's end as its own.
type askedInstance struct {
	asked  FlowInstanceID
	result flowInstanceWire
}

// checkResult checks that the result is the instance asked for.
func (a *askedInstance) checkResult() error {
	if id := a.result.FlowInstanceID; id != a.asked {
		return fmt.Errorf("the response is instance %q; %q was asked for", string(id), string(a.asked))
	}
	return nil
}

func checkFlowInstanceID(op string, id FlowInstanceID) error {
	if _, _, err := id.parse(); err != nil {
		return invalid(op, "FlowInstanceID", err.Error())
	}
	return nil
}

// CancelFlowInstanceRequest is the input of Client.CancelFlowInstance.
type CancelFlowInstanceRequest struct {
	FlowInstanceID FlowInstanceID // required
	OrgID, UserID  string         // empty: the client's defaults; the user must own the instance
}

// CancelFlowInstance cancels a flow instance (Cancel Flow Instance: POST
// /batch-processing-service/v2.1/flowInstances?action=cancel). Jobs already handed to the
// batch engine may still finish.
//
// EnOS API docs: https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/cancel_flow_instance.html
func (c *Client) CancelFlowInstance(ctx context.Context, req CancelFlowInstanceRequest, opts ...CallOption) error {
	const op = "CancelFlowInstance"
	q, err := c.userQuery(ctx, op, "cancel", req.OrgID, req.UserID)
	if err != nil {
		return err
	}
	if err := checkFlowInstanceID(op, req.FlowInstanceID); err != nil {
		return err
	}
	body := struct {
		FlowInstID string `json:"flowInstId"`
	}{string(req.FlowInstanceID)}
	return c.do(ctx, call{op: op, rule: ruleOnce, method: http.MethodPost, path: flowInstancesPath, query: q, body: body}.withOptions(opts), nil)
}
