package refserver_test

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/enos-go/batchprocessing/refserver"
)

// The tests of this file check that a request's cost does not grow with what the server has
// seen: each compares the median cost of a request on a grown server with the same request on
// a fresh one, measured in the same test, and allows a wide margin (the machines that run the
// tests are shared and slow). A regression to a scan of the whole store costs hundreds of times
// the baseline.

// costMargin is how many times the baseline a request may cost on a grown server.
const costMargin = 10

// medianCost returns the median duration of n calls of f.
func medianCost(n int, f func()) time.Duration {
	d := make([]time.Duration, n)
	for i := range d {
		start := time.Now()
		f()
		d[i] = time.Since(start)
	}
	slices.Sort(d)
	return d[n/2]
}

// checkCost fails the test when grown costs more than costMargin times base.
func checkCost(t *testing.T, what string, base, grown time.Duration) {
	t.Helper()
	t.Logf("%s: %v, against %v on a fresh server", what, grown, base)
	if grown > costMargin*base {
		t.Errorf("%s costs %v, more than %d times the %v it costs on a fresh server", what, grown, costMargin, base)
	}
}

// TestTokenRequestsCostTheSameAfterManyTokens refreshes a token 40,000 times: a token
// request then costs what it costs on a fresh server (the store forgets expired tokens and
// spent encryptions by time order, not by a scan of all of them).
func TestTokenRequestsCostTheSameAfterManyTokens(t *testing.T) {
	const samples = 51
	refreshes := func(c *handlerClient, ts *int64) func() {
		return func() {
			c.refresh(*ts)
			*ts++
		}
	}
	fresh := newHandlerClient(t, t0)
	ts := t0.UnixMilli() - 600_000
	base := medianCost(samples, refreshes(fresh, &ts))

	grown := newHandlerClient(t, t0)
	ts = t0.UnixMilli() - 600_000
	for i := 0; i < 40_000; i++ {
		grown.refresh(ts)
		ts++
	}
	checkCost(t, "a token refresh after 40,000 refreshes", base, medianCost(samples, refreshes(grown, &ts)))
}

// TestLargeFlowDoesNotSlowOtherRequests saves the demo flow with 4,000 tasks listed against
// their dependency order (each depends on the next one listed) and triggers it from the last
// one, the root: while the instance runs, one task a minute, an unrelated Get Timezone costs
// what it costs next to the demo flow's two tasks.
func TestLargeFlowDoesNotSlowOtherRequests(t *testing.T) {
	const samples = 21
	request := func(c *handlerClient) func() {
		return func() {
			c.clk.Advance(time.Minute)
			c.timezone()
		}
	}
	small := newHandlerClient(t, t0)
	small.trigger(refserver.DemoFlowID, t0)
	base := medianCost(samples, request(small))

	large := newHandlerClient(t, t0)
	const tasks = 4_000
	large.call(http.MethodPost, flowsPath, "save", "", chainFlowBody(tasks))
	root := strconv.Itoa(chainTaskID(tasks - 1))
	large.call(http.MethodPost, flowsPath, "triggerFromTask", "",
		`{"flowId":3377,"taskId":`+root+`,"triggerTime":`+strconv.FormatInt(t0.UnixMilli(), 10)+`}`)
	checkCost(t, "Get Timezone next to a running flow of 4,000 tasks", base, medianCost(samples, request(large)))

	in := mustInstance(t, large.srv, "3377-20261130080000")
	done := 0
	for _, ti := range in.Tasks {
		if ti.Status == refserver.StatusSuccess {
			done++
		}
	}
	if in.Status != refserver.StatusRunning || done != samples {
		t.Errorf("after %d minutes: instance status %d, %d tasks done; want RUNNING, %d done", samples, in.Status, done, samples)
	}
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
