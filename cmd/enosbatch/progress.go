package main

import (
	"fmt"
	"io"
	"time"

	"github.com/enos-go/batchprocessing"
)

// progress shows a flow instance while it runs. On a terminal it keeps one status line up to
// date in place (elapsed time, status, the state of each task); elsewhere it prints one line
// per change, for logs.
type progress struct {
	w     io.Writer
	tty   bool
	width func() int       // terminal columns; the in-place line is cut to fit
	since time.Time        // the start of the elapsed time
	now   func() time.Time // the clock

	line  string // the current state, without the elapsed time
	shown bool   // a line is on the terminal
}

// newProgress returns a progress writing to w; quiet gives one that writes nothing.
func newProgress(w io.Writer, getenv func(string) string, quiet bool, since time.Time) *progress {
	if quiet {
		w = io.Discard
	}
	t := newTerminal(w, getenv)
	width := func() int {
		columns, _ := t.size()
		return columns
	}
	return &progress{w: w, tty: t.tty, width: width, since: since, now: time.Now}
}

// update shows fi: on a terminal it redraws the line; elsewhere it prints a line if the
// status or a task's state changed since the last one.
func (p *progress) update(fi *batchprocessing.FlowInstance) {
	line := statusLine(fmt.Sprintf("%s %s", fi.FlowInstanceID, fi.Status), taskSummary(taskStates(fi)))
	changed := line != p.line
	p.line = line
	switch {
	case p.tty:
		p.redraw()
	case changed:
		fmt.Fprintf(p.w, "%6.1fs %s\n", p.elapsed().Seconds(), line)
	}
}

// tick redraws the terminal line with the new elapsed time.
func (p *progress) tick() {
	if p.tty && p.line != "" {
		p.redraw()
	}
}

// clear erases the terminal line, if one is shown.
func (p *progress) clear() {
	if p.tty && p.shown {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.shown = false
	}
}

// redraw rewrites the terminal line: carriage return, the line cut to the width, erase to
// the end of the line.
func (p *progress) redraw() {
	text := fmt.Sprintf("%6.1fs %s", p.elapsed().Seconds(), p.line)
	fmt.Fprintf(p.w, "\r%s\x1b[K", truncate(text, p.width()-1))
	p.shown = true
}

// elapsed returns the time since the start, to a tenth of a second.
func (p *progress) elapsed() time.Duration {
	return p.now().Sub(p.since).Round(100 * time.Millisecond)
}
