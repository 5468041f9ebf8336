package batchprocessing

import (
	"fmt"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/enos-go/batchprocessing/internal/golden"
)

// Large expected values live in testdata/golden: `go test -run TestX -update .` rewrites
// the files of the tests it runs from what they get (internal/golden).

// goldenView is what a golden file holds: a result as the client returns it, and what the
// SDK's helpers derive from it.
type goldenView struct {
	Result  any            `json:"result"`
	Derived map[string]any `json:"derived,omitempty"`
}

// checkGolden compares the indented JSON of v with testdata/golden/<name>.json, or, with
// -update, writes it there.
func checkGolden(t *testing.T, name string, v any, mask func([]byte) []byte) {
	t.Helper()
	golden.JSON(t, filepath.Join("testdata", "golden", name+".json"), v, mask)
}

// randomDirID matches the quoted 32-hex ids that the reference server draws at random.
var randomDirID = regexp.MustCompile(`"[0-9a-f]{32}"`)

// maskRandomIDs replaces the random directory ids of a reference server's answer; the root
// directory's id, derived from the organization's, stays.
func maskRandomIDs(b []byte) []byte {
	return randomDirID.ReplaceAllFunc(b, func(id []byte) []byte {
		if string(id) == `"`+docRootDirectory+`"` {
			return id
		}
		return []byte(`"<random 32-hex id>"`)
	})
}

// viewOf returns the golden view of a result: the result, and what the helpers give for it
// (embedded documents decoded, ids taken apart, every ServerTime read in loc). A helper's
// error fails the test.
func viewOf(t *testing.T, result any, loc *time.Location) goldenView {
	t.Helper()
	d := derivation{t: t, out: map[string]any{}}
	switch r := result.(type) {
	case time.Time:
		result = r.UTC() // the zone of the machine is no part of the result
		d.add("unixMilli", r.UnixMilli(), nil)
	case FlowInstanceID:
		flowID, err := r.FlowID()
		d.add("flowId", flowID, err)
	case *FlowInstance:
		d.instance("", r)
	case *FlowInstancePage:
		for i := range r.FlowInstances {
			d.instance(fmt.Sprintf("flowInstances[%d].", i), &r.FlowInstances[i])
		}
	case *TaskInstance:
		rm, err := r.DecodeRunMode()
		d.add("runMode", rm, err)
		taskID, err := r.TaskInstanceID.TaskID()
		d.add("taskInstanceId.taskId", taskID, err)
	case *Flow:
		d.flow(r)
	case *ExportedFlow:
		params, err := r.DecodeParameters()
		d.add("parameters", params, err)
		for i, task := range r.Tasks {
			var rm RunMode
			err := task.RunMode.Decode(&rm)
			d.add(fmt.Sprintf("tasks[%d].runMode", i), rm, err)
		}
	case []WorkflowDirectory:
		d.directories(r)
	case *Timezone:
		zone, err := r.Location()
		if err != nil {
			d.add("location", nil, err)
			break
		}
		_, offset := time.Date(2026, 1, 1, 0, 0, 0, 0, zone).Zone()
		d.add("offsetSeconds", offset, nil)
	}
	times := map[string]string{}
	serverTimes(reflect.ValueOf(result), "", loc, times, t)
	if len(times) > 0 {
		d.out["serverTimes in "+loc.String()] = times
	}
	return goldenView{Result: result, Derived: d.out}
}

// derivation collects derived values by name.
type derivation struct {
	t   *testing.T
	out map[string]any
}

func (d derivation) add(name string, v any, err error) {
	d.t.Helper()
	if err != nil {
		d.t.Errorf("%s: %v", name, err)
		return
	}
	d.out[name] = v
}

func (d derivation) instance(prefix string, fi *FlowInstance) {
	d.t.Helper()
	g, err := fi.DecodeGraph()
	d.add(prefix+"graph", g, err)
	params, err := fi.DecodeParameters()
	d.add(prefix+"parameters", params, err)
}

func (d derivation) flow(f *Flow) {
	d.t.Helper()
	g, err := f.DecodeGraph()
	d.add("graph", g, err)
	if err == nil {
		params, err := decodeParameters(g.Parameters)
		d.add("graph.parameters", params, err)
	}
	params, err := f.DecodeParameters()
	d.add("parameters", params, err)
}

// directories lists every entry of the trees by path, with the flow id of workflow files.
func (d derivation) directories(roots []WorkflowDirectory) {
	var entries []string
	for i := range roots {
		for path, dir := range roots[i].All() {
			entry := strings.Join(path, "/")
			if id, ok := dir.FlowID(); ok {
				entry += fmt.Sprintf(" (flow %d)", id)
			}
			entries = append(entries, entry)
		}
	}
	d.out["entries"] = entries
}

// serverTimes reads every ServerTime in v in loc, by its path of Go field names.
func serverTimes(v reflect.Value, path string, loc *time.Location, out map[string]string, t *testing.T) {
	t.Helper()
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			serverTimes(v.Elem(), path, loc, out, t)
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			serverTimes(v.Index(i), fmt.Sprintf("%s[%d]", path, i), loc, out, t)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if !f.IsExported() || f.Tag.Get("json") == "-" {
				continue // the deprecated twins hold the same values
			}
			serverTimes(v.Field(i), strings.TrimPrefix(path+"."+f.Name, "."), loc, out, t)
		}
	case reflect.String:
		st, ok := v.Interface().(ServerTime)
		if !ok || st.IsZero() {
			return
		}
		at, err := st.Time(loc)
		if err != nil {
			t.Errorf("%s = %q: %v", path, st, err)
			return
		}
		out[path] = at.Format(time.RFC3339Nano)
	}
}
