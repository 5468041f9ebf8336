package refserver

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// This file holds the handlers of the /taskInstances resource: Get Task Instance and Get Task
// Instance Log.

// getTaskInstance is Get Task Instance: GET /taskInstances?action=get&taskInstId=
// (https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/get_task_instance.html).
// The documentation types data as List<JSONObject> but its sample is one object; the server answers
// the one object. The user must belong to the org (62101); an empty taskInstId answers 62102
// "Invalid parameter: taskInstId" (undocumented), a task instance that is unknown or of another org
// 62102 "Instance not found".
func (st *state) getTaskInstance(c *call) (any, *failure) {
	orgID, _, f := st.ouMember(c)
	if f != nil {
		return nil, f
	}
	id, f := queryText(c, "taskInstId", errInvalidTaskInstID)
	if f != nil {
		return nil, f
	}
	in, i := st.findTaskInstance(orgID, id)
	if in == nil {
		return nil, errInstanceNotFound.because(fmt.Sprintf("taskInstId %s: no task instance of that id in organization %s", shown(id), quote(orgID)))
	}
	return st.taskInstanceData(in, i), nil
}

// getTaskInstanceLog is Get Task Instance Log: GET
// /taskInstances?action=getLog&taskInstId=&maxLength=
// (https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/get_task_instance_log.html).
// The log grows as the task runs (see taskLog); maxLength, when a positive integer, keeps its last
// maxLength bytes (the newest lines, cut forward to a whole UTF-8 character); empty or 0 keeps it
// all, anything else answers 62102 "Invalid parameter: maxLength" (undocumented). A task that has
// not started (or was skipped) has no log: 62109 "No log found".
func (st *state) getTaskInstanceLog(c *call) (any, *failure) {
	orgID, _, f := st.ouMember(c)
	if f != nil {
		return nil, f
	}
	id, f := queryText(c, "taskInstId", errInvalidTaskInstID)
	if f != nil {
		return nil, f
	}
	maxLength := 0
	if s := strings.TrimSpace(c.query.Get("maxLength")); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return nil, errInvalidMaxLength.because("maxLength " + shown(s) + ": want a non-negative integer (0 or empty for the whole log)")
		}
		maxLength = n
	}
	in, i := st.findTaskInstance(orgID, id)
	if in == nil {
		return nil, errInstanceNotFound.because(fmt.Sprintf("taskInstId %s: no task instance of that id in organization %s", shown(id), quote(orgID)))
	}
	log, ok := taskLog(in, i, c.now, st.loc, taskCommand(in, i, st.loc))
	if !ok {
		return nil, errNoLog.because(fmt.Sprintf("task instance %s has not run (status %s), so it has no log", quote(id), statusName(in.Tasks[i].Status)))
	}
	return instanceLogData{Log: tail(log, maxLength)}, nil
}

// findTaskInstance returns the flow instance of orgID holding the task instance id, and the
// task's index in it. Task ids are meant to be unique across flows, as on EnOS; if two flows
// of the org share one, the instance of the flow with the smaller id wins. The flows whose
// instances run the task come from an index (state.taskFlows), so the lookup does not
// depend on the number of instances.
func (st *state) findTaskInstance(orgID, id string) (*instance, int) {
	taskID, suffix, ok := parseTaskInstanceID(id)
	if !ok {
		return nil, -1
	}
	for _, flowID := range st.taskFlows[taskID] {
		in := st.instances[strconv.FormatInt(flowID, 10)+"-"+suffix]
		if in == nil || in.orgOf() != orgID {
			continue
		}
		for i, ti := range in.Tasks {
			if ti.TaskID == taskID && ti.ID == id {
				return in, i
			}
		}
	}
	return nil, -1
}

// taskInstanceData returns the TaskInstance struct of the task i of in. runNum counts the
// attempts started and recallNum the retries; recallLimit, recallInterval and timeout are the
// task's (seconds; timeout 0 for a task without one); isTimeout is set when it timed out;
// hasResourceBefore and resourceName tell the resource it waits for (see task_timeline.go).
func (st *state) taskInstanceData(in *instance, i int) taskInstanceData {
	ti := in.Tasks[i]
	task := in.plan.Tasks[i]
	return taskInstanceData{
		InstanceID:        ti.ID,
		TaskID:            ti.TaskID,
		TaskName:          ti.Name,
		Cycle:             in.plan.Cycle,
		Status:            ti.Status,
		RunNum:            ti.RunNum,
		Type:              taskTypeCode(task.Type),
		StsDesc:           statusName(ti.Status),
		RecallNum:         max(ti.RunNum-1, 0),
		TriggerTime:       formatTime(in.TriggerTime, st.loc),
		Timeout:           wholeSeconds(task.Timeout),
		RecallLimit:       task.RetryLimit,
		RecallInterval:    wholeSeconds(task.RetryInterval),
		StartTime:         formatTime(ti.StartTime, st.loc),
		EndTime:           formatTime(ti.EndTime, st.loc),
		TimeStamp:         formatJavaDate(in.CreatedAt, st.loc),
		IsTimeout:         ti.Status == StatusTimeout,
		FlowInstID:        in.ID,
		DoAs:              in.plan.DoAs,
		RunMode:           defaultRunMode,
		Cmd:               taskCommand(in, i, st.loc),
		HasResourceBefore: task.ResourceName != "",
		ResourceName:      task.ResourceName,
	}
}

// wholeSeconds returns d in whole seconds, as the API writes timeouts and intervals.
func wholeSeconds(d time.Duration) int {
	return int(d / time.Second)
}
