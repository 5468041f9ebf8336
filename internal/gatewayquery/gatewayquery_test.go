package gatewayquery

import (
	"net/url"
	"reflect"
	"testing"
)

// TestParse: the pairs Go's parser drops are kept, and every query Go's parser accepts is
// read as it reads it.
func TestParse(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		raw  string
		want url.Values
	}{
		{"expression=a;b&orgId=o", url.Values{"expression": {"a;b"}, "orgId": {"o"}}},
		{"expression=%zz", url.Values{"expression": {"%zz"}}},
		{"ex%2=1", url.Values{"ex%2": {"1"}}},
		{"a=1+2&a=%20&b&&=v", url.Values{"a": {"1 2", " "}, "b": {""}, "": {"v"}}},
		{"", url.Values{}},
	} {
		if got := Parse(tt.raw); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Parse(%q) = %v, want %v", tt.raw, got, tt.want)
		}
	}
}

// FuzzParse: wherever Go's parser reads a query without error, Parse reads it the same.
func FuzzParse(f *testing.F) {
	for _, raw := range []string{"action=search&orgId=o", "a=1+2&a=%20&b&&=v", "x=%zz", "x=a;b"} {
		f.Add(raw)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		if want, err := url.ParseQuery(raw); err == nil && !reflect.DeepEqual(Parse(raw), want) {
			t.Errorf("Parse(%q) = %v, url.ParseQuery %v", raw, Parse(raw), want)
		}
	})
}
