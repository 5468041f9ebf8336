// Command benchratio reads `go test -bench -benchmem` output and prints, for each pair of
// benchmarks named X/sdk and X/byhand, the medians of both and the SDK/by-hand ratios of
// ns/op and allocs/op; benchmarks without a pair are listed with their medians.
//
//	go test -run '^$' -bench . -benchmem -count 10 . | go run ./scripts/benchratio
package main

import (
	"bufio"
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

func main() {
	results, err := parse(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchratio:", err)
		os.Exit(1)
	}
	if len(results) == 0 {
		fmt.Fprintln(os.Stderr, "benchratio: no benchmark results on standard input")
		os.Exit(1)
	}
	fmt.Print(table(results))
}

// samples holds the measurements of one benchmark over its runs.
type samples struct {
	nsPerOp, allocsPerOp, bytesPerOp []float64
	extra                            map[string][]float64 // other units, e.g. req/s
}

// benchLine matches "BenchmarkName-8   1000   1234 ns/op   56 B/op   7 allocs/op ...".
var benchLine = regexp.MustCompile(`^(Benchmark\S+?)(?:-\d+)?\s+\d+\s+(.*)$`)

// parse collects the samples of every benchmark in r, by name without the -GOMAXPROCS suffix.
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
		fields := strings.Fields(m[2])
		for i := 0; i+1 < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				return nil, fmt.Errorf("%s: %q is not a number", m[1], fields[i])
			}
			switch unit := fields[i+1]; unit {
			case "ns/op":
				s.nsPerOp = append(s.nsPerOp, v)
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

// table renders the pairs, then the other benchmarks, as a Markdown table.
func table(results map[string]*samples) string {
	var b strings.Builder
	names := make([]string, 0, len(results))
	for name := range results {
		names = append(names, name)
	}
	sort.Strings(names)
	b.WriteString("| benchmark | runs | SDK ns/op | by hand ns/op | ns/op ratio | SDK allocs/op | by hand allocs/op | allocs/op ratio |\n")
	b.WriteString("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	paired := map[string]bool{}
	for _, name := range names {
		base, ok := strings.CutSuffix(name, "/sdk")
		hand := results[base+"/byhand"]
		if !ok || hand == nil {
			continue
		}
		sdk := results[name]
		paired[name], paired[base+"/byhand"] = true, true
		sn, hn := median(sdk.nsPerOp), median(hand.nsPerOp)
		sa, ha := median(sdk.allocsPerOp), median(hand.allocsPerOp)
		fmt.Fprintf(&b, "| %s | %d | %.0f | %.0f | %.2f | %.0f | %.0f | %.2f (%+.0f) |\n",
			strings.TrimPrefix(base, "Benchmark"), min(len(sdk.nsPerOp), len(hand.nsPerOp)), sn, hn, sn/hn, sa, ha, sa/ha, sa-ha)
	}
	var rest []string
	for _, name := range names {
		if !paired[name] {
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
			fmt.Fprintf(&b, "| %s | %d | %.4g | %.0f | %.0f | %s |\n", strings.TrimPrefix(name, "Benchmark"),
				len(s.nsPerOp), median(s.nsPerOp), median(s.bytesPerOp), median(s.allocsPerOp), strings.Join(other, ", "))
		}
	}
	return b.String()
}
