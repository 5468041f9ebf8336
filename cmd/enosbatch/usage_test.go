package main

import (
	"context"
	"strings"
	"testing"
)

func TestUsageErrors(t *testing.T) {
	w := newWorld(t)
	tests := []struct {
		name string
		args []string
		want string // in stderr
	}{
		{"no command", nil, "Usage:"},
		{"unknown command", []string{"frobnicate"}, `unknown command "frobnicate"`},
		{"unknown global flag", []string{"--nope", "status"}, "flag provided but not defined: -nope"},
		{"command flag before the command", []string{"--flow", "3377", "trigger"}, "go after its name"},
		{"unknown flag", []string{"status", "--nope", "3377-20261130080000"}, "flag provided but not defined: -nope"},
		{"bad duration", []string{"--timeout", "soon", "status", "3377-20261130080000"}, `invalid value "soon"`},
		{"negative timeout", []string{"--timeout", "-1s", "status", "3377-20261130080000"}, "--timeout must not be negative"},
		{"missing instance", []string{"status"}, "missing flow instance id"},
		{"two instances", []string{"wait", "3377-20261130080000", "3377-20261130090000"}, "want one flow instance id"},
		{"bad instance", []string{"cancel", "3377"}, `flow instance id "3377"`},
		{"missing flow", []string{"trigger"}, "missing --flow"},
		{"bad flow", []string{"trigger", "--flow", "abc"}, `flow id "abc"`},
		{"zero flow", []string{"flows", "get", "0"}, `flow id "0"`},
		{"bad at", []string{"trigger", "--flow", "41", "--at", "yesterday"}, `--at "yesterday"`},
		{"bad param", []string{"trigger", "--flow", "41", "--param", "novalue"}, `--param "novalue"`},
		{"from-task with param", []string{"trigger", "--flow", "41", "--from-task", "4101", "--param", "a=b"}, "cannot be combined"},
		{"zero poll", []string{"wait", "--poll", "0s", "3377-20261130080000"}, "--poll and --max-poll must be positive"},
		{"bad type", []string{"instances", "--type", "hourly"}, `--type "hourly"`},
		{"bad status", []string{"instances", "--status", "DONE"}, `--status "DONE"`},
		{"from after to", []string{"instances", "--from", "2026-11-30", "--to", "2026-11-01"}, "--from is after --to"},
		{"negative limit", []string{"instances", "--limit", "-1"}, "--limit must not be negative"},
		{"instances argument", []string{"instances", "extra"}, `unexpected argument "extra"`},
		{"flows alone", []string{"flows"}, "flows needs a command: search, get, enable, disable"},
		{"flows unknown", []string{"flows", "delete", "3377"}, `unknown command "flows delete"`},
		{"flows search two words", []string{"flows", "search", "a", "b"}, "at most one expression"},
		{"bad page", []string{"flows", "search", "--page", "0"}, "--page and --page-size must be positive"},
		{"negative max length", []string{"logs", "--max-length", "-5", "3377-20261130080000"}, "--max-length must not be negative"},
		{"help unknown", []string{"help", "frobnicate"}, `unknown command "frobnicate"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := w.run(t, tt.args...).want(t, exitUsage)
			if !strings.Contains(r.stderr, tt.want) {
				t.Errorf("stderr %q, want %q", r.stderr, tt.want)
			}
			if r.stdout != "" {
				t.Errorf("stdout %q, want nothing", r.stdout)
			}
		})
	}
}

func TestConfigurationErrors(t *testing.T) {
	w := newWorld(t)
	const secret = "s3cr3t-do-not-print"
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want []string // in stderr
	}{
		{"no gateway", map[string]string{}, []string{"status", "3377-20261130080000"},
			[]string{"ENOS_API_GATEWAY", "--gateway", "--demo"}},
		{"missing keys", with(w.env, "ENOS_SECRET_KEY", "", "ENOS_USER_ID", ""), []string{"flows", "get", "3377"},
			[]string{"ENOS_SECRET_KEY (or --secret-key)", "ENOS_USER_ID (or --user)"}},
		{"gateway from the flag, keys missing", map[string]string{}, []string{"--gateway", w.env["ENOS_API_GATEWAY"], "--secret-key", secret, "flows", "get", "3377"},
			[]string{"ENOS_ACCESS_KEY (or --access-key)", "ENOS_ORG_ID (or --org)"}},
		{"bad gateway URL", with(w.env, "ENOS_API_GATEWAY", "ftp://gateway.example.com", "ENOS_SECRET_KEY", secret), []string{"flows", "get", "3377"},
			[]string{"invalid endpoint", "scheme"}},
		{"demo with gateway", map[string]string{}, []string{"--demo", "--gateway", "http://127.0.0.1:1", "flows", "get", "3377"},
			[]string{"--demo runs its own server"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runWith(t, context.Background(), tt.env, tt.args...).want(t, exitUsage)
			for _, want := range tt.want {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("stderr %q, want %q", r.stderr, want)
				}
			}
			if strings.Contains(r.stderr, secret) {
				t.Errorf("stderr shows the SecretKey: %q", r.stderr)
			}
		})
	}
}

func TestFlagsOverrideTheEnvironment(t *testing.T) {
	w := newWorld(t)
	env := with(w.env, "ENOS_USER_ID", "someoneElse", "ENOS_API_GATEWAY", "http://127.0.0.1:1")
	// Wrong gateway and user in the environment; the flags, before and after the command, win.
	r := runWith(t, context.Background(), env, "--gateway", w.env["ENOS_API_GATEWAY"], "flows", "get", "--user", "yourUserId", "--json", "3377").want(t, exitOK)
	var f flowView
	r.decodeJSON(t, &f)
	if f.FlowID != 3377 {
		t.Errorf("flow %+v", f)
	}
}

func TestHelp(t *testing.T) {
	w := newWorld(t)
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"help"}, []string{"Commands:", "trigger --flow FLOW_ID", "flows disable FLOW_ID", "-secret-key", "process lists", "Exit codes:", "ENOS_API_GATEWAY"}},
		{[]string{"--help"}, []string{"Commands:"}},
		{[]string{"help", "trigger"}, []string{"Usage: enosbatch trigger [flags] --flow FLOW_ID", "-wait", "-cancel-on-interrupt", "Exit codes:"}},
		{[]string{"trigger", "-h"}, []string{"Usage: enosbatch trigger"}},
		{[]string{"help", "flows"}, []string{"enosbatch flows search", "enosbatch flows enable"}},
		{[]string{"help", "flows", "get"}, []string{"Usage: enosbatch flows get [flags] FLOW_ID"}},
		{[]string{"version"}, []string{"enosbatch "}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			r := w.run(t, tt.args...).want(t, exitOK)
			for _, want := range tt.want {
				if !strings.Contains(r.stdout, want) {
					t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
				}
			}
		})
	}
}

func TestAPIErrors(t *testing.T) {
	w := newWorld(t)
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"flow without tasks", w.env, []string{"trigger", "--flow", "3378"}, "code 62104"},
		{"unknown instance", w.env, []string{"status", "3377-20200101000000"}, "code 62102"},
		{"unknown flow", w.env, []string{"flows", "get", "999"}, "code 62102"},
		{"not a member", with(w.env, "ENOS_USER_ID", "stranger"), []string{"flows", "enable", "3377"}, "code 62101"},
		{"wrong secret", with(w.env, "ENOS_SECRET_KEY", "wrongSecretValue"), []string{"flows", "get", "3377"}, "GetAccessToken"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runWith(t, context.Background(), tt.env, tt.args...).want(t, exitAPI)
			if !strings.Contains(r.stderr, tt.want) || r.stdout != "" {
				t.Errorf("stdout %q, stderr %q; want %q on stderr", r.stdout, r.stderr, tt.want)
			}
		})
	}
}
