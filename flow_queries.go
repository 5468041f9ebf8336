package batchprocessing

import (
	"context"
	"errors"
	"net/http"
)

// This file holds the operations that read and manage stored flows: Get Flow, Get My Flow,
// Search Flow, Enable Flow, Disable Flow and Delete Flow.

// Flow is a stored workflow, as Get Flow and Load Flow For Edit return it
// (https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/get_flow.html).
type Flow struct {
	FlowID   int64  `json:"flowId"`
	FlowName string `json:"flowName"`
	Desc     string `json:"desc"`
	// Active reports whether the flow's schedule is started (the service sends 0 or 1).
	Active bool `json:"active"`
	// Type is the scheduling type: manual, periodic or temporary.
	Type FlowType `json:"type"`
	// Cycle is the scheduling period: M (month), W (week), D (day), H (hour) or mi (minute).
	Cycle string `json:"cycle"`
	// Freq is the schedule, a 7-field Quartz cron expression ("0 0 0 * * ? *").
	Freq string `json:"freq"`
	// Parameters are the global parameters (a JSON list; see DecodeParameters).
	Parameters EmbeddedJSON `json:"parameters"`
	// Graph holds the task nodes and their relations (see DecodeGraph).
	Graph EmbeddedJSON `json:"graph"`
	// Owner and Visitor list the users who own and who may read the flow, ';'-separated.
	Owner   string `json:"owner"`
	Visitor string `json:"visitor"`
	// DoAs is the account the tasks execute as.
	DoAs string `json:"doAs"`
	// AlertMode says how failures are reported: 0 none, 1 email, 2 SMS, 3 both.
	AlertMode int `json:"alertMode"`
	// Entry is where the flow was created: 0 the console, 1 the API, 2 EOS.
	Entry int `json:"entry"`
	// SyncType is 0 for file synchronization, 1 for data synchronization.
	SyncType int `json:"syncType"`
	// Queue is the resource queue the tasks run in.
	Queue string `json:"queue"`
	// Creator is the user name of the flow's creator; CreateTime when it was created, in the
	// server's time zone (Client.Time reads it).
	Creator    string     `json:"creator"`
	CreateTime ServerTime `json:"createTime"`
	// UpdateUser is the user who last changed the flow; UpdateTime when, in the server's zone.
	UpdateUser string     `json:"updateUser"`
	UpdateTime ServerTime `json:"updateTime"`
	// StartTime is the date from which the schedule applies (yyyy-MM-dd).
	StartTime ServerTime `json:"startTime"`
	// Virtual reports a virtual flow, whose tasks are marked done without running.
	Virtual bool `json:"virtual"`
	// Locked reports a locked flow: owner-only operations on it are refused (62105).
	Locked bool `json:"locked"`
	// HasEditPri and HasReadPri report whether the calling user may edit and read the flow.
	HasEditPri bool `json:"hasEditPri"`
	HasReadPri bool `json:"hasReadPri"`
	// IsUserLocked reports whether the calling user is locked.
	IsUserLocked bool `json:"isUserLocked"`
}

// UnmarshalJSON decodes a flow in any form the service writes (see the package doc, Decoding).
func (f *Flow) UnmarshalJSON(b []byte) error {
	type plain Flow
	return decodeTolerant(b, (*plain)(f))
}

func (f *Flow) validate() error {
	if f.FlowID == 0 {
		return errors.New("no flowId in the flow")
	}
	return nil
}

// DecodeParameters returns the flow's global parameters.
func (f *Flow) DecodeParameters() ([]Parameter, error) { return decodeParameters(f.Parameters) }

// DecodeGraph returns the flow's graph: its task nodes, flow nodes and relations.
func (f *Flow) DecodeGraph() (*FlowGraph, error) {
	var g FlowGraph
	if err := f.Graph.Decode(&g); err != nil {
		return nil, err
	}
	return &g, nil
}

// FlowGraph is the graph of a stored flow (Flow.Graph), also the shape Save Flow takes.
type FlowGraph struct {
	// Name and Desc are the flow's name and description.
	Name string `json:"name"`
	Desc string `json:"desc"`
	// Type is the scheduling type: manual, periodic or temporary.
	Type FlowType `json:"type"`
	// Active reports whether the schedule is started (the service sends 0 or 1).
	Active bool `json:"active"`
	// Cycle is the scheduling period: M, W, D, H or mi.
	Cycle string `json:"cycle"`
	// Freq is the schedule, a 7-field Quartz cron expression.
	Freq string `json:"freq"`
	// StartTime is the date from which the schedule applies (yyyy-MM-dd).
	StartTime string `json:"startTime"`
	// Creator is the user name of the flow's creator.
	Creator string `json:"creator"`
	// Owners and Visitors list the users who own and who may read the flow, ';'-separated.
	Owners   string `json:"owners"`
	Visitors string `json:"visitors"`
	// DoAs is the account the tasks execute as.
	DoAs string `json:"doAs"`
	// AlertMode: 0 none, 1 email, 2 SMS, 3 both.
	AlertMode int `json:"alertMode"`
	// SyncType is 0 for file synchronization, 1 for data synchronization.
	SyncType int `json:"syncType"`
	// Queue is the resource queue the tasks run in.
	Queue string `json:"queue"`
	// Parameters are the global parameters, a JSON list of key and value, as in
	// Flow.Parameters.
	Parameters EmbeddedJSON `json:"parameters"`
	// Tasks are the task nodes, Flows the nodes that stand for other flows, and Relations
	// the edges between nodes (by NodeID).
	Tasks     []TaskNode `json:"tasks"`
	Flows     []FlowNode `json:"flows"`
	Relations []Relation `json:"relations"`
}

// UnmarshalJSON decodes a flow graph in any form the service writes (see the package doc, Decoding).
func (g *FlowGraph) UnmarshalJSON(b []byte) error {
	type plain FlowGraph
	return decodeTolerant(b, (*plain)(g))
}

// TaskNode is a task node of a flow graph (TaskSimpleInfo). The documentation types its
// taskId as a string: it is sent as one, and read as a string or a number. Older samples
// spell its keys in snake_case; both spellings are read.
type TaskNode struct {
	TaskID   int64  `json:"taskId,string" alias:"task_id"`
	TaskName string `json:"taskName" alias:"task_name"`
	// NodeID is the node's id in the graph's relations: "t_<taskId>".
	NodeID string `json:"nodeId" alias:"node_id"`
	// X and Y place the node in the console's drawing.
	X float64 `json:"x"`
	Y float64 `json:"y"`
}

// UnmarshalJSON decodes a task node in any form the service writes (see the package doc, Decoding).
func (t *TaskNode) UnmarshalJSON(b []byte) error {
	type plain TaskNode
	return decodeTolerant(b, (*plain)(t))
}

// FlowNode is a node of a flow graph that stands for another flow (FlowSimpleInfo). Its
// flowId is sent as a string, as documented, and read as a string or a number.
type FlowNode struct {
	// FlowID and FlowName are the flow the node stands for.
	FlowID   int64  `json:"flowId,string" alias:"flow_id"`
	FlowName string `json:"flowName" alias:"flow_name"`
	// NodeID is the node's id in the graph's relations: "f_<flowId>".
	NodeID string `json:"nodeId" alias:"node_id"`
	// IsVirtual reports a virtual node: the flow's run is not awaited.
	IsVirtual bool `json:"isVirtual"`
	// X and Y place the node in the console's drawing.
	X float64 `json:"x"`
	Y float64 `json:"y"`
}

// UnmarshalJSON decodes a flow node in any form the service writes (see the package doc, Decoding).
func (f *FlowNode) UnmarshalJSON(b []byte) error {
	type plain FlowNode
	return decodeTolerant(b, (*plain)(f))
}

// FlowRequest names one stored flow: the input of GetFlow, LoadFlowForEdit, ExportFlow,
// EnableFlow, DisableFlow and DeleteFlow.
type FlowRequest struct {
	FlowID        int64  // required
	OrgID, UserID string // empty: the client's defaults
}

type flowQuery struct {
	userQuery
	FlowID int64 `url:"flowId"`
}

// flowRequest validates a FlowRequest and returns the query for action.
func (c *Client) flowRequest(ctx context.Context, op, action string, req FlowRequest) (userQuery, error) {
	q, err := c.userQuery(ctx, op, action, req.OrgID, req.UserID)
	if err != nil {
		return userQuery{}, err
	}
	if req.FlowID <= 0 {
		return userQuery{}, invalid(op, "FlowID", "must be positive, got "+itoa(req.FlowID))
	}
	return q, nil
}

// GetFlow returns a stored flow (Get Flow: GET /batch-processing-service/v2.1/flows?action=get).
// The user must belong to the flow's organization.
//
// EnOS API docs: https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/get_flow.html
func (c *Client) GetFlow(ctx context.Context, req FlowRequest, opts ...CallOption) (*Flow, error) {
	return c.getFlow(ctx, "GetFlow", "get", req, opts)
}

func (c *Client) getFlow(ctx context.Context, op, action string, req FlowRequest, opts []CallOption) (*Flow, error) {
	q, err := c.flowRequest(ctx, op, action, req)
	if err != nil {
		return nil, err
	}
	var f Flow
	if err := c.do(ctx, call{op: op, rule: ruleRead, method: http.MethodGet, path: flowsPath, query: flowQuery{q, req.FlowID}}.withOptions(opts), &f); err != nil {
		return nil, err
	}
	return &f, nil
}

// MyFlow is an entry of Get My Flow.
type MyFlow struct {
	FlowID   int64  `json:"flowId"`
	FlowName string `json:"flowName"`
	// Cycle is the scheduling period: M, W, D, H or mi.
	Cycle string `json:"cycle"`
	// Editable reports whether the user may edit the flow.
	Editable bool `json:"editable"`
}

// UnmarshalJSON decodes an entry tolerantly; flowId is documented as a string.
func (m *MyFlow) UnmarshalJSON(b []byte) error {
	type plain MyFlow
	return decodeTolerant(b, (*plain)(m))
}

// GetMyFlowsRequest is the input of Client.GetMyFlows.
type GetMyFlowsRequest struct {
	// Expression matches flow ids and names (fuzzy); empty: every flow related to the user.
	Expression    string
	OrgID, UserID string // empty: the client's defaults
}

type myFlowsQuery struct {
	userQuery
	Expression string `url:"expression,omitempty"`
}

// GetMyFlows returns the flows related to the user (Get My Flow: GET
// /batch-processing-service/v2.1/flows?action=getMyFlow).
//
// EnOS API docs: https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/get_my_flow.html
func (c *Client) GetMyFlows(ctx context.Context, req GetMyFlowsRequest, opts ...CallOption) ([]MyFlow, error) {
	const op = "GetMyFlows"
	q, err := c.userQuery(ctx, op, "getMyFlow", req.OrgID, req.UserID)
	if err != nil {
		return nil, err
	}
	var flows []MyFlow
	if err := c.do(ctx, call{op: op, rule: ruleRead, method: http.MethodGet, path: flowsPath, query: myFlowsQuery{q, req.Expression}}.withOptions(opts), &flows); err != nil {
		return nil, err
	}
	return flows, nil
}

// FlowSummary is an entry of Search Flow (PageFlow).
type FlowSummary struct {
	FlowID   int64  `json:"flowId"`
	FlowName string `json:"flowName"`
}

// UnmarshalJSON decodes an entry in any form the service writes (see the package doc, Decoding).
func (s *FlowSummary) UnmarshalJSON(b []byte) error {
	type plain FlowSummary
	return decodeTolerant(b, (*plain)(s))
}

// SearchFlowsRequest is the input of Client.SearchFlows.
type SearchFlowsRequest struct {
	// Expression matches flow ids and names (fuzzy); empty: every flow of the organization.
	Expression string
	// PageNo is the page, from 1 (0 means 1); PageSize its size (0 means DefaultPageSize).
	PageNo, PageSize int
	// Sorters order the result, e.g. {Field: SortByUpdateTime, Order: SortDescending}.
	Sorters       []Sorter
	OrgID, UserID string // empty: the client's defaults
}

type searchFlowsBody struct {
	Expression string     `json:"expression"`
	Pagination pagination `json:"pagination"`
}

// SearchFlows returns one page of the organization's flows that match the expression,
// other users' flows included (Search Flow: POST /batch-processing-service/v2.1/flows?action=search).
//
// EnOS API docs: https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/search_flow.html
func (c *Client) SearchFlows(ctx context.Context, req SearchFlowsRequest, opts ...CallOption) ([]FlowSummary, error) {
	const op = "SearchFlows"
	q, err := c.userQuery(ctx, op, "search", req.OrgID, req.UserID)
	if err != nil {
		return nil, err
	}
	page, err := checkPage(op, req.PageNo, req.PageSize, req.Sorters)
	if err != nil {
		return nil, err
	}
	var flows []FlowSummary
	err = c.do(ctx, call{op: op, rule: ruleRead, method: http.MethodPost, path: flowsPath, query: q,
		body: searchFlowsBody{Expression: req.Expression, Pagination: page}}.withOptions(opts), &flows)
	if err != nil {
		return nil, err
	}
	return flows, nil
}

type flowIDBody struct {
	FlowID int64 `json:"flowId"`
}

// EnableFlow starts the scheduling of a flow (Enable Flow: POST
// /batch-processing-service/v2.1/flows?action=enable). The user must own the flow.
//
// EnOS API docs: https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/enable_flow.html
func (c *Client) EnableFlow(ctx context.Context, req FlowRequest, opts ...CallOption) error {
	return c.setScheduling(ctx, "EnableFlow", "enable", req, opts)
}

// DisableFlow stops the scheduling of a flow (Disable Flow: POST
// /batch-processing-service/v2.1/flows?action=disable). The user must own the flow.
//
// EnOS API docs: https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/disable_flow.html
func (c *Client) DisableFlow(ctx context.Context, req FlowRequest, opts ...CallOption) error {
	return c.setScheduling(ctx, "DisableFlow", "disable", req, opts)
}

func (c *Client) setScheduling(ctx context.Context, op, action string, req FlowRequest, opts []CallOption) error {
	q, err := c.flowRequest(ctx, op, action, req)
	if err != nil {
		return err
	}
	return c.do(ctx, call{op: op, rule: ruleRead, method: http.MethodPost, path: flowsPath, query: q, body: flowIDBody{req.FlowID}}.withOptions(opts), nil)
}

// deleteFlowCodes: Delete Flow's 62104 means "relied on by other workflows".
var deleteFlowCodes = map[int]error{CodeFlowHasNoTask: ErrFlowDependedOn}

// DeleteFlow deletes a flow and its instances (Delete Flow: GET
// /batch-processing-service/v2.1/flows?action=delete; the service uses GET). The user must
// own the flow; a flow other flows depend on is refused with code 62104, which matches
// ErrFlowDependedOn.
//
// It is not safe to repeat, so it is sent once: not even Go's transport resends it, though
// it resends other GETs on a kept-alive connection that closed before the answer (or that
// failed before the request went out, or an HTTP/2 stream the server refused). Such a
// connection fails the call with a *TransportError, and the flow may have been deleted:
// GetFlow tells whether it is gone.
//
// EnOS API docs: https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/delete_flow.html
func (c *Client) DeleteFlow(ctx context.Context, req FlowRequest, opts ...CallOption) error {
	const op = "DeleteFlow"
	q, err := c.flowRequest(ctx, op, "delete", req)
	if err != nil {
		return err
	}
	return c.do(ctx, call{op: op, rule: ruleOnce, method: http.MethodGet, path: flowsPath, query: flowQuery{q, req.FlowID},
		codes: deleteFlowCodes}.withOptions(opts), nil)
}
