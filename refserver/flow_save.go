package refserver

import (
	"encoding/json"
	"slices"
	"strings"
)

// This file holds Save Flow.

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
// all but its name, position and dependencies (Duration, Command, Type, its seeded behaviour);
// one without id gets a new id. relations, read only
// with tasks, set the tasks' DependsOn from edges between task nodes (each task's nodeId, or
// "t_<taskId>"); edges from upstream flow nodes are accepted and carry no more than flows
// does. flows (FlowSimpleInfo) sets the flow's DependsOn.
func (st *state) saveFlow(c *call) (any, *failure) {
	orgID, userID, f := st.ownerCaller(c)
	if f != nil {
		return nil, f
	}
	var req saveFlowRequest
	if err := json.Unmarshal(c.body, &req); err != nil || !req.complete() {
		return nil, errIncorrectParameter
	}
	flow, f := st.ownedFlow(req.ID.value, orgID, userID, errFlowNotFound)
	if f != nil {
		return nil, f
	}
	params, ok := req.valid()
	if !ok {
		return nil, errIncorrectParameter
	}
	flow = cloneFlow(flow) // the stored flow is shared with its instances: change a copy
	dependsOn, flowNodes, ok := st.savedDependsOn(flow, req.Flows)
	if !ok {
		return nil, errIncorrectParameter
	}
	if req.Tasks != nil {
		if flow.Tasks, ok = st.savedTasks(flow, *req.Tasks, req.Relations, flowNodes); !ok {
			return nil, errIncorrectParameter
		}
	}
	req.applyTo(flow, params)
	flow.DependsOn = dependsOn
	flow.UpdateUser, flow.UpdatedAt = userID, c.now
	st.storeFlow(flow)
	return flowIDData{FlowID: flow.ID}, nil
}

// complete reports whether the request has every mandatory field of Save Flow.
func (req *saveFlowRequest) complete() bool {
	return req.ID.set && req.ID.value > 0 && req.Type.set && req.Name != nil && req.Freq != nil &&
		req.Cycle != nil && req.AlertMode.set && req.DoAs != nil && req.Owners != nil &&
		req.Visitors != nil && req.StartTime != nil && req.Active.set
}

// valid reports whether the request's values are in range, and returns its parameters
// (nil when it has none).
func (req *saveFlowRequest) valid() ([]Parameter, bool) {
	if strings.TrimSpace(*req.Name) == "" || !validCycle(*req.Cycle) || !validCron(*req.Freq) ||
		!validType(req.Type.value) || !validAlertMode(req.AlertMode.value) || firstOf(*req.Owners) == "" ||
		!validDate(*req.StartTime) {
		return nil, false
	}
	params, err := decodeParameters(req.Parameters)
	return params, err == nil
}

// applyTo sets the fields of flow the request gives: the mandatory ones, and the optional
// ones present (parameters, desc, queue; an explicit empty value clears).
func (req *saveFlowRequest) applyTo(flow *Flow, params []Parameter) {
	flow.Name, flow.Type, flow.Freq, flow.Cycle = strings.TrimSpace(*req.Name), int(req.Type.value), *req.Freq, *req.Cycle
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
}

// savedDependsOn returns the upstream flows of Save Flow (flows, or the flow's own when it is
// absent) and the node ids that stand for them in relations; ok is false when an upstream flow
// is repeated, the flow itself, not a flow of its org, or one that depends on it.
func (st *state) savedDependsOn(flow *Flow, flows *[]flowSimpleInput) (dependsOn []int64, flowNodes map[string]bool, ok bool) {
	dependsOn, flowNodes = flow.DependsOn, make(map[string]bool)
	if flows != nil {
		dependsOn = []int64{}
		for _, fl := range *flows {
			up := fl.FlowID.value
			if !fl.FlowID.set || up == flow.ID || slices.Contains(dependsOn, up) || st.flows[up] == nil ||
				st.flows[up].OrgID != flow.OrgID || st.reaches(up, flow.ID) {
				return nil, nil, false
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
	return dependsOn, flowNodes, true
}

// savedTasks builds the task list of Save Flow; ok is false when the tasks or relations are
// invalid.
func (st *state) savedTasks(flow *Flow, infos []taskSimpleInput, relations []relationWire, flowNodes map[string]bool) (tasks []Task, ok bool) {
	var owners map[int64]int64 // made for the first task that names its id
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
			if owners == nil {
				owners = st.taskOwners()
			}
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
	return tasks, linkTasks(tasks, at, nodes, relations, flowNodes) && !hasCycle(tasks)
}

// linkTasks sets the DependsOn of tasks (at: their indexes by id) from relations between
// task nodes (nodes: the task id of each node id); an edge from an upstream flow's node
// (flowNodes) adds nothing. It reports false for an edge with an unknown end or a task on
// both ends.
func linkTasks(tasks []Task, at map[int64]int, nodes map[string]int64, relations []relationWire, flowNodes map[string]bool) bool {
	for _, r := range relations {
		target, ok := nodes[r.Target]
		if !ok {
			return false
		}
		if flowNodes[r.Source] {
			continue
		}
		source, ok := nodes[r.Source]
		if !ok || source == target {
			return false
		}
		if t := &tasks[at[target]]; !slices.Contains(t.DependsOn, source) {
			t.DependsOn = append(t.DependsOn, source)
		}
	}
	return true
}
