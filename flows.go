package batchprocessing

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// flowsPath is the resource of the flow operations.
const flowsPath = servicePath + "/flows"

// TriggerFlowRequest is the input of Client.TriggerFlow.
type TriggerFlowRequest struct {
	// FlowID is the id of the flow (workflow) to trigger. Required, positive.
	FlowID int64
	// TriggerTime is the business time of the run. A time before now runs the flow at once
	// (after any running instance of the same flow) and is passed to the flow's time
	// parameters; a later time schedules it. The zero value means now, on the gateway's
	// clock: the client's, corrected when the Date of a token answer or of a refused
	// timestamp shows it off by 30 s or more (this call's own token request or refusal
	// included). Any other time must lie from 1970 to 9999-12-31T09:59:59Z, what the
	// service can represent: the end of year 9999 in the zone furthest ahead, UTC+14. It
	// is sent in epoch milliseconds; the instance id carries it cut to the minute, in the
	// server's time zone.
	TriggerTime time.Time
	// OrgID is the organization id; empty takes the client's WithOrgID.
	OrgID string
	// UserID is the id of the user who triggers, who must own the flow; empty takes the
	// client's WithUserID.
	UserID string
}

// triggerFlowBody is the body of Trigger Flow
// (https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/trigger_flow.html).
type triggerFlowBody struct {
	FlowID      int64 `json:"flowId"`
	TriggerTime int64 `json:"triggerTime"`
}

// flowInstanceIDData is the data of the trigger operations: {"flowInstanceId": "..."}.
type flowInstanceIDData struct {
	FlowInstanceID string `json:"flowInstanceId"`
}

func (d *flowInstanceIDData) validate() error {
	if d.FlowInstanceID == "" {
		return errors.New("no flowInstanceId in the data")
	}
	if _, _, err := FlowInstanceID(d.FlowInstanceID).parse(); err != nil {
		return err
	}
	return nil
}

// TriggerFlow manually triggers one run of a flow and returns the id of the flow instance
// it creates (Trigger Flow: POST /batch-processing-service/v2.1/flows?action=trigger).
//
// The user must own the flow, and neither the user nor the flow may be locked. The
// service refuses a flow without tasks (ErrFlowHasNoTask) and a second trigger of the
// same flow for the same minute (ErrInvalidParameter). Invalid input (FlowID <= 0, no
// organization or user id, a nil context) fails with a *RequestError before any network call.
//
// EnOS API docs: https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/trigger_flow.html
func (c *Client) TriggerFlow(ctx context.Context, req TriggerFlowRequest, opts ...CallOption) (FlowInstanceID, error) {
	const op = "TriggerFlow"
	q, at, err := c.triggerInput(ctx, op, "trigger", req.FlowID, req.TriggerTime, req.OrgID, req.UserID)
	if err != nil {
		return "", err
	}
	return c.trigger(ctx, op, q, req.FlowID, at, triggerFlowBody{FlowID: req.FlowID, TriggerTime: at.millis()}, opts)
}

// TriggerFlowFromTaskRequest is the input of Client.TriggerFlowFromTask.
type TriggerFlowFromTaskRequest struct {
	FlowID int64 // required
	// TaskID is the task node to start from: it and its downstream tasks run. Required.
	TaskID int64
	// TriggerTime follows the rules of TriggerFlowRequest.TriggerTime; zero means now.
	TriggerTime   time.Time
	OrgID, UserID string // empty: the client's defaults
}

type triggerFlowFromTaskBody struct {
	FlowID      int64 `json:"flowId"`
	TaskID      int64 `json:"taskId"`
	TriggerTime int64 `json:"triggerTime"`
}

// TriggerFlowFromTask triggers a run of a flow in which only the given task and its
// downstream tasks run (Trigger Flow From Task: POST
// /batch-processing-service/v2.1/flows?action=triggerFromTask). Prerequisites and errors
// are those of TriggerFlow; an unknown task is ErrInvalidParameter.
//
// EnOS API docs: https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/trigger_flow_from_task.html
func (c *Client) TriggerFlowFromTask(ctx context.Context, req TriggerFlowFromTaskRequest, opts ...CallOption) (FlowInstanceID, error) {
	const op = "TriggerFlowFromTask"
	q, at, err := c.triggerInput(ctx, op, "triggerFromTask", req.FlowID, req.TriggerTime, req.OrgID, req.UserID)
	if err != nil {
		return "", err
	}
	if req.TaskID <= 0 {
		return "", invalid(op, "TaskID", "must be positive, got "+itoa(req.TaskID))
	}
	return c.trigger(ctx, op, q, req.FlowID, at, triggerFlowFromTaskBody{FlowID: req.FlowID, TaskID: req.TaskID, TriggerTime: at.millis()}, opts)
}

// UpdateAndTriggerFlowRequest is the input of Client.UpdateAndTriggerFlow.
type UpdateAndTriggerFlowRequest struct {
	FlowID int64 // required
	// TriggerTime follows the rules of TriggerFlowRequest.TriggerTime; zero means now.
	TriggerTime time.Time
	// Parameters override the flow's global parameters for this run only; the stored flow
	// keeps its own.
	Parameters    []Parameter
	OrgID, UserID string // empty: the client's defaults
}

type updateAndTriggerFlowBody struct {
	FlowID      int64       `json:"flowId"`
	TriggerTime int64       `json:"triggerTime"`
	Parameters  []Parameter `json:"parameters"`
}

// UpdateAndTriggerFlow triggers a run of a flow with overridden global parameters (Update
// And Trigger Flow: POST /batch-processing-service/v2.1/flows?action=updateAndTrigger).
// Prerequisites and errors are those of TriggerFlow.
//
// EnOS API docs: https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/update_and_trigger_flow.html
func (c *Client) UpdateAndTriggerFlow(ctx context.Context, req UpdateAndTriggerFlowRequest, opts ...CallOption) (FlowInstanceID, error) {
	const op = "UpdateAndTriggerFlow"
	q, at, err := c.triggerInput(ctx, op, "updateAndTrigger", req.FlowID, req.TriggerTime, req.OrgID, req.UserID)
	if err != nil {
		return "", err
	}
	params := req.Parameters
	if params == nil {
		params = []Parameter{} // mandatory: sent as [] rather than null
	}
	for _, p := range params {
		if p.Key == "" {
			return "", invalid(op, "Parameters", "a parameter without a key")
		}
	}
	return c.trigger(ctx, op, q, req.FlowID, at, updateAndTriggerFlowBody{FlowID: req.FlowID, TriggerTime: at.millis(), Parameters: params}, opts)
}

// triggerInput validates what the three trigger operations share and returns the query
// and the trigger time (now when zero).
func (c *Client) triggerInput(ctx context.Context, op, action string, flowID int64, at time.Time, orgID, userID string) (userQuery, triggerAt, error) {
	q, err := c.userQuery(ctx, op, action, orgID, userID)
	if err != nil {
		return userQuery{}, triggerAt{}, err
	}
	if flowID <= 0 {
		return userQuery{}, triggerAt{}, invalid(op, "FlowID", "must be positive, got "+itoa(flowID))
	}
	var tt triggerAt
	if at.IsZero() {
		tt.now = c.readNow()
		at = time.UnixMilli(tt.now.millis)
	} else {
		tt.fixed = at.UnixMilli()
	}
	if at.Before(minTriggerTime) || !at.Before(maxTriggerTime) {
		return userQuery{}, triggerAt{}, invalid(op, "TriggerTime", at.UTC().Format(time.RFC3339)+
			" is outside what the service can represent (1970-01-01T00:00:00Z to 9999-12-31T09:59:59Z); the zero time means now")
	}
	return q, tt, nil
}

// The trigger times the service can represent: epoch milliseconds from 1970, and a
// four-digit year in the instance id.
var (
	minTriggerTime = time.Unix(0, 0)
	maxTriggerTime = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC).Add(-14 * time.Hour) // year 9999 in any zone
)

// trigger sends a trigger operation and returns the id of the instance it created. It is
// a creating call: when an attempt may have reached the service without a response, the
// client looks for the instance (flow id and trigger minute) before sending again. An
// response that names another flow's instance, or another minute than the one asked for, is
// unexpected. body is the operation's body, with the trigger time at.millis(): built by the
// caller, it is boxed once (a body retimed here would be boxed again on every trigger).
func (c *Client) trigger(ctx context.Context, op string, q userQuery, flowID int64, at triggerAt, body retimable, opts []CallOption) (FlowInstanceID, error) {
	cr := &creation{identity: q, flowID: flowID, at: at, zone: c.location.known(c.clock.Now())}
	if at.now != nil {
		at.now.body = body.withTriggerTime
	}
	cl := call{op: op, method: http.MethodPost, path: flowsPath, query: q, body: body, creates: cr, now: at.now}
	if err := c.do(ctx, cl.withOptions(opts), &cr.result); err != nil {
		return "", err
	}
	return FlowInstanceID(cr.result.FlowInstanceID), nil
}

// checkResult checks the instance id of the trigger's response (checkTriggerResult).
func (cr *creation) checkResult() error {
	return checkTriggerResult(FlowInstanceID(cr.result.FlowInstanceID), cr.flowID, cr.at.millis(), cr.at.now == nil, cr.zone)
}

// checkTriggerResult checks the instance id in the response to a trigger of flowID at
// atMillis, or that a lookup found: it must be a manual trigger's id (the minute, seconds
// 00) of that flow and, when the trigger time was fixed, of that minute. A trigger "now" is
// sent with the client's clock (corrected by the gateway's Date when it is off), a minute
// its caller did not choose: the response's minute is not checked, so that a scripted
// response (a test's canned id) is taken as it is. A lookup always fixes the minute: it
// asked the listing for that one.
//
// The id carries the minute in the server's time zone. When the client knows the zone
// (zone, from ServerLocation), the id's offset from the trigger minute must be the zone's
// at that instant, give or take the hour a daylight-saving change moves it: Get Timezone
// may name only today's offset ("GMT+1"), and where it names an IANA zone, the server's zone
// rules may differ from the client's tzdata (countries change their daylight saving). When
// it does not, the offset must be one that some zone has: whole quarter hours from UTC-12
// to UTC+14.
func checkTriggerResult(id FlowInstanceID, flowID, atMillis int64, fixed bool, zone *time.Location) error {
	got, suffix, err := id.parse() // once: this runs on every trigger's response
	if err != nil {
		return err
	}
	if got != flowID {
		return fmt.Errorf("the response names instance %q of flow %d; flow %d was triggered", string(id), got, flowID)
	}
	if !isManualSuffix(suffix) {
		return fmt.Errorf("the response names instance %q, not the id of a manual trigger (yyyyMMddHHmm00)", string(id))
	}
	if !fixed {
		return nil
	}
	local, err := suffixTime(suffix, time.UTC)
	if err != nil {
		return err
	}
	minute := time.UnixMilli(atMillis - atMillis%60_000)
	offset := local.Sub(minute)
	low, high := -12*time.Hour, 14*time.Hour
	if zone != nil {
		_, want := minute.In(zone).Zone()
		low, high = time.Duration(want)*time.Second-time.Hour, time.Duration(want)*time.Second+time.Hour
	}
	if offset%(15*time.Minute) != 0 || offset < low || offset > high {
		return fmt.Errorf("the response names instance %q, not one of the minute triggered (%s)",
			string(id), time.UnixMilli(atMillis).UTC().Format(time.RFC3339))
	}
	return nil
}
