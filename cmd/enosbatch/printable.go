package main

import (
	"io"
	"strings"
	"unicode"

	"github.com/mattn/go-runewidth"
)

// Text from the gateway (flow, task and owner names, descriptions, messages) reaches the
// terminal in tables, the progress line and errors. A name holding an escape sequence must
// not recolour the terminal or set its title, and a wide name must not wrap a line that is
// redrawn in place: what is shown is made printable, and lines are measured in columns.

// unprintable is what shows in place of a control character.
const unprintable = '\uFFFD'

// isUnprintable reports the runes a terminal acts on instead of showing: C0 and C1 controls
// (ESC among them) and the bidirectional overrides that reorder what follows them.
func isUnprintable(r rune) bool {
	return unicode.IsControl(r) || (r >= '\u202A' && r <= '\u202E') || (r >= '\u2066' && r <= '\u2069')
}

// printable returns s for one line of a terminal: every control character, line breaks
// included, shown as U+FFFD.
func printable(s string) string { return masked(s, "") }

// masked returns s with the unprintable runes other than those of keep shown as U+FFFD.
func masked(s, keep string) string {
	hidden := func(r rune) bool { return isUnprintable(r) && !strings.ContainsRune(keep, r) }
	if strings.IndexFunc(s, hidden) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if hidden(r) {
			return unprintable
		}
		return r
	}, s)
}

// printableWriter writes text with its control characters shown as U+FFFD, line breaks and
// tabs kept: the writer of errors, which quote the gateway's text. (Tables mask their cells
// themselves, before measuring them.)
type printableWriter struct{ w io.Writer }

func (p printableWriter) Write(b []byte) (int, error) {
	if _, err := io.WriteString(p.w, masked(string(b), "\n\t")); err != nil {
		return 0, err
	}
	return len(b), nil
}

// truncate cuts s to at most n terminal columns, ending with "…" when cut.
func truncate(s string, n int) string {
	if n <= 0 {
		return s
	}
	return runewidth.Truncate(s, n, "…")
}
