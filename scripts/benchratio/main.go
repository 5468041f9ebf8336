// Command benchratio reads `go test -bench -benchmem` output and prints, for each benchmark
// X with the variants X/sdk, X/careful, X/bare and optionally X/nethttp (run in rounds:
// X/sdk#01 is the second round), the median of each variant over the rounds with its spread
// (min to max), and the SDK's ratios to the two floors and to itself on net/http (what resty
// costs): the median of the per-round ratios, and their spread.
// It checks the targets: SDK/careful at most 1.10 in ns/op, and no more allocations per
// call than the careful call (the benchmarks named ...NoNetwork, the client's work alone
// without a network, have none); the verdict gives the median ratio's 95% interval, and says
// "within noise" when the interval holds 1.10 (the rounds cannot tell). Other benchmarks
// are listed with their medians, and the reference server's targets checked from them:
// with 100,000 instances of history a trigger and a get within 3x of their cost with
// 1,000, a page within 10x, a catch-up under 50 ms. It also derives what a completed
// instance holds, and each task of its flow, from BenchmarkInstanceMemory.
//
//	go test -run '^$' -bench . -benchmem . -args -rounds 10 | go run ./scripts/benchratio
//
// With -readme FILE it also writes the tables, under the machine line that scripts/bench.sh
// puts first ("# 2026-12-02T05:32Z go1.26.8 ..."), between the markers
// "<!-- bench:start -->" and "<!-- bench:end -->" of FILE, so that the README's numbers are
// always the script's.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// The targets of the SDK against the careful hand-written call, and the fewest rounds a
// verdict on them needs.
const (
	maxTimeRatio = 1.10
	minRounds    = 10
)

// notJudged opens the verdict of a benchmark whose targets the input cannot decide.
const notJudged = "not judged"

func main() {
	readme := flag.String("readme", "", "a file whose bench:start/bench:end section to rewrite")
	flag.Parse()
	input, err := io.ReadAll(os.Stdin)
	if err != nil {
		fail(err)
	}
	results, err := parse(bytes.NewReader(input))
	if err != nil {
		fail(err)
	}
	if len(results) == 0 {
		fail(errors.New("no benchmark results on standard input"))
	}
	out := table(results)
	fmt.Print(out)
	if *readme != "" {
		if err := updateReadme(*readme, machineLine(input), out, results); err != nil {
			fail(err)
		}
	}
}

// updateReadme writes the machine line and the tables out, rendered from results, into the
// bench section of file, unless results are not a whole judged run (wholeRunLacks): the
// README keeps whole judged runs only.
func updateReadme(file, machine, out string, results map[string]*samples) error {
	if lack := wholeRunLacks(results); lack != "" {
		return fmt.Errorf("%s left as it was: the run lacks %s (scripts/bench.sh runs every benchmark, %d rounds or more, with -benchmem)",
			file, lack, minRounds)
	}
	return rewriteSection(file, machine+"\n\n"+out)
}

// clientBenchmarks are the benchmarks of the SDK against the hand-written calls.
var clientBenchmarks = []string{"BenchmarkTriggerFlow", "BenchmarkTriggerFlowParallel", "BenchmarkGetFlowInstance", "BenchmarkGetFlowInstanceParallel"}

// wholeRunLacks names the first thing results lack to judge every target: a client
// benchmark's variant, its allocation counts or its rounds, a reference server benchmark,
// or a metric of the memory one; "" if none.
func wholeRunLacks(results map[string]*samples) string {
	for _, base := range clientBenchmarks {
		for _, v := range []string{"sdk", "careful", "bare"} {
			s := results[base+"/"+v]
			switch {
			case s == nil:
				return base + "/" + v
			case len(s.allocsPerOp) == 0:
				return "the allocation counts of " + base + "/" + v
			}
		}
		if n := len(ratios(results[base+"/sdk"], results[base+"/careful"])); n < minRounds {
			return fmt.Sprintf("rounds of %s (%d)", base, n)
		}
	}
	var needed []string
	for _, h := range historyRatios {
		needed = append(needed, "BenchmarkHistory/instances="+historySmall+"/"+h.request, "BenchmarkHistory/instances="+historyLarge+"/"+h.request)
	}
	for _, name := range append(needed, "BenchmarkCatchUp") {
		if results[name] == nil {
			return name
		}
	}
	for _, tasks := range []int{memorySmall, memoryLarge} {
		name := memoryBenchmark + strconv.Itoa(tasks)
		if s := results[name]; s == nil || len(s.extra["B/instance"]) == 0 || len(s.extra["graph-B/instance"]) == 0 {
			return "the B/instance and graph-B/instance of " + name
		}
	}
	return ""
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "benchratio:", err)
	os.Exit(1)
}

// machineLine returns the "# date go version cores, CPU" line bench.sh writes first, as
// plain text.
func machineLine(input []byte) string {
	for _, line := range strings.Split(string(input), "\n") {
		if rest, ok := strings.CutPrefix(line, "# "); ok {
			return "Measured " + rest + "."
		}
	}
	return "Measured on an unnamed machine."
}

// The markers of the section that -readme rewrites.
const (
	startMarker = "<!-- bench:start -->"
	endMarker   = "<!-- bench:end -->"
)

// rewriteSection replaces what stands between the markers in file with body.
func rewriteSection(file, body string) error {
	raw, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	text := string(raw)
	start, end := strings.Index(text, startMarker), strings.Index(text, endMarker)
	if start < 0 || end < start {
		return fmt.Errorf("%s has no %s ... %s section", file, startMarker, endMarker)
	}
	text = text[:start+len(startMarker)] + "\n" + body + text[end:]
	return os.WriteFile(file, []byte(text), 0o644)
}

// samples holds the measurements of one benchmark over its runs, in the order they ran.
type samples struct {
	nsPerOp, allocsPerOp, bytesPerOp []float64
	extra                            map[string][]float64 // other units, e.g. req/s
	// rounds holds the round of each run, from its #NN suffix (none: round 0); ns/op of the
	// variants are paired by it.
	rounds []int
}

// benchLine matches "BenchmarkName#01-8   1000   1234 ns/op   56 B/op   7 allocs/op ...".
var benchLine = regexp.MustCompile(`^(Benchmark\S+?)(?:#(\d+))?(?:-\d+)?\s+\d+\s+(.*)$`)

// parse collects the samples of every benchmark in r, by name without the round and
// -GOMAXPROCS suffixes.
func parse(r io.Reader) (map[string]*samples, error) {
	out := map[string]*samples{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		m := benchLine.FindStringSubmatch(strings.TrimSpace(sc.Text()))
		if m == nil {
			continue
		}
		s := out[m[1]]
		if s == nil {
			s = &samples{extra: map[string][]float64{}}
			out[m[1]] = s
		}
		round, _ := strconv.Atoi(m[2]) // "" for the first round: 0
		fields := strings.Fields(m[3])
		for i := 0; i+1 < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				return nil, fmt.Errorf("%s: %q is not a number", m[1], fields[i])
			}
			switch unit := fields[i+1]; unit {
			case "ns/op":
				s.nsPerOp = append(s.nsPerOp, v)
				s.rounds = append(s.rounds, round)
			case "allocs/op":
				s.allocsPerOp = append(s.allocsPerOp, v)
			case "B/op":
				s.bytesPerOp = append(s.bytesPerOp, v)
			default:
				s.extra[unit] = append(s.extra[unit], v)
			}
		}
	}
	return out, sc.Err()
}

// variantRow renders the row of the benchmark base whose variants are base/sdk,
// base/careful, base/bare and, if it ran, base/nethttp, and returns the names of the
// variants it shows; none if a variant it needs is missing.
func variantRow(results map[string]*samples, base string) (string, []string) {
	sdk, careful, bare, netHTTP := results[base+"/sdk"], results[base+"/careful"], results[base+"/bare"], results[base+"/nethttp"]
	if sdk == nil || careful == nil || bare == nil {
		return "", nil
	}
	shown := []string{base + "/sdk", base + "/careful", base + "/bare"}
	toCareful := ratios(sdk, careful)
	sa, ca := median(sdk.allocsPerOp), median(careful.allocsPerOp)
	outcome := timeVerdict(toCareful, sa <= ca)
	switch {
	case strings.HasSuffix(base, noNetwork):
		outcome = "no target: the client's work alone"
	case math.IsNaN(sa) || math.IsNaN(ca):
		outcome = notJudged + ": no allocation counts (run with -benchmem)"
	}
	netTime, restyCost, ownPath := "-", "-", "-"
	allocs, bytesOp := perVariant(sdk.allocsPerOp, careful.allocsPerOp, bare.allocsPerOp), perVariant(sdk.bytesPerOp, careful.bytesPerOp, bare.bytesPerOp)
	if netHTTP != nil {
		shown = append(shown, base+"/nethttp")
		netTime, restyCost = spread(netHTTP.nsPerOp, "%.0f"), spread(ratios(sdk, netHTTP), "%.2f")
		ownPath = spread(ratios(netHTTP, careful), "%.2f")
		allocs += perVariant(netHTTP.allocsPerOp)
		bytesOp += perVariant(netHTTP.bytesPerOp)
	}
	return fmt.Sprintf("| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
		strings.TrimPrefix(base, "Benchmark"), len(toCareful),
		spread(sdk.nsPerOp, "%.0f"), spread(careful.nsPerOp, "%.0f"), spread(bare.nsPerOp, "%.0f"), netTime,
		spread(toCareful, "%.2f"), spread(ratios(sdk, bare), "%.2f"), restyCost, ownPath,
		strings.TrimPrefix(allocs, ", "), strings.TrimPrefix(bytesOp, ", "), outcome), shown
}

// noNetwork ends the names of the benchmarks that run the variants without a network: they
// say where the client's time goes, and have no target.
const noNetwork = "NoNetwork"

// perVariant renders the medians of one measure of some variants, each after ", ".
func perVariant(measures ...[]float64) string {
	var b strings.Builder
	for _, m := range measures {
		fmt.Fprintf(&b, ", %.0f", median(m))
	}
	return b.String()
}

// timeVerdict judges the targets on the per-round ratios SDK/careful and on whether the
// allocations met theirs: met or missed by the median ratio, as the targets are set, with
// the median's 95% interval, and "within noise" when that interval holds the target, so
// that a verdict the rounds cannot decide says so.
func timeVerdict(toCareful []float64, allocsMet bool) string {
	if len(toCareful) < minRounds {
		return fmt.Sprintf("%s: fewer than %d rounds", notJudged, minRounds)
	}
	out := verdict(median(toCareful) <= maxTimeRatio && allocsMet)
	lo, hi, ok := medianInterval(toCareful)
	if !ok {
		return out
	}
	if allocsMet && lo <= maxTimeRatio && maxTimeRatio < hi {
		out += ", within noise"
	}
	return out + fmt.Sprintf(" (median's 95%% interval %.2f-%.2f)", lo, hi)
}

// medianInterval returns a distribution-free confidence interval of at least 95% for the
// median of vs: its k-th smallest and k-th largest values, k the largest rank for which
// fewer than k of n values fall below the median with a chance of at most 2.5% (a
// binomial of n draws at one half). It reports false when vs has too few values for one.
func medianInterval(vs []float64) (lo, hi float64, ok bool) {
	n := len(vs)
	// logP is the log of the chance that exactly i fall below: in logs, since 2^-n is 0 in
	// a float64 from n = 1075.
	k, below, logP := 0, 0.0, -float64(n)*math.Ln2
	for i := 0; i < n; i++ {
		p := math.Exp(logP)
		if below+p > 0.025 {
			break
		}
		below += p
		k = i + 1
		logP += math.Log(float64(n-i)) - math.Log(float64(i+1))
	}
	if k == 0 {
		return 0, 0, false
	}
	s := slices.Clone(vs)
	sort.Float64s(s)
	return s[k-1], s[n-k], true
}

// median returns the median of vs, or NaN for none.
func median(vs []float64) float64 {
	if len(vs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(vs)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// spread is the median of vs and its range, as "median (min-max)".
func spread(vs []float64, format string) string {
	if len(vs) == 0 {
		return "NaN"
	}
	return fmt.Sprintf(format+" ("+format+"-"+format+")", median(vs), slices.Min(vs), slices.Max(vs))
}

// spreadOf is the median of vs, with its range when there is more than one.
func spreadOf(vs []float64) string {
	if len(vs) < 2 {
		return fmt.Sprintf("%.4g", median(vs))
	}
	return spread(vs, "%.4g")
}

// ratios returns the ns/op of a over those of b, round by round, for the rounds both ran.
func ratios(a, b *samples) []float64 {
	byRound := make(map[int]float64, len(b.rounds))
	for i, r := range b.rounds {
		byRound[r] = b.nsPerOp[i]
	}
	out := make([]float64, 0, len(a.rounds))
	for i, r := range a.rounds {
		if d, ok := byRound[r]; ok {
			out = append(out, a.nsPerOp[i]/d)
		}
	}
	return out
}

// table renders the benchmarks with variants, then the others, as Markdown tables.
func table(results map[string]*samples) string {
	var b strings.Builder
	names := make([]string, 0, len(results))
	for name := range results {
		names = append(names, name)
	}
	sort.Strings(names)
	b.WriteString("| benchmark | rounds | SDK ns/op | careful ns/op | bare ns/op | nethttp ns/op | SDK/careful | SDK/bare | SDK/nethttp: resty's cost | nethttp/careful: the SDK's own path | allocs/op SDK, careful, bare, nethttp | B/op SDK, careful, bare, nethttp | targets |\n")
	b.WriteString("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n")
	grouped, hasNoNetwork := map[string]bool{}, false
	for _, name := range names {
		base, ok := strings.CutSuffix(name, "/sdk")
		if row, variants := variantRow(results, base); ok && variants != nil {
			b.WriteString(row)
			hasNoNetwork = hasNoNetwork || strings.HasSuffix(base, noNetwork)
			for _, v := range variants {
				grouped[v] = true
			}
		}
	}
	var rest []string
	for _, name := range names {
		if !grouped[name] {
			rest = append(rest, name)
		}
	}
	if len(rest) > 0 {
		b.WriteString("\n| benchmark | runs | ns/op | B/op | allocs/op | other |\n| --- | ---: | ---: | ---: | ---: | --- |\n")
		for _, name := range rest {
			s := results[name]
			var other []string
			units := make([]string, 0, len(s.extra))
			for unit := range s.extra {
				units = append(units, unit)
			}
			sort.Strings(units)
			for _, unit := range units {
				other = append(other, fmt.Sprintf("%.4g %s", median(s.extra[unit]), unit))
			}
			fmt.Fprintf(&b, "| %s | %d | %s | %.0f | %.0f | %s |\n", strings.TrimPrefix(name, "Benchmark"),
				len(s.nsPerOp), spreadOf(s.nsPerOp), median(s.bytesPerOp), median(s.allocsPerOp), strings.Join(other, ", "))
		}
	}
	fmt.Fprintf(&b, "\nTargets: SDK/careful at most %.2f in ns/op (median of the per-round ratios; its distribution-free 95%% interval beside the verdict, \"within noise\" when the interval holds the target), allocations per call no more than the careful call's.", maxTimeRatio)
	if hasNoNetwork {
		fmt.Fprintf(&b, " The %s rows, the same calls over a transport that answers from memory, have none: they show the client's own work.", noNetwork)
	}
	b.WriteString("\n")
	b.WriteString(historyTargets(results))
	b.WriteString(memoryLine(results))
	return b.String()
}

// The reference server's memory benchmarks: completed instances of flows of two sizes.
const (
	memorySmall, memoryLarge = 2, 12 // tasks
	memoryBenchmark          = "BenchmarkInstanceMemory/tasks="
)

// memoryLine renders what a completed instance of the reference server holds, from the
// bytes measured for flows of memorySmall and memoryLarge tasks: so much an instance and so
// much a task, and the same for its graph once read; "" if the benchmarks did not run.
func memoryLine(results map[string]*samples) string {
	small := results[memoryBenchmark+strconv.Itoa(memorySmall)]
	large := results[memoryBenchmark+strconv.Itoa(memoryLarge)]
	if small == nil || large == nil {
		return ""
	}
	perTask := func(unit string) (base, task, atSmall, atLarge float64) {
		atSmall, atLarge = median(small.extra[unit]), median(large.extra[unit])
		task = (atLarge - atSmall) / (memoryLarge - memorySmall)
		return atSmall - memorySmall*task, task, atSmall, atLarge
	}
	base, task, atSmall, atLarge := perTask("B/instance")
	line := fmt.Sprintf("Reference server memory: a completed instance holds %.0f B plus %.0f B a task of its flow "+
		"(%.0f B with %d tasks, %.0f B with %d)", base, task, atSmall, memorySmall, atLarge, memoryLarge)
	if graphBase, graphTask, _, _ := perTask("graph-B/instance"); !math.IsNaN(graphBase) {
		line += fmt.Sprintf(", and its graph once read %.0f B plus %.0f B a task", graphBase, graphTask)
	}
	return line + ".\n"
}

// The reference server's targets: what a request costs with the largest history against
// the smallest, and catching up queued instances after a clock jump.
const (
	historySmall, historyLarge = "1000", "100000"
	maxCatchUpMillis           = 50
)

// historyRatios are the reference server's requests with a target, each the most its cost
// at historyLarge instances may be, in multiples of its cost at historySmall.
var historyRatios = []struct {
	request string
	most    float64
}{{"trigger", 3}, {"get", 3}, {"page-sdk", 10}, {"page-oldest", 10}, {"page-status", 10}, {"page-owner", 10}}

// historyTargets renders the reference server's targets as they were measured, if the
// benchmarks ran; "" if they did not.
func historyTargets(results map[string]*samples) string {
	var parts []string
	for _, h := range historyRatios {
		small := results["BenchmarkHistory/instances="+historySmall+"/"+h.request]
		large := results["BenchmarkHistory/instances="+historyLarge+"/"+h.request]
		if small == nil || large == nil {
			continue
		}
		r := median(large.nsPerOp) / median(small.nsPerOp)
		parts = append(parts, fmt.Sprintf("%s %.2fx (at most %gx, %s)", h.request, r, h.most, verdict(r <= h.most)))
	}
	if c := results["BenchmarkCatchUp"]; c != nil {
		ms := median(c.nsPerOp) / 1e6
		parts = append(parts, fmt.Sprintf("catch-up of the queued instances %.1f ms (under %d ms, %s)", ms, maxCatchUpMillis, verdict(ms < maxCatchUpMillis)))
	}
	if len(parts) == 0 {
		return ""
	}
	return "Reference server, cost at " + historyLarge + " instances against " + historySmall + ": " + strings.Join(parts, "; ") + ".\n"
}

// verdict says whether a target was met.
func verdict(met bool) string {
	if met {
		return "met"
	}
	return "missed"
}
