package main

import (
	"strings"
	"testing"
)

func TestJQ(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.run(t, "trigger", "--flow", "41", "--wait", "--poll", "10ms", "--quiet").want(t, exitOK)
	w.run(t, "trigger", "--flow", "42", "--wait", "--poll", "10ms", "--quiet").want(t, exitFlowFailed)
	failed := strings.TrimSpace(w.run(t, "instances", "--flow", "42", "--jq", ".[0].instanceId").want(t, exitOK).stdout)
	if !instanceLine.MatchString(failed) {
		t.Fatalf("instance id %q", failed)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"the issue's example", []string{"instances", "--status", "FAIL", "--json", "--jq", ".[].instanceId"}, failed + "\n"},
		{"--jq implies --json", []string{"instances", "--status", "FAIL", "--jq", ".[].flowId"}, "42\n"},
		{"objects are compact JSON", []string{"flows", "get", "3377", "--jq", "{id: .flowId, tasks: [.tasks[].taskName]}"},
			`{"id":3377,"tasks":["extract","load"]}` + "\n"},
		{"no results", []string{"instances", "--jq", ".[] | select(.flowId == 1)"}, ""},
		{"no instance matches: an empty list, not null", []string{"instances", "--status", "TIMEOUT", "--jq", ".[].instanceId"}, ""},
		{"several results", []string{"flows", "search", "demo", "--jq", ".[0] | .flowName, .flowId"}, "demo flow\n3377\n"},
		{"halt", []string{"version", "--jq", "halt"}, ""},
		{"no environment", []string{"version", "--jq", "$ENV | length"}, "0\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if r := w.run(t, tt.args...).want(t, exitOK); r.stdout != tt.want {
				t.Errorf("stdout %q, want %q", r.stdout, tt.want)
			}
		})
	}
	// A query that fails on the document is output that could not be made: the calls are
	// done (exit code 5), and no usage hint suggests that nothing ran.
	for _, args := range [][]string{{"flows", "get", "3377", "--jq", ".[0]"}, {"flows", "enable", "3377", "--jq", ".[0]"}} {
		r := w.run(t, args...).want(t, exitOutput)
		if !strings.Contains(r.stderr, `--jq ".[0]": expected an array`) || strings.Contains(r.stderr, "usage") {
			t.Errorf("%q: stderr %q", args, r.stderr)
		}
	}
}

// TestJQStopsWithTheCommand: --timeout stops a query that would run for hours (exit 4,
// with what stopped it), and what it printed before came out as it went.
func TestJQStopsWithTheCommand(t *testing.T) {
	w := newWorld(t)
	r := w.run(t, "--timeout", "300ms", "version", "--jq", "range(1e12)").want(t, exitInterrupted)
	if !strings.Contains(r.stderr, "--timeout 300ms reached: --jq stopped") {
		t.Errorf("stderr %q", r.stderr)
	}
	if !strings.HasPrefix(r.stdout, "0\n1\n2\n") {
		t.Errorf("stdout starts %.20q, want the results printed as they came", r.stdout)
	}
}
