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
	w.srv.AddFlow(refserver.Flow{ID: flowID, Name: "escapes", OrgID: refserver.DemoOrgID, Owner: refserver.DemoUserID, Tasks: []refserver.Task{
		{ID: 4801, Name: "red \x1b[31mtask", Duration: time.Hour},
		{ID: 4802, Name: "title \x1b]0;pwned\a\n==> forged", Duration: time.Hour},
	}})
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
