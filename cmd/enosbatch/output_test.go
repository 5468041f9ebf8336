package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// fullDisk is a stdout that refuses every write, as /dev/full does.
type fullDisk struct{}

func (fullDisk) Write([]byte) (int, error) { return 0, errors.New("no space left on device") }

// TestOutputLost: output that cannot be written is exit code 5, whatever wrote it; a
// trigger whose id is lost says it on stderr.
func TestOutputLost(t *testing.T) {
	w := newWorld(t)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"version"}, "writing the output: no space left on device"},
		{[]string{"--version"}, "writing the output"},
		{[]string{"help"}, "writing the output"},
		{[]string{"flows", "get", "3377"}, "writing the output"},
		{[]string{"trigger", "--flow", "41"}, "was triggered, but its output failed: writing the output: no space left on device"},
	} {
		var stderr bytes.Buffer
		code := run(context.Background(), tt.args, func(k string) string { return w.env[k] }, fullDisk{}, &stderr)
		if code != exitOutput || !strings.Contains(stderr.String(), tt.want) {
			t.Errorf("enosbatch %s: exit code %d, stderr %q; want %d and %q", strings.Join(tt.args, " "), code, stderr.String(), exitOutput, tt.want)
		}
	}
}

// TestBrokenPipe runs the built program with stdout on a pipe whose reader is gone, as in
// "enosbatch trigger --flow 41 | head -0": the write fails with EPIPE, which is exit code 5
// with the reason on stderr (and a triggered instance's id), not a silent death by SIGPIPE.
func TestBrokenPipe(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	for _, tt := range []struct {
		name string
		args []string
		flow int64  // the flow triggered, whose one instance "<id>" stands for; 0: none
		want string // on stderr
	}{
		{"trigger", []string{"trigger", "--flow", "41"}, fastFlowID, "flow instance <id> was triggered, but its output failed: writing the output: "},
		// A command that only reads ends quietly, as "| head" expects.
		{"flows get", []string{"flows", "get", "3377"}, 0, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r, wr, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			r.Close() // no reader: a write on wr is EPIPE
			cmd := binaryCommand(t, w.env, tt.args...)
			var stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = wr, &stderr
			err = cmd.Run()
			wr.Close()
			var exit *exec.ExitError
			code := 0
			if errors.As(err, &exit) {
				code = exit.ExitCode() // -1 when a signal killed it
			} else if err != nil {
				t.Fatal(err)
			}
			want := tt.want
			if tt.flow != 0 {
				ins := w.srv.FlowInstances(tt.flow)
				if len(ins) != 1 {
					t.Fatalf("flow %d has %d instances, want the one triggered", tt.flow, len(ins))
				}
				want = strings.ReplaceAll(want, "<id>", ins[0].ID)
			}
			if code != exitOutput || !strings.Contains(stderr.String(), want) || (want == "" && stderr.Len() > 0) {
				t.Errorf("exit code %d (%v), stderr %q; want %d and %q", code, err, stderr.String(), exitOutput, want)
			}
		})
	}
}

// TestTriggerOutputFails: when the output of a trigger fails after the instance was created
// (a write, or a --jq expression that fails on the JSON), the exit code is 5, not 2 (which
// would say nothing ran), and stderr names the instance, whatever the output's form.
func TestTriggerOutputFails(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		args   []string
		flow   int64
		stdout io.Writer // nil: a buffer
		want   string
	}{
		{"--jq error", []string{"trigger", "--flow", "43", "--jq", `error("x")`}, slowFlowID, nil, `but its output failed: --jq "error(\"x\")": error: x`},
		{"--jq on the wrong type", []string{"trigger", "--flow", "43", "--jq", ".[0]"}, slowFlowID, nil, `but its output failed: --jq ".[0]": expected an array`},
		{"--wait --jq error", []string{"trigger", "--flow", "41", "--wait", "--poll", "10ms", "--quiet", "--jq", `error("x")`}, fastFlowID, nil, "but its output failed: --jq"},
		{"--json, a full disk", []string{"trigger", "--flow", "43", "--json"}, slowFlowID, fullDisk{}, "but its output failed: writing the output: no space left on device"},
		{"--wait --json, a full disk", []string{"trigger", "--flow", "41", "--wait", "--poll", "10ms", "--quiet", "--json"}, fastFlowID, fullDisk{}, "but its output failed: writing the output"},
		{"--jq, a full disk", []string{"trigger", "--flow", "43", "--jq", ".instanceId"}, slowFlowID, fullDisk{}, "but its output failed: writing the output"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			var stdout bytes.Buffer
			out := tt.stdout
			if out == nil {
				out = &stdout
			}
			var stderr bytes.Buffer
			code := run(context.Background(), tt.args, func(k string) string { return w.env[k] }, out, &stderr)
			ins := w.srv.FlowInstances(tt.flow)
			if len(ins) != 1 {
				t.Fatalf("flow %d has %d instances, want the one triggered", tt.flow, len(ins))
			}
			want := "enosbatch: trigger: flow instance " + ins[0].ID + " was triggered, " + tt.want
			if code != exitOutput || !strings.Contains(stderr.String(), want) || strings.Contains(stderr.String(), "for usage") {
				t.Errorf("exit code %d, stderr %q; want %d and %q", code, stderr.String(), exitOutput, want)
			}
		})
	}
}
