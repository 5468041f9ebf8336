// Package testbin builds the program of a command's package once, for the tests that run
// it as a separate process.
package testbin

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// Main is the body of a TestMain: it builds the program in the current directory (the
// package under test) as name into a temporary directory, hands its path to set (or "" and
// the reason it could not be built), runs the tests, removes the directory, and returns the
// exit code for os.Exit.
func Main(m *testing.M, name string, set func(path string, err error)) int {
	dir, err := os.MkdirTemp("", name+"-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	set(build(dir, name))
	return m.Run()
}

// build builds the current directory's program into dir with the go command on PATH (go
// test puts its own first).
func build(dir, name string) (string, error) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		return "", err
	}
	out := filepath.Join(dir, name)
	if runtime.GOOS == "windows" {
		out += ".exe"
	}
	if msg, err := exec.Command(goCmd, "build", "-o", out, ".").CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, msg)
	}
	return out, nil
}
