package refserver

import (
	"slices"
	"strings"
	"time"
)

// This file holds what the control API shows of the store (GET /_refserver/state), of the
// settings and of the request log; settings.go holds the Go API it calls.

// settingsWire is the settings of a server as the control API shows and takes them.
type settingsWire struct {
	TokenLifetime   string `json:"tokenLifetime,omitempty"`
	TimestampWindow string `json:"timestampWindow,omitempty"`
	Location        string `json:"location,omitempty"`
}

// wire returns the settings as the control API shows them.
func (s Settings) wire() settingsWire {
	return settingsWire{TokenLifetime: s.TokenLifetime.String(), TimestampWindow: s.TimestampWindow.String(), Location: s.Location.String()}
}

// stateWire is the store as the control API shows it.
type stateWire struct {
	Now       string         `json:"now"`
	Settings  settingsWire   `json:"settings"`
	Apps      []appWire      `json:"apps"`
	Users     []userWire     `json:"users"`
	Flows     []flowWire     `json:"flows"`
	Instances []instanceWire `json:"instances"`
	Requests  []requestWire  `json:"requests"`
}

// appWire is an application, without its SecretKey.
type appWire struct {
	AccessKey string   `json:"accessKey"`
	Orgs      []string `json:"orgs"` // empty: registered in every organization
}

// userWire is a user.
type userWire struct {
	ID     string   `json:"id"`
	Orgs   []string `json:"orgs"`
	Locked bool     `json:"locked"`
}

// flowWire is a flow, in brief.
type flowWire struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	Org    string `json:"org"`
	Owner  string `json:"owner"`
	Type   int    `json:"type"`
	Active bool   `json:"active"`
	Cycle  string `json:"cycle"`
	Freq   string `json:"freq"`
	Tasks  int    `json:"tasks"`
}

// instanceWire is a flow instance with its task instances.
type instanceWire struct {
	ID          string             `json:"id"`
	FlowID      int64              `json:"flowId"`
	Status      int                `json:"status"`
	StatusDesc  string             `json:"statusDesc"`
	TriggerTime string             `json:"triggerTime"`
	StartTime   string             `json:"startTime"`
	EndTime     string             `json:"endTime"`
	Tasks       []taskInstanceWire `json:"tasks"`
}

// taskInstanceWire is a task instance.
type taskInstanceWire struct {
	ID         string `json:"id"`
	TaskID     int64  `json:"taskId"`
	Name       string `json:"name"`
	Status     int    `json:"status"`
	StatusDesc string `json:"statusDesc"`
	RunNum     int    `json:"runNum"` // attempts started
	StartTime  string `json:"startTime"`
	EndTime    string `json:"endTime"`
}

// requestWire is a logged request and its verdict.
type requestWire struct {
	Time   string `json:"time"`
	Method string `json:"method"`
	Path   string `json:"path"`
	Action string `json:"action,omitempty"`
	Status int    `json:"status"`        // HTTP status
	Code   int    `json:"code"`          // business code or token service status; 0 success
	Msg    string `json:"msg,omitempty"` // the refusal's or failure's message
	Reason string `json:"reason,omitempty"`
}

// rfc3339 formats t in UTC, or "" for the zero time.
func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// wire returns the store as the control API shows it, with the last n requests. The store is
// locked and settled.
func (st *state) wire(n, perFlow int) *stateWire {
	out := &stateWire{
		Now:      rfc3339(st.now()),
		Settings: st.settings().wire(),
		Apps:     []appWire{}, Users: []userWire{}, Flows: []flowWire{}, Instances: []instanceWire{},
		Requests: requestsWire(st.lastRequests(n)),
	}
	for key, a := range st.apps {
		out.Apps = append(out.Apps, appWire{AccessKey: key, Orgs: sortedKeys(a.orgs)})
	}
	slices.SortFunc(out.Apps, func(a, b appWire) int { return strings.Compare(a.AccessKey, b.AccessKey) })
	for id, u := range st.users {
		out.Users = append(out.Users, userWire{ID: id, Orgs: sortedKeys(u.orgs), Locked: u.locked})
	}
	slices.SortFunc(out.Users, func(a, b userWire) int { return strings.Compare(a.ID, b.ID) })
	var ids []int64
	for id := range st.flows {
		ids = append(ids, id)
	}
	for id := range st.runs {
		if st.flows[id] == nil {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	for _, id := range ids {
		if f := st.flows[id]; f != nil {
			out.Flows = append(out.Flows, flowWire{ID: f.ID, Name: f.Name, Org: f.OrgID, Owner: f.Owner, Type: f.Type,
				Active: f.Active, Cycle: f.Cycle, Freq: f.Freq, Tasks: len(f.Tasks)})
		}
		for _, in := range st.lastInstancesOf(id, perFlow) {
			out.Instances = append(out.Instances, instanceWireOf(in))
		}
	}
	return out
}

// instanceWireOf returns an instance as the control API shows it.
func instanceWireOf(in FlowInstance) instanceWire {
	w := instanceWire{ID: in.ID, FlowID: in.FlowID, Status: in.Status, StatusDesc: statusName(in.Status),
		TriggerTime: rfc3339(in.TriggerTime), StartTime: rfc3339(in.StartTime), EndTime: rfc3339(in.EndTime),
		Tasks: make([]taskInstanceWire, 0, len(in.Tasks))}
	for _, t := range in.Tasks {
		w.Tasks = append(w.Tasks, taskInstanceWire{ID: t.ID, TaskID: t.TaskID, Name: t.Name, Status: t.Status,
			StatusDesc: statusName(t.Status), RunNum: t.RunNum, StartTime: rfc3339(t.StartTime), EndTime: rfc3339(t.EndTime)})
	}
	return w
}

// requestsWire renders requests as the control API shows them.
func requestsWire(requests []Request) []requestWire {
	out := []requestWire{}
	for _, r := range requests {
		out = append(out, requestWire{Time: rfc3339(r.Time), Method: r.Method, Path: r.Path, Action: r.Action,
			Status: r.Status, Code: r.Code, Msg: r.Msg, Reason: r.Reason})
	}
	return out
}

// sortedKeys returns the keys of m, sorted.
func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
