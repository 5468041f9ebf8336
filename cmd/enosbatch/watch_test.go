package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// runAsync runs the program in-process with the world's environment until it exits; the
// returned function waits for it.
func (w *world) runAsync(t *testing.T, args ...string) func() result {
	t.Helper()
	done := make(chan result, 1)
	go func() { done <- runWith(t, context.Background(), w.env, args...) }()
	return func() result { return <-done }
}

// TestInstancesWatch: without a terminal, --watch prints the table once, then a row for
// each instance that appears or changes, stamped with the local time seen, until --timeout
// (exit code 4).
func TestInstancesWatch(t *testing.T) {
	w := newWorld(t)
	slow := w.trigger(t, slowFlowID)
	wait := w.runAsync(t, "--timeout", "1500ms", "instances", "--type", "manual", "--watch", "--interval", "50ms")
	time.Sleep(300 * time.Millisecond)
	fast := w.trigger(t, fastFlowID) // RUNNING, then SUCCESS after 40 ms
	r := wait().want(t, exitInterrupted)
	if !strings.Contains(r.stderr, "--timeout 1.5s reached: stopped watching") {
		t.Errorf("stderr %q", r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if !strings.HasPrefix(lines[0], "INSTANCE ") || !strings.HasPrefix(lines[1], slow+" ") {
		t.Fatalf("stdout does not start with the table:\n%s", r.stdout)
	}
	if n := strings.Count(r.stdout, slow); n != 1 {
		t.Errorf("%s shown %d times, want once: it did not change\n%s", slow, n, r.stdout)
	}
	stamped := regexp.MustCompile(`^\d\d:\d\d:\d\d  ` + fast + ` `)
	for _, line := range lines[2:] {
		if !stamped.MatchString(line) {
			t.Errorf("change line %q, want the local time seen, then the row of %s", line, fast)
		}
	}
	last := lines[len(lines)-1]
	if !strings.Contains(last, " "+fast+" ") || !strings.Contains(last, " SUCCESS ") || strings.Count(r.stdout, "INSTANCE ") != 1 {
		t.Errorf("want rows for the new instance until it ended SUCCESS, without another header:\n%s", r.stdout)
	}
}

func TestInstancesWatchJSON(t *testing.T) {
	w := newWorld(t)
	slow := w.trigger(t, slowFlowID)
	wait := w.runAsync(t, "--timeout", "1s", "--json", "instances", "--watch", "--interval", "50ms")
	time.Sleep(200 * time.Millisecond)
	w.run(t, "cancel", slow).want(t, exitOK)
	r := wait().want(t, exitInterrupted)
	var statuses []string
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		var v instanceView
		if err := json.Unmarshal([]byte(line), &v); err != nil || v.InstanceID != slow {
			t.Fatalf("line %q: %v", line, err)
		}
		statuses = append(statuses, v.Status)
	}
	if strings.Join(statuses, " ") != "RUNNING CANCEL" {
		t.Errorf("statuses %q, want RUNNING then CANCEL", statuses)
	}
}

func TestStatusWatch(t *testing.T) {
	w := newWorld(t)
	slow := w.trigger(t, slowFlowID)
	wait := w.runAsync(t, "--timeout", "1s", "status", slow, "--watch", "--interval", "50ms")
	time.Sleep(200 * time.Millisecond)
	w.run(t, "cancel", slow).want(t, exitOK)
	r := wait().want(t, exitInterrupted)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if !strings.HasPrefix(lines[0], "instance      "+slow) || strings.Count(r.stdout, "instance      ") != 1 {
		t.Errorf("want the status once, then the changes:\n%s", r.stdout)
	}
	if last := lines[len(lines)-1]; !strings.HasSuffix(last, " "+slow+" CANCEL  [long=CANCEL]") && !strings.Contains(last, slow+" CANCEL") {
		t.Errorf("last line %q, want the change to CANCEL", last)
	}
	w.run(t, "status", "--watch", "--interval", "0s", slow).want(t, exitUsage)
}

// TestLiveScreen draws frames on a 30x6 terminal: each redraw moves up over the last frame
// and erases it; lines are cut to the width and the frame to the height.
func TestLiveScreen(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	env := map[string]string{"COLUMNS": "30", "LINES": "6"}
	l := &liveScreen{t: newTerminal(&out, func(k string) string { return env[k] })}
	l.draw("header", "one\ntwo")
	l.setNote("retrying GetFlowInstance after a timeout")
	l.draw("header", "a line that is far longer than thirty columns\n2\n3\n4\n5\n6")
	want := "\r\x1b[Jheader\none\ntwo\n" +
		"\x1b[3A\r\x1b[Jheader\na line that is far longer th…\n2\n… and 4 more lines\nnote: retrying GetFlowInstan…\n"
	if out.String() != want {
		t.Errorf("frames\n%q\nwant\n%q", out.String(), want)
	}
}

// TestWatchEndsOnOutputFailure: output that fails on a later poll (a --jq error, a write)
// ends the watch with exit code 5, as on the first poll, instead of being noted as a failed
// poll while the watch goes on.
func TestWatchEndsOnOutputFailure(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		args   []string
		stdout func(*shownOutput) io.Writer
		want   string // on stderr
	}{
		{"--jq error", []string{"--jq", `if .status == "CANCEL" then error("cancelled") else .instanceId end`},
			func(b *shownOutput) io.Writer { return b }, `error: cancelled`},
		{"a write", []string{"--json"},
			func(b *shownOutput) io.Writer { return fullOn{b, "CANCEL"} }, "writing the output: no space left on device"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			slow := w.trigger(t, slowFlowID)
			var stdout shownOutput
			var stderr bytes.Buffer
			done := make(chan int)
			go func() {
				args := append([]string{"--timeout", "5s", "instances", "--watch", "--interval", "20ms"}, tt.args...)
				done <- run(context.Background(), args, func(k string) string { return w.env[k] }, tt.stdout(&stdout), &stderr)
			}()
			for deadline := time.Now().Add(5 * time.Second); !strings.Contains(stdout.String(), slow); time.Sleep(10 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatal("the first poll showed nothing in 5s")
				}
			}
			w.run(t, "cancel", slow).want(t, exitOK) // after the first poll showed the instance
			code := <-done
			if code != exitOutput || strings.Contains(stderr.String(), "polling failed") || !strings.Contains(stderr.String(), tt.want) ||
				!strings.Contains(stdout.String(), slow) {
				t.Errorf("exit code %d, stdout %q, stderr %q; want %d, the instance, then %q alone", code, stdout.String(), stderr.String(), exitOutput, tt.want)
			}
		})
	}
}

// fullOn is a stdout that refuses, as a full disk does, the writes that hold text.
type fullOn struct {
	w    io.Writer
	text string
}

func (f fullOn) Write(b []byte) (int, error) {
	if bytes.Contains(b, []byte(f.text)) {
		return 0, errors.New("no space left on device")
	}
	return f.w.Write(b)
}

// shownOutput is a stdout that the test reads while the program writes it.
type shownOutput struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (o *shownOutput) Write(b []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.Write(b)
}

func (o *shownOutput) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}
