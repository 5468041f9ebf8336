package main

import (
	"math/rand"
	"strings"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/enos-go/batchprocessing/refserver"
)

// tabwriterLayout is what text/tabwriter, the layout table keeps, makes of text.
func tabwriterLayout(text string) string {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 4, tablePadding, ' ', 0)
	_, _ = tw.Write([]byte(text))
	_ = tw.Flush()
	return b.String()
}

// tableLayout is what a table makes of text.
func tableLayout(t *testing.T, text string) string {
	t.Helper()
	var b strings.Builder
	tw := newTable(&b)
	_, _ = tw.Write([]byte(text))
	if err := tw.Flush(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestTableLaysOutAsTabwriter: for narrow text, a table is laid out as text/tabwriter lays
// it out, column blocks, blank lines and a last line without its newline included.
func TestTableLaysOutAsTabwriter(t *testing.T) {
	t.Parallel()
	cases := []string{
		"",
		"no tabs\n",
		"FLOW\tNAME\n3377\tdaily extract\n12\tx\n",
		"configuration file\t-\nprofile\tdefault\n\nSETTING\tVALUE\tFROM\ngateway\thttp://x\tflag\norg\t-\t-\n",
		"a\tb\tc\n\tlonger cell\t\nshort\n1\t2\n",
		"instance\t3377-1\nflow\t3377 daily\nend time\t-",
		"x\ty\t\n\t\t\n",
		"ccc a\t\t",
		"a\tb\nccc a\t",
	}
	rng := rand.New(rand.NewSource(1))
	for range 300 {
		cases = append(cases, randomTableText(rng))
	}
	for _, text := range cases {
		if got, want := tableLayout(t, text), tabwriterLayout(text); got != want {
			t.Errorf("table of %q:\n%q\ntabwriter:\n%q", text, got, want)
		}
	}
}

// randomTableText returns lines of up to five cells of up to eight letters, some lines
// ending with a tab, some empty, the last one sometimes without its newline.
func randomTableText(rng *rand.Rand) string {
	var b strings.Builder
	for range rng.Intn(8) {
		for c := rng.Intn(5); c > 0; c-- {
			b.WriteString(strings.Repeat("x", rng.Intn(9)))
			b.WriteByte('\t')
		}
		b.WriteString(strings.Repeat("y", rng.Intn(9)))
		b.WriteByte('\n')
	}
	switch rng.Intn(4) {
	case 0:
		b.WriteString("last")
	case 1:
		b.WriteString("last\t\t") // an unfinished line ending in tabs
	}
	return b.String()
}

// TestTableAlignsWideNames: a cell after a Chinese name starts in the same terminal column on
// every line, a Chinese character taking two.
func TestTableAlignsWideNames(t *testing.T) {
	t.Parallel()
	out := tableLayout(t, "NAME\tSTATUS\tEND\n数据抽取\tRUNNING\t-\ndaily extract\tSUCCESS\t10:00\n")
	want := "NAME           STATUS   END\n" +
		"数据抽取       RUNNING  -\n" +
		"daily extract  SUCCESS  10:00\n"
	if out != want {
		t.Errorf("table:\n%s\nwant:\n%s", out, want)
	}
}

// TestTableMasksControls: a cell's control characters show as U+FFFD, and cannot end a cell
// or a line.
func TestTableMasksControls(t *testing.T) {
	t.Parallel()
	out := tableLayout(t, "red \x1b[31m\r\v\f\tFAIL\n")
	if want := "red \uFFFD[31m\uFFFD\uFFFD\uFFFD  FAIL\n"; out != want {
		t.Errorf("table: %q, want %q", out, want)
	}
}

// TestTablesMaskGatewayLineBreaks: a line break or a tab in a name from the gateway shows as
// U+FFFD in every table, so it can neither end a row and forge another nor shift a column.
func TestTablesMaskGatewayLineBreaks(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	const evil = 47
	w.addFlow(evil, "evil\nforged\tFAIL", refserver.Task{ID: 4701, Name: "task\nforged\tSUCCESS", Duration: time.Hour})
	id := w.trigger(t, evil)
	tests := []struct {
		name  string
		args  []string
		lines int
	}{
		{"flows search", []string{"flows", "search", "evil"}, 2},
		{"instances", []string{"instances", "--flow", itoa(evil)}, 2},
		{"status", []string{"status", id}, 6 + 1 + 2},
		{"tasks", []string{"tasks", id}, 2},
		{"flows get", []string{"flows", "get", itoa(evil)}, 10 + 1 + 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out := w.run(t, tt.args...).want(t, exitOK).stdout
			lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
			if len(lines) != tt.lines || strings.Contains(out, "\t") || !strings.Contains(out, "\uFFFDforged\uFFFD") {
				t.Errorf("%d lines, want %d, each name on its own with U+FFFD for its line break and tab:\n%s", len(lines), tt.lines, out)
			}
			for _, line := range lines {
				if strings.HasPrefix(line, "forged") {
					t.Errorf("a forged row: %q", line)
				}
			}
		})
	}
}
