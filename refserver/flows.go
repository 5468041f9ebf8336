package refserver

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// This file holds the handlers of the /flows resource that run and read flows (the three
// triggers, Get Flow, Get My Flow, Search Flow, Enable, Disable and Delete Flow); flow_edit.go
// holds those that change their definition. Each runs with the store locked and settled, and
// returns the envelope's data or a failure.

// triggerFlow is Trigger Flow: POST /flows?action=trigger
// (https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/trigger_flow.html).
//
// Checks, in order: the user exists in the org (62101) and is not locked (62105); the body
// holds a flowId > 0 and a triggerTime (62102); the flow exists in the org (62102); the user
// owns it (62103); it is not locked (62105) and has a task (62104); no instance of it exists
// for the same trigger minute (62102). Then the instance is created, running or waiting.
func (st *state) triggerFlow(c *call) (any, *failure) {
	orgID, userID, f := st.ownerCaller(c)
	if f != nil {
		return nil, f
	}
	var req triggerFlowRequest
	if f := decodeCallBody(c, &req, errInvalidBody); f != nil {
		return nil, f
	}
	if f := requireTrigger(req.FlowID, req.TriggerTime); f != nil {
		return nil, f
	}
	return st.trigger(c, orgID, userID, req.FlowID.value, req.TriggerTime.value, 0, nil)
}

// triggerFromTask is Trigger Flow From Task: POST /flows?action=triggerFromTask
// (https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/trigger_flow_from_task.html).
// The checks of Trigger Flow, with a taskId > 0 in the body, and 62102 "Cannot create workflow
// instance..." when the flow has no such task. The instance runs that task and its downstream
// tasks; the flow's other tasks are StatusSkip in it.
func (st *state) triggerFromTask(c *call) (any, *failure) {
	orgID, userID, f := st.ownerCaller(c)
	if f != nil {
		return nil, f
	}
	var req triggerFromTaskRequest
	if f := decodeCallBody(c, &req, errInvalidBody); f != nil {
		return nil, f
	}
	if f := requireTrigger(req.FlowID, req.TriggerTime); f != nil {
		return nil, f
	}
	if f := requireIDs(errInvalidBody, idField{"taskId", req.TaskID}); f != nil {
		return nil, f
	}
	return st.trigger(c, orgID, userID, req.FlowID.value, req.TriggerTime.value, req.TaskID.value, nil)
}

// updateAndTrigger is Update And Trigger Flow: POST /flows?action=updateAndTrigger
// (https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/update_and_trigger_flow.html).
// The checks of Trigger Flow, with parameters in the body (an array of {key, value}, an object, or
// a string holding either; 62102 "Invalid request body." otherwise). The instance's parameters are
// the flow's, with the given ones replacing those of the same key and the others appended; the
// stored flow is unchanged.
func (st *state) updateAndTrigger(c *call) (any, *failure) {
	orgID, userID, f := st.ownerCaller(c)
	if f != nil {
		return nil, f
	}
	var req updateAndTriggerRequest
	if f := decodeCallBody(c, &req, errInvalidBody); f != nil {
		return nil, f
	}
	if f := requireTrigger(req.FlowID, req.TriggerTime); f != nil {
		return nil, f
	}
	if len(req.Parameters) == 0 || string(req.Parameters) == "null" {
		return nil, errInvalidBody.because("parameters is missing (null counts as missing)")
	}
	params, err := decodeParameters(req.Parameters)
	if err != nil {
		return nil, errInvalidBody.because("parameters: " + plain(err))
	}
	if params == nil {
		params = []Parameter{}
	}
	return st.trigger(c, orgID, userID, req.FlowID.value, req.TriggerTime.value, 0, params)
}

// requireTrigger checks the fields the three triggers share: a positive flowId and a
// triggerTime.
func requireTrigger(flowID, triggerTime flexInt) *failure {
	if f := requireIDs(errInvalidBody, idField{"flowId", flowID}); f != nil {
		return f
	}
	return requireSet(errInvalidBody, "triggerTime", triggerTime)
}

// trigger runs the flow checks shared by the three triggers and creates the instance. A
// non-zero fromTask must be a task of the flow; non-nil params are merged over the flow's.
// "Cannot create workflow instance..." covers three causes, which the reason tells apart:
// the flow is unknown, the task is not the flow's, or the minute is taken.
func (st *state) trigger(c *call, orgID, userID string, flowID, triggerMillis, fromTask int64, params []Parameter) (any, *failure) {
	f, fail := st.ownedFlow(flowID, orgID, userID, errCannotTrigger)
	if fail != nil {
		return nil, fail
	}
	if len(f.Tasks) == 0 {
		return nil, errFlowNoTask.because(fmt.Sprintf("flow %d has no task", f.ID))
	}
	if fromTask != 0 && !slices.ContainsFunc(f.Tasks, func(t Task) bool { return t.ID == fromTask }) {
		return nil, errCannotTrigger.because(fmt.Sprintf("taskId %d is not a task of flow %d (its tasks: %s)", fromTask, f.ID, taskIDs(f.Tasks)))
	}
	trigger := time.UnixMilli(triggerMillis)
	if id := instanceID(f.ID, trigger, st.loc); st.instances[id] != nil {
		return nil, errCannotTrigger.because(fmt.Sprintf(
			"flow %d was triggered for the minute %s already: instance %s (one instance per flow and trigger minute)",
			f.ID, trigger.In(st.loc).Format("2006-01-02 15:04"), quote(id)))
	}
	if params != nil {
		params = mergeParameters(f.Parameters, params)
	}
	in := st.createRun(f.ID, trigger, c.now, fromTask, params)
	return flowInstanceIDData{FlowInstanceID: in.ID}, nil
}

// taskIDs lists the ids of tasks, comma-separated.
func taskIDs(tasks []Task) string {
	ids := make([]string, 0, len(tasks))
	for _, t := range tasks {
		ids = append(ids, strconv.FormatInt(t.ID, 10))
	}
	return strings.Join(ids, ", ")
}

// mergeParameters returns base with each of over replacing the parameter of the same key (its
// first, if base has several), or appended when base has none. Its cost is linear: it runs
// under the store's lock, and a 1 MiB body holds over 100,000 parameters (looking each up in
// the list held the lock for 12 s).
func mergeParameters(base, over []Parameter) []Parameter {
	out := slices.Clone(base)
	at := make(map[string]int, len(base)+len(over)) // a key's index in out
	for i := len(out) - 1; i >= 0; i-- {
		at[out[i].Key] = i // the first of equal keys wins
	}
	for _, p := range over {
		if i, ok := at[p.Key]; ok {
			out[i].Value = p.Value
			continue
		}
		at[p.Key] = len(out)
		out = append(out, p)
	}
	if out == nil {
		out = []Parameter{}
	}
	return out
}

// getFlow is Get Flow: GET /flows?action=get&flowId=
// (https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/get_flow.html). The user
// must belong to the org (62101); a flowId that is not a positive integer answers 62102 "Invalid
// parameter: flowId", and a flow that is unknown or in another org 62102 "Flow not found" (both
// undocumented).
func (st *state) getFlow(c *call) (any, *failure) {
	flow, userID, f := st.readFlow(c)
	if f != nil {
		return nil, f
	}
	return st.flowData(flow, userID), nil
}

// readFlow returns the flow flowId of a reading operation and the caller's user id, after
// Get Flow's checks.
func (st *state) readFlow(c *call) (*Flow, string, *failure) {
	orgID, userID, f := st.ouMember(c)
	if f != nil {
		return nil, "", f
	}
	id, f := queryID(c, "flowId", errInvalidFlowID)
	if f != nil {
		return nil, "", f
	}
	flow, f := st.orgFlow("flowId", id, orgID, errFlowNotFound)
	if f != nil {
		return nil, "", f
	}
	return flow, userID, nil
}

// getMyFlow is Get My Flow: GET /flows?action=getMyFlow[&expression=]
// (https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/get_my_flow.html): the
// flows of the org that the user owns or visits, matching the expression (a case-insensitive
// substring of the flow id or name; empty matches all), by flow id.
func (st *state) getMyFlow(c *call) (any, *failure) {
	orgID, userID, f := st.ouMember(c)
	if f != nil {
		return nil, f
	}
	expression := c.query.Get("expression")
	out := []myFlowInfo{}
	for _, flow := range st.sortedFlows(orgID) {
		owner := isOwner(flow, userID)
		if !owner && !inList(flow.Visitors, userID) {
			continue
		}
		id := strconv.FormatInt(flow.ID, 10)
		if !fuzzy(expression, id, flow.Name) {
			continue
		}
		out = append(out, myFlowInfo{FlowID: id, Editable: owner, FlowName: flow.Name, Cycle: flow.Cycle})
	}
	return out, nil
}

// searchFlow is Search Flow: POST /flows?action=search
// (https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/search_flow.html): all the
// flows of the org whose id or name matches the expression, one page of them. Sort fields:
// createTime, updateTime, startTime (or create_time, update_time, start_time); by flow id
// otherwise. A body that is absent or empty is taken as {} (all flows, no paging).
func (st *state) searchFlow(c *call) (any, *failure) {
	orgID, _, f := st.ouMember(c)
	if f != nil {
		return nil, f
	}
	var req searchFlowRequest
	if len(strings.TrimSpace(string(c.body))) > 0 {
		if f := decodeCallBody(c, &req, errInvalidBody); f != nil {
			return nil, f
		}
	}
	var matches []*Flow
	for _, flow := range st.sortedFlows(orgID) {
		if fuzzy(req.Expression, strconv.FormatInt(flow.ID, 10), flow.Name) {
			matches = append(matches, flow)
		}
	}
	byID := byInt64(func(f *Flow) int64 { return f.ID })
	order, f := orderBy(req.Pagination, map[string]func(a, b *Flow) int{
		"createtime": func(a, b *Flow) int { return a.CreatedAt.Compare(b.CreatedAt) },
		"updatetime": func(a, b *Flow) int { return a.UpdatedAt.Compare(b.UpdatedAt) },
		"starttime":  func(a, b *Flow) int { return strings.Compare(a.StartDate, b.StartDate) },
	}, byID)
	if f != nil {
		return nil, f
	}
	matches, f = page(matches, req.Pagination, order)
	if f != nil {
		return nil, f
	}
	out := make([]pageFlow, 0, len(matches))
	for _, flow := range matches {
		out = append(out, pageFlow{FlowID: flow.ID, FlowName: flow.Name})
	}
	return out, nil
}

// enableFlow is Enable Flow: POST /flows?action=enable
// (https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/enable_flow.html): the
// flow's scheduling starts (Active). Owner-only; an unknown flow answers 62102 "Flow not found".
func (st *state) enableFlow(c *call) (any, *failure) {
	return st.setActive(c, true)
}

// disableFlow is Disable Flow: POST /flows?action=disable
// (https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/disable_flow.html): the
// flow's scheduling pauses. Owner-only; an unknown flow answers 62102 "Flow not found".
func (st *state) disableFlow(c *call) (any, *failure) {
	return st.setActive(c, false)
}

// setActive is Enable Flow or Disable Flow.
func (st *state) setActive(c *call, active bool) (any, *failure) {
	orgID, userID, f := st.ownerCaller(c)
	if f != nil {
		return nil, f
	}
	var req flowIDRequest
	if f := decodeCallBody(c, &req, errInvalidBody); f != nil {
		return nil, f
	}
	if f := requireIDs(errInvalidBody, idField{"flowId", req.FlowID}); f != nil {
		return nil, f
	}
	flow, f := st.ownedFlow(req.FlowID.value, orgID, userID, errFlowNotFound)
	if f != nil {
		return nil, f
	}
	changed := cloneFlow(flow)
	changed.Active = active
	changed.UpdateUser, changed.UpdatedAt = userID, c.now
	st.storeFlow(changed)
	return "", nil
}

// deleteFlow is Delete Flow: GET /flows?action=delete&flowId=
// (https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/delete_flow.html).
// Owner-only; a flow another flow depends on (Flow.DependsOn) answers 62104. Deleting a flow
// removes its instances, running or not.
func (st *state) deleteFlow(c *call) (any, *failure) {
	orgID, userID, f := st.ownerCaller(c)
	if f != nil {
		return nil, f
	}
	id, f := queryID(c, "flowId", errInvalidFlowID)
	if f != nil {
		return nil, f
	}
	flow, f := st.ownedFlow(id, orgID, userID, errFlowNotFound)
	if f != nil {
		return nil, f
	}
	var dependents []string
	for _, other := range st.flows {
		if other.ID != flow.ID && slices.Contains(other.DependsOn, flow.ID) {
			dependents = append(dependents, strconv.FormatInt(other.ID, 10))
		}
	}
	if len(dependents) > 0 {
		slices.Sort(dependents)
		return nil, errFlowDependedOn.because(fmt.Sprintf("flow %d is an upstream flow of flow %s", flow.ID, strings.Join(dependents, ", ")))
	}
	st.removeFlow(flow.ID)
	return "", nil
}

// removeFlow removes flowID, its instances and its schedule from the store; its id is
// never given again.
func (st *state) removeFlow(flowID int64) {
	st.deleteInstances(flowID)
	st.unschedulePeriodic(flowID)
	delete(st.fired, flowID)
	delete(st.flows, flowID)
	st.deletedFlows[flowID] = true
	st.flowEpoch++
}

// sortedFlows returns the flows of orgID by id.
func (st *state) sortedFlows(orgID string) []*Flow {
	var out []*Flow
	for _, f := range st.flows {
		if f.OrgID == orgID {
			out = append(out, f)
		}
	}
	slices.SortFunc(out, byInt64(func(f *Flow) int64 { return f.ID }))
	return out
}

// flowData returns the Flow struct of f as userID sees it, as Get Flow answers it: without
// queue, which the Flow struct of
// https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/get_flow.html does not
// have (its FlowGraph, in graph, does).
func (st *state) flowData(f *Flow, userID string) flowData {
	u := st.users[userID]
	return flowData{
		FlowID:       f.ID,
		FlowName:     f.Name,
		Active:       boolInt(f.Active),
		Creator:      f.Creator,
		CreateTime:   formatTimestamp(f.CreatedAt, st.loc),
		UpdateUser:   f.UpdateUser,
		UpdateTime:   formatTimestamp(f.UpdatedAt, st.loc),
		Freq:         f.Freq,
		Cycle:        f.Cycle,
		Parameters:   encodeParameters(f.Parameters),
		Owner:        f.Owner,
		Visitor:      f.Visitors,
		DoAs:         f.DoAs,
		AlertMode:    f.AlertMode,
		Graph:        mustMarshal(st.flowGraph(f)),
		Type:         f.Type,
		Desc:         f.Description,
		StartTime:    f.StartDate,
		Locked:       f.Locked,
		HasEditPri:   isOwner(f, userID),
		HasReadPri:   true,
		IsUserLocked: u != nil && u.locked,
		Entry:        f.Entry,
	}
}

// flowGraph returns the FlowGraph of f: a node per task ("t_<taskId>") and per upstream flow
// ("f_<flowId>"), an edge per task dependency, and an edge from each upstream flow to each
// task that has no upstream task.
func (st *state) flowGraph(f *Flow) flowGraph {
	g := flowGraph{
		Creator: f.Creator, Freq: f.Freq, AlertMode: f.AlertMode, Type: f.Type, Owners: f.Owner,
		Visitors: f.Visitors, StartTime: f.StartDate, Cycle: f.Cycle, DoAs: f.DoAs, Name: f.Name,
		Parameters: encodeParameters(f.Parameters), Queue: f.Queue, Desc: f.Description,
		Active: boolInt(f.Active), Flows: []flowSimpleInfo{}, Tasks: []taskSimpleInfo{},
		Relations: graphRelations(f),
	}
	for _, up := range f.DependsOn {
		name := ""
		if uf := st.flows[up]; uf != nil {
			name = uf.Name
		}
		g.Flows = append(g.Flows, flowSimpleInfo{FlowID: strconv.FormatInt(up, 10), FlowName: name, NodeID: flowNodeID(up)})
	}
	for _, t := range f.Tasks {
		g.Tasks = append(g.Tasks, taskSimpleInfo{TaskName: t.Name, X: t.X, Y: t.Y, TaskID: strconv.FormatInt(t.ID, 10), NodeID: taskNodeID(t.ID)})
	}
	return g
}

// graphRelations returns the edges of f's graph.
func graphRelations(f *Flow) []relationWire {
	gap := f.Cycle + "0"
	out := []relationWire{}
	has := make(map[int64]bool, len(f.Tasks))
	for _, t := range f.Tasks {
		has[t.ID] = true
	}
	for _, t := range f.Tasks {
		for _, up := range t.DependsOn {
			if has[up] {
				out = append(out, relationWire{CycleGap: gap, Source: taskNodeID(up), Target: taskNodeID(t.ID),
					Rerun: flexBool{value: slices.Contains(t.RerunAfter, up)}})
			}
		}
	}
	for _, up := range f.DependsOn {
		for _, t := range f.Tasks {
			if !slices.ContainsFunc(t.DependsOn, func(id int64) bool { return has[id] }) {
				out = append(out, relationWire{CycleGap: gap, Source: flowNodeID(up), Target: taskNodeID(t.ID),
					Rerun: flexBool{value: slices.Contains(t.RerunAfterFlows, up)}})
			}
		}
	}
	return out
}

// taskNodeID is the graph node id of a task.
func taskNodeID(taskID int64) string { return "t_" + strconv.FormatInt(taskID, 10) }

// flowNodeID is the graph node id of an upstream flow.
func flowNodeID(flowID int64) string { return "f_" + strconv.FormatInt(flowID, 10) }

// boolInt is 1 for true and 0 for false.
func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
