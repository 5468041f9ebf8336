package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
)

func TestWaitProgram(t *testing.T) {
	for _, k := range []string{"ENOS_API_GATEWAY", "ENOS_ACCESS_KEY", "ENOS_SECRET_KEY", "ENOS_SECRET_KEY_FILE", "ENOS_ORG_ID", "ENOS_USER_ID"} {
		t.Setenv(k, "")
	}
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"-poll", "50ms"}, &out, &errOut)
	if code != 0 {
		t.Fatalf("exit %d; stdout %q; stderr %q", code, out.String(), errOut.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if !regexp.MustCompile(`^\s*\d+\.\ds 3377-\d{12}00 triggered$`).MatchString(lines[0]) {
		t.Errorf("first line %q", lines[0])
	}
	last := lines[len(lines)-1]
	if !strings.Contains(last, " SUCCESS") || !strings.Contains(last, "extract=SUCCESS") || !strings.Contains(last, "load=SUCCESS") {
		t.Errorf("last line %q, want SUCCESS with both tasks", last)
	}
	if !strings.Contains(out.String(), " RUNNING") {
		t.Errorf("no RUNNING line in %q", out.String())
	}

	t.Run("flow that fails to trigger", func(t *testing.T) {
		var out, errOut bytes.Buffer
		code := run(context.Background(), []string{"-flow", "3378"}, &out, &errOut)
		if code != 1 || !strings.Contains(errOut.String(), "62104") {
			t.Errorf("exit %d, stderr %q", code, errOut.String())
		}
	})
	t.Run("bad flags", func(t *testing.T) {
		var out, errOut bytes.Buffer
		if code := run(context.Background(), []string{"-poll", "0s"}, &out, &errOut); code != 2 {
			t.Errorf("exit %d", code)
		}
	})
}
