package main

import (
	"strings"
	"testing"
)

const sample = `goos: linux
BenchmarkTriggerFlow/sdk-2      3000   110 ns/op   50 B/op   12 allocs/op
BenchmarkTriggerFlow/sdk-2      3000   100 ns/op   50 B/op   12 allocs/op
BenchmarkTriggerFlow/sdk-2      3000   300 ns/op   50 B/op   12 allocs/op
BenchmarkTriggerFlow/byhand-2   3000   100 ns/op   40 B/op   10 allocs/op
BenchmarkTriggerFlow/byhand-2   3000    90 ns/op   40 B/op   10 allocs/op
BenchmarkTriggerFlow/byhand-2   3000   100 ns/op   40 B/op   10 allocs/op
BenchmarkSign-2                 1000000   790 ns/op   64 B/op   1 allocs/op
BenchmarkServeTrigger-2         5000   20000 ns/op   50000 req/s
PASS
`

func TestTable(t *testing.T) {
	results, err := parse(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	got := table(results)
	for _, want := range []string{
		"| TriggerFlow | 3 | 110 | 100 | 1.10 | 12 | 10 | 1.20 (+2) |",
		"| Sign | 1 | 790 | 64 | 1 |  |",
		"| ServeTrigger | 1 | 2e+04 | NaN | NaN | 5e+04 req/s |",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("table lacks %q:\n%s", want, got)
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
