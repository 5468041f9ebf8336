package batchprocessing

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
)

// This file holds the operations that read and manage stored flows: Get Flow, Get My Flow,
// Search Flow, Enable Flow, Disable Flow and Delete Flow.

// Flow is a stored workflow, as Get Flow and Load Flow For Edit return it (spec section 3.2).
type Flow struct {
	FlowID       int64        `json:"flowId"`
	FlowName     string       `json:"flowName"`
	Desc         string       `json:"desc"`
	Active       int          `json:"active"` // scheduling: 0 paused, 1 started
	Type         FlowType     `json:"type"`
	Cycle        string       `json:"cycle"` // M, W, D, H or mi
	Freq         string       `json:"freq"`  // 7-field Quartz cron
	Parameters   EmbeddedJSON `json:"parameters"`
	Graph        EmbeddedJSON `json:"graph"`
	Owner        string       `json:"owner"`   // ';'-separated user names
	Visitor      string       `json:"visitor"` // ';'-separated user names
	DoAs         string       `json:"doAs"`
	AlertMode    int          `json:"alertMode"`
	Entry        int          `json:"entry"`    // 0 Portal, 1 API, 2 eos
	SyncType     int          `json:"syncType"` // 0 file, 1 data synchronization
	Queue        string       `json:"queue"`
	Creator      string       `json:"creator"`
	CreateTime   ServerTime   `json:"createTime"`
	UpdateUser   string       `json:"updateUser"`
	UpdateTime   ServerTime   `json:"updateTime"`
	StartTime    ServerTime   `json:"startTime"` // effective date
	Virtual      bool         `json:"virtual"`
	Locked       bool         `json:"locked"`
	HasEditPri   bool         `json:"hasEditPri"`
	HasReadPri   bool         `json:"hasReadPri"`
	IsUserLocked bool         `json:"isUserLocked"`
}

// UnmarshalJSON decodes a flow, accepting its numbers as numbers or strings.
func (f *Flow) UnmarshalJSON(b []byte) error {
	type plain Flow
	aux := struct {
		*plain
		FlowID    flexInt `json:"flowId"`
		Active    flexInt `json:"active"`
		Type      flexInt `json:"type"`
		AlertMode flexInt `json:"alertMode"`
		Entry     flexInt `json:"entry"`
		SyncType  flexInt `json:"syncType"`
	}{plain: (*plain)(f)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	f.FlowID, f.Active, f.Type = int64(aux.FlowID), int(aux.Active), FlowType(aux.Type)
	f.AlertMode, f.Entry, f.SyncType = int(aux.AlertMode), int(aux.Entry), int(aux.SyncType)
	return nil
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
	Name       string       `json:"name"`
	Desc       string       `json:"desc"`
	Type       FlowType     `json:"type"`
	Active     int          `json:"active"`
	Cycle      string       `json:"cycle"`
	Freq       string       `json:"freq"`
	StartTime  string       `json:"startTime"`
	Creator    string       `json:"creator"`
	Owners     string       `json:"owners"`
	Visitors   string       `json:"visitors"`
	DoAs       string       `json:"doAs"`
	AlertMode  int          `json:"alertMode"`
	SyncType   int          `json:"syncType"`
	Queue      string       `json:"queue"`
	Parameters EmbeddedJSON `json:"parameters"`
	Tasks      []TaskNode   `json:"tasks"`
	Flows      []FlowNode   `json:"flows"`
	Relations  []Relation   `json:"relations"`
}

// UnmarshalJSON decodes a flow graph, accepting its numbers as numbers or strings.
func (g *FlowGraph) UnmarshalJSON(b []byte) error {
	type plain FlowGraph
	aux := struct {
		*plain
		Type      flexInt `json:"type"`
		Active    flexInt `json:"active"`
		AlertMode flexInt `json:"alertMode"`
		SyncType  flexInt `json:"syncType"`
	}{plain: (*plain)(g)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	g.Type, g.Active, g.AlertMode, g.SyncType = FlowType(aux.Type), int(aux.Active), int(aux.AlertMode), int(aux.SyncType)
	return nil
}

// TaskNode is a task node of a flow graph (TaskSimpleInfo). Its ids are strings, as
// documented; decoding also accepts numbers.
type TaskNode struct {
	TaskID   string  `json:"taskId"`
	TaskName string  `json:"taskName"`
	NodeID   string  `json:"nodeId"` // "t_<taskId>"
	X        float64 `json:"x"`
	Y        float64 `json:"y"`
}

// UnmarshalJSON decodes a task node, accepting taskId as a string or a number and the
// snake_case names of older samples (task_id, task_name, node_id).
func (t *TaskNode) UnmarshalJSON(b []byte) error {
	type plain TaskNode
	aux := struct {
		*plain
		TaskID      flexText `json:"taskId"`
		TaskIDOld   flexText `json:"task_id"`
		TaskNameOld string   `json:"task_name"`
		NodeIDOld   string   `json:"node_id"`
	}{plain: (*plain)(t)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	t.TaskID = firstNonEmpty(string(aux.TaskID), string(aux.TaskIDOld))
	t.TaskName = firstNonEmpty(t.TaskName, aux.TaskNameOld)
	t.NodeID = firstNonEmpty(t.NodeID, aux.NodeIDOld)
	return nil
}

// FlowNode is a node of a flow graph that stands for another flow (FlowSimpleInfo).
type FlowNode struct {
	FlowID    string  `json:"flowId"`
	FlowName  string  `json:"flowName"`
	NodeID    string  `json:"nodeId"` // "f_<flowId>"
	IsVirtual bool    `json:"isVirtual"`
	X         float64 `json:"x"`
	Y         float64 `json:"y"`
}

// UnmarshalJSON decodes a flow node, accepting flowId as a string or a number and the
// snake_case names of older samples (flow_id, flow_name, node_id).
func (f *FlowNode) UnmarshalJSON(b []byte) error {
	type plain FlowNode
	aux := struct {
		*plain
		FlowID      flexText `json:"flowId"`
		FlowIDOld   flexText `json:"flow_id"`
		FlowNameOld string   `json:"flow_name"`
		NodeIDOld   string   `json:"node_id"`
	}{plain: (*plain)(f)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	f.FlowID = firstNonEmpty(string(aux.FlowID), string(aux.FlowIDOld))
	f.FlowName = firstNonEmpty(f.FlowName, aux.FlowNameOld)
	f.NodeID = firstNonEmpty(f.NodeID, aux.NodeIDOld)
	return nil
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
func (c *Client) GetFlow(ctx context.Context, req FlowRequest) (*Flow, error) {
	return c.getFlow(ctx, "GetFlow", "get", req)
}

func (c *Client) getFlow(ctx context.Context, op, action string, req FlowRequest) (*Flow, error) {
	q, err := c.flowRequest(ctx, op, action, req)
	if err != nil {
		return nil, err
	}
	var f Flow
	if err := c.do(ctx, call{op: op, kind: readOnly, method: http.MethodGet, path: flowsPath, query: flowQuery{q, req.FlowID}}, &f); err != nil {
		return nil, err
	}
	return &f, nil
}

// MyFlow is an entry of Get My Flow.
type MyFlow struct {
	FlowID   int64  `json:"flowId"`
	FlowName string `json:"flowName"`
	Cycle    string `json:"cycle"`
	Editable bool   `json:"editable"`
}

// UnmarshalJSON decodes an entry, accepting flowId as a string (documented) or a number.
func (m *MyFlow) UnmarshalJSON(b []byte) error {
	type plain MyFlow
	aux := struct {
		*plain
		FlowID flexInt `json:"flowId"`
	}{plain: (*plain)(m)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	m.FlowID = int64(aux.FlowID)
	return nil
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
func (c *Client) GetMyFlows(ctx context.Context, req GetMyFlowsRequest) ([]MyFlow, error) {
	const op = "GetMyFlows"
	q, err := c.userQuery(ctx, op, "getMyFlow", req.OrgID, req.UserID)
	if err != nil {
		return nil, err
	}
	var flows []MyFlow
	if err := c.do(ctx, call{op: op, kind: readOnly, method: http.MethodGet, path: flowsPath, query: myFlowsQuery{q, req.Expression}}, &flows); err != nil {
		return nil, err
	}
	return flows, nil
}

// FlowSummary is an entry of Search Flow (PageFlow).
type FlowSummary struct {
	FlowID   int64  `json:"flowId"`
	FlowName string `json:"flowName"`
}

// UnmarshalJSON decodes an entry, accepting flowId as a number or a string.
func (s *FlowSummary) UnmarshalJSON(b []byte) error {
	type plain FlowSummary
	aux := struct {
		*plain
		FlowID flexInt `json:"flowId"`
	}{plain: (*plain)(s)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	s.FlowID = int64(aux.FlowID)
	return nil
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
func (c *Client) SearchFlows(ctx context.Context, req SearchFlowsRequest) ([]FlowSummary, error) {
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
	err = c.do(ctx, call{op: op, kind: readOnly, method: http.MethodPost, path: flowsPath, query: q,
		body: searchFlowsBody{Expression: req.Expression, Pagination: page}}, &flows)
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
func (c *Client) EnableFlow(ctx context.Context, req FlowRequest) error {
	return c.setScheduling(ctx, "EnableFlow", "enable", req)
}

// DisableFlow stops the scheduling of a flow (Disable Flow: POST
// /batch-processing-service/v2.1/flows?action=disable). The user must own the flow.
func (c *Client) DisableFlow(ctx context.Context, req FlowRequest) error {
	return c.setScheduling(ctx, "DisableFlow", "disable", req)
}

func (c *Client) setScheduling(ctx context.Context, op, action string, req FlowRequest) error {
	q, err := c.flowRequest(ctx, op, action, req)
	if err != nil {
		return err
	}
	return c.do(ctx, call{op: op, kind: idempotent, method: http.MethodPost, path: flowsPath, query: q, body: flowIDBody{req.FlowID}}, nil)
}

// DeleteFlow deletes a flow and its instances (Delete Flow: GET
// /batch-processing-service/v2.1/flows?action=delete; the service uses GET). The user must
// own the flow; a flow other flows depend on is refused with code 62104, which matches
// ErrFlowDependedOn.
func (c *Client) DeleteFlow(ctx context.Context, req FlowRequest) error {
	const op = "DeleteFlow"
	q, err := c.flowRequest(ctx, op, "delete", req)
	if err != nil {
		return err
	}
	return c.do(ctx, call{op: op, kind: oneShot, method: http.MethodGet, path: flowsPath, query: flowQuery{q, req.FlowID}}, nil)
}
