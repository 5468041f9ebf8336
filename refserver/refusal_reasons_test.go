package refserver_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/enos-go/batchprocessing/refserver"
)

// TestEveryRefusalSaysWhy walks the refusals of every operation, and each distinct cause of
// the messages several causes share (62101, "Cannot create workflow instance...", "Invalid
// request body.", "Instance not found"), and checks that the answer carries an
// X-Refserver-Reason that tells the cause apart: the documented code and message stay as
// they are, the header says which field or which case.
func TestEveryRefusalSaysWhy(t *testing.T) {
	t.Parallel()
	const (
		flowsP = flowsPath
		instP  = flowInstancesPath
		taskP  = taskInstancesPath
		dirP   = directoriesPath
		get    = http.MethodGet
		post   = http.MethodPost
	)
	demoInst := "3377-20191122012300" // the instance setup triggers, at epoch
	extractInst := strconv.Itoa(refserver.DemoExtractTaskID) + "-20191122012300"
	loadInst := strconv.Itoa(refserver.DemoLoadTaskID) + "-20191122012300"
	trig := triggerBody(refserver.DemoFlowID, epoch)
	fromTask := func(taskID int64) string {
		return `{"flowId":3377,"taskId":` + strconv.FormatInt(taskID, 10) + `,"triggerTime":` + strconv.FormatInt(epoch.UnixMilli(), 10) + `}`
	}
	tests := []struct {
		name                 string
		org, user            string // "" for the demo ones
		method, path, action string
		extra, body          string
		code                 int
		msg                  string
		reason               string // a part of the reason
	}{
		// 62101: three causes.
		{name: "no userId", user: "-", method: post, path: flowsP, action: "trigger", body: trig,
			code: 62101, msg: "userId does not exist, or it does not match to orgId.", reason: "the query has no userId"},
		{name: "unknown user", user: "nobody", method: get, path: flowsP, action: "getMyFlow",
			code: 62101, msg: "userId does not exist, or it does not match to orgId.", reason: `userId "nobody": no such user`},
		{name: "user outside the org", user: "stranger", method: get, path: instP, action: "get", extra: "&flowInstId=" + demoInst,
			code: 62101, msg: "userId does not exist, or it does not match to orgId.", reason: `user "stranger" is not a member of organization "yourOrgId"`},
		{name: "locked user", user: "locked", method: post, path: flowsP, action: "enable", body: `{"flowId":3377}`,
			code: 62105, msg: "Your account has been locked", reason: `user "locked" is locked`},
		{name: "unknown action", method: post, path: flowsP, action: "nosuch",
			code: 62102, msg: "Invalid parameter: action", reason: `action "nosuch": /flows has no such operation`},
		{name: "action with the wrong method", method: get, path: flowsP, action: "trigger",
			code: 62102, msg: "Invalid parameter: action", reason: `action "trigger" of /flows takes POST, not GET`},

		// Trigger Flow.
		{name: "trigger: flowId not a number", method: post, path: flowsP, action: "trigger", body: `{"flowId":"abc","triggerTime":1}`,
			code: 62102, msg: "Invalid request body.", reason: `flowId: "abc" is not an integer`},
		{name: "trigger: flowId a fraction", method: post, path: flowsP, action: "trigger", body: `{"flowId":3377.0,"triggerTime":1}`,
			code: 62102, msg: "Invalid request body.", reason: "flowId: 3377.0 is not an integer"},
		{name: "trigger: no triggerTime", method: post, path: flowsP, action: "trigger", body: `{"flowId":3377}`,
			code: 62102, msg: "Invalid request body.", reason: "triggerTime is missing"},
		{name: "trigger: no flowId", method: post, path: flowsP, action: "trigger", body: `{"triggerTime":1}`,
			code: 62102, msg: "Invalid request body.", reason: "flowId is missing"},
		{name: "trigger: not an object", method: post, path: flowsP, action: "trigger", body: `[1]`,
			code: 62102, msg: "Invalid request body.", reason: "the body is not a JSON object"},
		{name: "trigger: unknown flow", method: post, path: flowsP, action: "trigger", body: `{"flowId":999,"triggerTime":1}`,
			code: 62102, msg: "Cannot create workflow instance. Please check if the workflow or task exist, and do not trigger the same workflow repeatedly in 1 minute.",
			reason: `flowId 999: no flow of that id in organization "yourOrgId"`},
		{name: "trigger: same minute", method: post, path: flowsP, action: "trigger", body: trig,
			code: 62102, msg: "Cannot create workflow instance. Please check if the workflow or task exist, and do not trigger the same workflow repeatedly in 1 minute.",
			reason: `flow 3377 was triggered for the minute 2019-11-22 01:23 already: instance "3377-20191122012300"`},
		{name: "trigger: no task", method: post, path: flowsP, action: "trigger", body: triggerBody(refserver.DemoEmptyFlowID, epoch),
			code: 62104, msg: "This workflow has no task. You cannot trigger it.", reason: "flow 3378 has no task"},
		{name: "trigger: not an owner", method: post, path: flowsP, action: "trigger", body: triggerBody(5001, epoch),
			code: 62103, msg: "User has no privilege.", reason: `user "yourUserId" is not an owner of flow 5001`},
		{name: "trigger: locked flow", method: post, path: flowsP, action: "trigger", body: triggerBody(5002, epoch),
			code: 62105, msg: "Your account has been locked", reason: "flow 5002 is locked"},

		// Trigger Flow From Task.
		{name: "triggerFromTask: unknown task", method: post, path: flowsP, action: "triggerFromTask", body: fromTask(42),
			code: 62102, msg: "Cannot create workflow instance. Please check if the workflow or task exist, and do not trigger the same workflow repeatedly in 1 minute.",
			reason: "taskId 42 is not a task of flow 3377 (its tasks: 108580, 108581)"},
		{name: "triggerFromTask: task id not positive", method: post, path: flowsP, action: "triggerFromTask", body: fromTask(-1),
			code: 62102, msg: "Invalid request body.", reason: "taskId -1: want a positive id"},

		// Update And Trigger Flow.
		{name: "updateAndTrigger: no parameters", method: post, path: flowsP, action: "updateAndTrigger", body: trig,
			code: 62102, msg: "Invalid request body.", reason: "parameters is missing"},
		{name: "updateAndTrigger: bad parameters", method: post, path: flowsP, action: "updateAndTrigger",
			body: `{"flowId":3377,"triggerTime":1,"parameters":5}`,
			code: 62102, msg: "Invalid request body.", reason: "parameters: 5 is neither an array nor an object"},

		// Get Flow Instance, List Flow Instances, Cancel Flow Instance.
		{name: "get instance: no flowInstId", method: get, path: instP, action: "get",
			code: 62102, msg: "Invalid parameter: flowInstId", reason: "the query has no flowInstId"},
		{name: "get instance: unknown", method: get, path: instP, action: "get", extra: "&flowInstId=3377-1",
			code: 62102, msg: "Instance not found", reason: `flowInstId "3377-1": no flow instance of that id in organization "yourOrgId"`},
		{name: "list: bad fromTriggerTime", method: post, path: instP, action: "search", body: listBody(t, `{"fromTriggerTime":"yesterday"}`),
			code: 62102, msg: "Invalid request body.", reason: `fromTriggerTime: "yesterday" is not an integer`},
		{name: "list: no type", method: post, path: instP, action: "search", body: `{"status":"1","fromTriggerTime":0,"toTriggerTime":1}`,
			code: 62102, msg: "Invalid parameter: type", reason: "type is missing"},
		{name: "list: no toTriggerTime", method: post, path: instP, action: "search", body: `{"type":1,"status":"1","fromTriggerTime":0}`,
			code: 62102, msg: "Invalid parameter: toTriggerTime", reason: "toTriggerTime is missing"},
		{name: "list: bad status", method: post, path: instP, action: "search", body: listBody(t, `{"status":"1,x"}`),
			code: 62102, msg: "Invalid parameter: status", reason: `"x" is not a status code`},
		{name: "list: bad sorter", method: post, path: instP, action: "search", body: listBody(t, `{"pagination":{"pageNo":1,"pageSize":5,"sorters":[{"field":"color"}]}}`),
			code: 62102, msg: "The sorters field parameter is invalid", reason: `pagination.sorters[0]: field "color": want one of`},
		{name: "list: no pageSize", method: post, path: instP, action: "search", body: listBody(t, `{"pagination":{"pageNo":1}}`),
			code: 62102, msg: "Invalid parameter: pagination", reason: "pagination.pageSize is missing"},
		{name: "cancel: no flowInstId", method: post, path: instP, action: "cancel", body: `{}`,
			code: 62102, msg: "Invalid request body.", reason: "flowInstId is missing"},
		{name: "cancel: flowInstId a number", method: post, path: instP, action: "cancel", body: `{"flowInstId":5}`,
			code: 62102, msg: "Invalid request body.", reason: "flowInstId: got a JSON number, want a string"},
		{name: "cancel: unknown", method: post, path: instP, action: "cancel", body: `{"flowInstId":"3377-1"}`,
			code: 62102, msg: "Instance not found", reason: `flowInstId "3377-1": no flow instance`},

		// Get Task Instance, Get Task Instance Log.
		{name: "get task: no taskInstId", method: get, path: taskP, action: "get",
			code: 62102, msg: "Invalid parameter: taskInstId", reason: "the query has no taskInstId"},
		{name: "get task: unknown", method: get, path: taskP, action: "get", extra: "&taskInstId=1-2",
			code: 62102, msg: "Instance not found", reason: `taskInstId "1-2": no task instance of that id`},
		{name: "log: maxLength not a number", method: get, path: taskP, action: "getLog", extra: "&taskInstId=" + extractInst + "&maxLength=abc",
			code: 62102, msg: "Invalid parameter: maxLength", reason: `maxLength "abc": want a non-negative integer`},
		{name: "log: task not run", method: get, path: taskP, action: "getLog", extra: "&taskInstId=" + loadInst,
			code: 62109, msg: "No log found", reason: `task instance "` + loadInst + `" has not run (status INIT)`},

		// Get Flow, Get My Flow (62101 above), Search Flow, Enable, Disable, Delete.
		{name: "get flow: flowId not a number", method: get, path: flowsP, action: "get", extra: "&flowId=abc",
			code: 62102, msg: "Invalid parameter: flowId", reason: `flowId "abc": want a positive integer`},
		{name: "get flow: no flowId", method: get, path: flowsP, action: "get",
			code: 62102, msg: "Invalid parameter: flowId", reason: "the query has no flowId"},
		{name: "get flow: unknown", method: get, path: flowsP, action: "get", extra: "&flowId=999",
			code: 62102, msg: "Flow not found", reason: `flowId 999: no flow of that id in organization "yourOrgId"`},
		{name: "search flow: bad expression", method: post, path: flowsP, action: "search", body: `{"expression":1}`,
			code: 62102, msg: "Invalid request body.", reason: "expression: got a JSON number, want a string"},
		{name: "search flow: negative pageNo", method: post, path: flowsP, action: "search", body: `{"pagination":{"pageNo":-1,"pageSize":1}}`,
			code: 62102, msg: "Invalid parameter: pagination", reason: "pagination.pageNo -1"},
		{name: "search flow: bad order", method: post, path: flowsP, action: "search", body: `{"pagination":{"pageSize":1,"sorters":[{"field":"createTime","order":"UP"}]}}`,
			code: 62102, msg: "The sorters field parameter is invalid", reason: `order "UP": want ASC or DESC`},
		{name: "enable: flowId zero", method: post, path: flowsP, action: "enable", body: `{"flowId":0}`,
			code: 62102, msg: "Invalid request body.", reason: "flowId 0: want a positive id"},
		{name: "disable: unknown flow", method: post, path: flowsP, action: "disable", body: `{"flowId":999}`,
			code: 62102, msg: "Flow not found", reason: "flowId 999: no flow of that id"},
		{name: "delete: depended on", method: get, path: flowsP, action: "delete", extra: "&flowId=3377",
			code: 62104, msg: "This workflow is relied on by other workflows and cannot be deleted.", reason: "flow 3377 is an upstream flow of flow 5003"},
		{name: "delete: no flowId", method: get, path: flowsP, action: "delete",
			code: 62102, msg: "Invalid parameter: flowId", reason: "the query has no flowId"},

		// Save, Load For Edit, Export, Import.
		{name: "save: missing fields", method: post, path: flowsP, action: "save", body: `{"id":3377}`,
			code: 62102, msg: "Incorrect parameter", reason: "missing mandatory field"},
		{name: "loadForEdit: unknown", method: get, path: flowsP, action: "loadForEdit", extra: "&flowId=999",
			code: 62102, msg: "Flow not found", reason: "flowId 999"},
		{name: "export: tasks of one name", method: get, path: flowsP, action: "export", extra: "&flowId=5004",
			code: 62102, msg: "Flow validation exception", reason: `flow 5004 has two tasks named "twin"`},
		{name: "import: no flowName", method: post, path: flowsP, action: "import", body: `{}`,
			code: 62102, msg: "Invalid parameter: flowName", reason: "flowName is missing"},

		// Get Current Time and Get Timezone refuse nothing but a call with the wrong method.
		{name: "current time: POST", method: post, path: timePath, action: "getCurrentTime",
			code: 62102, msg: "Invalid parameter: action", reason: `action "getCurrentTime" of /time takes GET, not POST`},
		{name: "time zone: POST", method: post, path: timePath, action: "getTimeZone",
			code: 62102, msg: "Invalid parameter: action", reason: `action "getTimeZone" of /time takes GET, not POST`},

		// Create Directory, List Workflow Directories (62101 case).
		{name: "create dir: bad body", method: post, path: dirP, action: "create", body: `{"dirName":7}`,
			code: 62102, msg: "Invalid request body.", reason: "dirName: got a JSON number, want a string"},
		{name: "create dir: no name", method: post, path: dirP, action: "create", body: `{"parentId":"x"}`,
			code: 62102, msg: "param: dirName cannot be empty", reason: "dirName is missing"},
		{name: "create dir: no parent", method: post, path: dirP, action: "create", body: `{"dirName":"d"}`,
			code: 62102, msg: "param: parentId cannot be empty", reason: "parentId is missing"},
		{name: "create dir: unknown parent", method: post, path: dirP, action: "create", body: `{"dirName":"d","parentId":"x"}`,
			code: 62102, msg: "parentId not found", reason: `parentId "x": no directory of that id`},
		{name: "list dirs: unknown user", user: "nobody", method: get, path: dirP, action: "listWorkFlowDirs",
			code: 62101, msg: "userId does not exist, or it does not match to orgId.", reason: `userId "nobody": no such user`},
	}
	covered := make(map[string]bool)
	for _, tt := range tests {
		covered[tt.path+"?action="+tt.action] = true
	}
	for _, op := range allOperations {
		if !covered[op.path+"?action="+op.action] {
			t.Errorf("no refusal of %s %s?action=%s", op.method, op.path, op.action)
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t)
			seedRefusals(r)
			org, user := refserver.DemoOrgID, refserver.DemoUserID
			if tt.user != "" {
				user = tt.user
			}
			if user == "-" {
				user = ""
			}
			a := r.opAs(org, user, tt.method, tt.path, tt.action, tt.extra, tt.body)
			wantErr(t, a, tt.code, tt.msg)
			if a.Reason == "" || !strings.Contains(a.Reason, tt.reason) {
				t.Errorf("X-Refserver-Reason = %q, want it to hold %q", a.Reason, tt.reason)
			}
		})
	}
}

// seedRefusals adds to a demo rig what the refusals of TestEveryRefusalSaysWhy need: a
// trigger of flow 3377 at epoch, users outside the org and locked, flows owned by another
// user, locked, depending on 3377, and with two tasks of one name.
func seedRefusals(r *rig) {
	r.t.Helper()
	r.srv.AddUser("otherOrg", "stranger")
	r.srv.AddUser(refserver.DemoOrgID, "locked")
	r.srv.LockUser("locked")
	task := []refserver.Task{{ID: 9001, Name: "t"}}
	r.srv.AddFlow(refserver.Flow{ID: 5001, Name: "theirs", OrgID: refserver.DemoOrgID, Owner: "someoneElse", Tasks: task})
	r.srv.AddFlow(refserver.Flow{ID: 5002, Name: "locked", OrgID: refserver.DemoOrgID, Owner: refserver.DemoUserID, Locked: true,
		Tasks: []refserver.Task{{ID: 9002, Name: "t"}}})
	r.srv.AddFlow(refserver.Flow{ID: 5003, Name: "downstream", OrgID: refserver.DemoOrgID, Owner: refserver.DemoUserID,
		DependsOn: []int64{refserver.DemoFlowID}})
	r.srv.AddFlow(refserver.Flow{ID: 5004, Name: "twins", OrgID: refserver.DemoOrgID, Owner: refserver.DemoUserID,
		Tasks: []refserver.Task{{ID: 9004, Name: "twin"}, {ID: 9005, Name: "twin"}}})
	r.op(http.MethodPost, flowsPath, "trigger", "", triggerBody(refserver.DemoFlowID, epoch))
}
