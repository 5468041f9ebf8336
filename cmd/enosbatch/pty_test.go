//go:build !windows

package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/enos-go/batchprocessing/refserver"
	"github.com/mattn/go-runewidth"
)

// ptyRun is a run of the built program with stderr (and stdout, if ttyStdout) on a
// pseudo-terminal of the given size.
type ptyRun struct {
	cmd      *exec.Cmd
	terminal *bytes.Buffer // what the program wrote on the terminal, as read from its master side
	stdout   *bytes.Buffer // stdout, when it is not the terminal
	done     chan struct{} // closed when the terminal is read to its end
	mu       sync.Mutex    // guards terminal while the program runs
}

// terminalText returns what the program wrote on the terminal so far.
func (r *ptyRun) terminalText() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.terminal.String()
}

// lockedWriter writes to w under mu.
type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// startInPTY starts the program in a pseudo-terminal of cols columns and rows rows.
func startInPTY(t *testing.T, env map[string]string, cols, rows uint16, ttyStdout bool, args ...string) *ptyRun {
	t.Helper()
	cmd := binaryCommand(t, env, args...)
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { ptmx.Close() })
	if err := pty.Setsize(ptmx, &pty.Winsize{Cols: cols, Rows: rows}); err != nil {
		t.Fatal(err)
	}
	r := &ptyRun{cmd: cmd, terminal: &bytes.Buffer{}, stdout: &bytes.Buffer{}, done: make(chan struct{})}
	cmd.Stdin, cmd.Stderr, cmd.Stdout = tty, tty, r.stdout
	if ttyStdout {
		cmd.Stdout = tty
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tty.Close() // the program holds it now; reading the master ends when the program exits
	go func() {
		defer close(r.done)
		_, _ = io.Copy(lockedWriter{&r.mu, r.terminal}, ptmx) // ends with EIO on Linux once the program is gone
	}()
	return r
}

// wait waits for the program to exit and the terminal to be read, and returns the exit code.
func (r *ptyRun) wait(t *testing.T) int {
	t.Helper()
	err := r.cmd.Wait()
	select {
	case <-r.done:
	case <-time.After(10 * time.Second):
		t.Fatal("the terminal's output did not end")
	}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		return exit.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return 0
}

// TestProgressIn50Columns waits for a flow whose progress line is longer than 50 columns,
// with stderr on a 50-column pseudo-terminal and no $COLUMNS: every redraw stays on one
// line, cut to the terminal's real width, counted in columns (a Chinese character takes
// two), and a name's escape sequence is not sent to the terminal.
func TestProgressIn50Columns(t *testing.T) {
	narrow := &runewidth.Condition{} // the terminal's columns, whatever this test's locale
	for _, names := range [][2]string{
		{"extract-customer-records", "load-into-the-warehouse"},
		{"数据抽取任务", "数据清洗转换入库"},
		{"red \x1b[31mextract\x1b[0m", "title \x1b]0;pwned\a"},
	} {
		w := newWorld(t)
		w.addFlow(45, "wide flow",
			refserver.Task{ID: 4501, Name: names[0], Duration: 500 * time.Millisecond},
			refserver.Task{ID: 4502, Name: names[1], Duration: 500 * time.Millisecond, DependsOn: []int64{4501}})
		r := startInPTY(t, w.env, 50, 24, false, "trigger", "--flow", "45", "--wait", "--poll", "100ms")
		if code := r.wait(t); code != exitOK {
			t.Fatalf("%q: exit code %d; terminal %q", names, code, r.terminal.String())
		}
		out := r.terminal.String()
		if strings.Contains(out, "\n") || strings.Contains(strings.ReplaceAll(out, "\x1b[K", ""), "\x1b") {
			t.Errorf("%q: the progress wrote a line break or a name's escape on the terminal: %q", names, out)
		}
		frames := 0
		for _, frame := range strings.Split(out, "\r") {
			frame = strings.TrimSuffix(frame, "\x1b[K")
			if frame == "" {
				continue
			}
			frames++
			if n := narrow.StringWidth(frame); n > 49 {
				t.Errorf("frame %q is %d columns wide, want at most 49 in a 50-column terminal", frame, n)
			}
			if !regexp.MustCompile(`^ +\d+\.\ds 45-\d{14} `).MatchString(frame) {
				t.Errorf("frame %q", frame)
			}
		}
		if frames < 3 {
			t.Errorf("%q: %d frames, want the line redrawn in place several times: %q", names, frames, out)
		}
		if !strings.Contains(r.stdout.String(), " SUCCESS after ") {
			t.Errorf("stdout %q", r.stdout.String())
		}
	}
}

// TestWatchLiveInPTY runs instances --watch with stdout on a 60x12 pseudo-terminal: it
// redraws the table in place, each frame over the last, cut to the width, until Ctrl-C.
func TestWatchLiveInPTY(t *testing.T) {
	w := newWorld(t)
	for _, flow := range []int64{slowFlowID, periodicID, fastFlowID} {
		w.trigger(t, flow)
	}
	r := startInPTY(t, w.env, 60, 12, true, "instances", "--watch", "--interval", "100ms")
	deadline := time.Now().Add(10 * time.Second)
	for strings.Count(r.terminalText(), "(every 100ms") < 3 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if err := r.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if code := r.wait(t); code != exitInterrupted {
		t.Fatalf("exit code %d, want %d; terminal:\n%q", code, exitInterrupted, r.terminal.String())
	}
	out := r.terminal.String()
	frames := strings.Split(out, "\r\x1b[J")[1:]
	if len(frames) < 3 {
		t.Fatalf("%d frames, want at least 3:\n%q", len(frames), out)
	}
	for i, frame := range frames {
		body, _, _ := strings.Cut(frame, "\x1b[") // up to the next cursor move
		lines := strings.Split(strings.TrimRight(body, "\r\n"), "\r\n")
		if i < len(frames)-1 && !strings.HasSuffix(frame, "\x1b["+itoa(int64(len(lines)))+"A") {
			t.Errorf("frame %d does not end by moving up its %d lines: %q", i, len(lines), frame)
		}
		if i == len(frames)-1 && len(lines) == 6 && strings.HasPrefix(lines[5], "enosbatch: instances: interrupted: stopped watching") {
			lines = lines[:5] // the last frame stays, and stderr follows it
		}
		if !strings.HasPrefix(lines[0], "3 flow instances  (every 100ms, ") || !strings.HasPrefix(lines[1], "INSTANCE") || len(lines) != 5 {
			t.Errorf("frame %d: %q", i, lines)
		}
		for _, line := range lines {
			if n := len([]rune(line)); n > 59 {
				t.Errorf("line %q is %d columns wide, want at most 59", line, n)
			}
		}
	}
}

// TestLiveWatchEndsWhenTheTerminalGoes: a live --watch whose terminal goes away (its
// master side closed, so that each write fails) ends with exit code 5 at its next frame,
// as a watch that prints its changes does, instead of drawing into the void until
// interrupted.
func TestLiveWatchEndsWhenTheTerminalGoes(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.trigger(t, slowFlowID)
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	defer tty.Close()
	var mu sync.Mutex
	var seen bytes.Buffer
	go func() { _, _ = io.Copy(lockedWriter{&mu, &seen}, ptmx) }()
	done := make(chan int, 1)
	go func() {
		done <- run(context.Background(), []string{"--timeout", "10s", "instances", "--watch", "--interval", "20ms"},
			func(k string) string { return w.env[k] }, tty, io.Discard)
	}()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		mu.Lock()
		drawn := strings.Contains(seen.String(), "(every 20ms")
		mu.Unlock()
		if drawn {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no frame drawn in 5s")
		}
	}
	ptmx.Close()
	if code := <-done; code != exitOutput {
		t.Errorf("exit code %d, want %d", code, exitOutput)
	}
}
