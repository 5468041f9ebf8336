package refserver_test

import (
	"slices"
	"testing"
	"time"
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
