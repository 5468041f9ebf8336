package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/enos-go/batchprocessing"
	"github.com/enos-go/batchprocessing/internal/testbin"
)

// binary is the refserver program that TestMain builds, or "" when it could not; buildErr
// says why.
var (
	binary   string
	buildErr error
)

func TestMain(m *testing.M) {
	os.Exit(testbin.Main(m, "refserver", func(path string, err error) { binary, buildErr = path, err }))
}

// TestBinaryServesAndStops starts the built server on a free port with the example seed,
// calls it, and stops it with SIGINT and with SIGTERM.
func TestBinaryServesAndStops(t *testing.T) {
	if binary == "" {
		t.Skipf("no refserver binary: %v", buildErr)
	}
	if runtime.GOOS == "windows" {
		t.Skip("no SIGINT or SIGTERM on Windows")
	}
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			cmd := exec.Command(binary, "-addr", "127.0.0.1:0", "-seed", "../../testdata/seed/example.json")
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer cmd.Process.Kill()
			lines := bufio.NewScanner(stdout)
			if !lines.Scan() {
				cmd.Wait()
				t.Fatalf("no URL on stdout; stderr %q", stderr.String())
			}
			url := lines.Text()
			c := client(t, url, "ciAccessKey", "ciSecretKey", "o15724268424841", "bob")
			if _, err := c.TriggerFlow(context.Background(), batchprocessing.TriggerFlowRequest{FlowID: 5001}); err != nil {
				t.Errorf("TriggerFlow: %v", err)
			}
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			err = cmd.Wait()
			var exit *exec.ExitError
			if errors.As(err, &exit) || err != nil {
				t.Fatalf("exit %v; stderr %q", err, stderr.String())
			}
			if !strings.Contains(stderr.String(), "refserver: stopped") {
				t.Errorf("stderr %q", stderr.String())
			}
		})
	}
}

func TestBinaryBadSeed(t *testing.T) {
	if binary == "" {
		t.Skipf("no refserver binary: %v", buildErr)
	}
	var stderr bytes.Buffer
	cmd := exec.Command(binary, "-addr", "127.0.0.1:0", "-seed", "../../testdata/seed/README.md")
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != exitUsage || !strings.Contains(stderr.String(), "seed: line 1") {
		t.Errorf("exit %v, stderr %q", err, stderr.String())
	}
}
