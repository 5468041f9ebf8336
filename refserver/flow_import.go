package refserver

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
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
// 62102 "Workflow validation failed". The documented messages name no field:
// X-Refserver-Reason says which one and why.
func (st *state) importFlow(c *call) (any, *failure) {
	orgID, userID, f := st.ownerCaller(c)
	if f != nil {
		return nil, f
	}
	req, in, f := st.decodeImport(c.body, orgID)
	if f != nil {
		return nil, f
	}
	flow, err := st.importedFlow(in, orgID, c.now)
	if err != nil {
		return nil, errWorkflowValidation.because("flowJson: " + err.Error())
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
	if err := decodeRequest("", body, &req); err != nil {
		return nil, in, errIncorrectParameter.because(err.Error())
	}
	if f := st.checkImportFields(&req, orgID); f != nil {
		return nil, in, f
	}
	raw := req.FlowJSON
	if raw[0] == '"' {
		var inner string
		if err := json.Unmarshal(raw, &inner); err != nil {
			return nil, in, errWorkflowValidation.because("flowJson: " + plain(err))
		}
		raw = json.RawMessage(inner)
	}
	if err := decodeRequest("flowJson", raw, &in); err != nil {
		return nil, in, errWorkflowValidation.because(err.Error())
	}
	return &req, in, nil
}

// checkImportFields checks the fields of an Import Flow request but flowJson's content, in
// orgID: the failure says which one is wrong, and why.
func (st *state) checkImportFields(req *importFlowRequest, orgID string) *failure {
	switch {
	case req.FlowName == nil:
		return errInvalidFlowName.because("flowName is missing")
	case strings.TrimSpace(*req.FlowName) == "":
		return errInvalidFlowName.because("flowName is empty")
	case req.DirID == nil:
		return errNoDirectory.because("dirId is missing")
	case st.dirs[*req.DirID] == nil || st.dirs[*req.DirID].orgID != orgID:
		return errNoDirectory.because(fmt.Sprintf("dirId %s: no directory of that id in organization %s", shown(*req.DirID), shown(orgID)))
	}
	// desc is Mandatory on
	// https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/import_flow.html
	// (its sample sends ""): absent, it is refused like any missing mandatory field.
	err := checkPresent(presence{"flowJson", len(req.FlowJSON) != 0 && string(req.FlowJSON) != "null"},
		presence{"desc", req.Desc != nil})
	if err != nil {
		return errIncorrectParameter.because(err.Error())
	}
	return nil
}

// importedFlow builds a flow of orgID from an ExportedFlow; the error says what makes it
// invalid.
func (st *state) importedFlow(in exportedFlowInput, orgID string, now time.Time) (*Flow, error) {
	flow, err := newImportedFlow(in, orgID, now)
	if err != nil {
		return nil, err
	}
	first := st.nextTaskID()
	ids, err := importTasks(flow, in.Tasks, first)
	if err != nil {
		return nil, err
	}
	if err := linkImportedTasks(flow, in.Relations, ids, first); err != nil {
		return nil, err
	}
	if err := st.linkImportedFlows(flow, in, ids); err != nil {
		return nil, err
	}
	if err := checkNoCycle(flow.Tasks); err != nil {
		return nil, err
	}
	st.normalizeFlow(flow, now)
	return flow, nil
}

// newImportedFlow returns the flow of an ExportedFlow's own fields, without tasks; the error
// says which one is out of range.
func newImportedFlow(in exportedFlowInput, orgID string, now time.Time) (*Flow, error) {
	in.Cycle, in.Cron = cmp.Or(in.Cycle, defaultCycle), cmp.Or(in.Cron, DefaultFreq)
	if err := checkFlowFields(in.Cycle, "cron", in.Cron, in.Type.value, in.AlertMode.value, in.StartTime); err != nil {
		return nil, err
	}
	params, err := decodeParameters(in.Parameters)
	if err != nil {
		return nil, fmt.Errorf("parameters: %s", plain(err))
	}
	return &Flow{
		OrgID: orgID, Type: int(in.Type.value), Cycle: in.Cycle, Freq: in.Cron, Parameters: params,
		Description: in.Desc, Visitors: in.Visitors, DoAs: in.Submitter, AlertMode: int(in.AlertMode.value),
		StartDate: in.StartTime, CreatedAt: now, UpdatedAt: now, Tasks: []Task{},
	}, nil
}

// importTasks adds the exported tasks to flow with ids from first on, in order, and returns
// the ids by task name; the error names a task without a name or with one already taken, an
// unknown type or a negative timeout, retry limit or interval.
func importTasks(flow *Flow, tasks []exportedTaskInput, first int64) (map[string]int64, error) {
	ids := make(map[string]int64, len(tasks))
	for i, t := range tasks {
		name := strings.TrimSpace(t.Name)
		typ, err := checkExportedTask(t, name, ids)
		if err != nil {
			return nil, fmt.Errorf("tasks[%d]: %w", i, err)
		}
		id := first + int64(i)
		ids[name] = id
		flow.Tasks = append(flow.Tasks, Task{
			ID: id, Name: name, Duration: DefaultTaskDuration, Command: t.Cmd, Type: typ,
			X: float64(100 + 200*i), Y: 100, Timeout: time.Duration(t.Timeout.value) * time.Second,
			RetryLimit: int(t.RetryLimit.value), RetryInterval: time.Duration(t.RetryInterval.value) * time.Second,
		})
	}
	return ids, nil
}

// checkExportedTask checks an exported task whose trimmed name is name, given the names
// taken before it (ids), and returns its type.
func checkExportedTask(t exportedTaskInput, name string, ids map[string]int64) (string, error) {
	typ, ok := taskTypeName(t.Type)
	switch {
	case name == "":
		return "", errors.New("name is empty")
	case ids[name] != 0:
		return "", fmt.Errorf("name %s is taken by an earlier task", shown(name))
	case !ok:
		return "", fmt.Errorf("type %s: want a task type's name or code", shown(t.Type))
	case t.Timeout.value < 0:
		return "", fmt.Errorf("timeout %d: want 0 or more seconds", t.Timeout.value)
	case t.RetryLimit.value < 0:
		return "", fmt.Errorf("retryLimit %d: want 0 or more", t.RetryLimit.value)
	case t.RetryInterval.value < 0:
		return "", fmt.Errorf("retryInterval %d: want 0 or more seconds", t.RetryInterval.value)
	}
	return typ, nil
}

// linkImportedTasks sets the DependsOn of the imported tasks (ids by name, given in order from
// first) from the exported relations; the error names a relation naming an unknown task or
// the same task twice.
func linkImportedTasks(flow *Flow, relations []taskRelationWire, ids map[string]int64, first int64) error {
	for i, r := range relations {
		source, okSource := ids[r.SourceTaskName]
		target, okTarget := ids[r.TargetTaskName]
		switch {
		case !okSource:
			return fmt.Errorf("relations[%d]: sourceTaskName %s names no task of the flow", i, shown(r.SourceTaskName))
		case !okTarget:
			return fmt.Errorf("relations[%d]: targetTaskName %s names no task of the flow", i, shown(r.TargetTaskName))
		case source == target:
			return fmt.Errorf("relations[%d]: task %s depends on itself", i, shown(r.SourceTaskName))
		}
		// Task ids were given in order from first: the target's index is its offset.
		t := &flow.Tasks[target-first]
		t.DependsOn = addID(t.DependsOn, source)
		if r.Rerun.value {
			t.RerunAfter = addID(t.RerunAfter, source)
		}
	}
	return nil
}

// linkImportedFlows sets the flow's upstream flows from the exported flowLinks (each names a
// flow of the org) and checks its linkRelations (a known link to a known task), keeping
// their rerun flags (Task.RerunAfterFlows).
func (st *state) linkImportedFlows(flow *Flow, in exportedFlowInput, ids map[string]int64) error {
	links := make(map[string]int64) // the upstream flow of each link
	for i, l := range in.FlowLinks {
		up := st.flowNamed(flow.OrgID, l.SourceFlowName)
		if up == nil {
			return fmt.Errorf("flowLinks[%d]: sourceFlowName %s names no flow of organization %s", i, shown(l.SourceFlowName), shown(flow.OrgID))
		}
		links[l.LinkID] = up.ID
		flow.DependsOn = addID(flow.DependsOn, up.ID)
	}
	for i, r := range in.LinkRelations {
		up, known := links[r.LinkID]
		target := slices.IndexFunc(flow.Tasks, func(t Task) bool { return t.ID == ids[r.TargetTaskName] })
		switch {
		case !known:
			return fmt.Errorf("linkRelations[%d]: linkId %s is no flowLink's", i, shown(r.LinkID))
		case ids[r.TargetTaskName] == 0 || target < 0:
			return fmt.Errorf("linkRelations[%d]: targetTaskName %s names no task of the flow", i, shown(r.TargetTaskName))
		}
		if r.Rerun.value {
			flow.Tasks[target].RerunAfterFlows = addID(flow.Tasks[target].RerunAfterFlows, up)
		}
	}
	return nil
}
