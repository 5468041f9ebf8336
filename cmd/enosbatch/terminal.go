package main

import (
	"io"
	"os"
	"strconv"

	"golang.org/x/term"
)

// terminal is an output stream and what enosbatch knows of it: whether it is a terminal
// that understands \r and the ANSI erase sequences, and how to learn its size.
type terminal struct {
	w      io.Writer
	fd     int  // the file descriptor, -1 when w is not a file
	tty    bool // a terminal, and not TERM=dumb
	getenv func(string) string
}

// newTerminal describes w.
func newTerminal(w io.Writer, getenv func(string) string) terminal {
	t := terminal{w: w, fd: -1, getenv: getenv}
	file := w
	if o, ok := w.(*outputWriter); ok {
		file = o.w // stdout, written through the writer that keeps its errors
	}
	if f, ok := file.(*os.File); ok {
		t.fd = int(f.Fd())
		t.tty = term.IsTerminal(t.fd) && getenv("TERM") != "dumb"
	}
	return t
}

// Default size of a terminal whose size cannot be read.
const (
	defaultColumns = 80
	defaultRows    = 24
)

// size returns the terminal's columns and rows: as the terminal reports them now (a
// window can be resized while enosbatch runs), else $COLUMNS and $LINES, else 80x24.
func (t terminal) size() (columns, rows int) {
	if t.fd >= 0 {
		if c, r, err := term.GetSize(t.fd); err == nil && c > 0 && r > 0 {
			return c, r
		}
	}
	columns, rows = defaultColumns, defaultRows
	if n, err := strconv.Atoi(t.getenv("COLUMNS")); err == nil && n > 10 {
		columns = n
	}
	if n, err := strconv.Atoi(t.getenv("LINES")); err == nil && n > 2 {
		rows = n
	}
	return columns, rows
}
