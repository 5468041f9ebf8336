package batchprocessing

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// flowInstancesPath is the resource of the flow instance operations.
const flowInstancesPath = servicePath + "/flowInstances"

// FlowInstance is one run of a flow, as Get Flow Instance and List Flow Instances return it
// (https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/get_flow_instance.html).
// Times are the server's local times: Client.Time turns one into a time.Time. Graph and
// Parameters are JSON documents; read them with DecodeGraph and DecodeParameters.
type FlowInstance struct {
	FlowInstanceID FlowInstanceID `json:"instanceId"`
	FlowID         int64          `json:"flowId"`
	FlowName       string         `json:"flowName"`
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
	Graph  EmbeddedJSON       `json:"graph"`
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

// UnmarshalJSON decodes a flow instance tolerantly (see decodeTolerant).
func (fi *FlowInstance) UnmarshalJSON(b []byte) error {
	if err := decodeTolerant(b, (*flowInstanceWire)(fi)); err != nil {
		return err
	}
	fi.InstanceID = fi.FlowInstanceID
	return nil
}

// flowInstanceWire is FlowInstance without its methods: the request path decodes into it in
// one pass, sparing the second pass over the JSON that FlowInstance.UnmarshalJSON costs.
type flowInstanceWire FlowInstance

func (w *flowInstanceWire) instance() FlowInstance {
	fi := FlowInstance(*w)
	fi.InstanceID = fi.FlowInstanceID
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
	FlowID         int64          `json:"id"`
	FlowInstanceID FlowInstanceID `json:"instId" alias:"inst_id"`
	// Name is the flow's name.
	Name    string `json:"name"`
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
	AlertMode  int                `json:"alertMode" alias:"alert_mode"`
	Parameters EmbeddedJSON       `json:"parameters"`
	Tasks      []TaskInstanceNode `json:"tasks"`
	Flows      []FlowInstanceNode `json:"flows"`
	Relations  []Relation         `json:"relations"`

	// Deprecated: use FlowID, which holds the same id.
	ID int64 `json:"-"`
	// Deprecated: use FlowInstanceID, which holds the same id.
	InstID string `json:"-"`
}

// UnmarshalJSON decodes a graph tolerantly (see decodeTolerant).
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
	TaskID         int64          `json:"taskId" alias:"task_id"`
	TaskName       string         `json:"taskName" alias:"task_name"`
	TaskInstanceID TaskInstanceID `json:"taskInstId" alias:"task_inst_id"`
	// NodeID is the node's id in the graph's relations: "t_<taskId>".
	NodeID string `json:"nodeId" alias:"node_id"`
	// Status is the task's status in this run; the graph names it (SUCCESS, RUNNING, INIT,
	// NONE for a task that does not run in this instance).
	Status FlowInstanceStatus `json:"status"`
	// X and Y place the node in the console's drawing.
	X float64 `json:"x"`
	Y float64 `json:"y"`

	// Deprecated: use TaskInstanceID, which holds the same id.
	TaskInstID TaskInstanceID `json:"-"`
}

// UnmarshalJSON decodes a task node tolerantly (see decodeTolerant).
func (t *TaskInstanceNode) UnmarshalJSON(b []byte) error {
	type plain TaskInstanceNode
	if err := decodeTolerant(b, (*plain)(t)); err != nil {
		return err
	}
	t.TaskInstID = t.TaskInstanceID
	return nil
}

// TaskInstanceGraph is the former name of TaskInstanceNode.
//
// Deprecated: use TaskInstanceNode.
type TaskInstanceGraph = TaskInstanceNode

// FlowInstanceNode is a node of an instance graph that stands for another flow.
type FlowInstanceNode struct {
	FlowID         int64          `json:"flowId"`
	FlowName       string         `json:"flowName"`
	FlowInstanceID FlowInstanceID `json:"flowInstId"`
	// NodeID is the node's id in the graph's relations: "f_<flowId>".
	NodeID string `json:"nodeId"`
	// IsVirtual reports a virtual node: the flow's run is not awaited.
	IsVirtual bool               `json:"isVirtual"`
	Status    FlowInstanceStatus `json:"status"`
	// X and Y place the node in the console's drawing.
	X float64 `json:"x"`
	Y float64 `json:"y"`

	// Deprecated: use FlowInstanceID, which holds the same id.
	FlowInstID string `json:"-"`
}

// UnmarshalJSON decodes a flow node tolerantly (see decodeTolerant).
func (f *FlowInstanceNode) UnmarshalJSON(b []byte) error {
	type plain FlowInstanceNode
	if err := decodeTolerant(b, (*plain)(f)); err != nil {
		return err
	}
	f.FlowInstID = string(f.FlowInstanceID)
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

// UnmarshalJSON decodes a relation tolerantly (see decodeTolerant).
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
func (c *Client) GetFlowInstance(ctx context.Context, req GetFlowInstanceRequest, opts ...CallOption) (*FlowInstance, error) {
	const op = "GetFlowInstance"
	q, err := c.userQuery(ctx, op, "get", req.OrgID, req.UserID)
	if err != nil {
		return nil, err
	}
	if err := checkFlowInstanceID(op, req.FlowInstanceID); err != nil {
		return nil, err
	}
	var w flowInstanceWire
	err = c.do(ctx, call{op: op, rule: ruleRead, method: http.MethodGet, path: flowInstancesPath,
		query: flowInstanceQuery{q, string(req.FlowInstanceID)}}.withOptions(opts), &w)
	if err != nil {
		return nil, err
	}
	fi := w.instance()
	return &fi, nil
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

// FlowType is the scheduling type of a flow.
type FlowType int

// The scheduling types.
const (
	FlowTypeManual    FlowType = 0
	FlowTypePeriodic  FlowType = 1
	FlowTypeTemporary FlowType = 2
)

// Sort orders of a Sorter.
const (
	SortAscending  = "ASC"
	SortDescending = "DESC"
)

// Sort fields, in the spelling of the current documentation and Envision's samples. The
// 2.1 documentation spells them in camelCase (triggerTime); pass that as a string if your
// gateway wants it.
const (
	SortByTriggerTime = "trigger_time"
	SortByStartTime   = "start_time"
	SortByEndTime     = "end_time"
	SortByCreateTime  = "create_time"
	SortByUpdateTime  = "update_time"
)

// Sorter orders a listing by one field.
type Sorter struct {
	Field string `json:"field"`
	Order string `json:"order,omitempty"` // SortAscending (default) or SortDescending
}

// pagination is the Pagination struct of the listing bodies.
type pagination struct {
	PageNo   int      `json:"pageNo"`
	PageSize int      `json:"pageSize"`
	Sorters  []Sorter `json:"sorters,omitempty"`
}

// DefaultPageSize is the page size of listings that do not set one.
const DefaultPageSize = 50

// ListFlowInstancesRequest is the input of Client.ListFlowInstances.
type ListFlowInstancesRequest struct {
	// Type selects the scheduling type of the flows (FlowTypeManual by default).
	Type FlowType
	// Expression matches instance ids and flow names (fuzzy); empty: all related to the user.
	Expression string
	// Owner filters by owner user name; empty: any.
	Owner string
	// From and To bound the trigger times (inclusive). A zero To is now (the client's
	// clock); a zero From is seven days before To.
	From, To time.Time
	// Statuses filters by status; empty: every status.
	Statuses []FlowInstanceStatus
	// PageNo is the page, from 1 (0 means 1); PageSize its size (0 means DefaultPageSize).
	PageNo, PageSize int
	// Sorters order the result, e.g. {Field: SortByTriggerTime, Order: SortDescending}.
	Sorters []Sorter
	// OrgID and UserID: empty takes the client's defaults.
	OrgID, UserID string
}

// FlowInstancePage is one page of List Flow Instances.
type FlowInstancePage struct {
	FlowInstances []FlowInstance `json:"flowInsts"`
	// Count is the number of matching instances over all pages.
	Count int `json:"count"`
}

// UnmarshalJSON decodes a page tolerantly (see decodeTolerant).
func (p *FlowInstancePage) UnmarshalJSON(b []byte) error {
	var w flowInstancePageWire
	if err := decodeTolerant(b, &w); err != nil {
		return err
	}
	*p = w.page()
	return nil
}

// flowInstancePageWire is how a page is decoded; see flowInstanceWire.
type flowInstancePageWire struct {
	FlowInstances []flowInstanceWire `json:"flowInsts"`
	Count         int                `json:"count"`
}

func (w *flowInstancePageWire) validate() error {
	if w.FlowInstances == nil {
		return errors.New("no flowInsts in the data")
	}
	return nil
}

func (w *flowInstancePageWire) page() FlowInstancePage {
	p := FlowInstancePage{FlowInstances: make([]FlowInstance, len(w.FlowInstances)), Count: w.Count}
	for i := range w.FlowInstances {
		p.FlowInstances[i] = w.FlowInstances[i].instance()
	}
	return p
}

type listFlowInstancesBody struct {
	Type            int        `json:"type"`
	Expression      string     `json:"expression"`
	Owner           string     `json:"owner"`
	FromTriggerTime int64      `json:"fromTriggerTime"`
	ToTriggerTime   int64      `json:"toTriggerTime"`
	Status          string     `json:"status"`
	Pagination      pagination `json:"pagination"`
}

// allStatusCodes is the status filter of a listing that asks for every status: the field
// is mandatory.
var allStatusCodes = statusCodes([]FlowInstanceStatus{StatusFail, StatusInit, StatusSuccess, StatusRunning,
	StatusSuspend, StatusInternalError, StatusWait, StatusReady, StatusTimeout, StatusCancel, StatusRerun, StatusSkip})

// statusCodes is the status filter of a listing: the codes, comma-separated ("1,2,3").
func statusCodes(statuses []FlowInstanceStatus) string {
	codes := make([]string, len(statuses))
	for i, s := range statuses {
		codes[i] = strconv.Itoa(int(s))
	}
	return strings.Join(codes, ",")
}

// ListFlowInstances returns one page of the flow instances that match the request (List
// Flow Instances: POST /batch-processing-service/v2.1/flowInstances?action=search). Use
// ListFlowInstancesIter to go through every page.
func (c *Client) ListFlowInstances(ctx context.Context, req ListFlowInstancesRequest, opts ...CallOption) (*FlowInstancePage, error) {
	const op = "ListFlowInstances"
	q, err := c.userQuery(ctx, op, "search", req.OrgID, req.UserID)
	if err != nil {
		return nil, err
	}
	body, err := c.listFlowInstancesBody(op, req)
	if err != nil {
		return nil, err
	}
	var w flowInstancePageWire
	if err := c.do(ctx, call{op: op, rule: ruleRead, method: http.MethodPost, path: flowInstancesPath, query: q, body: body}.withOptions(opts), &w); err != nil {
		return nil, err
	}
	page := w.page()
	return &page, nil
}

func (c *Client) listFlowInstancesBody(op string, req ListFlowInstancesRequest) (listFlowInstancesBody, error) {
	if req.Type < FlowTypeManual || req.Type > FlowTypeTemporary {
		return listFlowInstancesBody{}, invalid(op, "Type", "must be FlowTypeManual, FlowTypePeriodic or FlowTypeTemporary")
	}
	to := req.To
	if to.IsZero() {
		to = c.clock.Now()
	}
	from := req.From
	if from.IsZero() {
		from = to.Add(-7 * 24 * time.Hour)
	}
	if from.After(to) {
		return listFlowInstancesBody{}, invalid(op, "From", "after To")
	}
	page, err := checkPage(op, req.PageNo, req.PageSize, req.Sorters)
	if err != nil {
		return listFlowInstancesBody{}, err
	}
	status := allStatusCodes
	if len(req.Statuses) > 0 {
		status = statusCodes(req.Statuses)
	}
	return listFlowInstancesBody{
		Type:            int(req.Type),
		Expression:      req.Expression,
		Owner:           req.Owner,
		FromTriggerTime: from.UnixMilli(),
		ToTriggerTime:   to.UnixMilli(),
		Status:          status,
		Pagination:      page,
	}, nil
}

// checkPage validates and completes paging input.
func checkPage(op string, pageNo, pageSize int, sorters []Sorter) (pagination, error) {
	switch {
	case pageNo < 0:
		return pagination{}, invalid(op, "PageNo", "must not be negative")
	case pageSize < 0:
		return pagination{}, invalid(op, "PageSize", "must not be negative")
	}
	for _, s := range sorters {
		if s.Field == "" {
			return pagination{}, invalid(op, "Sorters", "a sorter without a field")
		}
		if s.Order != "" && s.Order != SortAscending && s.Order != SortDescending {
			return pagination{}, invalid(op, "Sorters", `order must be "ASC" or "DESC", got `+strconv.Quote(s.Order))
		}
	}
	if pageNo == 0 {
		pageNo = 1
	}
	if pageSize == 0 {
		pageSize = DefaultPageSize
	}
	return pagination{PageNo: pageNo, PageSize: pageSize, Sorters: sorters}, nil
}

// ListFlowInstancesIter returns every flow instance that matches the request, page after
// page from req.PageNo. It stops at the first error (yielded once, with a zero instance),
// when the caller stops, or when the context ends. An instance that a later page repeats
// (the listing shifted while it was read) is yielded once.
//
// It does not trust the service to make progress: a page that brings no instance not seen
// before, or an empty page while the count says more remain, ends the listing with an
// unexpected-response *APIError (ErrUnexpectedResponse).
func (c *Client) ListFlowInstancesIter(ctx context.Context, req ListFlowInstancesRequest) iter.Seq2[FlowInstance, error] {
	return func(yield func(FlowInstance, error) bool) {
		if req.To.IsZero() {
			// Fix the window once, so that pages do not shift while the clock moves.
			req.To = c.clock.Now()
		}
		if req.PageNo == 0 {
			req.PageNo = 1
		}
		size := req.PageSize
		if size == 0 {
			size = DefaultPageSize
		}
		seen := map[FlowInstanceID]bool{}
		for {
			if ctx != nil && ctx.Err() != nil {
				yield(FlowInstance{}, ctx.Err())
				return
			}
			page, err := c.ListFlowInstances(ctx, req)
			if err == nil {
				err = checkProgress(req.PageNo, size, page, seen)
			}
			if err != nil {
				yield(FlowInstance{}, err)
				return
			}
			for _, fi := range page.FlowInstances {
				if seen[fi.InstanceID] {
					continue
				}
				seen[fi.InstanceID] = true
				if !yield(fi, nil) {
					return
				}
			}
			// Stop after a short page, or when this page reaches the total count.
			if n := len(page.FlowInstances); n < size || (req.PageNo-1)*size+n >= page.Count {
				return
			}
			req.PageNo++
		}
	}
}

// checkProgress checks that page number pageNo of a listing brings something new: an
// empty page while the count says more remain, or a page of instances all seen before,
// means the service is not paging, and reading on would never end.
func checkProgress(pageNo, size int, page *FlowInstancePage, seen map[FlowInstanceID]bool) error {
	var why string
	switch {
	case len(page.FlowInstances) == 0 && (pageNo-1)*size < page.Count:
		why = "is empty"
	case len(page.FlowInstances) > 0 && !slices.ContainsFunc(page.FlowInstances, func(fi FlowInstance) bool { return !seen[fi.InstanceID] }):
		why = "repeats instances of earlier pages"
	default:
		return nil
	}
	return &APIError{Operation: "ListFlowInstances", Method: http.MethodPost, Path: flowInstancesPath, HTTPStatus: http.StatusOK,
		Unexpected: true, Err: fmt.Errorf("page %d %s while the count says %d instances match: the service is not paging", pageNo, why, page.Count)}
}
