package refserver_test

import (
	"testing"

	"github.com/enos-go/batchprocessing/refserver"
)

// TestAddFlowDefaults checks what AddFlow fills in a flow that leaves its cycle, cron,
// task types and durations zero: the exported defaults, the deprecated ones among them.
func TestAddFlowDefaults(t *testing.T) {
	t.Parallel()
	b := refserver.NewBackend()
	b.AddFlow(refserver.Flow{ID: 41, Name: "defaults", OrgID: "o1", Owner: "u1", Tasks: []refserver.Task{{ID: 4101, Name: "t"}}})
	f, ok := b.Flow(41)
	if !ok {
		t.Fatal("flow 41 not stored")
	}
	if f.Cycle != refserver.DefaultCycle {
		t.Errorf("Cycle = %q, want DefaultCycle, %q", f.Cycle, refserver.DefaultCycle)
	}
	if f.Freq != refserver.DefaultFreq {
		t.Errorf("Freq = %q, want DefaultFreq, %q", f.Freq, refserver.DefaultFreq)
	}
	if task := f.Tasks[0]; task.Type != refserver.DefaultTaskType || task.Duration != refserver.DefaultTaskDuration {
		t.Errorf("task type %q, duration %v; want DefaultTaskType %q, DefaultTaskDuration %v",
			task.Type, task.Duration, refserver.DefaultTaskType, refserver.DefaultTaskDuration)
	}
}
