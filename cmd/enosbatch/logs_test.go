package main

import (
	"strings"
	"testing"
	"time"

	"github.com/enos-go/batchprocessing/refserver"
)

// TestLogsHeaderMasked: the "==> name (id) STATUS <==" header that enosbatch writes over
// each log shows the control characters of a task's name (an escape sequence, a line break)
// as U+FFFD; the log itself is the service's text, printed as it is.
func TestLogsHeaderMasked(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	const flowID = 48
	w.addFlow(flowID, "escapes",
		refserver.Task{ID: 4801, Name: "red \x1b[31mtask", Duration: time.Hour},
		refserver.Task{ID: 4802, Name: "title \x1b]0;pwned\a\n==> forged", Duration: time.Hour})
	id := w.trigger(t, flowID)
	out := w.run(t, "logs", id).want(t, exitOK).stdout
	var headers []string
	for _, line := range strings.Split(out, "\n") {
		if strings.HasSuffix(line, " <==") { // the log's own lines hold the name too, as it is
			headers = append(headers, line)
		}
	}
	want := []string{
		"==> red \uFFFD[31mtask (4801-",
		"==> title \uFFFD]0;pwned\uFFFD\uFFFD==> forged (4802-",
	}
	if len(headers) != len(want) {
		t.Fatalf("headers %q, want %d:\n%q", headers, len(want), out)
	}
	for i, h := range headers {
		if !strings.HasPrefix(h, want[i]) || strings.ContainsAny(h, "\x1b\a") {
			t.Errorf("header %q, want it to start %q, masked", h, want[i])
		}
	}
}

// TestLogsOfATaskNotStarted: a task that has not started has no log, whether --task names
// it or not: exit code 0, null in --json, and in text a note instead of the service's
// 62109 "No log found".
func TestLogsOfATaskNotStarted(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	const flowID = 49
	w.addFlow(flowID, "second waits",
		refserver.Task{ID: 4901, Name: "first", Duration: time.Hour},
		refserver.Task{ID: 4902, Name: "second", Duration: time.Hour, DependsOn: []int64{4901}})
	id := w.trigger(t, flowID)
	tests := []struct {
		name           string
		args           []string
		stdout, stderr string // each must be there; stdout "-" for none at all
	}{
		{"every task", []string{"logs", id}, "(no log: not started)", ""},
		{"--task by name", []string{"logs", id, "--task", "second"}, "-", "no log: task second (4902-"},
		{"--task by id", []string{"logs", id, "--task", "4902"}, "-", ", not started"},
		{"--task --json", []string{"logs", id, "--task", "second", "--json"}, `"log": null`, ""},
		{"--task of a started task", []string{"logs", id, "--task", "first"}, "task first started", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := w.run(t, tt.args...).want(t, exitOK)
			if tt.stdout == "-" && r.stdout != "" || tt.stdout != "-" && !strings.Contains(r.stdout, tt.stdout) || !strings.Contains(r.stderr, tt.stderr) {
				t.Errorf("stdout %q, stderr %q; want %q and %q", r.stdout, r.stderr, tt.stdout, tt.stderr)
			}
		})
	}
}
