package main

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/enos-go/batchprocessing"
	"github.com/spf13/cobra"

	"github.com/enos-go/batchprocessing/internal/testbin"
	"github.com/enos-go/batchprocessing/refserver"
)

// binary is the enosbatch program that TestMain builds, or "" when it could not; buildErr
// says why.
var (
	binary   string
	buildErr error
)

func TestMain(m *testing.M) {
	os.Exit(testbin.Main(m, "enosbatch", func(path string, err error) { binary, buildErr = path, err }))
}

// execBinary runs the built program with args and exactly the environment env (plus PATH,
// and HOME, an empty directory of the test's unless env sets it), and returns what it did.
func execBinary(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	cmd := binaryCommand(t, env, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String()}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		r.code = exit.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	if secret := env["ENOS_SECRET_KEY"]; secret != "" && strings.Contains(r.stdout+r.stderr, secret) {
		t.Errorf("enosbatch %s printed the SecretKey", strings.Join(args, " "))
	}
	return r
}

// binaryCommand returns the command that runs the built program, skipping the test when
// there is none.
func binaryCommand(t *testing.T, env map[string]string, args ...string) *exec.Cmd {
	t.Helper()
	if binary == "" {
		t.Skipf("no enosbatch binary: %v", buildErr)
	}
	cmd := exec.Command(binary, args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	if env["HOME"] == "" {
		cmd.Env = append(cmd.Env, "HOME="+t.TempDir()) // no configuration or cache of the machine's
	}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	return cmd
}

// binaryCase is a run of the enosbatch binary: its environment and arguments, and the exit
// code and the text on stderr it should give.
type binaryCase struct {
	name   string
	env    map[string]string
	args   []string
	code   int
	stderr string
}

// checkBinaryCases runs each case in a subtest.
func checkBinaryCases(t *testing.T, cases []binaryCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			r := execBinary(t, tt.env, tt.args...).want(t, tt.code)
			if !strings.Contains(r.stderr, tt.stderr) {
				t.Errorf("stderr %q, want %q", r.stderr, tt.stderr)
			}
		})
	}
}

func TestBinaryExitCodes(t *testing.T) {
	w := newWorld(t)
	checkBinaryCases(t, []binaryCase{
		{"help", nil, []string{"help"}, exitOK, ""},
		{"no command", nil, nil, exitUsage, "Usage:"},
		{"bad flag", w.env, []string{"instances", "--colour"}, exitUsage, "unknown flag: --colour"},
		{"mistyped flag", w.env, []string{"instances", "--stauts", "FAIL"}, exitUsage, "unknown flag: --stauts\n\nDid you mean this?\n\t--status\n"},
		{"mistyped command", w.env, []string{"instnaces"}, exitUsage, "unknown command \"instnaces\"\n\nDid you mean this?\n\tinstances\n"},
		{"bad flag value", w.env, []string{"instances", "--limit", "many"}, exitUsage, `invalid argument "many" for "--limit" flag`},
		{"old single-dash flags", w.env, []string{"-json", "instances", "-limit", "1"}, exitOK, ""},
		{"no configuration", nil, []string{"status", "3377-20261130080000"}, exitUsage, "no gateway: set ENOS_API_GATEWAY"},
		{"incomplete configuration", with(w.env, "ENOS_ORG_ID", ""), []string{"status", "3377-20261130080000"}, exitUsage, "ENOS_ORG_ID (or --org, or org in a profile)"},
		{"API error", w.env, []string{"trigger", "--flow", "3378"}, exitAPI, "code 62104"},
		{"wrong SecretKey", with(w.env, "ENOS_SECRET_KEY", "notTheSecretKey"), []string{"flows", "get", "3377"}, exitAPI, "GetAccessToken"},
		{"flow failure", w.env, []string{"trigger", "--flow", "42", "--wait", "--poll", "10ms"}, exitFlowFailed, "ended FAIL"},
	})
}

func TestBinaryTriggerWaitJSON(t *testing.T) {
	w := newWorld(t)
	r := execBinary(t, w.env, "--json", "trigger", "--flow", "41", "--wait", "--poll", "10ms").want(t, exitOK)
	var v instanceView
	r.decodeJSON(t, &v)
	if v.FlowID != fastFlowID || v.Status != "SUCCESS" || len(v.Tasks) != 2 || v.Tasks[1].Status != "SUCCESS" {
		t.Errorf("instance %+v", v)
	}
	// --json times are RFC 3339 with the server's offset.
	for _, tm := range []string{v.TriggerTime, v.StartTime, v.EndTime} {
		if _, err := time.Parse(time.RFC3339, tm); err != nil {
			t.Errorf("--json time %q is not RFC 3339", tm)
		}
	}
	var listed []instanceView
	execBinary(t, w.env, "instances", "--json", "--flow", "41").want(t, exitOK).decodeJSON(t, &listed)
	if len(listed) != 1 || listed[0].InstanceID != v.InstanceID {
		t.Errorf("instances %+v, want %s", listed, v.InstanceID)
	}
	// --jq filters the list without jq installed.
	if r := execBinary(t, w.env, "instances", "--status", "SUCCESS", "--json", "--jq", ".[].instanceId").want(t, exitOK); r.stdout != v.InstanceID+"\n" {
		t.Errorf("--jq: stdout %q, want %s", r.stdout, v.InstanceID)
	}
}

// TestBinaryInterrupt sends SIGINT to a waiting enosbatch: it stops with exit code 4 and
// leaves the instance running.
func TestBinaryInterrupt(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGINT on Windows")
	}
	w := newWorld(t)
	id := w.trigger(t, slowFlowID)
	cmd := binaryCommand(t, w.env, "wait", "--poll", "20ms", id)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The first progress line says the program is waiting, its signal handler in place.
	lines := bufio.NewScanner(stderr)
	if !lines.Scan() || !strings.Contains(lines.Text(), id+" RUNNING") {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("first stderr line %q", lines.Text())
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	var rest strings.Builder
	for lines.Scan() {
		rest.WriteString(lines.Text() + "\n")
	}
	err = cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != exitInterrupted {
		t.Fatalf("wait ended with %v, want exit code %d; stderr %q", err, exitInterrupted, rest.String())
	}
	if !strings.Contains(rest.String(), "interrupted: stopped waiting") {
		t.Errorf("stderr %q", rest.String())
	}
	if in, _ := w.srv.FlowInstance(id); in.Status != refserver.StatusRunning {
		t.Errorf("instance status %d, want it still RUNNING", in.Status)
	}
}

// TestBinaryHelpForEveryCommand runs 'help X' and 'X -h' for every command of the tree.
func TestBinaryHelpForEveryCommand(t *testing.T) {
	root := newRootCommand(newSession(func(string) string { return "" }, io.Discard, io.Discard))
	root.InitDefaultHelpCmd()
	var paths [][]string
	var visit func(c *cobra.Command, path []string)
	visit = func(c *cobra.Command, path []string) {
		for _, sub := range c.Commands() {
			p := append(slices.Clone(path), sub.Name())
			paths = append(paths, p)
			visit(sub, p)
		}
	}
	visit(root, nil)
	if len(paths) < 20 {
		t.Fatalf("only %d commands: %q", len(paths), paths)
	}
	for _, p := range paths {
		name := strings.Join(p, " ")
		for _, args := range [][]string{append([]string{"help"}, p...), append(slices.Clone(p), "-h"), append(slices.Clone(p), "--help")} {
			r := execBinary(t, nil, args...)
			if r.code != exitOK || !strings.Contains(r.stdout, "Usage:\n  enosbatch "+name) || r.stderr != "" {
				t.Errorf("enosbatch %s: exit code %d, stdout %.200q, stderr %q", strings.Join(args, " "), r.code, r.stdout, r.stderr)
			}
		}
	}
}

func TestBinaryVersion(t *testing.T) {
	for _, args := range [][]string{{"--version"}, {"-v"}, {"version"}} {
		if r := execBinary(t, nil, args...).want(t, exitOK); r.stdout != "enosbatch "+batchprocessing.Version+"\n" {
			t.Errorf("%q: stdout %q", args, r.stdout)
		}
	}
	var v struct{ Version, Go, Platform string }
	execBinary(t, nil, "version", "--json").want(t, exitOK).decodeJSON(t, &v)
	if v.Version != batchprocessing.Version || !strings.HasPrefix(v.Go, "go") || !strings.Contains(v.Platform, "/") {
		t.Errorf("version --json: %+v", v)
	}
}
