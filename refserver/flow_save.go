package refserver

import (
	"errors"
	"fmt"
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
// The documented message names no field: X-Refserver-Reason says which one and why. A
// freq with Quartz's L, W or # (which the server does not read: the flow never fires), or
// one that fires more often than the cycle (only the first fire of each cycle makes an
// instance), is taken as it is, where a seed's periodic flow is refused.
//
// The optional fields replace what the flow has when present and keep it when absent. tasks
// (TaskSimpleInfo) replaces the task list: a task with the id of one of the flow's tasks keeps
// all but its name, position and dependencies (Duration, Command, Type, its seeded behaviour);
// one without id gets a new id. relations, read only
// with tasks, set the tasks' DependsOn from edges between task nodes (each task's nodeId, or
// "t_<taskId>"); edges from upstream flow nodes are accepted and carry no more than flows
// does. A relation's rerun flag is kept and shown again (Task.RerunAfter, RerunAfterFlows).
// flows (FlowSimpleInfo) sets the flow's DependsOn.
func (st *state) saveFlow(c *call) (any, *failure) {
	orgID, userID, f := st.ownerCaller(c)
	if f != nil {
		return nil, f
	}
	var req saveFlowRequest
	if err := decodeRequest("", c.body, &req); err != nil {
		return nil, errIncorrectParameter.because(err.Error())
	}
	if err := req.checkMandatory(); err != nil {
		return nil, errIncorrectParameter.because(err.Error())
	}
	flow, f := st.ownedFlowBy("id", req.ID.value, orgID, userID, errFlowNotFound)
	if f != nil {
		return nil, f
	}
	params, err := req.check()
	if err != nil {
		return nil, errIncorrectParameter.because(err.Error())
	}
	flow = cloneFlow(flow) // the stored flow is shared with its instances: change a copy
	dependsOn, flowNodes, err := st.savedDependsOn(flow, req.Flows)
	if err != nil {
		return nil, errIncorrectParameter.because(err.Error())
	}
	if req.Tasks != nil {
		if flow.Tasks, err = st.savedTasks(flow, *req.Tasks, req.Relations, flowNodes); err != nil {
			return nil, errIncorrectParameter.because(err.Error())
		}
	}
	keepRerunAfterFlows(flow.Tasks, dependsOn)
	req.applyTo(flow, params)
	flow.DependsOn = dependsOn
	flow.UpdateUser, flow.UpdatedAt = userID, c.now
	st.storeFlow(flow)
	return flowIDData{FlowID: flow.ID}, nil
}

// checkMandatory says which mandatory fields of Save Flow the request lacks, if any, or that
// its id is not a flow id.
func (req *saveFlowRequest) checkMandatory() error {
	if err := checkPresent(
		presence{"id", req.ID.set}, presence{"type", req.Type.set}, presence{"name", req.Name != nil},
		presence{"freq", req.Freq != nil}, presence{"cycle", req.Cycle != nil}, presence{"alertMode", req.AlertMode.set},
		presence{"doAs", req.DoAs != nil}, presence{"owners", req.Owners != nil}, presence{"visitors", req.Visitors != nil},
		presence{"startTime", req.StartTime != nil}, presence{"active", req.Active.set},
	); err != nil {
		return err
	}
	if req.ID.value <= 0 {
		return fmt.Errorf("id %d: want a positive flow id", req.ID.value)
	}
	return nil
}

// check says which of the request's values is out of range, if any, and returns its
// parameters (nil when it has none).
func (req *saveFlowRequest) check() ([]Parameter, error) {
	switch {
	case strings.TrimSpace(*req.Name) == "":
		return nil, errors.New("name is empty")
	case firstOf(*req.Owners) == "":
		return nil, fmt.Errorf("owners %s names no user", shown(*req.Owners))
	}
	if err := checkFlowFields(*req.Cycle, "freq", *req.Freq, req.Type.value, req.AlertMode.value, *req.StartTime); err != nil {
		return nil, err
	}
	params, err := decodeParameters(req.Parameters)
	if err != nil {
		return nil, fmt.Errorf("parameters: %s", plain(err))
	}
	return params, nil
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
// absent) and the node ids that stand for them in relations (with the flow of each); the error says which upstream
// flow is repeated, the flow itself, not a flow of its org, or one that depends on it.
func (st *state) savedDependsOn(flow *Flow, flows *[]flowSimpleInput) (dependsOn []int64, flowNodes map[string]int64, err error) {
	dependsOn, flowNodes = flow.DependsOn, make(map[string]int64)
	if flows != nil {
		dependsOn = []int64{}
		for i, fl := range *flows {
			if err := st.checkUpstream(flow, fl.FlowID, dependsOn); err != nil {
				return nil, nil, fmt.Errorf("flows[%d]: %w", i, err)
			}
			dependsOn = append(dependsOn, fl.FlowID.value)
			if fl.NodeID != "" {
				flowNodes[fl.NodeID] = fl.FlowID.value
			}
		}
	}
	for _, up := range dependsOn {
		flowNodes[flowNodeID(up)] = up
	}
	return dependsOn, flowNodes, nil
}

// checkUpstream says why the flow id cannot be an upstream flow of flow, given those listed
// before it, if it cannot.
func (st *state) checkUpstream(flow *Flow, id flexInt, listed []int64) error {
	up := id.value
	switch {
	case !id.set:
		return errors.New("flowId is missing")
	case up == flow.ID:
		return fmt.Errorf("flowId %d is the flow itself", up)
	case slices.Contains(listed, up):
		return fmt.Errorf("flowId %d is listed twice", up)
	case st.flows[up] == nil || st.flows[up].OrgID != flow.OrgID:
		return fmt.Errorf("flowId %d: no flow of that id in organization %s", up, shown(flow.OrgID))
	case st.reaches(up, flow.ID):
		return fmt.Errorf("flowId %d depends on flow %d: the upstream flows would make a cycle", up, flow.ID)
	}
	return nil
}

// savedTasks builds the task list of Save Flow; the error says which task or relation is
// invalid, and why.
func (st *state) savedTasks(flow *Flow, infos []taskSimpleInput, relations []relationWire, flowNodes map[string]int64) ([]Task, error) {
	var owners map[int64]int64 // made for the first task that names its id
	next := st.nextTaskID()
	old := taskIndex(flow.Tasks) // the flow's tasks, as they are
	nodes := make(map[string]int64)
	at := make(map[int64]int, len(infos)) // the new tasks by id
	tasks := make([]Task, 0, len(infos))
	for i, info := range infos {
		name := strings.TrimSpace(info.TaskName)
		if name == "" {
			return nil, fmt.Errorf("tasks[%d]: taskName is empty", i)
		}
		id := info.TaskID.value
		if info.TaskID.set {
			if owners == nil {
				owners = st.taskOwners()
			}
			if err := checkTaskID(id, flow.ID, owners, at); err != nil {
				return nil, fmt.Errorf("tasks[%d]: %w", i, err)
			}
		} else {
			id, next = next, next+1
		}
		t := Task{ID: id, Duration: DefaultTaskDuration, Type: defaultTaskType}
		if i, ok := old[id]; ok {
			t = flow.Tasks[i]
		}
		t.Name, t.X, t.Y = name, float64(info.X), float64(info.Y)
		t.DependsOn, t.RerunAfter, t.RerunAfterFlows = nil, nil, nil
		at[id] = len(tasks)
		tasks = append(tasks, t)
		nodes[taskNodeID(id)] = id
		if info.NodeID != "" {
			nodes[info.NodeID] = id
		}
	}
	if err := linkTasks(tasks, at, nodes, relations, flowNodes); err != nil {
		return nil, err
	}
	return tasks, checkNoCycle(tasks)
}

// checkTaskID says why a task of flowID cannot have the id a Save Flow request gives it, if
// it cannot: owners holds the flow of every task id, at the ids listed before it.
func checkTaskID(id, flowID int64, owners map[int64]int64, at map[int64]int) error {
	_, dup := at[id]
	switch {
	case id <= 0:
		return fmt.Errorf("taskId %d: want a positive task id", id)
	case owners[id] != 0 && owners[id] != flowID:
		return fmt.Errorf("taskId %d is a task of flow %d", id, owners[id])
	case dup:
		return fmt.Errorf("taskId %d is listed twice", id)
	}
	return nil
}

// linkTasks sets the DependsOn of tasks (at: their indexes by id) from relations between
// task nodes (nodes: the task id of each node id), and the RerunAfter and RerunAfterFlows of
// the relations with rerun set; an edge from an upstream flow's node (flowNodes: the flow of
// each) adds no dependency. The error names an edge with an unknown end or a task on both
// ends.
func linkTasks(tasks []Task, at map[int64]int, nodes map[string]int64, relations []relationWire, flowNodes map[string]int64) error {
	for i, r := range relations {
		target, ok := nodes[r.Target]
		if !ok {
			return fmt.Errorf("relations[%d]: target %s is no task's node (its nodeId, or \"t_<taskId>\")", i, shown(r.Target))
		}
		t := &tasks[at[target]]
		if up, ok := flowNodes[r.Source]; ok {
			if r.Rerun.value {
				t.RerunAfterFlows = addID(t.RerunAfterFlows, up)
			}
			continue
		}
		source, ok := nodes[r.Source]
		switch {
		case !ok:
			return fmt.Errorf("relations[%d]: source %s is neither a task's node nor an upstream flow's", i, shown(r.Source))
		case source == target:
			return fmt.Errorf("relations[%d]: task %d depends on itself", i, source)
		}
		t.DependsOn = addID(t.DependsOn, source)
		if r.Rerun.value {
			t.RerunAfter = addID(t.RerunAfter, source)
		}
	}
	return nil
}

// addID returns ids with id added, unless it is there already.
func addID(ids []int64, id int64) []int64 {
	if slices.Contains(ids, id) {
		return ids
	}
	return append(ids, id)
}

// keepRerunAfterFlows drops from the tasks' RerunAfterFlows the flows that are no longer
// upstream flows (dependsOn): a flag of a removed edge must not come back with the edge.
func keepRerunAfterFlows(tasks []Task, dependsOn []int64) {
	for i := range tasks {
		t := &tasks[i]
		t.RerunAfterFlows = slices.DeleteFunc(t.RerunAfterFlows, func(up int64) bool { return !slices.Contains(dependsOn, up) })
	}
}
