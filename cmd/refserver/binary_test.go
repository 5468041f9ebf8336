package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/enos-go/batchprocessing"
	"github.com/enos-go/batchprocessing/internal/testbin"
	"github.com/enos-go/batchprocessing/refserver"
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

// process is a run of the built program.
type process struct {
	cmd    *exec.Cmd
	url    string
	stderr *lockedBuffer
}

// startBinary starts the built program with args (and -addr 127.0.0.1:0) and returns once
// it has printed its URL; the test's end kills it if it still runs.
func startBinary(t *testing.T, args ...string) *process {
	t.Helper()
	if binary == "" {
		t.Skipf("no refserver binary: %v", buildErr)
	}
	if runtime.GOOS == "windows" {
		t.Skip("no SIGINT or SIGTERM on Windows")
	}
	p := &process{cmd: exec.Command(binary, append([]string{"-addr", "127.0.0.1:0"}, args...)...), stderr: &lockedBuffer{}}
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p.cmd.Stderr = p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.cmd.Process.Kill() })
	lines := bufio.NewScanner(stdout)
	if !lines.Scan() {
		p.cmd.Wait()
		t.Fatalf("no URL on stdout; stderr %q", p.stderr.String())
	}
	p.url = lines.Text()
	return p
}

// stop sends sig and waits for the program to exit, at most limit; it fails the test unless
// the exit code is 0.
func (p *process) stop(t *testing.T, sig os.Signal, limit time.Duration) {
	t.Helper()
	if err := p.signalAndWait(sig, limit); err != nil {
		t.Fatal(err)
	}
}

// signalAndWait sends sig and waits for the program to exit, at most limit. It returns an
// error unless the exit code is 0.
func (p *process) signalAndWait(sig os.Signal, limit time.Duration) error {
	if err := p.cmd.Process.Signal(sig); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("exit %v; stderr %q", err, p.stderr.String())
		}
		return nil
	case <-time.After(limit):
		return fmt.Errorf("still running %v after %v; stderr %q", limit, sig, p.stderr.String())
	}
}

// TestBinaryServesAndStops starts the built server on a free port with the example seed,
// calls it, and stops it with SIGINT and with SIGTERM.
func TestBinaryServesAndStops(t *testing.T) {
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			p := startBinary(t, "-seed", "../../testdata/seed/example.json")
			c := client(t, p.url, "ciAccessKey", "ciSecretKey", "o15724268424841", "bob")
			if _, err := c.TriggerFlow(context.Background(), batchprocessing.TriggerFlowRequest{FlowID: 5001}); err != nil {
				t.Errorf("TriggerFlow: %v", err)
			}
			p.stop(t, sig, 20*time.Second)
			if !strings.Contains(p.stderr.String(), "refserver: stopped") {
				t.Errorf("stderr %q", p.stderr.String())
			}
		})
	}
}

// stall opens a connection to the server at url and writes a request's beginning, which it
// never finishes.
func stall(t *testing.T, url, beginning string) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if _, err := io.WriteString(conn, beginning); err != nil {
		t.Fatal(err)
	}
	return conn
}

// Beginnings of requests that stall: in the headers, and in the body.
const (
	stallInHeaders = "GET /batch-processing-service/v2.1/time?action=getTimeZone HTTP/1.1\r\nHost: refserver\r\n"
	stallInBody    = "POST /apim-token-service/v2.0/token/get HTTP/1.1\r\nHost: refserver\r\n" +
		"Content-Type: application/json\r\nContent-Length: 14\r\n\r\n{\"appKey\""
)

// TestBinaryClosesStalledConnections starts the built server with timeouts of a second and
// opens connections that stall in the headers, in the body, or idle after an answer: the
// server still serves others, and closes each of them itself.
func TestBinaryClosesStalledConnections(t *testing.T) {
	p := startBinary(t, "-read-timeout", "1s", "-idle-timeout", "1s")
	var conns []net.Conn
	for i := 0; i < 20; i++ {
		conns = append(conns, stall(t, p.url, stallInHeaders), stall(t, p.url, stallInBody))
	}
	conns = append(conns, stall(t, p.url, stallInHeaders+"\r\n")) // answered, then idle

	c := client(t, p.url, refserver.DemoAccessKey, refserver.DemoSecretKey, refserver.DemoOrgID, refserver.DemoUserID)
	if _, err := c.GetTimezone(context.Background()); err != nil {
		t.Errorf("GetTimezone next to stalled connections: %v", err)
	}

	deadline := time.Now().Add(15 * time.Second) // far beyond the timeouts
	for i, conn := range conns {
		conn.SetReadDeadline(deadline)
		if _, err := io.Copy(io.Discard, conn); errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("connection %d is still open after 15 s", i)
		}
	}
	p.stop(t, syscall.SIGTERM, 20*time.Second)
}

// TestBinaryStopsAfterGrace sends SIGTERM while two requests are in flight: the one that
// finishes within the grace gets its answer; the other's connection is closed when the grace
// ends, and the program exits 0.
func TestBinaryStopsAfterGrace(t *testing.T) {
	p := startBinary(t, "-grace", "2s")
	finishing := stall(t, p.url, stallInBody)
	stalled := stall(t, p.url, stallInBody)
	time.Sleep(200 * time.Millisecond) // the server reads both requests' headers

	stopped := make(chan error, 1)
	go func() { stopped <- p.signalAndWait(syscall.SIGTERM, 20*time.Second) }()
	time.Sleep(300 * time.Millisecond)
	if _, err := io.WriteString(finishing, `:"k"}`); err != nil { // the body is {"appKey":"k"}
		t.Fatal(err)
	}
	finishing.SetReadDeadline(time.Now().Add(10 * time.Second))
	answer, err := io.ReadAll(finishing)
	if err != nil || !bytes.HasPrefix(answer, []byte("HTTP/1.1 200 OK")) || !bytes.Contains(answer, []byte(`"status":1202`)) {
		t.Errorf("the request that finished within the grace: %q, %v", answer, err)
	}
	stalled.SetReadDeadline(time.Now().Add(15 * time.Second))
	if _, err := io.Copy(io.Discard, stalled); errors.Is(err, os.ErrDeadlineExceeded) {
		t.Error("the stalled connection is still open after the grace")
	}
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
	if log := p.stderr.String(); !strings.Contains(log, "requests still in flight after 2s; closed their connections") ||
		!strings.Contains(log, "refserver: stopped") {
		t.Errorf("stderr %q", log)
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
