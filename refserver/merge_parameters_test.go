package refserver

import (
	"fmt"
	"reflect"
	"testing"
)

// TestMergeParameters: a given key replaces the value of the flow's parameter of that key
// (the first, when the flow has two), a new key is appended, and a later duplicate in the
// request wins.
func TestMergeParameters(t *testing.T) {
	t.Parallel()
	p := func(kv ...string) []Parameter {
		out := []Parameter{}
		for i := 0; i+1 < len(kv); i += 2 {
			out = append(out, Parameter{Key: kv[i], Value: kv[i+1]})
		}
		return out
	}
	for _, tt := range []struct {
		name             string
		base, over, want []Parameter
	}{
		{"none", nil, nil, p()},
		{"replace and append", p("a", "1", "b", "2"), p("b", "x", "c", "3"), p("a", "1", "b", "x", "c", "3")},
		{"the first of equal keys", p("a", "1", "a", "2"), p("a", "x"), p("a", "x", "a", "2")},
		{"a later duplicate wins", p("a", "1"), p("c", "3", "c", "4", "a", "x", "a", "y"), p("a", "y", "c", "4")},
	} {
		if got := mergeParameters(tt.base, tt.over); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

// BenchmarkMergeParameters merges as many parameters as a 1 MiB Update And Trigger body can
// hold into a flow's: linear, where a lookup in the list for each took 12 s under the lock.
func BenchmarkMergeParameters(b *testing.B) {
	base := make([]Parameter, 100)
	for i := range base {
		base[i] = Parameter{Key: fmt.Sprint("flow", i)}
	}
	over := make([]Parameter, 120_000)
	for i := range over {
		over[i] = Parameter{Key: fmt.Sprint(i)}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		mergeParameters(base, over)
	}
}
