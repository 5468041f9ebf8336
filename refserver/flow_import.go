package refserver

import (
	"cmp"
	"encoding/json"
	"slices"
	"strings"
	"time"
)

// This file holds Import Flow.

// importFlow is Import Flow: POST /flows?action=import
// (https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/import_flow.html): a new
// flow owned by the caller, in the directory dirId of the org, from an ExportedFlow (flowJson, an
// object or a string holding one). It keeps flowId when no flow has or had it (a deleted flow's id
// is never given again), else takes the next id above every flow id ever stored. Its tasks get new
// ids, DefaultTaskDuration and the exported type and command; it starts paused (Active false).
// desc (mandatory) replaces the exported description.
//
// Checks after the user's: a body that is not JSON, or without flowJson or desc, answers 62102
// "Incorrect parameter"; an empty flowName 62102 "Invalid parameter: flowName"; a dirId that is not a
// directory of the org 62102 "Directory does not exist"; a flowJson that is malformed or
// inconsistent (cycle, cron, type, alertMode, parameters, task names missing or repeated,
// relations naming unknown tasks or making a cycle, flowLinks naming no flow of the org)
// 62102 "Workflow validation failed".
func (st *state) importFlow(c *call) (any, *failure) {
	orgID, userID, f := st.ownerCaller(c)
	if f != nil {
		return nil, f
	}
	req, in, f := st.decodeImport(c.body, orgID)
	if f != nil {
		return nil, f
	}
	flow, ok := st.importedFlow(in, orgID, c.now)
	if !ok {
		return nil, errWorkflowValidation
	}
	flow.Name, flow.Entry, flow.Description = strings.TrimSpace(*req.FlowName), EntryAPI, *req.Desc
	flow.Owner, flow.Creator, flow.UpdateUser = userID, userID, userID
	flow.DirID = *req.DirID
	flow.ID = req.FlowID.value
	if !req.FlowID.set || flow.ID <= 0 || st.flows[flow.ID] != nil || st.runs[flow.ID] != nil || st.deletedFlows[flow.ID] {
		flow.ID = st.nextFlowID()
	}
	st.storeFlow(flow)
	return flowIDData{FlowID: flow.ID}, nil
}

// decodeImport reads the body of Import Flow in orgID and its flowJson, with the checks of
// importFlow up to the flowJson's content.
func (st *state) decodeImport(body []byte, orgID string) (*importFlowRequest, exportedFlowInput, *failure) {
	var req importFlowRequest
	var in exportedFlowInput
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, in, errIncorrectParameter
	}
	if req.FlowName == nil || strings.TrimSpace(*req.FlowName) == "" {
		return nil, in, errInvalidFlowName
	}
	if req.DirID == nil || st.dirs[*req.DirID] == nil || st.dirs[*req.DirID].orgID != orgID {
		return nil, in, errNoDirectory
	}
	raw := req.FlowJSON
	// desc is Mandatory on
	// https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/import_flow.html
	// (its sample sends ""): absent, it is refused like any missing mandatory field.
	if len(raw) == 0 || string(raw) == "null" || req.Desc == nil {
		return nil, in, errIncorrectParameter
	}
	if raw[0] == '"' {
		var inner string
		if err := json.Unmarshal(raw, &inner); err != nil {
			return nil, in, errWorkflowValidation
		}
		raw = json.RawMessage(inner)
	}
	if err := json.Unmarshal(raw, &in); err != nil {
		return nil, in, errWorkflowValidation
	}
	return &req, in, nil
}

// importedFlow builds a flow of orgID from an ExportedFlow; ok is false when it is invalid.
func (st *state) importedFlow(in exportedFlowInput, orgID string, now time.Time) (flow *Flow, ok bool) {
	if flow, ok = newImportedFlow(in, orgID, now); !ok {
		return nil, false
	}
	first := st.nextTaskID()
	ids, ok := importTasks(flow, in.Tasks, first)
	if !ok || !linkImportedTasks(flow, in.Relations, ids, first) || !st.linkImportedFlows(flow, in, ids) || hasCycle(flow.Tasks) {
		return nil, false
	}
	st.normalizeFlow(flow, now)
	return flow, true
}

// newImportedFlow returns the flow of an ExportedFlow's own fields, without tasks; ok is
// false when one is out of range.
func newImportedFlow(in exportedFlowInput, orgID string, now time.Time) (*Flow, bool) {
	in.Cycle, in.Cron = cmp.Or(in.Cycle, defaultCycle), cmp.Or(in.Cron, DefaultFreq)
	if !validCycle(in.Cycle) || !validCron(in.Cron) || !validType(in.Type.value) || !validAlertMode(in.AlertMode.value) || !validDate(in.StartTime) {
		return nil, false
	}
	params, err := decodeParameters(in.Parameters)
	if err != nil {
		return nil, false
	}
	return &Flow{
		OrgID: orgID, Type: int(in.Type.value), Cycle: in.Cycle, Freq: in.Cron, Parameters: params,
		Description: in.Desc, Visitors: in.Visitors, DoAs: in.Submitter, AlertMode: int(in.AlertMode.value),
		StartDate: in.StartTime, CreatedAt: now, UpdatedAt: now, Tasks: []Task{},
	}, true
}

// importTasks adds the exported tasks to flow with ids from first on, in order, and returns
// the ids by task name; ok is false for a task without a name or with one already taken, an
// unknown type or a negative timeout, retry limit or interval.
func importTasks(flow *Flow, tasks []exportedTaskInput, first int64) (ids map[string]int64, ok bool) {
	ids = make(map[string]int64, len(tasks))
	for i, t := range tasks {
		name := strings.TrimSpace(t.Name)
		typ, ok := taskTypeName(t.Type)
		if name == "" || ids[name] != 0 || !ok || t.Timeout.value < 0 || t.RetryLimit.value < 0 || t.RetryInterval.value < 0 {
			return nil, false
		}
		id := first + int64(i)
		ids[name] = id
		flow.Tasks = append(flow.Tasks, Task{
			ID: id, Name: name, Duration: DefaultTaskDuration, Command: t.Cmd, Type: typ,
			X: float64(100 + 200*i), Y: 100, Timeout: time.Duration(t.Timeout.value) * time.Second,
			RetryLimit: int(t.RetryLimit.value), RetryInterval: time.Duration(t.RetryInterval.value) * time.Second,
		})
	}
	return ids, true
}

// linkImportedTasks sets the DependsOn of the imported tasks (ids by name, given in order from
// first) from the exported relations; false for a relation naming an unknown task or the same
// task twice.
func linkImportedTasks(flow *Flow, relations []taskRelationWire, ids map[string]int64, first int64) bool {
	for _, r := range relations {
		source, okSource := ids[r.SourceTaskName]
		target, okTarget := ids[r.TargetTaskName]
		if !okSource || !okTarget || source == target {
			return false
		}
		// Task ids were given in order from first: the target's index is its offset.
		if t := &flow.Tasks[target-first]; !slices.Contains(t.DependsOn, source) {
			t.DependsOn = append(t.DependsOn, source)
		}
	}
	return true
}

// linkImportedFlows sets the flow's upstream flows from the exported flowLinks (each names a
// flow of the org) and checks its linkRelations (a known link to a known task).
func (st *state) linkImportedFlows(flow *Flow, in exportedFlowInput, ids map[string]int64) bool {
	links := make(map[string]bool)
	for _, l := range in.FlowLinks {
		up := st.flowNamed(flow.OrgID, l.SourceFlowName)
		if up == nil {
			return false
		}
		links[l.LinkID] = true
		if !slices.Contains(flow.DependsOn, up.ID) {
			flow.DependsOn = append(flow.DependsOn, up.ID)
		}
	}
	for _, r := range in.LinkRelations {
		if !links[r.LinkID] || ids[r.TargetTaskName] == 0 {
			return false
		}
	}
	return true
}
