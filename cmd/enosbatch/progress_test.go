package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/enos-go/batchprocessing"
)

// instanceWith returns an instance with the given status and task states ("a=RUNNING").
func instanceWith(t *testing.T, status batchprocessing.FlowInstanceStatus, tasks ...string) *batchprocessing.FlowInstance {
	t.Helper()
	var nodes []string
	for _, task := range tasks {
		name, st, _ := strings.Cut(task, "=")
		nodes = append(nodes, `{"taskId":1,"taskName":"`+name+`","status":"`+st+`"}`)
	}
	fi := &batchprocessing.FlowInstance{FlowInstanceID: "41-20261130080000", Status: status}
	if err := fi.Graph.UnmarshalJSON([]byte(`{"tasks":[` + strings.Join(nodes, ",") + `]}`)); err != nil {
		t.Fatal(err)
	}
	return fi
}

// fakeNow returns a clock that reads *now.
func fakeNow(now *time.Time) func() time.Time { return func() time.Time { return *now } }

func TestProgressLines(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	now := start
	var out bytes.Buffer
	p := newProgress(&out, func(string) string { return "" }, false, start)
	p.now = fakeNow(&now)
	if p.tty {
		t.Fatal("a buffer is taken for a terminal")
	}
	steps := []struct {
		after time.Duration
		fi    *batchprocessing.FlowInstance
	}{
		{0, instanceWith(t, batchprocessing.StatusRunning, "a=RUNNING", "b=INIT")},
		{500 * time.Millisecond, instanceWith(t, batchprocessing.StatusRunning, "a=RUNNING", "b=INIT")}, // no change: no line
		{1200 * time.Millisecond, instanceWith(t, batchprocessing.StatusRunning, "a=SUCCESS", "b=RUNNING")},
		{2500 * time.Millisecond, instanceWith(t, batchprocessing.StatusSuccess, "a=SUCCESS", "b=SUCCESS")},
	}
	for _, s := range steps {
		now = start.Add(s.after)
		p.update(s.fi)
		p.tick() // nothing on a non-terminal
	}
	want := "   0.0s 41-20261130080000 RUNNING  [a=RUNNING b=INIT]\n" +
		"   1.2s 41-20261130080000 RUNNING  [a=SUCCESS b=RUNNING]\n" +
		"   2.5s 41-20261130080000 SUCCESS  [a=SUCCESS b=SUCCESS]\n"
	if out.String() != want {
		t.Errorf("progress:\n%q\nwant\n%q", out.String(), want)
	}
}

func TestProgressTerminal(t *testing.T) {
	start := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	now := start
	var out bytes.Buffer
	p := &progress{w: &out, tty: true, width: func() int { return 40 }, since: start, now: fakeNow(&now)}
	p.update(instanceWith(t, batchprocessing.StatusRunning, "extract=RUNNING", "load=INIT"))
	now = now.Add(300 * time.Millisecond)
	p.tick()
	p.clear()

	got := out.String()
	frames := strings.Split(got, "\r")
	if len(frames) != 4 || frames[0] != "" || frames[3] != "\x1b[K" {
		t.Fatalf("output %q: want two in-place frames, then the line erased", got)
	}
	for i, wantTime := range []string{"   0.0s", "   0.3s"} {
		frame := strings.TrimSuffix(frames[i+1], "\x1b[K")
		if !strings.HasPrefix(frame, wantTime+" 41-20261130080000 RUNNING") || strings.Contains(frame, "\n") {
			t.Errorf("frame %q", frame)
		}
		if n := len([]rune(frame)); n > 39 || !strings.HasSuffix(frame, "…") {
			t.Errorf("frame %q (%d characters): want it cut to 39 with …", frame, n)
		}
	}
}

func TestProgressQuiet(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	p := newProgress(&out, func(string) string { return "" }, true, time.Now())
	p.update(instanceWith(t, batchprocessing.StatusRunning, "a=RUNNING"))
	p.tick()
	p.clear()
	if out.Len() != 0 {
		t.Errorf("quiet progress wrote %q", out.String())
	}
}

func TestTerminal(t *testing.T) {
	t.Parallel()
	f, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	env := func(name string) string { return map[string]string{"COLUMNS": "132", "LINES": "50"}[name] }
	for _, w := range []io.Writer{f, &bytes.Buffer{}} {
		term := newTerminal(w, env)
		if term.tty {
			t.Errorf("%T is taken for a terminal", w)
		}
		if c, r := term.size(); c != 132 || r != 50 {
			t.Errorf("size %dx%d, want $COLUMNS x $LINES", c, r)
		}
	}
	if c, r := newTerminal(f, func(string) string { return "" }).size(); c != defaultColumns || r != defaultRows {
		t.Errorf("size %dx%d, want the default", c, r)
	}
}

func TestTruncate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		s    string
		n    int
		want string
	}{
		{"hello", 10, "hello"},
		{"hello", 5, "hello"},
		{"hello world", 6, "hello…"},
		{"héllo wörld", 4, "hél…"},
		{"hello", 0, "hello"},
	}
	for _, tt := range tests {
		if got := truncate(tt.s, tt.n); got != tt.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", tt.s, tt.n, got, tt.want)
		}
	}
}
