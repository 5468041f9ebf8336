package refserver_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/enos-go/batchprocessing/refserver"
)

// accessRig seeds org o1 with the users owner, stranger, locked (locked, and a co-owner of
// flow 20) and, in o2, outsider; flow 20 (owned, two tasks, an instance running) and flow 22
// (locked, with an instance triggered before it was locked).
type accessRig struct {
	*rig
	inst20, inst22 string
}

func newAccessRig(t *testing.T) accessRig {
	r, _ := newManualRig(t, t0)
	for _, u := range []string{"owner", "stranger", "locked"} {
		r.srv.AddUser("o1", u)
	}
	r.srv.LockUser("locked")
	r.srv.AddUser("o2", "outsider")
	r.srv.AddApp(refserver.DemoAccessKey, refserver.DemoSecretKey, "o1", "o2")
	r.srv.AddFlow(refserver.Flow{ID: 20, Name: "twenty", OrgID: "o1", Owner: "owner;locked",
		Tasks: []refserver.Task{{ID: 201, Name: "a"}, {ID: 202, Name: "b", DependsOn: []int64{201}}}})
	locked := refserver.Flow{ID: 22, Name: "locked", OrgID: "o1", Owner: "owner", Tasks: []refserver.Task{{ID: 221, Name: "c"}}}
	r.srv.AddFlow(locked)
	ar := accessRig{rig: r}
	ar.inst20 = instanceID(t, r.opAs("o1", "owner", http.MethodPost, flowsPath, "trigger", "", triggerBody(20, t0)))
	ar.inst22 = instanceID(t, r.opAs("o1", "owner", http.MethodPost, flowsPath, "trigger", "", triggerBody(22, t0)))
	locked.Locked = true
	r.srv.AddFlow(locked)
	return ar
}

// ownerOnlyOps are the owner-only operations, each with a query and body for a flow (and
// its instance).
var ownerOnlyOps = []struct {
	name, method, path, action string
	query                      func(flowID int64) string
	body                       func(r accessRig, flowID int64) string
	noFlow                     bool // import: there is no flow to own yet
}{
	{"trigger", http.MethodPost, flowsPath, "trigger", nil,
		func(r accessRig, id int64) string { return triggerBody(id, t0.Add(time.Hour)) }, false},
	{"triggerFromTask", http.MethodPost, flowsPath, "triggerFromTask", nil,
		func(r accessRig, id int64) string {
			return `{"flowId":` + itoa(id) + `,"taskId":` + itoa(id*10+1) + `,"triggerTime":` + ms(t0.Add(time.Hour)) + `}`
		}, false},
	{"updateAndTrigger", http.MethodPost, flowsPath, "updateAndTrigger", nil,
		func(r accessRig, id int64) string {
			return `{"flowId":` + itoa(id) + `,"triggerTime":` + ms(t0.Add(time.Hour)) + `,"parameters":[]}`
		}, false},
	{"cancel", http.MethodPost, flowInstancesPath, "cancel", nil,
		func(r accessRig, id int64) string {
			if id == 22 {
				return `{"flowInstId":"` + r.inst22 + `"}`
			}
			return `{"flowInstId":"` + r.inst20 + `"}`
		}, false},
	{"enable", http.MethodPost, flowsPath, "enable", nil, func(r accessRig, id int64) string { return `{"flowId":` + itoa(id) + `}` }, false},
	{"disable", http.MethodPost, flowsPath, "disable", nil, func(r accessRig, id int64) string { return `{"flowId":` + itoa(id) + `}` }, false},
	{"delete", http.MethodGet, flowsPath, "delete", func(id int64) string { return "&flowId=" + itoa(id) }, nil, false},
	{"save", http.MethodPost, flowsPath, "save", nil,
		func(r accessRig, id int64) string {
			return `{"id":` + itoa(id) + `,"type":0,"name":"n","freq":"0 0 0 * * ? *","cycle":"D","alertMode":0,"doAs":"","owners":"owner;locked","visitors":"","startTime":"","active":1}`
		}, false},
	{"import", http.MethodPost, flowsPath, "import", nil,
		func(r accessRig, id int64) string {
			return `{"flowName":"imported","desc":"","dirId":"` + r.srv.RootDirectory("o1") + `","flowJson":{"tasks":[{"name":"x"}]}}`
		}, true},
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestOwnerOnlyOperations checks the prerequisites of every owner-only operation, in the
// documented order.
func TestOwnerOnlyOperations(t *testing.T) {
	t.Parallel()
	for _, op := range ownerOnlyOps {
		cases := []struct {
			name, org, user string
			flow            int64
			code            int
			msg             string
		}{
			{"unknown user", "o1", "ghost", 20, 62101, msgUserNotInOrg},
			{"user of another org", "o1", "outsider", 20, 62101, msgUserNotInOrg},
			{"no userId", "o1", "", 20, 62101, msgUserNotInOrg},
			{"locked user who owns the flow", "o1", "locked", 20, 62105, msgLocked},
			{"not the owner", "o1", "stranger", 20, 62103, msgNoPrivilege},
			{"locked flow", "o1", "owner", 22, 62105, msgLocked},
			{"owner", "o1", "owner", 20, 0, "OK"},
		}
		for _, c := range cases {
			if op.noFlow && (c.code == 62103 || c.flow == 22) {
				continue
			}
			t.Run(op.name+"/"+c.name, func(t *testing.T) {
				r := newAccessRig(t)
				query, body := "", ""
				if op.query != nil {
					query = op.query(c.flow)
				}
				if op.body != nil {
					body = op.body(r, c.flow)
				}
				wantErr(t, r.opAs(c.org, c.user, op.method, op.path, op.action, query, body), c.code, c.msg)
			})
		}
	}
}

// TestOUMemberOperations checks that the reading operations want a member of the org and
// nothing more: locked users and non-owners read.
func TestOUMemberOperations(t *testing.T) {
	t.Parallel()
	r := newAccessRig(t)
	dirs := 0
	ops := []struct {
		name, method, path, action, query string
		body                              func() string
	}{
		{"get flow instance", http.MethodGet, flowInstancesPath, "get", "&flowInstId=" + r.inst20, nil},
		{"list flow instances", http.MethodPost, flowInstancesPath, "search", "", func() string { return listBody(t, `{}`) }},
		{"get task instance", http.MethodGet, taskInstancesPath, "get", "&taskInstId=" + strings.Replace(r.inst20, "20-", "201-", 1), nil},
		{"get task instance log", http.MethodGet, taskInstancesPath, "getLog", "&taskInstId=" + strings.Replace(r.inst20, "20-", "201-", 1), nil},
		{"get flow", http.MethodGet, flowsPath, "get", "&flowId=20", nil},
		{"get my flow", http.MethodGet, flowsPath, "getMyFlow", "", nil},
		{"search flow", http.MethodPost, flowsPath, "search", "", func() string { return `{}` }},
		{"load flow for edit", http.MethodGet, flowsPath, "loadForEdit", "&flowId=20", nil},
		{"export flow", http.MethodGet, flowsPath, "export", "&flowId=20", nil},
		{"create directory", http.MethodPost, directoriesPath, "create", "", func() string {
			dirs++
			return `{"parentId":"` + r.srv.RootDirectory("o1") + `","dirName":"d` + strconv.Itoa(dirs) + `"}`
		}},
		{"list directories", http.MethodGet, directoriesPath, "listWorkFlowDirs", "", nil},
	}
	for _, op := range ops {
		for _, c := range []struct {
			user string
			code int
		}{{"ghost", 62101}, {"outsider", 62101}, {"", 62101}, {"locked", 0}, {"stranger", 0}, {"owner", 0}} {
			t.Run(op.name+"/"+c.user, func(t *testing.T) {
				body := ""
				if op.body != nil {
					body = op.body()
				}
				a := r.opAs("o1", c.user, op.method, op.path, op.action, op.query, body)
				if a.Code != c.code {
					t.Fatalf("got %d %q, want %d", a.Code, a.Msg, c.code)
				}
			})
		}
	}
}

// allOperations are the routes of the 22 operations.
var allOperations = []struct{ method, path, action string }{
	{http.MethodPost, flowsPath, "trigger"},
	{http.MethodPost, flowsPath, "triggerFromTask"},
	{http.MethodPost, flowsPath, "updateAndTrigger"},
	{http.MethodGet, flowInstancesPath, "get"},
	{http.MethodPost, flowInstancesPath, "search"},
	{http.MethodPost, flowInstancesPath, "cancel"},
	{http.MethodGet, taskInstancesPath, "get"},
	{http.MethodGet, taskInstancesPath, "getLog"},
	{http.MethodGet, flowsPath, "get"},
	{http.MethodGet, flowsPath, "getMyFlow"},
	{http.MethodPost, flowsPath, "search"},
	{http.MethodPost, flowsPath, "enable"},
	{http.MethodPost, flowsPath, "disable"},
	{http.MethodGet, flowsPath, "delete"},
	{http.MethodPost, flowsPath, "save"},
	{http.MethodGet, flowsPath, "loadForEdit"},
	{http.MethodGet, flowsPath, "export"},
	{http.MethodPost, flowsPath, "import"},
	{http.MethodPost, directoriesPath, "create"},
	{http.MethodGet, directoriesPath, "listWorkFlowDirs"},
	{http.MethodGet, timePath, "getCurrentTime"},
	{http.MethodGet, timePath, "getTimeZone"},
}

// TestRoutes checks that each of the 22 operations is routed (anything but the action error)
// and that the same action with another method or on another resource is not.
func TestRoutes(t *testing.T) {
	t.Parallel()
	r, _ := newManualRig(t, t0)
	known := make(map[string]bool)
	for _, op := range allOperations {
		known[op.method+" "+op.path+" "+op.action] = true
	}
	paths := []string{flowsPath, flowInstancesPath, taskInstancesPath, directoriesPath, timePath}
	for _, op := range allOperations {
		a := r.op(op.method, op.path, op.action, "", "")
		if a.Code == 62102 && a.Msg == msgInvalidAction {
			t.Errorf("%s %s %s is not routed", op.method, op.path, op.action)
		}
		for _, method := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete} {
			for _, path := range paths {
				if known[method+" "+path+" "+op.action] {
					continue
				}
				a := r.op(method, path, op.action, "", "")
				if a.Code != 62102 || a.Msg != msgInvalidAction {
					t.Errorf("%s %s %s: got %d %q, want the action error", method, path, op.action, a.Code, a.Msg)
				}
			}
		}
	}
}
