package refserver

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"
)

// Seed is the world a reference server starts with, as a JSON document: applications, users with
// their organizations, flows with their tasks, and the server's time zone. LoadSeed reads one;
// NewServerFromSeed starts a server from it and Backend.Load loads it into one.
// testdata/seed/README.md documents the format and testdata/seed/example.json shows every field:
//
//	{
//	  "timezone": "GMT+8",
//	  "apps":  [{"accessKey": "ak", "secretKey": "sk", "orgs": ["o1"]}],
//	  "users": [{"id": "u1", "orgs": ["o1"]}],
//	  "flows": [{"id": 10, "name": "nightly", "org": "o1", "owner": "u1",
//	             "tasks": [{"id": 100, "name": "extract", "duration": "2s"},
//	                       {"id": 101, "name": "load", "durationMs": 500, "dependsOn": [100]}]}]
//	}
type Seed struct {
	// Timezone is the server's time zone: "UTC" (the default when empty), a UTC offset such as
	// "GMT+8", "GMT-3", "UTC+05:30", or an IANA name such as "Asia/Shanghai".
	Timezone string     `json:"timezone,omitempty"`
	Apps     []SeedApp  `json:"apps"`
	Users    []SeedUser `json:"users"`
	Flows    []SeedFlow `json:"flows"`
}

// SeedApp is an application of a Seed: the AccessKey and SecretKey a client signs with, and
// the organizations it is registered in. Its calls in any other organization are refused
// (see Server.AddApp). Without Orgs, it is registered in every organization the seed names
// (its users' and its flows').
type SeedApp struct {
	AccessKey string   `json:"accessKey"`
	SecretKey string   `json:"secretKey"`
	Orgs      []string `json:"orgs,omitempty"`
}

// SeedUser is a user of a Seed: its id, the organizations it belongs to (at least one), and
// whether it is locked (owner-only operations answer 62105).
type SeedUser struct {
	ID     string   `json:"id"`
	Orgs   []string `json:"orgs"`
	Locked bool     `json:"locked,omitempty"`
}

// SeedFlow is a flow of a Seed; it becomes a Flow. Only ID, Name, Org and Owner are required.
type SeedFlow struct {
	ID    int64  `json:"id"`    // > 0, unique in the seed
	Name  string `json:"name"`  // display name
	Org   string `json:"org"`   // the organization the flow belongs to
	Owner string `json:"owner"` // owner user id, or several separated by ';'
	// Type is "manual" (the default), "periodic" or "temporary".
	Type        string      `json:"type,omitempty"`
	Active      bool        `json:"active,omitempty"`      // scheduling started
	Locked      bool        `json:"locked,omitempty"`      // owner-only operations answer 62105
	Cycle       string      `json:"cycle,omitempty"`       // "M", "W", "D" (the default), "H" or "mi"
	Freq        string      `json:"freq,omitempty"`        // 7-field Quartz cron; default DefaultFreq
	Description string      `json:"description,omitempty"` // "desc"
	Parameters  []Parameter `json:"parameters,omitempty"`  // [{"key": "...", "value": "..."}]
	DependsOn   []int64     `json:"dependsOn,omitempty"`   // ids of upstream flows of the seed
	Visitors    string      `json:"visitors,omitempty"`    // ';'-separated user names
	DoAs        string      `json:"doAs,omitempty"`        // the OU's big-data account
	AlertMode   int         `json:"alertMode,omitempty"`   // 0 none, 1 email, 2 SMS, 3 both
	Queue       string      `json:"queue,omitempty"`       // computing queue
	StartDate   string      `json:"startDate,omitempty"`   // effective date "yyyy-MM-dd"
	Tasks       []SeedTask  `json:"tasks,omitempty"`       // none: triggering answers 62104
}

// SeedTask is a task of a SeedFlow; it becomes a Task. Give its run time as Duration (a Go
// duration string such as "1s" or "1m30s") or DurationMs (milliseconds), not both; without
// either it runs for DefaultTaskDuration. The fields from Fail on seed its behaviour (see
// Task): retries, a timeout, an internal error, a suspension, a wait for its resource.
type SeedTask struct {
	ID         int64   `json:"id"`   // > 0, unique in the seed (task instance ids are built from it)
	Name       string  `json:"name"` // unique in its flow
	Duration   string  `json:"duration,omitempty"`
	DurationMs int64   `json:"durationMs,omitempty"`
	DependsOn  []int64 `json:"dependsOn,omitempty"` // ids of upstream tasks of the same flow
	// RerunAfter (of dependsOn) and RerunAfterFlows (of the flow's dependsOn) set the rerun
	// flag of the relations from those upstream tasks and flows (see Task.RerunAfter).
	RerunAfter      []int64 `json:"rerunAfter,omitempty"`
	RerunAfterFlows []int64 `json:"rerunAfterFlows,omitempty"`
	Command         string  `json:"command,omitempty"`
	Type            string  `json:"type,omitempty"` // e.g. "COMMAND" (the default) or "SHELL"
	X               float64 `json:"x,omitempty"`    // position of the node in the flow graph
	Y               float64 `json:"y,omitempty"`
	// Parameters are the task's own parameters, [{"key": "...", "value": "..."}]: the
	// ${key} of its command take them first (see Task.Parameters).
	Parameters []Parameter `json:"parameters,omitempty"`

	Fail          bool   `json:"fail,omitempty"`          // every attempt fails when the duration has passed
	Failures      int    `json:"failures,omitempty"`      // or only the first Failures attempts fail
	RetryLimit    int    `json:"retryLimit,omitempty"`    // retries of a failed attempt
	RetryInterval int    `json:"retryInterval,omitempty"` // seconds between a failed attempt and its retry
	Timeout       int    `json:"timeout,omitempty"`       // seconds an attempt may run; 0: no timeout
	InternalError bool   `json:"internalError,omitempty"` // end INTERNAL_ERROR when the duration has passed
	Suspend       string `json:"suspend,omitempty"`       // Go duration held SUSPEND before anything else
	ResourceName  string `json:"resourceName,omitempty"`  // the resource the task runs with
	ResourceWait  string `json:"resourceWait,omitempty"`  // Go duration held READY, waiting for it
}

// LoadSeed reads a Seed from r and validates it (see Seed.Validate). Start a server with it
// (NewServerFromSeed), or load it into a running one (Backend.Load). The document must be one
// JSON object; an unknown field, a value of the wrong type or a bad value is an error that
// names the field and, for JSON errors, the line.
func LoadSeed(r io.Reader) (*Seed, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var seed Seed
	if err := dec.Decode(&seed); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("seed: empty document")
		}
		return nil, fmt.Errorf("seed: line %d: %w", lineAt(data, errorOffset(err, dec)), err)
	}
	if dec.More() {
		return nil, fmt.Errorf("seed: line %d: more than one JSON value", lineAt(data, dec.InputOffset()))
	}
	if err := seed.validate(); err != nil {
		return nil, err
	}
	return &seed, nil
}

// DemoSeed returns the demo seed, a new copy on each call: the identities of the EnOS
// documentation's samples that NewDemoServer loads (see it, and testdata/seed/demo.json).
func DemoSeed() *Seed {
	return &Seed{
		Apps:  []SeedApp{{AccessKey: DemoAccessKey, SecretKey: DemoSecretKey, Orgs: []string{DemoOrgID}}},
		Users: []SeedUser{{ID: DemoUserID, Orgs: []string{DemoOrgID}}},
		Flows: []SeedFlow{
			{
				ID: DemoFlowID, Name: "demo flow", Org: DemoOrgID, Owner: DemoUserID,
				Type: "periodic", Active: true, DoAs: "yourDoAs",
				Tasks: []SeedTask{
					{ID: DemoExtractTaskID, Name: "extract", Duration: "1s", Command: "echo extract", X: 100, Y: 100},
					{ID: DemoLoadTaskID, Name: "load", Duration: "1s", Command: "echo load", DependsOn: []int64{DemoExtractTaskID}, X: 300, Y: 100},
				},
			},
			{ID: DemoEmptyFlowID, Name: "empty flow", Org: DemoOrgID, Owner: DemoUserID, DoAs: "yourDoAs"},
		},
	}
}

// Load validates seed and replaces the server's whole world with it: applications, users,
// flows, directories, instances, tokens and used token encryptions are those of a server
// just started with the seed. The time zone becomes the seed's, unless WithLocation set
// one. The clock, the settings and the injected faults stay. Reset loads the same seed again.
func (b *Backend) Load(seed *Seed) error {
	if err := seed.check(); err != nil {
		return err
	}
	st := b.lock()
	defer st.mu.Unlock()
	st.seed = seed.clone()
	st.load()
	return nil
}

// Reset brings the server back to the seed it last loaded (an empty world if none), as Load
// does.
func (b *Backend) Reset() {
	st := b.lock()
	defer st.mu.Unlock()
	st.load()
}

// ApplySeed validates seed and adds its applications, users and flows to the server, replacing
// the flows with the same ids (see AddFlow). Unlike Load, it keeps everything else, the time
// zone included: the seed's Timezone is only checked.
func (b *Backend) ApplySeed(seed *Seed) error {
	if err := seed.check(); err != nil {
		return err
	}
	st := b.lock()
	defer st.mu.Unlock()
	st.addSeed(seed)
	return nil
}

// load empties the store, then adds the seed it holds, in the seed's time zone unless
// WithLocation set one.
func (st *state) load() {
	st.clear()
	if st.seed == nil {
		return
	}
	if !st.locSet {
		st.loc, _ = st.seed.Location() // validated
	}
	st.addSeed(st.seed)
}

// addSeed adds a validated seed to the store.
func (st *state) addSeed(seed *Seed) {
	for _, a := range seed.Apps {
		orgs := a.Orgs
		if len(orgs) == 0 {
			orgs = seed.orgs()
		}
		st.addApp(a.AccessKey, a.SecretKey, orgs, false)
	}
	for _, u := range seed.Users {
		rec := st.userRecord(u.ID)
		for _, org := range u.Orgs {
			rec.orgs[org] = true
		}
		rec.locked = rec.locked || u.Locked
	}
	now := st.now()
	for i := range seed.Flows {
		f := seed.Flows[i].flow()
		st.normalizeFlow(&f, now)
		st.storeFlow(&f)
	}
}

// check returns an error for a nil or invalid seed.
func (seed *Seed) check() error {
	if seed == nil {
		return errors.New("seed: nil seed")
	}
	return seed.validate()
}

// clone returns a deep copy of the seed, so that a caller changing theirs later does not
// change what Reset loads.
func (seed *Seed) clone() *Seed {
	data, err := json.Marshal(seed)
	if err != nil {
		panic("refserver: " + err.Error()) // a Seed always marshals
	}
	var c Seed
	if err := json.Unmarshal(data, &c); err != nil {
		panic("refserver: " + err.Error())
	}
	return &c
}

// orgs returns the organizations the seed names: its users' and its flows', sorted.
func (seed *Seed) orgs() []string {
	var out []string
	for _, u := range seed.Users {
		out = append(out, u.Orgs...)
	}
	for _, f := range seed.Flows {
		out = append(out, f.Org)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// flow returns the Flow of a validated SeedFlow.
func (sf *SeedFlow) flow() Flow {
	f := Flow{
		ID: sf.ID, Name: sf.Name, OrgID: sf.Org, Owner: sf.Owner, Locked: sf.Locked,
		Active: sf.Active, Type: flowTypes[sf.Type], Cycle: sf.Cycle, Freq: sf.Freq,
		Parameters: append([]Parameter(nil), sf.Parameters...), Description: sf.Description,
		DependsOn: append([]int64(nil), sf.DependsOn...), Visitors: sf.Visitors, DoAs: sf.DoAs,
		AlertMode: sf.AlertMode, Queue: sf.Queue, StartDate: sf.StartDate,
	}
	for _, st := range sf.Tasks {
		d, _ := st.duration() // validated
		suspend, _ := optionalDuration("suspend", st.Suspend)
		resourceWait, _ := optionalDuration("resourceWait", st.ResourceWait)
		f.Tasks = append(f.Tasks, Task{
			ID: st.ID, Name: st.Name, Duration: d,
			DependsOn: append([]int64(nil), st.DependsOn...), Command: st.Command, Type: st.Type,
			RerunAfter: append([]int64(nil), st.RerunAfter...), RerunAfterFlows: append([]int64(nil), st.RerunAfterFlows...),
			X: st.X, Y: st.Y, Parameters: append([]Parameter(nil), st.Parameters...),
			Fail: st.Fail, Failures: st.Failures, RetryLimit: st.RetryLimit,
			RetryInterval: time.Duration(st.RetryInterval) * time.Second,
			Timeout:       time.Duration(st.Timeout) * time.Second, InternalError: st.InternalError,
			Suspend: suspend, ResourceName: st.ResourceName, ResourceWait: resourceWait,
		})
	}
	return f
}

// optionalDuration reads a Go duration field of a seed task: 0 when empty.
func optionalDuration(name, s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	switch {
	case err != nil:
		return 0, fmt.Errorf("%s %q: want a Go duration such as \"30s\" or \"5m\"", name, s)
	case d < 0:
		return 0, fmt.Errorf("%s %q is negative", name, s)
	}
	return d, nil
}

// duration returns the task's run time: 0 (the default) when neither field is set.
func (st *SeedTask) duration() (time.Duration, error) {
	switch {
	case st.Duration != "" && st.DurationMs != 0:
		return 0, errors.New("give duration or durationMs, not both")
	case st.DurationMs < 0:
		return 0, fmt.Errorf("durationMs %d is negative", st.DurationMs)
	case st.DurationMs > 0:
		return time.Duration(st.DurationMs) * time.Millisecond, nil
	case st.Duration == "":
		return 0, nil
	}
	d, err := time.ParseDuration(st.Duration)
	switch {
	case err != nil:
		return 0, fmt.Errorf("duration %q: want a Go duration such as \"1s\" or \"1m30s\"", st.Duration)
	case d < 0:
		return 0, fmt.Errorf("duration %q is negative", st.Duration)
	}
	return d, nil
}

// errorOffset returns the input offset a JSON decoding error points at.
func errorOffset(err error, dec *json.Decoder) int64 {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return syntax.Offset
	case errors.As(err, &typ):
		return typ.Offset
	}
	return dec.InputOffset()
}

// lineAt returns the 1-based line of data that holds the byte at offset.
func lineAt(data []byte, offset int64) int {
	offset = min(max(offset, 0), int64(len(data)))
	return bytes.Count(data[:offset], []byte("\n")) + 1
}
