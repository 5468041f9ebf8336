package refserver

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"
)

// This file holds the handlers of the /flows resource that change or carry a flow's
// definition: Save Flow, Load Flow For Edit, Export Flow and Import Flow.

// saveFlow is Save Flow: POST /flows?action=save
// (https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/save_flow.html).
// Owner-only.
//
// A body that is not a JSON object of the documented types, or lacks one of the mandatory
// fields (id, type, name, freq, cycle, alertMode, doAs, owners, visitors, startTime,
// active), answers 62102 "Incorrect parameter"; so do values out of range: an empty name or
// owners, a cycle other than M/W/D/H/mi, a cron expression without 7 fields, type not 0-2,
// alertMode not 0-3, a startTime not "yyyy-MM-dd" or "", malformed parameters, tasks with an
// empty name or an id used by another flow, relations between unknown nodes or making a
// cycle, and upstream flows not in the org. An unknown flow answers 62102 "Flow not found".
//
// The optional fields replace what the flow has when present and keep it when absent. tasks
// (TaskSimpleInfo) replaces the task list: a task with the id of one of the flow's tasks keeps
// its Duration, Fail, Command and Type; one without id gets a new id. relations, read only
// with tasks, set the tasks' DependsOn from edges between task nodes (each task's nodeId, or
// "t_<taskId>"); edges from upstream flow nodes are accepted and carry no more than flows
// does. flows (FlowSimpleInfo) sets the flow's DependsOn.
func (st *state) saveFlow(c *call) (any, *failure) {
	orgID, userID, f := st.ownerCaller(c)
	if f != nil {
		return nil, f
	}
	var req saveFlowRequest
	if err := json.Unmarshal(c.body, &req); err != nil {
		return nil, errIncorrectParameter
	}
	if !req.ID.set || req.ID.value <= 0 || !req.Type.set || req.Name == nil || req.Freq == nil || req.Cycle == nil ||
		!req.AlertMode.set || req.DoAs == nil || req.Owners == nil || req.Visitors == nil || req.StartTime == nil || !req.Active.set {
		return nil, errIncorrectParameter
	}
	flow, f := st.ownedFlow(req.ID.value, orgID, userID, errFlowNotFound)
	if f != nil {
		return nil, f
	}
	name := strings.TrimSpace(*req.Name)
	if name == "" || !validCycle(*req.Cycle) || !validCron(*req.Freq) || !validType(req.Type.value) ||
		!validAlertMode(req.AlertMode.value) || firstOf(*req.Owners) == "" || !validDate(*req.StartTime) {
		return nil, errIncorrectParameter
	}
	params, err := decodeParameters(req.Parameters)
	if err != nil {
		return nil, errIncorrectParameter
	}
	flow = cloneFlow(flow) // the stored flow is shared with its instances: change a copy

	dependsOn := flow.DependsOn
	flowNodes := make(map[string]bool)
	if req.Flows != nil {
		dependsOn = []int64{}
		for _, fl := range *req.Flows {
			up := fl.FlowID.value
			if !fl.FlowID.set || up == flow.ID || slices.Contains(dependsOn, up) || st.flows[up] == nil ||
				st.flows[up].OrgID != orgID || st.reaches(up, flow.ID) {
				return nil, errIncorrectParameter
			}
			dependsOn = append(dependsOn, up)
			if fl.NodeID != "" {
				flowNodes[fl.NodeID] = true
			}
		}
	}
	for _, up := range dependsOn {
		flowNodes[flowNodeID(up)] = true
	}

	tasks := flow.Tasks
	if req.Tasks != nil {
		var ok bool
		if tasks, ok = st.savedTasks(flow, *req.Tasks, req.Relations, flowNodes); !ok {
			return nil, errIncorrectParameter
		}
	}

	flow.Name, flow.Type, flow.Freq, flow.Cycle = name, int(req.Type.value), *req.Freq, *req.Cycle
	flow.AlertMode, flow.DoAs, flow.Owner, flow.Visitors = int(req.AlertMode.value), *req.DoAs, *req.Owners, *req.Visitors
	flow.StartDate, flow.Active = *req.StartTime, req.Active.value
	if len(req.Parameters) > 0 && string(req.Parameters) != "null" {
		flow.Parameters = params
	}
	if req.Desc != nil {
		flow.Description = *req.Desc
	}
	if req.Queue != nil {
		flow.Queue = *req.Queue
	}
	flow.Tasks, flow.DependsOn = tasks, dependsOn
	flow.UpdateUser, flow.UpdatedAt = userID, c.now
	st.storeFlow(flow)
	return flowIDData{FlowID: flow.ID}, nil
}

// savedTasks builds the task list of Save Flow; ok is false when the tasks or relations are
// invalid.
func (st *state) savedTasks(flow *Flow, infos []taskSimpleInput, relations []relationWire, flowNodes map[string]bool) (tasks []Task, ok bool) {
	owners := st.taskOwners()
	next := st.nextTaskID()
	old := taskIndex(flow.Tasks) // the flow's tasks, as they are
	nodes := make(map[string]int64)
	at := make(map[int64]int, len(infos)) // the new tasks by id
	tasks = make([]Task, 0, len(infos))
	for _, info := range infos {
		name := strings.TrimSpace(info.TaskName)
		if name == "" {
			return nil, false
		}
		id := info.TaskID.value
		if info.TaskID.set {
			if _, dup := at[id]; id <= 0 || (owners[id] != 0 && owners[id] != flow.ID) || dup {
				return nil, false
			}
		} else {
			id, next = next, next+1
		}
		t := Task{ID: id, Duration: DefaultTaskDuration, Type: defaultTaskType}
		if i, ok := old[id]; ok {
			t = flow.Tasks[i]
		}
		t.Name, t.X, t.Y, t.DependsOn = name, float64(info.X), float64(info.Y), nil
		at[id] = len(tasks)
		tasks = append(tasks, t)
		nodes[taskNodeID(id)] = id
		if info.NodeID != "" {
			nodes[info.NodeID] = id
		}
	}
	for _, r := range relations {
		target, ok := nodes[r.Target]
		if !ok {
			return nil, false
		}
		if flowNodes[r.Source] {
			continue
		}
		source, ok := nodes[r.Source]
		if !ok || source == target {
			return nil, false
		}
		if t := &tasks[at[target]]; !slices.Contains(t.DependsOn, source) {
			t.DependsOn = append(t.DependsOn, source)
		}
	}
	return tasks, !hasCycle(tasks)
}

// loadForEdit is Load Flow For Edit: GET /flows?action=loadForEdit&flowId=
// (https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/load_flow_for_edit.html).
// The server keeps no drafts: it answers the Flow as Get Flow does, with the same checks, and
// with the computing queue, which this page's sample shows and Get Flow's does not.
func (st *state) loadForEdit(c *call) (any, *failure) {
	flow, userID, f := st.readFlow(c)
	if f != nil {
		return nil, f
	}
	data := st.flowData(flow, userID)
	data.Queue = &flow.Queue
	return data, nil
}

// exportFlow is Export Flow: GET /flows?action=export&flowId=
// (https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/export_flow.html): the
// ExportedFlow of a flow of the org, for Import Flow. Tasks and relations go by task name, so a
// flow with an unnamed task or two tasks of the same name answers 62102 "Flow validation
// exception". Upstream flows become flowLinks ("l_<flowId>") with a linkRelation to each task that
// has no upstream task.
func (st *state) exportFlow(c *call) (any, *failure) {
	flow, _, f := st.readFlow(c)
	if f != nil {
		return nil, f
	}
	names := make(map[int64]string, len(flow.Tasks))
	seen := make(map[string]bool, len(flow.Tasks))
	for _, t := range flow.Tasks {
		if t.Name == "" || seen[t.Name] {
			return nil, errFlowValidation
		}
		seen[t.Name], names[t.ID] = true, t.Name
	}
	out := exportedFlow{
		Name: flow.Name, Cycle: flow.Cycle, Cron: flow.Freq, Parameters: encodeParameters(flow.Parameters),
		AlertMode: flow.AlertMode, Submitter: flow.DoAs, Owners: flow.Owner, Visitors: flow.Visitors,
		Type: flow.Type, Desc: flow.Description, StartTime: flow.StartDate,
		Tasks: []exportedTask{}, FlowLinks: []flowLinkWire{}, TaskLinks: []taskLinkWire{},
		Relations: []taskRelationWire{}, LinkRelations: []linkRelationWire{},
	}
	for _, t := range flow.Tasks {
		out.Tasks = append(out.Tasks, exportedTask{
			Name: t.Name, Resource: "default", Type: t.Type, Cmd: t.Command, Submitter: flow.DoAs,
			Cron: flow.Freq, Timeout: wholeSeconds(t.Timeout), RetryLimit: t.RetryLimit,
			RetryInterval: wholeSeconds(t.RetryInterval), SuccessCode: "0", RunMode: defaultRunMode,
		})
		for _, up := range t.DependsOn {
			if name, ok := names[up]; ok {
				out.Relations = append(out.Relations, taskRelationWire{SourceTaskName: name, TargetTaskName: t.Name})
			}
		}
	}
	for _, up := range flow.DependsOn {
		link := "l_" + strconv.FormatInt(up, 10)
		upName := ""
		if uf := st.flows[up]; uf != nil {
			upName = uf.Name
		}
		out.FlowLinks = append(out.FlowLinks, flowLinkWire{LinkID: link, SourceFlowName: upName})
		for _, t := range flow.Tasks {
			if !slices.ContainsFunc(t.DependsOn, func(id int64) bool { _, ok := names[id]; return ok }) {
				out.LinkRelations = append(out.LinkRelations, linkRelationWire{LinkID: link, TargetTaskName: t.Name})
			}
		}
	}
	return out, nil
}

// importFlow is Import Flow: POST /flows?action=import
// (https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/import_flow.html): a new
// flow owned by the caller, in the directory dirId of the org, from an ExportedFlow (flowJson, an
// object or a string holding one). It keeps flowId when no flow has or had it (a deleted flow's id
// is never given again), else takes the next id above every flow id ever stored. Its tasks get new
// ids, DefaultTaskDuration and the exported type and command; it starts paused (Active false).
// desc, when present, replaces the exported description.
//
// Checks after the user's: a body that is not JSON, or no flowJson, answers 62102 "Incorrect
// parameter"; an empty flowName 62102 "Invalid parameter: flowName"; a dirId that is not a
// directory of the org 62102 "Directory does not exist"; a flowJson that is malformed or
// inconsistent (cycle, cron, type, alertMode, parameters, task names missing or repeated,
// relations naming unknown tasks or making a cycle, flowLinks naming no flow of the org)
// 62102 "Workflow validation failed".
func (st *state) importFlow(c *call) (any, *failure) {
	orgID, userID, f := st.ownerCaller(c)
	if f != nil {
		return nil, f
	}
	var req importFlowRequest
	if err := json.Unmarshal(c.body, &req); err != nil {
		return nil, errIncorrectParameter
	}
	if req.FlowName == nil || strings.TrimSpace(*req.FlowName) == "" {
		return nil, errInvalidFlowName
	}
	if req.DirID == nil || st.dirs[*req.DirID] == nil || st.dirs[*req.DirID].orgID != orgID {
		return nil, errNoDirectory
	}
	raw := req.FlowJSON
	if len(raw) == 0 || string(raw) == "null" {
		return nil, errIncorrectParameter
	}
	// desc is Mandatory on
	// https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/import_flow.html
	// (its sample sends ""): absent, it is refused like any missing mandatory field.
	if req.Desc == nil {
		return nil, errIncorrectParameter
	}
	if raw[0] == '"' {
		var inner string
		if err := json.Unmarshal(raw, &inner); err != nil {
			return nil, errWorkflowValidation
		}
		raw = json.RawMessage(inner)
	}
	var in exportedFlowInput
	if err := json.Unmarshal(raw, &in); err != nil {
		return nil, errWorkflowValidation
	}
	flow, ok := st.importedFlow(in, orgID, c.now)
	if !ok {
		return nil, errWorkflowValidation
	}
	flow.Name, flow.Entry = strings.TrimSpace(*req.FlowName), EntryAPI
	flow.Owner, flow.Creator, flow.UpdateUser = userID, userID, userID
	flow.DirID = *req.DirID
	if req.Desc != nil {
		flow.Description = *req.Desc
	}
	flow.ID = req.FlowID.value
	if !req.FlowID.set || flow.ID <= 0 || st.flows[flow.ID] != nil || st.runs[flow.ID] != nil || st.deletedFlows[flow.ID] {
		flow.ID = st.nextFlowID()
	}
	st.storeFlow(flow)
	return flowIDData{FlowID: flow.ID}, nil
}

// importedFlow builds a flow of orgID from an ExportedFlow; ok is false when it is invalid.
func (st *state) importedFlow(in exportedFlowInput, orgID string, now time.Time) (flow *Flow, ok bool) {
	if in.Cycle == "" {
		in.Cycle = defaultCycle
	}
	if in.Cron == "" {
		in.Cron = DefaultFreq
	}
	if !validCycle(in.Cycle) || !validCron(in.Cron) || !validType(in.Type.value) || !validAlertMode(in.AlertMode.value) || !validDate(in.StartTime) {
		return nil, false
	}
	params, err := decodeParameters(in.Parameters)
	if err != nil {
		return nil, false
	}
	flow = &Flow{
		OrgID: orgID, Type: int(in.Type.value), Cycle: in.Cycle, Freq: in.Cron, Parameters: params,
		Description: in.Desc, Visitors: in.Visitors, DoAs: in.Submitter, AlertMode: int(in.AlertMode.value),
		StartDate: in.StartTime, CreatedAt: now, UpdatedAt: now, Tasks: []Task{},
	}
	ids := make(map[string]int64, len(in.Tasks))
	first := st.nextTaskID()
	next := first
	for i, t := range in.Tasks {
		name := strings.TrimSpace(t.Name)
		typ, ok := taskTypeName(t.Type)
		if name == "" || ids[name] != 0 || !ok || t.Timeout.value < 0 || t.RetryLimit.value < 0 || t.RetryInterval.value < 0 {
			return nil, false
		}
		ids[name] = next
		flow.Tasks = append(flow.Tasks, Task{
			ID: next, Name: name, Duration: DefaultTaskDuration, Command: t.Cmd, Type: typ,
			X: float64(100 + 200*i), Y: 100, Timeout: time.Duration(t.Timeout.value) * time.Second,
			RetryLimit: int(t.RetryLimit.value), RetryInterval: time.Duration(t.RetryInterval.value) * time.Second,
		})
		next++
	}
	addDep := func(targetName string, source int64) bool {
		target, ok := ids[targetName]
		if !ok || target == source {
			return false
		}
		// Task ids were given in order from first: the target's index is its offset.
		t := &flow.Tasks[target-first]
		if !slices.Contains(t.DependsOn, source) {
			t.DependsOn = append(t.DependsOn, source)
		}
		return true
	}
	for _, r := range in.Relations {
		source, ok := ids[r.SourceTaskName]
		if !ok || !addDep(r.TargetTaskName, source) {
			return nil, false
		}
	}
	links := make(map[string]bool)
	for _, l := range in.FlowLinks {
		up := st.flowNamed(orgID, l.SourceFlowName)
		if up == nil {
			return nil, false
		}
		links[l.LinkID] = true
		if !slices.Contains(flow.DependsOn, up.ID) {
			flow.DependsOn = append(flow.DependsOn, up.ID)
		}
	}
	for _, r := range in.LinkRelations {
		if !links[r.LinkID] || ids[r.TargetTaskName] == 0 {
			return nil, false
		}
	}
	if hasCycle(flow.Tasks) {
		return nil, false
	}
	st.normalizeFlow(flow, now)
	return flow, true
}

// flowNamed returns the flow of orgID with that name and the smallest id, or nil.
func (st *state) flowNamed(orgID, name string) *Flow {
	for _, f := range st.sortedFlows(orgID) {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// taskOwners maps every task id in use (in flows and in the instances' flows) to its flow.
func (st *state) taskOwners() map[int64]int64 {
	out := make(map[int64]int64)
	for _, f := range st.flows {
		for _, t := range f.Tasks {
			out[t.ID] = f.ID
		}
	}
	return out
}

// nextTaskID returns a task id above every task id ever stored.
func (st *state) nextTaskID() int64 {
	return st.topTaskID + 1
}

// nextFlowID returns a flow id above every flow id ever stored, deleted flows' included.
func (st *state) nextFlowID() int64 {
	return st.topFlowID + 1
}

// reaches reports whether the flow from depends, directly or not, on the flow to (or is it).
func (st *state) reaches(from, to int64) bool {
	seen := make(map[int64]bool)
	var walk func(id int64) bool
	walk = func(id int64) bool {
		if id == to {
			return true
		}
		if seen[id] {
			return false
		}
		seen[id] = true
		if f := st.flows[id]; f != nil {
			for _, up := range f.DependsOn {
				if walk(up) {
					return true
				}
			}
		}
		return false
	}
	return walk(from)
}

// hasCycle reports whether the task dependencies make a cycle.
func hasCycle(tasks []Task) bool {
	deps := make(map[int64][]int64, len(tasks))
	for _, t := range tasks {
		deps[t.ID] = t.DependsOn
	}
	mark := make(map[int64]int) // 1 visiting, 2 done
	var visit func(id int64) bool
	visit = func(id int64) bool {
		switch mark[id] {
		case 1:
			return true
		case 2:
			return false
		}
		mark[id] = 1
		for _, up := range deps[id] {
			if _, known := deps[up]; known && visit(up) {
				return true
			}
		}
		mark[id] = 2
		return false
	}
	for _, t := range tasks {
		if visit(t.ID) {
			return true
		}
	}
	return false
}

// validCycle reports whether s is a cycle: M, W, D, H or mi.
func validCycle(s string) bool {
	switch s {
	case "M", "W", "D", "H", "mi":
		return true
	}
	return false
}

// validCron reports whether s has the 7 fields of a Quartz cron expression. The fields
// themselves are not checked.
func validCron(s string) bool {
	return len(strings.Fields(s)) == 7
}

// validType reports whether t is a scheduling type (0, 1 or 2).
func validType(t int64) bool { return t >= FlowTypeManual && t <= FlowTypeTemporary }

// validAlertMode reports whether m is an alert mode (0 to 3).
func validAlertMode(m int64) bool { return m >= 0 && m <= 3 }

// validDate reports whether s is "" or a date "yyyy-MM-dd".
func validDate(s string) bool {
	if s == "" {
		return true
	}
	_, err := time.Parse(dateLayout, s)
	return err == nil
}
