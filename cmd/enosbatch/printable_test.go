package main

import (
	"strings"
	"testing"
	"time"

	"github.com/enos-go/batchprocessing"
	"github.com/enos-go/batchprocessing/refserver"
	"github.com/mattn/go-runewidth"
)

func TestPrintable(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"plain flow":                  "plain flow",
		"数据抽取":                        "数据抽取",
		"red \x1b[31mflow\x1b[0m":     "red \uFFFD[31mflow\uFFFD[0m",
		"title \x1b]0;pwned\a":        "title \uFFFD]0;pwned\uFFFD",
		"two\nlines\r":                "two\uFFFDlines\uFFFD",
		"C1 \u0085 next line":         "C1 \uFFFD next line",
		"bidi \u202Eesrever\u202C ok": "bidi \uFFFDesrever\uFFFD ok",
	} {
		if got := printable(in); got != want {
			t.Errorf("printable(%q) = %q, want %q", in, got, want)
		}
	}
	var b strings.Builder
	_, _ = printableWriter{&b}.Write([]byte("a\tb\x1b[2J\nc\n"))
	if b.String() != "a\tb\uFFFD[2J\nc\n" {
		t.Errorf("printableWriter wrote %q", b.String())
	}
}

// TestTruncateCountsColumns: a cut line fits n terminal columns, a Chinese character taking
// two, and keeps the start of the text before its "…" (which a CJK locale counts as two).
func TestTruncateCountsColumns(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in  string
		n   int
		cut bool
	}{
		{"short", 10, false},
		{"exactly ten", 11, false},
		{"a longer line", 8, true},
		{"数据抽取任务", 12, false},
		{"数据抽取任务", 9, true},
		{"数据抽取任务", 6, true},
		{"anything", 0, false},
	} {
		got := truncate(tt.in, tt.n)
		kept, cut := strings.CutSuffix(got, "…")
		switch {
		case !tt.cut && got != tt.in:
			t.Errorf("truncate(%q, %d) = %q, want it whole", tt.in, tt.n, got)
		case tt.cut && (!cut || displayWidth(got) > tt.n || !strings.HasPrefix(tt.in, kept) || kept == ""):
			t.Errorf("truncate(%q, %d) = %q (%d columns), want its start and \"…\" in %d columns", tt.in, tt.n, got, displayWidth(got), tt.n)
		}
	}
}

// displayWidth returns how many terminal columns s takes: two for a wide (East Asian) character.
func displayWidth(s string) int { return runewidth.StringWidth(s) }

// TestTextOutputShowsNoEscapes: names from the gateway that hold escape sequences (a colour,
// a window title) reach tables, status lines and errors as U+FFFD, never as escapes.
func TestTextOutputShowsNoEscapes(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.addFlow(46, "quick \x1b[31mred\x1b[0m flow", refserver.Task{ID: 4601, Name: "title \x1b]0;pwned\a", Duration: 20 * time.Millisecond})
	id := strings.TrimSpace(w.run(t, "trigger", "--flow", "46", "--wait", "--poll", "10ms", "--quiet").want(t, exitOK).stdout)
	id = strings.Fields(id)[0]
	for _, args := range [][]string{{"instances"}, {"status", id}, {"flows", "get", "46"}, {"flows", "search", "quick"}, {"tasks", id}} {
		r := w.run(t, args...)
		if out := r.stdout + r.stderr; strings.ContainsAny(out, "\x1b\a") || !strings.Contains(out, "\uFFFD") {
			t.Errorf("enosbatch %s: %q, want the escapes shown as U+FFFD", strings.Join(args, " "), out)
		}
	}
}

// TestErrorsTakeOneLine: a line break or a tab in the gateway's message of an API error
// shows as U+FFFD on stderr, so that it cannot start a line that looks like enosbatch's; an
// error with a hint (a refused AccessKey) keeps the hint on a line of its own.
func TestErrorsTakeOneLine(t *testing.T) {
	t.Parallel()
	const forged = "bad\nenosbatch: wait: 41-20261130080000 ended SUCCESS\tok"
	for _, tt := range []struct {
		name  string
		route refserver.Route
		code  int
		lines int // on stderr
	}{
		{"an API error", refserver.RouteGetFlowInstance, 62102, 1},
		{"an error with a hint", refserver.RouteTokenGet, batchprocessing.CodeTokenUnknownAppKey, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			w.srv.InjectFault(tt.route, refserver.Fault{Code: tt.code, Message: forged})
			r := w.run(t, "status", "41-20261130080000").want(t, exitAPI)
			if lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n"); len(lines) != tt.lines ||
				!strings.Contains(r.stderr, "bad\uFFFDenosbatch: wait: 41-20261130080000 ended SUCCESS\uFFFDok") {
				t.Errorf("stderr %q, want %d line(s), the line break and tab of the message shown as U+FFFD", r.stderr, tt.lines)
			}
		})
	}
}

// TestStatusLine: a status line brackets the tasks' states when there are any, and shows
// the control characters of the gateway's names as U+FFFD.
func TestStatusLine(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ head, tasks, want string }{
		{"3377-1 RUNNING", "", "3377-1 RUNNING"},
		{"3377-1 RUNNING", "a=SUCCESS b=RUNNING", "3377-1 RUNNING  [a=SUCCESS b=RUNNING]"},
		{"3377-1 FAIL", "title \x1b]0;x\a=FAIL", "3377-1 FAIL  [title \uFFFD]0;x\uFFFD=FAIL]"},
	} {
		if got := statusLine(tt.head, tt.tasks); got != tt.want {
			t.Errorf("statusLine(%q, %q) = %q, want %q", tt.head, tt.tasks, got, tt.want)
		}
	}
}
