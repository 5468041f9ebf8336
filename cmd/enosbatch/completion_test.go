package main

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// bashCompletionLib is where Debian's bash-completion package puts the library that
// cobra's bash script needs (.ci/run installs it).
const bashCompletionLib = "/usr/share/bash-completion/bash_completion"

func TestCompletionScripts(t *testing.T) {
	for _, sh := range []string{"bash", "zsh", "fish", "powershell"} {
		t.Run(sh, func(t *testing.T) {
			r := execBinary(t, nil, "completion", sh).want(t, exitOK)
			if !strings.Contains(r.stdout, "__complete") || !strings.Contains(r.stdout, "enosbatch") {
				t.Fatalf("the %s script does not ask enosbatch for completions:\n%.300s", sh, r.stdout)
			}
			if sh != "bash" && sh != "zsh" {
				return
			}
			shell, err := exec.LookPath(sh)
			if err != nil {
				if sh == "bash" {
					t.Fatal("no bash to check the script with")
				}
				t.Skipf("no %s to check the script with", sh)
			}
			path := filepath.Join(t.TempDir(), "enosbatch."+sh)
			if err := os.WriteFile(path, []byte(r.stdout), 0o600); err != nil {
				t.Fatal(err)
			}
			if out, err := exec.Command(shell, "-n", path).CombinedOutput(); err != nil {
				t.Errorf("%s -n: %v\n%s", sh, err, out)
			}
		})
	}
}

// TestCompletionRequests asks the program what the shell scripts ask it: the completions
// of a command line. Instance and flow ids come from the last listing.
func TestCompletionRequests(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	env := with(w.env, "HOME", t.TempDir())
	id := strings.TrimSpace(execBinary(t, env, "trigger", "--flow", "41").want(t, exitOK).stdout)
	execBinary(t, env, "instances", "--json").want(t, exitOK)
	execBinary(t, env, "flows", "search", "demo").want(t, exitOK)
	tests := []struct {
		name string
		args []string
		want []string // completions, without descriptions; each must be there
		not  []string
	}{
		{"commands", []string{""}, []string{"trigger", "status", "instances", "flows", "config", "completion", "help"}, []string{"__complete"}},
		{"a command's prefix", []string{"ins"}, []string{"instances"}, []string{"status"}},
		{"group commands", []string{"flows", ""}, []string{"search", "get", "enable", "disable"}, nil},
		{"flags", []string{"instances", "--st"}, []string{"--status"}, []string{"--type"}},
		{"global flags", []string{"status", "--pro"}, []string{"--profile"}, nil},
		{"instance ids of the last listing", []string{"status", ""}, []string{id}, nil},
		{"instance ids by prefix", []string{"logs", "41-"}, []string{id}, nil},
		{"one argument only", []string{"wait", id, ""}, nil, []string{id}},
		{"flow ids", []string{"flows", "get", ""}, []string{"3377", "41"}, nil},
		{"--flow", []string{"trigger", "--flow", ""}, []string{"3377", "41"}, nil},
		{"--type", []string{"instances", "--type", ""}, []string{"all", "manual", "periodic", "temporary"}, nil},
		{"--status, a list", []string{"instances", "--status", "FAIL,C"}, []string{"FAIL,CANCEL"}, []string{"FAIL,FAIL"}},
		{"help topics", []string{"help", "fl"}, []string{"flows"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := execBinary(t, env, append([]string{"__complete"}, tt.args...)...).want(t, exitOK)
			var got []string
			for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
				if !strings.HasPrefix(line, ":") { // the last line is the directive
					got = append(got, strings.SplitN(line, "\t", 2)[0])
				}
			}
			for _, want := range tt.want {
				if !slices.Contains(got, want) {
					t.Errorf("completions %q lack %q", got, want)
				}
			}
			for _, not := range tt.not {
				if slices.Contains(got, not) {
					t.Errorf("completions %q include %q", got, not)
				}
			}
		})
	}
}

// TestCompletionInBash completes instance ids through the generated bash script, as bash
// does on Tab.
func TestCompletionInBash(t *testing.T) {
	if _, err := os.Stat(bashCompletionLib); err != nil {
		t.Skipf("no bash-completion library (%v); .ci/run installs it", err)
	}
	w := newWorld(t)
	env := with(w.env, "HOME", t.TempDir())
	first := strings.TrimSpace(execBinary(t, env, "trigger", "--flow", "41").want(t, exitOK).stdout)
	second := strings.TrimSpace(execBinary(t, env, "trigger", "--flow", "43").want(t, exitOK).stdout)
	execBinary(t, env, "instances").want(t, exitOK)
	script := filepath.Join(t.TempDir(), "enosbatch.bash")
	if err := os.WriteFile(script, []byte(execBinary(t, nil, "completion", "bash").stdout), 0o600); err != nil {
		t.Fatal(err)
	}
	complete := func(line string) []string {
		t.Helper()
		cmd := binaryCommand(t, env, "unused")
		cmd.Path, cmd.Args = "/bin/bash", []string{"bash", "-c", `source "$LIB"; source "$SCRIPT"
read -ra COMP_WORDS <<< "$LINE"; [[ $LINE == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMP_LINE=$LINE; COMP_POINT=${#LINE}
__start_enosbatch 2>/dev/null; printf '%s\n' "${COMPREPLY[@]}"`}
		cmd.Env = append(cmd.Env, "LIB="+bashCompletionLib, "SCRIPT="+script, "LINE="+line,
			"PATH="+filepath.Dir(binary)+string(os.PathListSeparator)+os.Getenv("PATH"))
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("bash: %v", err)
		}
		return strings.Fields(string(out))
	}
	if got := complete("enosbatch status "); !slices.Contains(got, first) || !slices.Contains(got, second) {
		t.Errorf("status <Tab>: %q, want %s and %s", got, first, second)
	}
	if got := complete("enosbatch wait 43-"); len(got) != 1 || got[0] != second {
		t.Errorf("wait 43-<Tab>: %q, want %s", got, second)
	}
	if got := complete("enosbatch instan"); len(got) != 1 || got[0] != "instances" {
		t.Errorf("instan<Tab>: %q", got)
	}
}

// TestCachePerGatewayAndOrg: the ids that completion offers are those listed or triggered
// through the same gateway and organization: another profile's (the same flow id may be
// another flow there) are not offered, and --demo, whose server is gone when it exits,
// keeps none.
func TestCachePerGatewayAndOrg(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	a, b := newWorld(t), newWorld(t)
	envA, envB := with(a.env, "HOME", home), with(b.env, "HOME", home)
	idA := strings.TrimSpace(execBinary(t, envA, "trigger", "--flow", itoa(fastFlowID)).want(t, exitOK).stdout)
	idB := strings.TrimSpace(execBinary(t, envB, "trigger", "--flow", itoa(slowFlowID)).want(t, exitOK).stdout)
	complete := func(env map[string]string, args ...string) []string {
		t.Helper()
		r := execBinary(t, env, append([]string{"__complete"}, args...)...).want(t, exitOK)
		var got []string
		for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
			if !strings.HasPrefix(line, ":") {
				got = append(got, strings.SplitN(line, "\t", 2)[0])
			}
		}
		return got
	}
	tests := []struct {
		name      string
		env       map[string]string
		args      []string // before "status", ""
		want, not []string
	}{
		{"gateway A", envA, nil, []string{idA}, []string{idB}},
		{"gateway B", envB, nil, []string{idB}, []string{idA}},
		{"gateway A, another org", with(envA, "ENOS_ORG_ID", "anotherOrg"), nil, nil, []string{idA, idB}},
		{"gateway A, --org of another", envA, []string{"--org", "anotherOrg"}, nil, []string{idA, idB}},
		{"no gateway", map[string]string{"HOME": home}, nil, nil, []string{idA, idB}},
		{"--demo", envA, []string{"--demo"}, nil, []string{idA, idB}},
	}
	for _, tt := range tests {
		got := complete(tt.env, append(tt.args, "status", "")...)
		for _, id := range tt.want {
			if !slices.Contains(got, id) {
				t.Errorf("%s: completions %q lack %s", tt.name, got, id)
			}
		}
		for _, id := range tt.not {
			if slices.Contains(got, id) {
				t.Errorf("%s: completions %q offer %s", tt.name, got, id)
			}
		}
	}
	demoHome := t.TempDir()
	execBinary(t, map[string]string{"HOME": demoHome}, "--demo", "trigger", "--flow", "3377").want(t, exitOK)
	if _, err := os.Stat(filepath.Join(demoHome, ".cache", "enosbatch")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("--demo wrote a cache (%v)", err)
	}
}
