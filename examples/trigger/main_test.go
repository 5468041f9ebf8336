package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/enos-go/batchprocessing/refserver"
)

// runTrigger runs the program with exactly the ENOS_* variables of env set.
func runTrigger(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	for _, k := range []string{"ENOS_API_GATEWAY", "ENOS_ACCESS_KEY", "ENOS_SECRET_KEY", "ENOS_SECRET_KEY_FILE", "ENOS_ORG_ID", "ENOS_USER_ID"} {
		t.Setenv(k, env[k])
	}
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestTriggerProgram(t *testing.T) {
	srv := refserver.NewDemoServer()
	defer srv.Close()
	gateway := map[string]string{
		"ENOS_API_GATEWAY": srv.URL,
		"ENOS_ACCESS_KEY":  refserver.DemoAccessKey,
		"ENOS_SECRET_KEY":  refserver.DemoSecretKey,
		"ENOS_ORG_ID":      refserver.DemoOrgID,
		"ENOS_USER_ID":     refserver.DemoUserID,
	}
	without := func(key string) map[string]string {
		m := map[string]string{}
		for k, v := range gateway {
			if k != key {
				m[k] = v
			}
		}
		return m
	}
	tests := []struct {
		name       string
		env        map[string]string
		args       []string
		code       int
		stdout     string // regexp
		stderrHas  string
		stderrLack string
	}{
		{"in-process demo server, now", nil, nil, 0, `^3377-\d{12}00\n$`, "no ENOS_* variable is set", refserver.DemoSecretKey},
		{"in-process demo server, at", nil, []string{"-at", "2026-11-01T08:00:59Z"}, 0, `^3377-20261101080000\n$`, "reference server", ""},
		{"gateway from the environment", gateway, []string{"-flow", "3377", "-at", "2026-11-02T08:00:00+08:00"}, 0, `^3377-20261102000000\n$`, "", "reference server"},
		{"flow without task", nil, []string{"-flow", "3378"}, 1, `^$`, "code 62104: This workflow has no task. You cannot trigger it.", ""},
		{"wrong secret", map[string]string{"ENOS_API_GATEWAY": srv.URL, "ENOS_ACCESS_KEY": refserver.DemoAccessKey,
			"ENOS_SECRET_KEY": "wrong-secret-value", "ENOS_ORG_ID": "o", "ENOS_USER_ID": "u"}, nil, 1, `^$`, "code 1003", "wrong-secret-value"},
		{"missing secret", without("ENOS_SECRET_KEY"), nil, 2, `^$`, "ENOS_SECRET_KEY not set", ""},
		{"missing ids", without("ENOS_ORG_ID"), nil, 2, `^$`, "ENOS_ORG_ID not set", ""},
		{"only the access key set: no fallback", map[string]string{"ENOS_ACCESS_KEY": "a"}, nil, 2, `^$`,
			"ENOS_API_GATEWAY, ENOS_SECRET_KEY, ENOS_ORG_ID, ENOS_USER_ID not set", "reference server"},
		{"bad -at", nil, []string{"-at", "tomorrow"}, 2, `^$`, "want RFC 3339", ""},
		{"-at before 1970", nil, []string{"-at", "0001-01-01T00:00:00Z"}, 2, `^$`, "before 1970", ""},
		{"bad -flow", nil, []string{"-flow", "x"}, 2, `^$`, "invalid value", ""},
		{"zero -flow", nil, []string{"-flow", "0"}, 2, `^$`, "invalid FlowID", ""},
		{"extra argument", nil, []string{"3377"}, 2, `^$`, "unexpected arguments", ""},
		{"bad gateway URL", map[string]string{"ENOS_API_GATEWAY": "gateway.example.com", "ENOS_ACCESS_KEY": "a",
			"ENOS_SECRET_KEY": "s", "ENOS_ORG_ID": "o", "ENOS_USER_ID": "u"}, nil, 2, `^$`, "invalid endpoint", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runTrigger(t, tt.env, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr: %s", code, tt.code, stderr)
			}
			if !regexp.MustCompile(tt.stdout).MatchString(stdout) {
				t.Errorf("stdout %q does not match %s", stdout, tt.stdout)
			}
			if !strings.Contains(stderr, tt.stderrHas) {
				t.Errorf("stderr %q lacks %q", stderr, tt.stderrHas)
			}
			if tt.stderrLack != "" && strings.Contains(stderr, tt.stderrLack) {
				t.Errorf("stderr %q shows %q", stderr, tt.stderrLack)
			}
		})
	}
}
