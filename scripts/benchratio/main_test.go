package main

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
)

const sample = `goos: linux
BenchmarkTriggerFlow/sdk-2         3000   110 ns/op   50 B/op   12 allocs/op
BenchmarkTriggerFlow/careful-2     3000   100 ns/op   40 B/op   12 allocs/op
BenchmarkTriggerFlow/bare-2        3000    90 ns/op   40 B/op   10 allocs/op
BenchmarkTriggerFlow/careful#01-2  3000   100 ns/op   40 B/op   12 allocs/op
BenchmarkTriggerFlow/bare#01-2     3000   100 ns/op   40 B/op   10 allocs/op
BenchmarkTriggerFlow/sdk#01-2      3000   100 ns/op   50 B/op   12 allocs/op
BenchmarkTriggerFlow/bare#02-2     3000   100 ns/op   40 B/op   10 allocs/op
BenchmarkTriggerFlow/sdk#02-2      3000   300 ns/op   50 B/op   12 allocs/op
BenchmarkTriggerFlow/careful#02-2  3000   100 ns/op   40 B/op   12 allocs/op
BenchmarkTriggerFlow/nethttp-2     3000   100 ns/op   40 B/op   11 allocs/op
BenchmarkTriggerFlow/nethttp#01-2  3000    80 ns/op   40 B/op   11 allocs/op
BenchmarkTriggerFlow/nethttp#02-2  3000   200 ns/op   40 B/op   11 allocs/op
BenchmarkGet/sdk-2                 3000   100 ns/op   50 B/op   13 allocs/op
BenchmarkGet/careful-2             3000   100 ns/op   40 B/op   12 allocs/op
BenchmarkGet/bare-2                3000   100 ns/op   40 B/op   12 allocs/op
BenchmarkGetNoNetwork/sdk-2        3000   100 ns/op   50 B/op   13 allocs/op
BenchmarkGetNoNetwork/careful-2    3000   100 ns/op   40 B/op   12 allocs/op
BenchmarkGetNoNetwork/bare-2       3000   100 ns/op   40 B/op   12 allocs/op
BenchmarkSign-2                 1000000   790 ns/op   64 B/op   1 allocs/op
BenchmarkSign-2                 1000000   700 ns/op   64 B/op   1 allocs/op
BenchmarkSign-2                 1000000   800 ns/op   64 B/op   1 allocs/op
BenchmarkServeTrigger-2            5000 20000 ns/op 50000 req/s
PASS
`

func TestTable(t *testing.T) {
	results, err := parse(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	got := table(results)
	for _, want := range []string{
		"| TriggerFlow | 3 | 110 (100-300) | 100 (100-100) | 100 (90-100) | 100 (80-200) | 1.10 (1.00-3.00) | 1.22 (1.00-3.00) | 1.25 (1.10-1.50) | 1.00 (0.80-2.00) | 12, 12, 10, 11 | 50, 40, 40, 40 | not judged: fewer than 10 rounds |",
		"| Get | 1 | 100 (100-100) | 100 (100-100) | 100 (100-100) | - | 1.00 (1.00-1.00) | 1.00 (1.00-1.00) | - | - | 13, 12, 12 | 50, 40, 40 | not judged: fewer than 10 rounds |",
		"| GetNoNetwork | 1 | 100 (100-100) | 100 (100-100) | 100 (100-100) | - | 1.00 (1.00-1.00) | 1.00 (1.00-1.00) | - | - | 13, 12, 12 | 50, 40, 40 | no target: the client's work alone |",
		"| Sign | 3 | 790 (700-800) | 64 | 1 |  |",
		"| ServeTrigger | 1 | 2e+04 | NaN | NaN | 5e+04 req/s |",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("table lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "| TriggerFlow/") || strings.Contains(got, "| Get/") {
		t.Errorf("a variant is listed as a benchmark of its own:\n%s", got)
	}
	const noNetworkNote = "The NoNetwork rows"
	if !strings.Contains(got, noNetworkNote) {
		t.Errorf("the targets' note does not say the NoNetwork rows have none:\n%s", got)
	}
	withoutThem, err := parse(strings.NewReader("BenchmarkX/sdk-2 10 110 ns/op\nBenchmarkX/careful-2 10 100 ns/op\nBenchmarkX/bare-2 10 90 ns/op\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := table(withoutThem); strings.Contains(got, noNetworkNote) {
		t.Errorf("the note speaks of NoNetwork rows the table lacks:\n%s", got)
	}
}

// TestRatiosPairRounds checks that the ratios pair the runs of one round, whatever order
// the lines come in and whichever rounds a variant lacks.
func TestRatiosPairRounds(t *testing.T) {
	results, err := parse(strings.NewReader(`BenchmarkX/sdk#02-2 10 300 ns/op
BenchmarkX/careful-2 10 100 ns/op
BenchmarkX/sdk-2 10 110 ns/op
BenchmarkX/careful#02-2 10 200 ns/op
BenchmarkX/sdk#01-2 10 999 ns/op
`))
	if err != nil {
		t.Fatal(err)
	}
	got := ratios(results["BenchmarkX/sdk"], results["BenchmarkX/careful"])
	if want := []float64{1.5, 1.1}; !slices.Equal(got, want) {
		t.Errorf("ratios = %v, want %v (round 2: 300/200, round 0: 110/100, round 1 unpaired)", got, want)
	}
}

func TestHistoryTargets(t *testing.T) {
	results, err := parse(strings.NewReader(`BenchmarkHistory/instances=1000/get-2 100 100 ns/op
BenchmarkHistory/instances=100000/get-2 100 301 ns/op
BenchmarkHistory/instances=1000/page-status-2 100 100 ns/op
BenchmarkHistory/instances=100000/page-status-2 100 900 ns/op
BenchmarkCatchUp-2 1 51000000 ns/op
`))
	if err != nil {
		t.Fatal(err)
	}
	want := "Reference server, cost at 100000 instances against 1000: get 3.01x (at most 3x, missed); " +
		"page-status 9.00x (at most 10x, met); catch-up of the queued instances 51.0 ms (under 50 ms, missed).\n"
	if got := historyTargets(results); got != want {
		t.Errorf("historyTargets =\n%q\nwant\n%q", got, want)
	}
	if got := historyTargets(map[string]*samples{}); got != "" {
		t.Errorf("without the benchmarks: %q", got)
	}
}

// TestVerdicts checks the targets' verdicts over ten rounds: met at SDK/careful 1.10 with no
// more allocations, missed above it or with more, and within noise when the median's 95%
// interval holds 1.10.
func TestVerdicts(t *testing.T) {
	same := func(ns float64) []float64 { return slices.Repeat([]float64{ns}, 10) }
	for _, tt := range []struct {
		sdkNs     []float64 // by round, against a careful call of 100 ns
		sdkAllocs float64
		want      string
	}{
		{same(110), 12, "met (median's 95% interval 1.10-1.10)"},
		{same(111), 12, "missed (median's 95% interval 1.11-1.11)"},
		{same(100), 13, "missed (median's 95% interval 1.00-1.00)"},
		{[]float64{100, 102, 104, 106, 108, 109, 112, 114, 116, 118}, 12, "met, within noise (median's 95% interval 1.02-1.16)"},
		{[]float64{101, 103, 105, 107, 110, 112, 113, 114, 116, 118}, 12, "missed, within noise (median's 95% interval 1.03-1.16)"},
		{[]float64{111, 112, 113, 114, 115, 116, 117, 118, 119, 120}, 12, "missed (median's 95% interval 1.12-1.19)"},
	} {
		var lines strings.Builder
		for r, ns := range tt.sdkNs {
			fmt.Fprintf(&lines, "BenchmarkX/sdk#%02d-2 10 %g ns/op %g allocs/op\n", r, ns, tt.sdkAllocs)
			fmt.Fprintf(&lines, "BenchmarkX/careful#%02d-2 10 100 ns/op 12 allocs/op\nBenchmarkX/bare#%02d-2 10 90 ns/op 10 allocs/op\n", r, r)
		}
		results, err := parse(strings.NewReader(lines.String()))
		if err != nil {
			t.Fatal(err)
		}
		if row, _ := variantRow(results, "BenchmarkX"); !strings.HasSuffix(row, "| "+tt.want+" |\n") {
			t.Errorf("SDK %v ns/op, %g allocs/op: row %q, want verdict %q", tt.sdkNs, tt.sdkAllocs, row, tt.want)
		}
	}
}

// TestMedianInterval checks the order statistics of the median's interval against the
// binomial tables: ranks 10 and 21 of 30 values, 2 and 9 of 10, none for 5, and 956 and
// 1045 of 2,000, where the chances underflow unless worked out in logs.
func TestMedianInterval(t *testing.T) {
	upTo := func(n int) []float64 {
		out := make([]float64, n)
		for i := range out {
			out[i] = float64(n - i) // descending: the interval must not depend on the order
		}
		return out
	}
	for _, tt := range []struct {
		n      int
		lo, hi float64
		ok     bool
	}{{30, 10, 21, true}, {10, 2, 9, true}, {6, 1, 6, true}, {5, 0, 0, false}, {0, 0, 0, false},
		{2000, 956, 1045, true}} { // exact binomial ranks; 2^-2000 is 0 in a float64, so the interval is worked out in logs
		lo, hi, ok := medianInterval(upTo(tt.n))
		if lo != tt.lo || hi != tt.hi || ok != tt.ok {
			t.Errorf("%d values: %v-%v %v, want %v-%v %v", tt.n, lo, hi, ok, tt.lo, tt.hi, tt.ok)
		}
	}
}

func TestMedian(t *testing.T) {
	for _, tt := range []struct {
		in   []float64
		want float64
	}{{[]float64{3, 1, 2}, 2}, {[]float64{4, 1, 3, 2}, 2.5}, {[]float64{7}, 7}} {
		if got := median(tt.in); got != tt.want {
			t.Errorf("median(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestRewriteSection(t *testing.T) {
	file := t.TempDir() + "/README.md"
	if err := os.WriteFile(file, []byte("intro\n"+startMarker+"\nold\n"+endMarker+"\nafter\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	line := machineLine([]byte("# 2026-12-02T05:32Z go version go1.26.8 linux/amd64 2 cores, AMD EPYC\nBenchmark..."))
	if err := rewriteSection(file, line+"\n\n| new |\n"); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(file)
	want := "intro\n" + startMarker + "\nMeasured 2026-12-02T05:32Z go version go1.26.8 linux/amd64 2 cores, AMD EPYC.\n\n| new |\n" + endMarker + "\nafter\n"
	if string(got) != want {
		t.Errorf("README:\n%s\nwant:\n%s", got, want)
	}
	if err := rewriteSection(t.TempDir()+"/none.md", "x"); err == nil {
		t.Error("a missing file is rewritten")
	}
}

// TestReadmeKeepsJudgedRunsOnly checks that a run with too few rounds, without allocation
// counts or without some benchmark leaves the README as it was, and that a whole judged run
// is written.
func TestReadmeKeepsJudgedRunsOnly(t *testing.T) {
	file := t.TempDir() + "/README.md"
	before := "intro\n" + startMarker + "\nold\n" + endMarker + "\n"
	if err := os.WriteFile(file, []byte(before), 0o644); err != nil {
		t.Fatal(err)
	}
	// run returns the output of a run: the client benchmarks in rounds, and unless partial
	// the reference server's.
	run := func(rounds int, allocs string, partial bool) string {
		var b strings.Builder
		for _, bench := range []string{"TriggerFlow", "TriggerFlowParallel", "GetFlowInstance", "GetFlowInstanceParallel"} {
			for r := 0; r < rounds; r++ {
				for _, v := range []string{"sdk", "careful", "bare"} {
					fmt.Fprintf(&b, "Benchmark%s/%s#%02d-2 10 100 ns/op%s\n", bench, v, r, allocs)
				}
			}
		}
		if partial {
			return b.String()
		}
		for _, h := range historyRatios {
			for _, size := range []string{historySmall, historyLarge} {
				fmt.Fprintf(&b, "BenchmarkHistory/instances=%s/%s-2 100 100 ns/op\n", size, h.request)
			}
		}
		b.WriteString("BenchmarkCatchUp-2 1 15000000 ns/op\n")
		b.WriteString("BenchmarkInstanceMemory/tasks=2-2 1 1 ns/op 660 B/instance 580 graph-B/instance\n")
		b.WriteString("BenchmarkInstanceMemory/tasks=12-2 1 1 ns/op 1970 B/instance 2690 graph-B/instance\n")
		return b.String()
	}
	for _, tt := range []struct {
		name, input, verdict string
		written              bool
	}{
		{"too few rounds", run(9, " 12 allocs/op", false), "not judged: fewer than 10 rounds", false},
		{"no allocation counts", run(10, "", false), "not judged: no allocation counts (run with -benchmem)", false},
		{"no reference server", run(10, " 12 allocs/op", true), "met (median's 95% interval 1.00-1.00)", false},
		{"whole and judged", run(10, " 12 allocs/op", false), "met (median's 95% interval 1.00-1.00)", true},
	} {
		results, err := parse(strings.NewReader(tt.input))
		if err != nil {
			t.Fatal(err)
		}
		out := table(results)
		if !strings.Contains(out, "| "+tt.verdict+" |") {
			t.Errorf("%s: verdict is not %q:\n%s", tt.name, tt.verdict, out)
		}
		err = updateReadme(file, "Measured now.", out, results)
		got, _ := os.ReadFile(file)
		if written := string(got) != before; written != tt.written || (err == nil) != tt.written {
			t.Errorf("%s: README written %v, error %v; want written %v", tt.name, written, err, tt.written)
		}
	}
}

// TestMemoryLine checks the bytes of an instance and of a task derived from the two flow
// sizes, medians over the runs.
func TestMemoryLine(t *testing.T) {
	results, err := parse(strings.NewReader(`BenchmarkInstanceMemory/tasks=2-2 1 1 ns/op 600 B/instance 500 graph-B/instance
BenchmarkInstanceMemory/tasks=2-2 1 1 ns/op 620 B/instance 540 graph-B/instance
BenchmarkInstanceMemory/tasks=2-2 1 1 ns/op 999 B/instance 999 graph-B/instance
BenchmarkInstanceMemory/tasks=12-2 1 1 ns/op 1920 B/instance 2540 graph-B/instance
`))
	if err != nil {
		t.Fatal(err)
	}
	want := "Reference server memory: a completed instance holds 360 B plus 130 B a task of its flow " +
		"(620 B with 2 tasks, 1920 B with 12), and its graph once read 140 B plus 200 B a task.\n"
	if got := memoryLine(results); got != want {
		t.Errorf("memoryLine =\n%q\nwant\n%q", got, want)
	}
	if got := memoryLine(map[string]*samples{}); got != "" {
		t.Errorf("without the benchmarks: %q", got)
	}
	noGraphs, err := parse(strings.NewReader("BenchmarkInstanceMemory/tasks=2-2 1 1 ns/op 620 B/instance\n" +
		"BenchmarkInstanceMemory/tasks=12-2 1 1 ns/op 1920 B/instance\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := memoryLine(noGraphs), "Reference server memory: a completed instance holds 360 B plus 130 B a task of its flow "+
		"(620 B with 2 tasks, 1920 B with 12).\n"; got != want {
		t.Errorf("without the graphs' metric:\n%q\nwant\n%q", got, want)
	}
}
