package main

import (
	"bytes"
	"io"
	"strings"

	"github.com/mattn/go-runewidth"
)

// A text table: cells end with a tab, lines with a newline, and the columns line up in
// terminal columns, a wide (East Asian) character taking two. text/tabwriter counts runes,
// so a Chinese flow name pushed the cells after it out of line. The layout is otherwise
// tabwriter's (padding 2, spaces, flags 0): a column is aligned over a block of adjacent
// lines that have a cell in it, and the text after a line's last tab is not aligned.

// tablePadding is the space after the widest cell of a column.
const tablePadding = 2

// table buffers a text table until Flush, which writes it aligned.
type table struct {
	w   io.Writer
	buf bytes.Buffer
}

// newTable returns a text table on w, its cells made printable.
func newTable(w io.Writer) *table { return &table{w: w} }

// row adds a line of cells to the table, each made printable first: a line break or a tab
// in a cell (a flow name from the gateway) shows as U+FFFD, so it can neither end the row,
// and start a forged one, nor push the cells after it into another column.
func (t *table) row(cells ...string) {
	for i, cell := range cells {
		if i > 0 {
			t.buf.WriteByte('\t')
		}
		t.buf.WriteString(printable(cell))
	}
	t.buf.WriteByte('\n')
}

// Write adds text to the table, its tabs and line breaks ending cells and lines: for text
// whose every tab and line break is the table's (gateway text goes through row).
func (t *table) Write(b []byte) (int, error) { return t.buf.Write(b) }

// Flush writes what the table holds, aligned, and empties it.
func (t *table) Flush() error {
	text := masked(t.buf.String(), "\n\t")
	t.buf.Reset()
	if text == "" {
		return nil
	}
	text, finished := strings.CutSuffix(text, "\n")
	rows := strings.Split(text, "\n")
	lines := make([][]string, len(rows))
	for i, row := range rows {
		lines[i] = strings.Split(row, "\t")
	}
	if last := lines[len(lines)-1]; !finished && len(last) > 1 && last[len(last)-1] == "" {
		lines[len(lines)-1] = last[:len(last)-1] // as tabwriter: an unfinished line has no empty last cell
	}
	f := tableFormat{lines: lines}
	f.align(0, len(lines))
	if !finished {
		f.out.Truncate(f.out.Len() - 1) // the last line had no newline
	}
	_, err := t.w.Write(f.out.Bytes())
	return err
}

// tableFormat lays lines of cells out, one column after another.
type tableFormat struct {
	lines  [][]string
	widths []int // of the columns aligned so far, for the lines being laid out
	out    bytes.Buffer
}

// align lays out lines [from, to): in column len(f.widths), each block of adjacent lines
// that have a tab-terminated cell there gets the width of its widest cell, and the block's
// next column is aligned within it. Lines outside a block are written as they are.
func (f *tableFormat) align(from, to int) {
	column := len(f.widths)
	for this := from; this < to; this++ {
		if column >= len(f.lines[this])-1 {
			continue
		}
		f.write(from, this)
		width := 0
		start := this
		for ; this < to && column < len(f.lines[this])-1; this++ {
			width = max(width, runewidth.StringWidth(f.lines[this][column])+tablePadding)
		}
		f.widths = append(f.widths, width)
		f.align(start, this)
		f.widths = f.widths[:column]
		from = this // the line that ended the block has no cell here: the loop skips it
	}
	f.write(from, to)
}

// write writes lines [from, to), their first len(f.widths) cells padded to the widths.
func (f *tableFormat) write(from, to int) {
	for _, cells := range f.lines[from:to] {
		for i, cell := range cells {
			f.out.WriteString(cell)
			if i < len(f.widths) && i < len(cells)-1 {
				f.out.WriteString(strings.Repeat(" ", f.widths[i]-runewidth.StringWidth(cell)))
			}
		}
		f.out.WriteByte('\n')
	}
}
