package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/enos-go/batchprocessing"
	"github.com/spf13/pflag"
)

// watchOptions are the flags of instances --watch and status --watch.
type watchOptions struct {
	watch    bool
	interval time.Duration
}

// register defines --watch and --interval on fs; what says what is kept up to date.
func (o *watchOptions) register(fs *pflag.FlagSet, what string) {
	fs.BoolVar(&o.watch, "watch", false, "keep "+what+" up to date until interrupted (exit code 4): a live table on a terminal, "+
		"else what changes, a line each (with --json, one JSON object per line)")
	fs.DurationVar(&o.interval, "interval", 3*time.Second, "with --watch, the pause between two polls (at least 1ms)")
}

// check validates the options.
func (o *watchOptions) check() error {
	if o.watch && o.interval < batchprocessing.MinPollInterval {
		return usagef("--interval must be at least %v: a shorter pause would only spin on the gateway", batchprocessing.MinPollInterval)
	}
	return nil
}

// watcher shows what a command watches: a frame redrawn in place when stdout is a
// terminal (live), else the changes.
type watcher struct {
	s      *session
	o      watchOptions
	live   *liveScreen // nil when not live
	states map[string]string
}

// newWatcher returns the watcher of a command. Live needs a terminal on stdout and no
// --json; a live watcher shows the notes (retries, failed polls) under its frame.
func (s *session) newWatcher(o watchOptions) *watcher {
	w := &watcher{s: s, o: o, states: map[string]string{}}
	if t := newTerminal(s.stdout, s.getenv); t.tty && !s.g.json {
		w.live = &liveScreen{t: t}
		s.mu.Lock()
		s.noteSink = w.live.setNote
		s.mu.Unlock()
	}
	return w
}

// run polls every interval until ctx ends, and returns the stoppedError that says why it
// ended. A failure of the first poll ends the watch, and so does a failure of the output
// (a write to stdout, --jq) on any poll: polling again would not mend it. A later poll's
// call that fails is shown as a note, and the watch goes on.
func (w *watcher) run(ctx context.Context, poll func(ctx context.Context) error) error {
	defer func() {
		w.s.mu.Lock()
		w.s.noteSink = nil
		w.s.mu.Unlock()
	}()
	for first := true; ; first = false {
		err := poll(ctx)
		switch {
		case err != nil && ctx.Err() != nil:
		case err != nil && (first || w.s.outputFailure(err) != nil):
			return err
		case err != nil:
			w.s.notify(fmt.Sprintf("polling failed, trying again in %s: %v", w.o.interval, err))
		}
		if ctx.Err() != nil || !sleep(ctx, w.o.interval, nil, nil) {
			break
		}
	}
	return &stoppedError{msg: w.s.stopReason(ctx.Err()) + ": stopped watching"}
}

// changed records the state of the thing id and reports whether it is new or differs
// from the last one recorded.
func (w *watcher) changed(id, state string) bool {
	old, seen := w.states[id]
	w.states[id] = state
	return !seen || old != state
}

// header is the first line of a live frame.
func (w *watcher) header(what string) string {
	return fmt.Sprintf("%s  (every %s, %s; Ctrl-C to stop)", what, w.o.interval, time.Now().Format("15:04:05"))
}

// liveScreen redraws a frame in place on a terminal: it moves the cursor up over the last
// frame, erases to the end of the screen and writes the new one, each line cut to the
// terminal's width and the frame to its height, so that nothing scrolls.
type liveScreen struct {
	t     terminal
	lines int    // lines of the frame on the screen
	note  string // the latest note, shown under the frame
}

// setNote keeps a note for the next frames.
func (l *liveScreen) setNote(note string) { l.note = note }

// draw shows header, then body, and returns the error of the write.
func (l *liveScreen) draw(header, body string) error {
	columns, rows := l.t.size()
	lines := strings.Split(strings.TrimRight(body, "\n"), "\n")
	room := max(rows-2, 1) // the header, and the line the cursor rests on
	if l.note != "" {
		room = max(room-1, 1)
	}
	if len(lines) > room {
		more := len(lines) - room + 1
		lines = append(lines[:room-1], fmt.Sprintf("… and %d more lines", more))
	}
	frame := append([]string{header}, lines...)
	if l.note != "" {
		frame = append(frame, "note: "+l.note)
	}
	var b strings.Builder
	if l.lines > 0 {
		fmt.Fprintf(&b, "\x1b[%dA", l.lines)
	}
	b.WriteString("\r\x1b[J")
	for _, line := range frame {
		b.WriteString(truncate(line, columns-1))
		b.WriteString("\n")
	}
	l.lines = len(frame)
	_, err := io.WriteString(l.t.w, b.String())
	return err
}
