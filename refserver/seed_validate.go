package refserver

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/enos-go/batchprocessing/internal/utcoffset"
)

// flowTypes maps the names of SeedFlow.Type to the scheduling types.
var flowTypes = map[string]int{
	"": FlowTypeManual, "manual": FlowTypeManual, "periodic": FlowTypePeriodic, "temporary": FlowTypeTemporary,
}

// Validate checks the seed: a time zone Location can read; applications with a non-empty
// AccessKey (unique), a SecretKey and no empty org id; users with an id (unique) and at least
// one organization; flows with a positive unique id, a name, an org, an owner, a known type
// and cycle, a yyyy-MM-dd startDate, upstream flows that are in the seed; tasks with a
// positive id unique in the seed, a name unique in their flow, a valid duration, and upstream
// tasks of the same flow without a cycle. The error names the first offending entry, e.g.
// `seed: flows[1] (id 3377): tasks[0] (id 108580): duration "1x": ...`.
//
// Deprecated: LoadSeed, NewServerFromSeed, Backend.Load and Backend.ApplySeed validate the
// seed they are given, with the same errors.
func (s *Seed) Validate() error {
	return s.validate()
}

// validate is Validate.
func (s *Seed) validate() error {
	if _, err := s.Location(); err != nil {
		return err
	}
	keys := map[string]bool{}
	for i, a := range s.Apps {
		switch {
		case a.AccessKey == "":
			return fmt.Errorf("seed: apps[%d]: accessKey is empty", i)
		case a.SecretKey == "":
			return fmt.Errorf("seed: apps[%d] (%s): secretKey is empty", i, a.AccessKey)
		case keys[a.AccessKey]:
			return fmt.Errorf("seed: apps[%d]: accessKey %q appears twice", i, a.AccessKey)
		case slices.Contains(a.Orgs, ""):
			return fmt.Errorf("seed: apps[%d] (%s): an org id is empty", i, a.AccessKey)
		}
		keys[a.AccessKey] = true
	}
	users := map[string]bool{}
	for i, u := range s.Users {
		switch {
		case u.ID == "":
			return fmt.Errorf("seed: users[%d]: id is empty", i)
		case users[u.ID]:
			return fmt.Errorf("seed: users[%d]: id %q appears twice", i, u.ID)
		case len(u.Orgs) == 0:
			return fmt.Errorf("seed: users[%d] (%s): orgs is empty; a user belongs to at least one organization", i, u.ID)
		case slices.Contains(u.Orgs, ""):
			return fmt.Errorf("seed: users[%d] (%s): an org id is empty", i, u.ID)
		}
		users[u.ID] = true
	}
	return s.validateFlows()
}

// Location returns the seed's time zone (time.UTC when Timezone is empty).
func (s *Seed) Location() (*time.Location, error) {
	loc, err := parseTimezone(s.Timezone)
	if err != nil {
		return nil, fmt.Errorf("seed: timezone %q: %w", s.Timezone, err)
	}
	return loc, nil
}

// validateFlows checks the flows and their tasks (see Validate).
func (s *Seed) validateFlows() error {
	flows := map[int64]bool{}
	for _, f := range s.Flows {
		flows[f.ID] = true
	}
	seen := map[int64]bool{}
	tasks := map[int64]int64{}     // task id -> flow id
	freqs := map[[2]string]error{} // checkFreq of each freq and cycle, once
	for i := range s.Flows {
		f := &s.Flows[i]
		where := fmt.Sprintf("seed: flows[%d] (id %d)", i, f.ID)
		if err := f.validate(flows, freqs); err != nil {
			if f.ID <= 0 {
				where = fmt.Sprintf("seed: flows[%d]", i)
			}
			return fmt.Errorf("%s: %w", where, err)
		}
		if seen[f.ID] {
			return fmt.Errorf("%s: id appears twice", where)
		}
		seen[f.ID] = true
		for j, t := range f.Tasks {
			if other, ok := tasks[t.ID]; ok {
				return fmt.Errorf("%s: tasks[%d]: task id %d is also used by flow %d; task ids are unique across flows", where, j, t.ID, other)
			}
			tasks[t.ID] = f.ID
		}
	}
	return nil
}

// validate checks one flow; flows holds the ids of the seed's flows, freqs the verdicts of
// checkFreq so far.
func (f *SeedFlow) validate(flows map[int64]bool, freqs map[[2]string]error) error {
	switch {
	case f.ID <= 0:
		return fmt.Errorf("id %d is not positive", f.ID)
	case strings.TrimSpace(f.Name) == "":
		return errors.New("name is empty")
	case f.Org == "":
		return errors.New("org is empty")
	case firstOf(f.Owner) == "":
		return errors.New("owner is empty")
	}
	if _, ok := flowTypes[f.Type]; !ok {
		return fmt.Errorf("type %q: want \"manual\", \"periodic\" or \"temporary\"", f.Type)
	}
	if f.Cycle != "" && !validCycle(f.Cycle) { // "" takes "D"
		return fmt.Errorf("cycle %q: want \"M\", \"W\", \"D\", \"H\" or \"mi\"", f.Cycle)
	}
	if f.Type == "periodic" {
		key := [2]string{cmp.Or(f.Freq, DefaultFreq), cmp.Or(f.Cycle, defaultCycle)}
		err, checked := freqs[key]
		if !checked {
			err = checkFreq(key[0], key[1])
			freqs[key] = err
		}
		if err != nil {
			return err
		}
	}
	if !validAlertMode(int64(f.AlertMode)) {
		return fmt.Errorf("alertMode %d: want 0 (none), 1 (email), 2 (SMS) or 3 (both)", f.AlertMode)
	}
	if !validDate(f.StartDate) {
		return fmt.Errorf("startDate %q: want yyyy-MM-dd", f.StartDate)
	}
	if err := f.validateLinks(flows); err != nil {
		return err
	}
	return f.validateTasks()
}

// checkFreq checks a periodic flow's freq and cycle: a cron expression the server reads (not
// Quartz's L, W or #), which fires at most once a cycle. A periodic instance's id holds its
// fire time to the cycle's granularity, so a second fire in one cycle would make nothing: a
// five-minute freq needs the cycle "mi".
func checkFreq(freq, cycle string) error {
	spec, err := parseCron(freq)
	if err != nil {
		return fmt.Errorf("freq %q: %v (the reference server reads no L, W or #)", freq, err)
	}
	// Any start shows a cron's pattern: the fires of two cycles (64 at most, for a cycle of
	// many fires) show whether two fall in one.
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at, lastID := start, ""
	for range 64 {
		next, err := spec.next(at, time.UTC)
		if err != nil || next.Sub(start) > 2*cycleSpans[cycle] {
			return nil // no fire after at, or two cycles seen
		}
		id := periodicInstanceID(1, next, cycle, time.UTC) // any flow: the fire times decide
		if id == lastID {
			return fmt.Errorf("freq %q fires more than once a cycle %q (%s and %s): a periodic instance's id holds its cycle, so the second fire would make nothing; set a shorter cycle",
				freq, cycle, at.Format(time.RFC3339), next.Format(time.RFC3339))
		}
		at, lastID = next, id
	}
	return nil
}

// cycleSpans are the longest spans of the cycles.
var cycleSpans = map[string]time.Duration{
	"mi": time.Minute, "H": time.Hour, "D": 24 * time.Hour, "W": 7 * 24 * time.Hour, "M": 31 * 24 * time.Hour,
}

// validateLinks checks a flow's upstream flows (flows holds the ids of the seed's flows) and
// parameter keys.
func (f *SeedFlow) validateLinks(flows map[int64]bool) error {
	for _, up := range f.DependsOn {
		switch {
		case up == f.ID:
			return errors.New("dependsOn names the flow itself")
		case !flows[up]:
			return fmt.Errorf("dependsOn names flow %d, which is not in the seed", up)
		}
	}
	for i, p := range f.Parameters {
		if p.Key == "" {
			return fmt.Errorf("parameters[%d]: key is empty", i)
		}
	}
	return nil
}

// validateTasks checks the tasks of one flow and their dependencies.
func (f *SeedFlow) validateTasks() error {
	ids := map[int64]int{} // task id -> index
	names := map[string]bool{}
	for i := range f.Tasks {
		t := &f.Tasks[i]
		switch {
		case t.ID <= 0:
			return fmt.Errorf("tasks[%d]: id %d is not positive", i, t.ID)
		case strings.TrimSpace(t.Name) == "":
			return fmt.Errorf("tasks[%d] (id %d): name is empty", i, t.ID)
		}
		if _, dup := ids[t.ID]; dup {
			return fmt.Errorf("tasks[%d]: id %d appears twice", i, t.ID)
		}
		if names[t.Name] {
			return fmt.Errorf("tasks[%d] (id %d): name %q appears twice", i, t.ID, t.Name)
		}
		if err := t.validateBehaviour(); err != nil {
			return fmt.Errorf("tasks[%d] (id %d): %w", i, t.ID, err)
		}
		ids[t.ID], names[t.Name] = i, true
	}
	for i, t := range f.Tasks {
		for _, up := range t.DependsOn {
			switch _, ok := ids[up]; {
			case up == t.ID:
				return fmt.Errorf("tasks[%d] (id %d): dependsOn names the task itself", i, t.ID)
			case !ok:
				return fmt.Errorf("tasks[%d] (id %d): dependsOn names task %d, which is not in this flow", i, t.ID, up)
			}
		}
		if err := f.validateRerun(t); err != nil {
			return fmt.Errorf("tasks[%d] (id %d): %w", i, t.ID, err)
		}
	}
	deps := make(map[int64][]int64, len(f.Tasks))
	for _, t := range f.Tasks {
		deps[t.ID] = t.DependsOn
	}
	if id, ok := dependencyCycle(deps); ok {
		return fmt.Errorf("task %d is part of a dependency cycle; it would never start", id)
	}
	return nil
}

// validateBehaviour checks a task's run time, parameters and seeded behaviour: durations
// that parse and are not negative, counts and seconds not negative, parameter keys not
// empty, fail or failures (not both), and no failure with internalError.
func (t *SeedTask) validateBehaviour() error {
	if _, err := t.duration(); err != nil {
		return err
	}
	for _, d := range []struct{ name, value string }{{"suspend", t.Suspend}, {"resourceWait", t.ResourceWait}} {
		if _, err := optionalDuration(d.name, d.value); err != nil {
			return err
		}
	}
	for _, n := range []struct {
		name  string
		value int
	}{{"failures", t.Failures}, {"retryLimit", t.RetryLimit}, {"retryInterval", t.RetryInterval}, {"timeout", t.Timeout}} {
		if n.value < 0 {
			return fmt.Errorf("%s %d is negative", n.name, n.value)
		}
	}
	for i, p := range t.Parameters {
		if p.Key == "" {
			return fmt.Errorf("parameters[%d]: key is empty", i)
		}
	}
	switch {
	case t.Fail && t.Failures > 0:
		return errors.New("give fail (every attempt fails) or failures (the first ones fail), not both")
	case t.InternalError && (t.Fail || t.Failures > 0):
		return errors.New("internalError ends the task without a failure: give it without fail or failures")
	}
	return nil
}

// parseTimezone reads a seed's or the settings' time zone: "" is UTC, any other name is read
// by utcoffset.Location ("UTC", "GMT+8", "UTC+05:30", "Asia/Shanghai", ...).
func parseTimezone(name string) (*time.Location, error) {
	if name == "" {
		return time.UTC, nil
	}
	return utcoffset.Location(name)
}

// validateRerun says which rerun flag of t names no relation of the flow, if one does.
func (f *SeedFlow) validateRerun(t SeedTask) error {
	for _, up := range t.RerunAfter {
		if !slices.Contains(t.DependsOn, up) {
			return fmt.Errorf("rerunAfter names task %d, which is not in its dependsOn", up)
		}
	}
	for _, up := range t.RerunAfterFlows {
		if !slices.Contains(f.DependsOn, up) {
			return fmt.Errorf("rerunAfterFlows names flow %d, which is not in the flow's dependsOn", up)
		}
	}
	return nil
}
