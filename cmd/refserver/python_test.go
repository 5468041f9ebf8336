package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestPythonClient runs testdata/control_client.py, a client in Python's standard library,
// against the program on a manual clock: it gets a token, triggers, meets an injected 503,
// finds both triggers in the request log filtered by action, moves the clock to the run's end, and has an expired token refused and renewed, all over
// HTTP and the control API. It is skipped where python3 is not on the PATH.
func TestPythonClient(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("no python3 on the PATH")
	}
	s := serve(t, "-addr", "127.0.0.1:0", "-clock", "manual", "-clock-start", "2026-11-30T08:00:00Z")
	out, err := exec.Command(python, "testdata/control_client.py", s.url).CombinedOutput()
	if err != nil || !strings.Contains(string(out), " passed, 0 failed") {
		t.Fatalf("python3 control_client.py: %v\n%s", err, out)
	}
	if code := s.wait(); code != exitOK {
		t.Errorf("exit code %d", code)
	}
}
