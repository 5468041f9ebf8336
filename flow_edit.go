package batchprocessing

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// This file holds the operations that edit flows: Save Flow, Load Flow For Edit, Export
// Flow and Import Flow.

// SaveFlowRequest is the input of Client.SaveFlow: the definition of a flow, as
// https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/save_flow.html
// documents it. Name, Freq and Cycle are required, and SaveFlow refuses before sending
// what the documentation rules out (a Freq of other than 7 fields, a StartTime neither
// yyyy-MM-dd nor empty, an AlertMode outside 0-3); the other fields are sent as they are,
// so an empty Desc or Queue clears it. The optional lists are sent only when not
// nil: nil Parameters, Tasks, Flows or Relations leave the flow's own, an empty non-nil
// slice clears them.
type SaveFlowRequest struct {
	FlowID     int64       // required: the flow to save
	Type       FlowType    // FlowTypeManual, FlowTypePeriodic or FlowTypeTemporary
	Name       string      // required: the flow's name
	Desc       string      // description; empty clears it
	Freq       string      // 7-field Quartz cron, e.g. "0 0 0 * * ? *"
	Cycle      string      // M, W, D, H or mi
	StartTime  string      // effective date, yyyy-MM-dd; empty for none, as LoadFlowForEdit may give it
	Active     bool        // scheduling started
	AlertMode  int         // 0 none, 1 email, 2 SMS, 3 both
	DoAs       string      // the account the tasks execute as (the organization's big-data account)
	Owners     string      // ';'-separated user names
	Visitors   string      // ';'-separated user names
	Queue      string      // the computing queue the tasks run in; empty clears it
	Parameters []Parameter // the global parameters; nil leaves the flow's own
	Tasks      []TaskNode  // the task nodes of the graph; nil leaves the flow's own
	Flows      []FlowNode  // the nodes that stand for other flows; nil leaves the flow's own
	Relations  []Relation  // the edges between the nodes (by NodeID); nil leaves the flow's own
	// OrgID and UserID: empty takes the client's defaults. The user must own the flow.
	OrgID, UserID string
}

// saveFlowBody is Save Flow's body. parameters is sent as a string holding the JSON list,
// as Envision's sample does ("parameters": "[]"); the documentation's type, "Map", does not
// say which encoding, and this is the one the service itself returns.
type saveFlowBody struct {
	ID         int64        `json:"id"`
	Type       int          `json:"type"`
	Name       string       `json:"name"`
	Freq       string       `json:"freq"`
	Cycle      string       `json:"cycle"`
	AlertMode  int          `json:"alertMode"`
	DoAs       string       `json:"doAs"`
	Owners     string       `json:"owners"`
	Visitors   string       `json:"visitors"`
	StartTime  string       `json:"startTime"`
	Active     int          `json:"active"`
	Parameters EmbeddedJSON `json:"parameters,omitempty"`
	Desc       string       `json:"desc"`
	Queue      string       `json:"queue"`
	Tasks      *[]TaskNode  `json:"tasks,omitempty"`
	Flows      *[]FlowNode  `json:"flows,omitempty"`
	Relations  *[]Relation  `json:"relations,omitempty"`
}

// flowIDData is the data of Save Flow and Import Flow: {"flowId": 2841}.
type flowIDData struct {
	FlowID flexInt `json:"flowId"`
}

func (d *flowIDData) validate() error {
	if d.FlowID <= 0 {
		return errors.New("no flowId in the data")
	}
	return nil
}

// SaveFlow saves the definition of a flow and returns its id (Save Flow: POST
// /batch-processing-service/v2.1/flows?action=save).
//
// EnOS API docs: https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/save_flow.html
func (c *Client) SaveFlow(ctx context.Context, req SaveFlowRequest, opts ...CallOption) (int64, error) {
	const op = "SaveFlow"
	q, err := c.userQuery(ctx, op, "save", req.OrgID, req.UserID)
	if err != nil {
		return 0, err
	}
	if err := req.check(op); err != nil {
		return 0, err
	}
	var params EmbeddedJSON
	if req.Parameters != nil {
		if params, err = encodeParameters(op, req.Parameters); err != nil {
			return 0, err
		}
	}
	body := saveFlowBody{
		ID: req.FlowID, Type: int(req.Type), Name: req.Name, Freq: req.Freq, Cycle: req.Cycle,
		AlertMode: req.AlertMode, DoAs: req.DoAs, Owners: req.Owners, Visitors: req.Visitors,
		StartTime: req.StartTime, Active: boolToInt(req.Active), Parameters: params, Desc: req.Desc,
		Queue: req.Queue, Tasks: sentIfSet(req.Tasks), Flows: sentIfSet(req.Flows), Relations: sentIfSet(req.Relations),
	}
	var data flowIDData
	if err := c.do(ctx, call{op: op, rule: ruleRead, method: http.MethodPost, path: flowsPath, query: q, body: body}.withOptions(opts), &data); err != nil {
		return 0, err
	}
	return int64(data.FlowID), nil
}

// check refuses what Save Flow's documentation rules out: the mandatory fields empty, a
// freq that is not a 7-field cron, a start date not yyyy-MM-dd, an alert mode or type out
// of range.
func (req *SaveFlowRequest) check(op string) error {
	switch {
	case req.FlowID <= 0:
		return invalid(op, "FlowID", "must be positive, got "+itoa(req.FlowID))
	case strings.TrimSpace(req.Name) == "":
		return invalid(op, "Name", "empty")
	case len(strings.Fields(req.Freq)) != 7:
		return invalid(op, "Freq", strconv.Quote(req.Freq)+": want a 7-field Quartz cron such as \"0 0 0 * * ? *\"")
	case !validCycle(req.Cycle):
		return invalid(op, "Cycle", `must be "M", "W", "D", "H" or "mi", got `+strconv.Quote(req.Cycle))
	case req.StartTime != "" && !isDate(req.StartTime):
		// The documentation marks startTime mandatory and types it yyyy-MM-dd; a flow
		// without an effective date loads with an empty one, and saves it back as it is.
		return invalid(op, "StartTime", strconv.Quote(req.StartTime)+": want a date, yyyy-MM-dd, or empty for none")
	case req.Type < FlowTypeManual || req.Type > FlowTypeTemporary:
		return invalid(op, "Type", "must be FlowTypeManual, FlowTypePeriodic or FlowTypeTemporary")
	case req.AlertMode < 0 || req.AlertMode > 3:
		return invalid(op, "AlertMode", "must be 0 (none), 1 (email), 2 (SMS) or 3 (both), got "+strconv.Itoa(req.AlertMode))
	}
	return nil
}

// isDate reports whether s is a date written yyyy-MM-dd.
func isDate(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

// LoadFlowForEdit loads a flow into a draft for editing and returns it (Load Flow For Edit:
// GET /batch-processing-service/v2.1/flows?action=loadForEdit).
//
// EnOS API docs: https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/load_flow_for_edit.html
func (c *Client) LoadFlowForEdit(ctx context.Context, req FlowRequest, opts ...CallOption) (*Flow, error) {
	return c.getFlow(ctx, "LoadFlowForEdit", "loadForEdit", req, opts)
}

// ExportedFlow is the portable definition of a flow that Export Flow returns and Import
// Flow takes (https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/export_flow.html).
type ExportedFlow struct {
	// Name and Desc are the flow's name and description.
	Name string `json:"name"`
	Desc string `json:"desc"`
	// Type is the scheduling type: manual, periodic or temporary.
	Type FlowType `json:"type"`
	// Cycle is the scheduling period: M, W, D, H or mi.
	Cycle string `json:"cycle"`
	// Cron is the schedule, a 7-field Quartz cron expression.
	Cron string `json:"cron"`
	// StartTime is the date from which the schedule applies (yyyy-MM-dd).
	StartTime string `json:"startTime"`
	// AlertMode: 0 none, 1 email, 2 SMS, 3 both.
	AlertMode int `json:"alertMode"`
	// SyncType is 0 for file synchronization, 1 for data synchronization.
	SyncType int `json:"syncType"`
	// Submitter is the account the tasks execute as (the flow's doAs).
	Submitter string `json:"submitter"`
	// Owners and Visitors list the users who own and who may read the flow, ';'-separated.
	Owners   string `json:"owners"`
	Visitors string `json:"visitors"`
	// Parameters are the global parameters, a JSON list of key and value (see
	// DecodeParameters).
	Parameters EmbeddedJSON `json:"parameters"`
	// Tasks are the flow's tasks with their settings; Relations the edges between them.
	Tasks []ExportedTask `json:"tasks"`
	// FlowLinks and TaskLinks are what the flow depends on outside itself: other flows, and
	// tasks of other flows. LinkRelations say which of its tasks wait for each link.
	FlowLinks     []FlowLink     `json:"flowLinks"`
	TaskLinks     []TaskLink     `json:"taskLinks"`
	Relations     []TaskRelation `json:"relations"`
	LinkRelations []LinkRelation `json:"linkRelations"`
}

// UnmarshalJSON decodes an exported flow in any form the service writes (see the package doc, Decoding).
func (e *ExportedFlow) UnmarshalJSON(b []byte) error {
	type plain ExportedFlow
	return decodeTolerant(b, (*plain)(e))
}

func (e *ExportedFlow) validate() error {
	if e.Name == "" {
		return errors.New("no name in the exported flow")
	}
	return nil
}

// DecodeParameters returns the exported flow's global parameters.
func (e *ExportedFlow) DecodeParameters() ([]Parameter, error) { return decodeParameters(e.Parameters) }

// ExportedTask is a task of an exported flow.
type ExportedTask struct {
	// Name is the task's name, by which the flow's relations refer to it.
	Name string `json:"name"`
	// Type is kept as sent: the documentation says a number (0 data integration, 3 SHELL,
	// ...), samples send names ("COMMAND"); either survives an export-import round trip.
	Type json.RawMessage `json:"type,omitempty"`
	// Resource names the resource the task waits for, if any.
	Resource string `json:"resource"`
	// SyncType is 0 for file synchronization, 1 for data synchronization.
	SyncType int `json:"syncType"`
	// Cmd is the command the task runs.
	Cmd string `json:"cmd"`
	// Submitter is the account the task executes as.
	Submitter string `json:"submitter"`
	// FilePackage is the resource file the task runs from.
	FilePackage string `json:"filePackage"`
	// Cron is the task's own schedule, if it has one.
	Cron string `json:"cron"`
	// PriorityLevel orders tasks waiting for resources (higher first).
	PriorityLevel int `json:"priorityLevel"`
	// Timeout is the task's time limit in seconds.
	Timeout int `json:"timeout"`
	// RetryLimit is how many retries are allowed; RetryInterval the pause between two, in
	// seconds.
	RetryLimit    int `json:"retryLimit"`
	RetryInterval int `json:"retryInterval"`
	// SuccessCode and WaitCode are the exit codes that mean success and "wait and retry".
	SuccessCode string `json:"successCode"`
	WaitCode    string `json:"waitCode,omitempty"`
	// AsLink reports a task that stands for a task of another flow.
	AsLink bool `json:"asLink"`
	// RunMode is the task's resource setting; Decode it into a RunMode.
	RunMode EmbeddedJSON `json:"runMode"`
}

// UnmarshalJSON decodes an exported task in any form the service writes (see the package doc, Decoding).
func (t *ExportedTask) UnmarshalJSON(b []byte) error {
	type plain ExportedTask
	return decodeTolerant(b, (*plain)(t))
}

// FlowLink is an exported flow's link to another flow.
type FlowLink struct {
	// LinkID names the link in the flow's LinkRelations.
	LinkID string `json:"linkId"`
	// SourceFlowName is the flow depended on.
	SourceFlowName string `json:"sourceFlowName"`
}

// TaskLink is an exported flow's link to a task of another flow.
type TaskLink struct {
	// LinkID names the link in the flow's LinkRelations.
	LinkID string `json:"linkId"`
	// SourceFlowName and SourceTaskName name the task depended on and its flow.
	SourceFlowName string `json:"sourceFlowName"`
	SourceTaskName string `json:"sourceTaskName"`
}

// TaskRelation is an edge between two tasks of an exported flow, by task name.
type TaskRelation struct {
	// SourceTaskName is the upstream task; TargetTaskName runs after it.
	SourceTaskName string `json:"sourceTaskName"`
	TargetTaskName string `json:"targetTaskName"`
	// Rerun reports whether the target runs again when the source is rerun.
	Rerun bool `json:"rerun"`
}

// UnmarshalJSON decodes a relation in any form the service writes (see the package doc, Decoding).
func (r *TaskRelation) UnmarshalJSON(b []byte) error {
	type plain TaskRelation
	return decodeTolerant(b, (*plain)(r))
}

// LinkRelation is an edge from a link to a task of an exported flow.
type LinkRelation struct {
	// LinkID is the FlowLink or TaskLink depended on; TargetTaskName the task that waits for it.
	LinkID         string `json:"linkId"`
	TargetTaskName string `json:"targetTaskName"`
	// Rerun reports whether the target runs again when the link's source is rerun.
	Rerun bool `json:"rerun"`
}

// UnmarshalJSON decodes a relation in any form the service writes (see the package doc, Decoding).
func (r *LinkRelation) UnmarshalJSON(b []byte) error {
	type plain LinkRelation
	return decodeTolerant(b, (*plain)(r))
}

// ExportFlow returns the portable definition of a flow (Export Flow: GET
// /batch-processing-service/v2.1/flows?action=export), ready for ImportFlow.
//
// EnOS API docs: https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/export_flow.html
func (c *Client) ExportFlow(ctx context.Context, req FlowRequest, opts ...CallOption) (*ExportedFlow, error) {
	const op = "ExportFlow"
	q, err := c.flowRequest(ctx, op, "export", req)
	if err != nil {
		return nil, err
	}
	var e ExportedFlow
	if err := c.do(ctx, call{op: op, rule: ruleRead, method: http.MethodGet, path: flowsPath, query: flowQuery{q, req.FlowID}}.withOptions(opts), &e); err != nil {
		return nil, err
	}
	return &e, nil
}

// ImportFlowRequest is the input of Client.ImportFlow.
type ImportFlowRequest struct {
	// FlowID is the id wished for the new flow; 0 (or an id in use) lets the service choose.
	FlowID   int64
	FlowName string       // required
	Desc     string       // required by the service; may be empty
	DirID    string       // required: the id of the directory to create the flow in (WorkflowDirectory.Key)
	Flow     ExportedFlow // the definition, as ExportFlow returns it
	// OrgID and UserID: empty takes the client's defaults; the user owns the new flow.
	OrgID, UserID string
}

type importFlowBody struct {
	FlowID   int64        `json:"flowId,omitempty"`
	FlowName string       `json:"flowName"`
	Desc     string       `json:"desc"`
	DirID    string       `json:"dirId"`
	FlowJSON ExportedFlow `json:"flowJson"`
}

// ImportFlow creates a flow from an exported definition in a directory and returns its id
// (Import Flow: POST /batch-processing-service/v2.1/flows?action=import).
//
// EnOS API docs: https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/import_flow.html
func (c *Client) ImportFlow(ctx context.Context, req ImportFlowRequest, opts ...CallOption) (int64, error) {
	const op = "ImportFlow"
	q, err := c.userQuery(ctx, op, "import", req.OrgID, req.UserID)
	if err != nil {
		return 0, err
	}
	switch {
	case req.FlowID < 0:
		return 0, invalid(op, "FlowID", "must not be negative")
	case strings.TrimSpace(req.FlowName) == "":
		return 0, invalid(op, "FlowName", "empty")
	case strings.TrimSpace(req.DirID) == "":
		return 0, invalid(op, "DirID", "empty")
	}
	body := importFlowBody{FlowID: req.FlowID, FlowName: req.FlowName, Desc: req.Desc, DirID: req.DirID, FlowJSON: req.Flow}
	body.FlowJSON.Tasks = nonNil(body.FlowJSON.Tasks)
	body.FlowJSON.FlowLinks = nonNil(body.FlowJSON.FlowLinks)
	body.FlowJSON.TaskLinks = nonNil(body.FlowJSON.TaskLinks)
	body.FlowJSON.Relations = nonNil(body.FlowJSON.Relations)
	body.FlowJSON.LinkRelations = nonNil(body.FlowJSON.LinkRelations)
	var data flowIDData
	if err := c.do(ctx, call{op: op, rule: ruleOnce, method: http.MethodPost, path: flowsPath, query: q, body: body}.withOptions(opts), &data); err != nil {
		return 0, err
	}
	return int64(data.FlowID), nil
}

// encodeParameters turns parameters into the string-held JSON list the service uses.
func encodeParameters(op string, params []Parameter) (EmbeddedJSON, error) {
	for _, p := range params {
		if p.Key == "" {
			return nil, invalid(op, "Parameters", "a parameter without a key")
		}
	}
	b, err := json.Marshal(nonNil(params))
	if err != nil {
		return nil, err
	}
	return EmbeddedJSON(b), nil
}

func validCycle(c string) bool {
	switch c {
	case "M", "W", "D", "H", "mi":
		return true
	}
	return false
}

func boolToInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// sentIfSet returns a pointer to s, for a field sent as [] when s is empty but not nil,
// and left out when s is nil.
func sentIfSet[T any](s []T) *[]T {
	if s == nil {
		return nil
	}
	return &s
}

// nonNil returns s, or an empty slice for nil, so that JSON has [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
