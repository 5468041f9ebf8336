package refserver

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// This file holds the handlers of the /flowInstances resource: Get Flow Instance, List Flow
// Instances and Cancel Flow Instance.

// getFlowInstance is Get Flow Instance: GET /flowInstances?action=get&flowInstId=
// (https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/get_flow_instance.html).
// The user must belong to the org (62101); an empty flowInstId answers 62102 "Invalid parameter:
// flowInstId", and an instance that is unknown or of a flow of another org 62102 "Instance not
// found" (both undocumented).
func (st *state) getFlowInstance(c *call) (any, *failure) {
	orgID, userID, f := st.ouMember(c)
	if f != nil {
		return nil, f
	}
	id, f := queryText(c, "flowInstId", errInvalidFlowInstID)
	if f != nil {
		return nil, f
	}
	in, f := st.orgInstance(id, orgID)
	if f != nil {
		return nil, f
	}
	return st.flowInstanceData(in, userID), nil
}

// searchFlowInstances is List Flow Instances: POST /flowInstances?action=search
// (https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/list_flow_instances.html):
// the instances of the org's flows that match every criterion given, one page of them, and their
// count before paging.
//
// type (the scheduling type of the instance's flow), fromTriggerTime and toTriggerTime
// (epoch ms, inclusive) and status (codes as "1,2,3", a number or an array) are mandatory on
// https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/list_flow_instances.html:
// one that is absent, null or "" answers 62102 "Invalid parameter: <name>", in that order, as
// does a status that is not codes (the page gives no message for either; the server takes the
// form of Import Flow's "Invalid parameter: flowName"). expression (a case-insensitive
// substring of the instance id or the flow name) and owner (one of the flow's owners) are
// ignored when absent or empty, as the samples send them.
// Sort fields: triggerTime, startTime, endTime, createTime, updateTime, camelCase or
// snake_case; by trigger time, newest first, otherwise (then by id).
func (st *state) searchFlowInstances(c *call) (any, *failure) {
	orgID, userID, f := st.ouMember(c)
	if f != nil {
		return nil, f
	}
	var req searchInstancesRequest
	if f := decodeCallBody(c, &req, errInvalidBody); f != nil {
		return nil, f
	}
	if f := req.missingCriterion(); f != nil {
		return nil, f
	}
	statuses, err := parseStatuses(req.Status)
	if err != nil {
		return nil, errInvalidStatusParam.because("status " + shown(req.Status) + ": " + err.Error())
	}
	order, f := instanceSorters(req.Pagination)
	if f != nil {
		return nil, f
	}
	window, f := pageOf(req.Pagination)
	if f != nil {
		return nil, f
	}
	matches, count := st.queryInstances(orgID, &req, statuses).page(order, window)
	out := flowInstancesData{FlowInsts: make([]flowInstanceData, 0, len(matches)), Count: count}
	for _, in := range matches {
		data := st.flowInstanceData(in, userID)
		cancelled := in.Status == StatusCancel
		data.IsCancelled = &cancelled
		out.FlowInsts = append(out.FlowInsts, data)
	}
	return out, nil
}

// missingCriterion returns the failure for the first mandatory criterion of a List Flow
// Instances request that is absent, null or "", or nil.
func (req *searchInstancesRequest) missingCriterion() *failure {
	status := strings.TrimSpace(string(req.Status))
	switch {
	case !req.Type.set:
		return missing(errInvalidTypeParam, "type")
	case !req.FromTriggerTime.set:
		return missing(errInvalidFromTriggerTime, "fromTriggerTime")
	case !req.ToTriggerTime.set:
		return missing(errInvalidToTriggerTime, "toTriggerTime")
	case status == "" || status == "null" || strings.TrimSpace(strings.Trim(status, `"`)) == "":
		return missing(errInvalidStatusParam, "status")
	}
	return nil
}

// parseStatuses reads List Flow Instances' status, which missingCriterion has found present
// and not null or "": a string of comma-separated codes, one number, or an array of codes.
// The error says what is wrong.
func parseStatuses(raw json.RawMessage) (map[int]bool, error) {
	raw = json.RawMessage(bytes.TrimSpace(raw))
	var codes []string
	switch raw[0] {
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, err
		}
		codes = strings.Split(s, ",")
	case '[':
		var ns []json.Number
		if err := json.Unmarshal(raw, &ns); err != nil {
			return nil, errors.New("want an array of status codes")
		}
		for _, n := range ns {
			codes = append(codes, n.String())
		}
	default:
		codes = []string{string(raw)}
	}
	out := make(map[int]bool, len(codes))
	for _, code := range codes {
		n, err := strconv.Atoi(strings.TrimSpace(code))
		if err != nil {
			return nil, fmt.Errorf("%s is not a status code: want codes as \"1,2,3\", a number or an array of numbers", quote(code))
		}
		out[n] = true
	}
	return out, nil
}

// cancelFlowInstance is Cancel Flow Instance: POST /flowInstances?action=cancel
// (https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/cancel_flow_instance.html).
// Owner-only (the owner of the instance's flow). The console's documentation (Monitoring
// Workflow Instances) says "When the status of the instance is initializing, running or
// failed, you can click Stop Running to immediately stop running the current instance", and
// that a failed instance may not have completed. So:
//
//   - an instance that has not ended is stopped and ends StatusCancel: a waiting one without
//     starting; in a running one (whatever it shows: RUNNING, SUSPEND, READY, RERUN, or
//     FAIL, TIMEOUT or INTERNAL_ERROR while its other tasks finish), the started tasks become
//     StatusCancel and the others stay as they are; the next waiting instance of the flow
//     starts at once;
//   - a failed instance that has ended is accepted too: nothing is left to stop, and it
//     stays StatusFail;
//   - any other ended instance (SUCCESS, CANCEL, TIMEOUT, INTERNAL_ERROR, SKIP) cannot be
//     stopped. The page documents only the common codes; the server answers 62102
//     "Incorrect parameter", the documented message of a request the service cannot act on
//     (Save Flow, Import Flow), and says why in the X-Refserver-Reason header.
//
// An unknown instance answers 62102 "Instance not found".
func (st *state) cancelFlowInstance(c *call) (any, *failure) {
	orgID, userID, f := st.ownerCaller(c)
	if f != nil {
		return nil, f
	}
	var req cancelRequest
	if f := decodeCallBody(c, &req, errInvalidBody); f != nil {
		return nil, f
	}
	if req.FlowInstID == "" {
		return nil, missing(errInvalidBody, "flowInstId")
	}
	in, f := st.orgInstance(req.FlowInstID, orgID)
	if f != nil {
		return nil, f
	}
	if _, f := st.ownedFlow(in.FlowID, orgID, userID, errInstanceNotFound); f != nil {
		return nil, f
	}
	switch {
	case !in.ended():
		st.stop(in, StatusCancel, c.now)
	case in.Status != StatusFail:
		return nil, errIncorrectParameter.because(fmt.Sprintf(
			"flow instance %s ended %s at %s; only a waiting, running or failed instance can be cancelled",
			quote(in.ID), statusName(in.Status), formatTime(in.EndTime, st.loc)))
	}
	return "", nil
}

// orgInstance returns the flow instance id of a flow of orgID, or 62102 "Instance not found"
// saying so.
func (st *state) orgInstance(id, orgID string) (*instance, *failure) {
	in := st.instances[id]
	if in == nil || in.orgOf() != orgID {
		return nil, errInstanceNotFound.because(fmt.Sprintf("flowInstId %s: no flow instance of that id in organization %s", shown(id), quote(orgID)))
	}
	return in, nil
}

// flowInstanceData returns the FlowInstance struct of in as userID sees it. The flow's
// fields (name, freq, cycle, owner, ...) are those it had when the instance was triggered.
func (st *state) flowInstanceData(in *instance, userID string) flowInstanceData {
	p := in.plan
	editable := false
	if f := st.flows[in.FlowID]; f != nil {
		editable = isOwner(f, userID)
	}
	return flowInstanceData{
		InstanceID:  in.ID,
		FlowID:      in.FlowID,
		FlowName:    p.Name,
		Freq:        p.Freq,
		Cycle:       p.Cycle,
		Parameters:  encodeParameters(in.Parameters),
		DoAs:        p.DoAs,
		Graph:       st.instanceGraphText(in),
		Status:      in.Status,
		StatusDesc:  statusName(in.Status),
		TriggerTime: formatTime(in.TriggerTime, st.loc),
		StartTime:   formatTime(in.StartTime, st.loc),
		EndTime:     formatTime(in.EndTime, st.loc),
		Timestamp:   formatTimestamp(in.CreatedAt, st.loc),
		Owner:       p.Owner,
		AlertMode:   p.AlertMode,
		CalDt:       businessDate(in.TriggerTime.In(st.loc), p.Cycle).Format(dateLayout),
		HasEditPri:  editable,
		HasReadPri:  true,
	}
}

// instanceGraphText returns the InstanceGraph of in as JSON text, written once for each state
// of the instance (and, for a flow with upstream flows, whose names it shows, each version of
// the flows): an instance that has ended is written at most once, not on every read.
func (st *state) instanceGraphText(in *instance) string {
	current := in.graph != "" && in.graphChanges == in.changes &&
		(len(in.plan.DependsOn) == 0 || in.graphEpoch == st.flowEpoch)
	if !current {
		in.graph = mustMarshal(st.instanceGraph(in))
		in.graphChanges, in.graphEpoch = in.changes, st.flowEpoch
	}
	return in.graph
}

// instanceGraph returns the InstanceGraph of in: its flow's graph with each task's instance
// id and status (SKIP for the tasks Trigger Flow From Task left out).
func (st *state) instanceGraph(in *instance) instanceGraph {
	p := in.plan
	g := instanceGraph{
		Creator: p.Creator, Freq: p.Freq, AlertMode: p.AlertMode, Owners: p.Owner, Cycle: p.Cycle,
		DoAs: p.DoAs, Name: p.Name, InstID: in.ID, ID: in.FlowID, Relations: graphRelations(p),
		Parameters: encodeParameters(in.Parameters), Flows: make([]flowInstanceGraph, 0, len(p.DependsOn)),
		Tasks: make([]taskInstanceGraph, 0, len(in.Tasks)),
	}
	for _, up := range p.DependsOn {
		name := ""
		if uf := st.flows[up]; uf != nil {
			name = uf.Name
		}
		g.Flows = append(g.Flows, flowInstanceGraph{FlowID: strconv.FormatInt(up, 10), FlowName: name, NodeID: flowNodeID(up), Status: "NONE"})
	}
	for i, ti := range in.Tasks {
		g.Tasks = append(g.Tasks, taskInstanceGraph{
			TaskName: ti.Name, TaskInstID: ti.ID, X: p.Tasks[i].X, Y: p.Tasks[i].Y, TaskID: strconv.FormatInt(ti.TaskID, 10),
			NodeID: taskNodeID(ti.TaskID), Status: statusName(ti.Status),
		})
	}
	return g
}
