package refserver

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// This file holds the handlers of the /flows resource that carry a flow's definition, Load
// Flow For Edit and Export Flow, and the checks Save Flow (flow_save.go) and Import Flow
// (flow_import.go) share with them.

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
		switch {
		case t.Name == "":
			return nil, errFlowValidation.because(fmt.Sprintf("task %d of flow %d has no name: an exported flow names its tasks", t.ID, flow.ID))
		case seen[t.Name]:
			return nil, errFlowValidation.because(fmt.Sprintf("flow %d has two tasks named %s: an exported flow tells its tasks apart by name", flow.ID, quote(t.Name)))
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
				out.Relations = append(out.Relations, taskRelationWire{SourceTaskName: name, TargetTaskName: t.Name,
					Rerun: flexBool{value: slices.Contains(t.RerunAfter, up)}})
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
				out.LinkRelations = append(out.LinkRelations, linkRelationWire{LinkID: link, TargetTaskName: t.Name,
					Rerun: flexBool{value: slices.Contains(t.RerunAfterFlows, up)}})
			}
		}
	}
	return out, nil
}

// flowNamed returns the flow of orgID with that name and the smallest id, or nil.
func (st *state) flowNamed(orgID, name string) *Flow {
	var found *Flow
	for _, f := range st.flows {
		if f.OrgID == orgID && f.Name == name && (found == nil || f.ID < found.ID) {
			found = f
		}
	}
	return found
}

// taskOwners maps the id of every task of the stored flows to its flow.
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

// checkNoCycle says, when the task dependencies make a cycle, a task on it.
func checkNoCycle(tasks []Task) error {
	deps := make(map[int64][]int64, len(tasks))
	names := make(map[int64]string, len(tasks))
	for _, t := range tasks {
		deps[t.ID], names[t.ID] = t.DependsOn, t.Name
	}
	if id, found := dependencyCycle(deps); found {
		return fmt.Errorf("the task dependencies make a cycle through task %s (id %d)", shown(names[id]), id)
	}
	return nil
}

// dependencyCycle reports whether the dependencies deps (task id -> the ids it depends on;
// ids not in deps are ignored) make a cycle, and an id on it (the search starts from the
// smallest id, so the answer is the same every time).
func dependencyCycle(deps map[int64][]int64) (int64, bool) {
	const visiting, done = 1, 2
	mark := make(map[int64]int, len(deps))
	var visit func(id int64) (int64, bool)
	visit = func(id int64) (int64, bool) {
		switch mark[id] {
		case visiting:
			return id, true
		case done:
			return 0, false
		}
		mark[id] = visiting
		for _, up := range deps[id] {
			if _, known := deps[up]; known {
				if onCycle, found := visit(up); found {
					return onCycle, true
				}
			}
		}
		mark[id] = done
		return 0, false
	}
	for _, id := range slices.Sorted(maps.Keys(deps)) {
		if onCycle, found := visit(id); found {
			return onCycle, true
		}
	}
	return 0, false
}

// checkFlowFields checks the fields Save Flow and Import Flow share, and says which one is
// out of range and why; cronName is the cron expression's field (freq in Save Flow, cron in
// an ExportedFlow).
func checkFlowFields(cycle, cronName, cron string, typ, alertMode int64, startTime string) error {
	switch {
	case !validCycle(cycle):
		return fmt.Errorf("cycle %s: want M, W, D, H or mi", shown(cycle))
	case !validCron(cron):
		return fmt.Errorf("%s %s: want a Quartz cron expression of 7 fields", cronName, shown(cron))
	case !validType(typ):
		return fmt.Errorf("type %d: want 0 (manual), 1 (periodic) or 2 (temporary)", typ)
	case !validAlertMode(alertMode):
		return fmt.Errorf("alertMode %d: want 0 (none), 1 (email), 2 (SMS) or 3 (both)", alertMode)
	case !validDate(startTime):
		return fmt.Errorf("startTime %s: want yyyy-MM-dd, or empty", shown(startTime))
	}
	return nil
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
