package batchprocessing

import (
	"os"
	"testing"
)

// TestMain poisons every response body given back to the pool, so that a result or an
// error still reading its response's buffer shows it (see response.release). The
// benchmarks, which run after every test, measure the client as it ships: they turn the
// poison off (MeasureAsShipped).
func TestMain(m *testing.M) {
	poisonReleasedBodies.Store(true)
	os.Exit(m.Run())
}

// MeasureAsShipped turns off the poisoning of released bodies, for the benchmarks.
func MeasureAsShipped() { poisonReleasedBodies.Store(false) }
