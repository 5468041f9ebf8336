package refserver_test

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/enos-go/batchprocessing/refserver"
)

// The benchmarks of this file measure that a request's cost does not grow with what the
// server has seen: each pairs a request on a grown server with the same request on a fresh
// one (sub-benchmarks fresh and grown), so that scripts/bench.sh shows both side by side. A
// regression to a scan of the whole store costs hundreds of times the fresh figure. (No test
// asserts a duration: the machines that run the tests are shared.)

// BenchmarkTokenRefresh measures a token refresh on a fresh server and after 40,000
// refreshes: the store forgets expired tokens and spent encryptions by time order, not by a
// scan of all of them.
func BenchmarkTokenRefresh(b *testing.B) {
	for _, tt := range []struct {
		name   string
		before int // refreshes before the measured ones
	}{{"fresh", 0}, {"grown", 40_000}} {
		b.Run(tt.name, func(b *testing.B) {
			c := newHandlerClient(b, t0)
			ts := t0.UnixMilli() - 600_000
			for i := 0; i < tt.before; i++ {
				c.refresh(ts)
				ts++
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				c.refresh(ts)
				ts++
			}
		})
	}
}

// BenchmarkLargeFlowNeighbour measures a Get Timezone, the clock a minute later each time,
// on the demo server after one instance of the demo flow (fresh) and while instances of the
// demo flow saved with 4,000 tasks run, one after the other (grown): a request settles only
// what changed, one task a minute, not the large instance's every task.
func BenchmarkLargeFlowNeighbour(b *testing.B) {
	for _, tt := range []struct {
		name  string
		tasks int // tasks of the running flow; 0: the demo flow as seeded
	}{{"fresh", 0}, {"grown", 4_000}} {
		b.Run(tt.name, func(b *testing.B) {
			c := newHandlerClient(b, t0)
			start := func(at time.Time) { c.trigger(refserver.DemoFlowID, at) }
			if tt.tasks > 0 {
				c.call(http.MethodPost, flowsPath, "save", "", chainFlowBody(tt.tasks))
				start = func(at time.Time) { c.triggerChainRoot(tt.tasks, at) }
			}
			runningSince := c.clk.Now()
			start(runningSince)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				c.clk.Advance(time.Minute)
				c.timezone()
				if tt.tasks > 0 && c.clk.Now().Sub(runningSince) >= time.Duration(tt.tasks-1)*time.Minute {
					b.StopTimer() // the large instance is about to end: queue another
					runningSince = c.clk.Now().Truncate(time.Minute).Add(time.Minute)
					start(runningSince)
					b.StartTimer()
				}
			}
		})
	}
}

// TestLargeFlowRunsATaskAMinute saves the demo flow with 4,000 tasks listed against their
// dependency order (each depends on the next one listed) and triggers it from the last one,
// the root: the instance runs one task a minute, as the benchmark above relies on.
func TestLargeFlowRunsATaskAMinute(t *testing.T) {
	t.Parallel()
	const tasks, minutes = 4_000, 21
	c := newHandlerClient(t, t0)
	c.call(http.MethodPost, flowsPath, "save", "", chainFlowBody(tasks))
	c.triggerChainRoot(tasks, t0)
	for i := 0; i < minutes; i++ {
		c.clk.Advance(time.Minute)
		c.timezone()
	}
	in := mustInstance(t, c.srv, "3377-20261130080000")
	done := 0
	for _, ti := range in.Tasks {
		if ti.Status == refserver.StatusSuccess {
			done++
		}
	}
	if in.Status != refserver.StatusRunning || done != minutes {
		t.Errorf("after %d minutes: instance status %d, %d tasks done; want RUNNING, %d done", minutes, in.Status, done, minutes)
	}
}

// triggerChainRoot triggers the flow of chainFlowBody(n) at at from its root task.
func (c *handlerClient) triggerChainRoot(n int, at time.Time) {
	root := strconv.Itoa(chainTaskID(n - 1))
	c.call(http.MethodPost, flowsPath, "triggerFromTask", "",
		`{"flowId":3377,"taskId":`+root+`,"triggerTime":`+strconv.FormatInt(at.UnixMilli(), 10)+`}`)
}

// chainTaskID is the id of the task listed at position i in chainFlowBody.
func chainTaskID(i int) int { return 500_000 + i }

// chainFlowBody is the Save Flow body of the demo flow with n tasks of a minute, each
// depending on the task listed after it: the last one listed runs first.
func chainFlowBody(n int) string {
	var tasks, relations []string
	for i := 0; i < n; i++ {
		tasks = append(tasks, fmt.Sprintf(`{"taskName":"t%d","taskId":%d,"x":%d,"y":0}`, i, chainTaskID(i), i))
		if i+1 < n {
			relations = append(relations, fmt.Sprintf(`{"source":"t_%d","target":"t_%d"}`, chainTaskID(i+1), chainTaskID(i)))
		}
	}
	return `{"id":3377,"type":1,"name":"demo flow","freq":"0 0 0 * * ? *","cycle":"D","alertMode":0,` +
		`"doAs":"yourDoAs","owners":"yourUserId","visitors":"","startTime":"","active":1,` +
		`"tasks":[` + strings.Join(tasks, ",") + `],"relations":[` + strings.Join(relations, ",") + `]}`
}
