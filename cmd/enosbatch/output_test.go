package main

import (
	"bytes"
	"context"
	"errors"
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
		{[]string{"trigger", "--flow", "41"}, "was triggered, but its id could not be written"},
	} {
		var stderr bytes.Buffer
		code := run(context.Background(), tt.args, func(k string) string { return w.env[k] }, fullDisk{}, &stderr)
		if code != exitOutput || !strings.Contains(stderr.String(), tt.want) {
			t.Errorf("enosbatch %s: exit code %d, stderr %q; want %d and %q", strings.Join(tt.args, " "), code, stderr.String(), exitOutput, tt.want)
		}
	}
}
