package batchprocessing

import (
	"flag"
	"os"
	"testing"
)

// TestMain poisons every response body given back to the pool while tests run, so that a
// result still reading its response's buffer shows it (see response.release). Benchmarks
// measure the client as it ships, without.
func TestMain(m *testing.M) {
	flag.Parse()
	poisonReleasedBodies = flag.Lookup("test.bench").Value.String() == ""
	os.Exit(m.Run())
}
