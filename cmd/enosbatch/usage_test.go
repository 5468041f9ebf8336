package main

import (
	"context"
	"strings"
	"testing"

	"github.com/enos-go/batchprocessing"
	"github.com/enos-go/batchprocessing/refserver"
)

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	tests := []struct {
		name string
		args []string
		want string // in stderr
	}{
		{"no command", nil, "Usage:"},
		{"unknown command", []string{"frobnicate"}, `unknown command "frobnicate"`},
		{"unknown global flag", []string{"--nope", "status"}, "unknown flag: --nope"},
		{"unknown flag", []string{"status", "--nope", "3377-20261130080000"}, "unknown flag: --nope"},
		{"unknown shorthand", []string{"status", "-x", "3377-20261130080000"}, "unknown shorthand flag: 'x' in -x"},
		{"mistyped flag", []string{"trigger", "--flwo", "41"}, "Did you mean this?\n\t--flow\n"},
		{"mistyped single-dash flag", []string{"trigger", "-flwo", "41"}, "Did you mean this?\n\t--flow\n"},
		// runWith checks that no output shows the SecretKey.
		{"mistyped single-dash secret flag", []string{"-secretkey=" + refserver.DemoSecretKey, "instances"},
			"unknown shorthand flag: 's' in -secretkey=…\n\nDid you mean this?\n\t--secret-key\n"},
		{"mistyped single-dash secret flag of a command", []string{"flows", "search", "-secret_key=" + refserver.DemoSecretKey}, "in -secret_key=…"},
		{"mistyped command", []string{"stauts", "3377-20261130080000"}, "unknown command \"stauts\"\n\nDid you mean this?\n\tstatus\n"},
		{"mistyped group command", []string{"flows", "gte", "3377"}, "unknown command \"flows gte\"\n\nDid you mean this?\n\tget\n"},
		{"mistyped command, then its flag", []string{"trigr", "--flow", "41"}, "unknown command \"trigr\"\n\nDid you mean this?\n\ttrigger\n"},
		{"mistyped group command, then its flag", []string{"flows", "serch", "--page", "2"}, "unknown command \"flows serch\"\n\nDid you mean this?\n\tsearch\n"},
		{"bad duration", []string{"--timeout", "soon", "status", "3377-20261130080000"}, `invalid argument "soon" for "--timeout" flag`},
		{"zero request timeout", []string{"--request-timeout", "0s", "status", "3377-20261130080000"}, "--request-timeout must be positive"},
		{"at the zero time", []string{"trigger", "--flow", "41", "--at", "0001-01-01T00:00:00Z"}, `--at "0001-01-01T00:00:00Z": want a time from 1970-01-01T00:00:00Z`},
		{"at before 1970", []string{"trigger", "--flow", "41", "--at", "1969-12-31T23:59:59Z"}, "want a time from 1970"},
		{"from before 1970", []string{"instances", "--from", "1900-01-01"}, "want a time from 1970"},
		{"bad jq", []string{"instances", "--jq", ".[] |"}, `--jq ".[] |"`},
		{"version argument", []string{"version", "extra"}, `unexpected argument "extra"`},
		{"help of an unknown flows command", []string{"help", "flows", "delete"}, `unknown command "flows delete"`},
		{"negative timeout", []string{"--timeout", "-1s", "status", "3377-20261130080000"}, "--timeout must not be negative"},
		{"missing instance", []string{"status"}, "missing flow instance id"},
		{"two instances", []string{"wait", "3377-20261130080000", "3377-20261130090000"}, "want one flow instance id"},
		{"bad instance", []string{"cancel", "3377"}, `flow instance id "3377"`},
		{"missing flow", []string{"trigger"}, "missing --flow"},
		{"flow argument, then another", []string{"trigger", "41", "extra"}, `unexpected argument "extra"`},
		{"--flow, then an argument", []string{"trigger", "--flow", "41", "extra"}, `unexpected argument "extra"`},
		{"bad flow", []string{"trigger", "--flow", "abc"}, `flow id "abc"`},
		{"zero flow", []string{"flows", "get", "0"}, `flow id "0"`},
		{"bad at", []string{"trigger", "--flow", "41", "--at", "yesterday"}, `--at "yesterday"`},
		{"bad param", []string{"trigger", "--flow", "41", "--param", "novalue"}, `--param "novalue"`},
		{"from-task with param", []string{"trigger", "--flow", "41", "--from-task", "4101", "--param", "a=b"}, "cannot be combined"},
		{"zero poll", []string{"wait", "--poll", "0s", "3377-20261130080000"}, "--poll and --max-poll must be at least 1ms"},
		{"poll under a millisecond", []string{"wait", "--poll", "1ns", "3377-20261130080000"}, "--poll and --max-poll must be at least 1ms"},
		{"max-poll under a millisecond", []string{"trigger", "--flow", "41", "--wait", "--max-poll", "999us"}, "--poll and --max-poll must be at least 1ms"},
		{"max-poll under poll", []string{"wait", "--poll", "5s", "--max-poll", "1s", "3377-20261130080000"}, "--max-poll 1s is shorter than --poll 5s"},
		{"interval under a millisecond", []string{"status", "--watch", "--interval", "1ns", "3377-20261130080000"}, "--interval must be at least 1ms"},
		{"bad type", []string{"instances", "--type", "hourly"}, `--type "hourly"`},
		{"bad status", []string{"instances", "--status", "DONE"}, `--status "DONE"`},
		{"from after to", []string{"instances", "--from", "2026-11-30", "--to", "2026-11-01"}, "--from is after --to"},
		{"from after now", []string{"instances", "--from", "2099-01-01", "--to", "now"}, "--from is after now (--to's default)"},
		{"from after the default to", []string{"instances", "--from", "2099-01-01"}, "--from is after now (--to's default)"},
		{"negative limit", []string{"instances", "--limit", "-1"}, "--limit must not be negative"},
		{"instances argument", []string{"instances", "extra"}, `unexpected argument "extra"`},
		{"flows alone", []string{"flows"}, "flows needs a command: search, get, enable, disable"},
		{"completion for an unknown shell", []string{"completion", "tcsh"}, `unknown command "completion tcsh"`},
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
	t.Parallel()
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
			[]string{"ENOS_SECRET_KEY or ENOS_SECRET_KEY_FILE (or --secret-key-file", "ENOS_USER_ID (or --user, or user in a profile)"}},
		{"gateway from the flag, keys missing", map[string]string{}, []string{"--gateway", w.env["ENOS_API_GATEWAY"], "--secret-key", secret, "flows", "get", "3377"},
			[]string{"ENOS_ACCESS_KEY (or --access-key, or access_key in a profile)", "ENOS_ORG_ID (or --org"}},
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
	t.Parallel()
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
	t.Parallel()
	w := newWorld(t)
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"help"}, []string{"Commands:", "  trigger ", "  flows ", "--secret-key string", "process lists", "Exit codes:", "ENOS_* variables",
			"completion"}},
		{[]string{"--help"}, []string{"Commands:"}},
		{[]string{"-h"}, []string{"Commands:"}},
		{[]string{"help", "trigger"}, []string{"Usage:\n  enosbatch trigger --flow FLOW_ID [flags]", "--wait", "--cancel-on-interrupt", "Exit codes:"}},
		{[]string{"trigger", "-h"}, []string{"Usage:\n  enosbatch trigger"}},
		{[]string{"trigger", "--help", "--flow", "41"}, []string{"Usage:\n  enosbatch trigger"}},
		{[]string{"flows", "-h"}, []string{"  search ", "  enable "}},
		{[]string{"help", "flows"}, []string{"enosbatch flows <command>", "  search ", "  enable "}},
		{[]string{"help", "help"}, []string{"Usage:\n  enosbatch help [command]"}},
		{[]string{"help", "version"}, []string{"Usage:\n  enosbatch version"}},
		{[]string{"help", "config"}, []string{"secret_key_file = ", "[staging]", "chmod 600"}},
		{[]string{"help", "completion", "bash"}, []string{"enosbatch completion bash"}},
		{[]string{"help", "flows", "get"}, []string{"Usage:\n  enosbatch flows get FLOW_ID [flags]"}},
		{[]string{"--version"}, []string{"enosbatch " + batchprocessing.Version + "\n"}},
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
	t.Parallel()
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
