package batchprocessing

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestEmbeddedJSON(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, doc string }{
		{`"[{\"key\":\"a\",\"value\":\"b\"}]"`, `[{"key":"a","value":"b"}]`},
		{`[{"key":"a","value":"b"}]`, `[{"key":"a","value":"b"}]`},
		{`" {\"x\":1} "`, `{"x":1}`},
		{`""`, ``},
		{`null`, ``},
	}
	for _, tt := range tests {
		var v struct {
			P EmbeddedJSON `json:"p"`
		}
		if err := json.Unmarshal([]byte(`{"p":`+tt.in+`}`), &v); err != nil {
			t.Fatalf("%s: %v", tt.in, err)
		}
		if string(v.P) != tt.doc {
			t.Errorf("%s: document %q, want %q", tt.in, v.P, tt.doc)
		}
	}
	out, err := json.Marshal(struct {
		P EmbeddedJSON `json:"p"`
		Q EmbeddedJSON `json:"q"`
	}{EmbeddedJSON(`[]`), nil})
	if err != nil || string(out) != `{"p":"[]","q":""}` {
		t.Errorf("Marshal = %s, %v; want the document in a string", out, err)
	}
}

func TestDecodeParameters(t *testing.T) {
	t.Parallel()
	tests := []struct {
		doc  string
		want []Parameter
	}{
		{`[{"key":"ouids","value":"o1"},{"key":"n","value":3}]`, []Parameter{{"ouids", "o1"}, {"n", "3"}}},
		{`{"b":"2","a":1}`, []Parameter{{"a", "1"}, {"b", "2"}}},
		{`[]`, []Parameter{}},
		{``, nil},
	}
	for _, tt := range tests {
		got, err := decodeParameters(EmbeddedJSON(tt.doc))
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: %v, %v; want %v", tt.doc, got, err, tt.want)
		}
	}
	if _, err := decodeParameters(EmbeddedJSON(`"text"`)); err == nil {
		t.Error("a string decodes as parameters")
	}
}

func TestServerTime(t *testing.T) {
	t.Parallel()
	gmt8 := time.FixedZone("GMT+8", 8*3600)
	tests := []struct {
		in   ServerTime
		want time.Time
	}{
		{"2019-08-08 09:32:12", time.Date(2019, 8, 8, 9, 32, 12, 0, gmt8)},
		{"2019-08-08 09:34:36.0", time.Date(2019, 8, 8, 9, 34, 36, 0, gmt8)},
		{"2019-08-08 09:34:36.250", time.Date(2019, 8, 8, 9, 34, 36, 250e6, gmt8)},
		{"2019-08-08 09:34:36.25", time.Date(2019, 8, 8, 9, 34, 36, 250e6, gmt8)}, // Java's Timestamp drops trailing zeros
		{"2019-08-08 09:34:36.05", time.Date(2019, 8, 8, 9, 34, 36, 50e6, gmt8)},
		{"2019-08-08 09:34:36.005", time.Date(2019, 8, 8, 9, 34, 36, 5e6, gmt8)},
		{"2019-08-08 09:34:36.999", time.Date(2019, 8, 8, 9, 34, 36, 999e6, gmt8)},
		{"2019-08-07", time.Date(2019, 8, 7, 0, 0, 0, 0, gmt8)},
		{"Tue Feb 02 17:35:00 CST 2021", time.Date(2021, 2, 2, 17, 35, 0, 0, gmt8)},
		{"2019-08-08T01:32:12Z", time.Date(2019, 8, 8, 9, 32, 12, 0, gmt8)},
		{"2019-08-08T09:32:12.5+08:00", time.Date(2019, 8, 8, 9, 32, 12, 5e8, gmt8)},
		{"", time.Time{}},
	}
	for _, tt := range tests {
		got, err := tt.in.Time(gmt8)
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("%q: %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	if _, err := ServerTime("yesterday").Time(nil); err == nil {
		t.Error("nonsense parses")
	}
	var v struct {
		A, B, C ServerTime
	}
	if err := json.Unmarshal([]byte(`{"A":"2019-08-08 09:32:12","B":null,"C":1565251865242}`), &v); err != nil {
		t.Fatal(err)
	}
	if v.A != "2019-08-08 09:32:12" || !v.B.IsZero() || v.C != "2019-08-08T08:11:05.242Z" {
		t.Errorf("decoded %+v", v)
	}
	// An epoch number names an instant: read in the server's zone, it is still that instant.
	if got, err := v.C.Time(gmt8); err != nil || !got.Equal(time.UnixMilli(1565251865242)) || got.Location() != gmt8 {
		t.Errorf("epoch milliseconds read in GMT+8: %v, %v; want %v in GMT+8", got, err, time.UnixMilli(1565251865242))
	}
}

func TestTimezoneLocation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		offset int
		ok     bool
	}{
		{"GMT+8", 8 * 3600, true}, {"GMT-3", -3 * 3600, true}, {"GMT", 0, true}, {"UTC", 0, true},
		{"GMT+0", 0, true}, {"GMT+08:00", 8 * 3600, true}, {"GMT+5:30", 5*3600 + 1800, true},
		{"UTC+0800", 8 * 3600, true}, {"gmt+9", 9 * 3600, true},
		{"GMT+15", 0, false}, {"GMT8", 0, false}, {"GMT+x", 0, false}, {"", 0, false}, {"Mars/Olympus", 0, false},
	}
	for _, tt := range tests {
		loc, err := (&Timezone{Name: tt.name}).Location()
		if (err == nil) != tt.ok {
			t.Errorf("%q: err = %v", tt.name, err)
			continue
		}
		if tt.ok {
			if _, off := time.Date(2026, 6, 1, 0, 0, 0, 0, loc).Zone(); off != tt.offset {
				t.Errorf("%q: offset %d, want %d", tt.name, off, tt.offset)
			}
		}
	}
}

func TestWorkflowDirectoryAll(t *testing.T) {
	t.Parallel()
	var root []WorkflowDirectory
	doc := `[{"title":"Workflow","key":"r","isDirectory":true,"children":[
		{"title":"etl","key":"d1","isDirectory":true,"children":[{"title":"daily","key":2512,"isDirectory":false}]},
		{"title":"adhoc","key":"2513","isDirectory":false}]}]`
	if err := json.Unmarshal([]byte(doc), &root); err != nil {
		t.Fatal(err)
	}
	var got []string
	for path, d := range root[0].All() {
		if id, ok := d.FlowID(); ok {
			got = append(got, strings.Join(path, "/")+"="+itoa(id))
		} else {
			got = append(got, strings.Join(path, "/"))
		}
	}
	want := []string{"Workflow", "Workflow/etl", "Workflow/etl/daily=2512", "Workflow/adhoc=2513"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("All = %v, want %v", got, want)
	}
	for range root[0].All() {
		break // stopping early must not panic
	}
}

func TestUnquoteJSON(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		`"plain"`, `""`, `"a \"quoted\" word"`, `"slash \/ and back \\"`, `"tab\tnew\nline"`,
		`"\u00e9t\u00e9"`, `"emoji \ud83d\ude00"`, `"lone \ud83d surrogate"`, `"\b\f\r\u0041"`, `"{\"k\":[1,2]}"`, `"描述"`, "\"bad \xff byte\"",
	} {
		var want string
		if err := json.Unmarshal([]byte(in), &want); err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		got, err := unquoteJSON([]byte(in))
		if err != nil || got != want {
			t.Errorf("unquoteJSON(%s) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{`"open`, `"bad \q escape"`, `"short \u12"`, `"end \"`} {
		if _, err := unquoteJSON([]byte(bad)); err == nil {
			t.Errorf("unquoteJSON(%s) gives no error", bad)
		}
	}
}

// FuzzUnquoteJSON checks unquoteJSON and unquoteJSONBytes against encoding/json on every valid JSON string.
func FuzzUnquoteJSON(f *testing.F) {
	for _, seed := range []string{`"a"`, `"\"x\""`, `"\u00e9\ud83d\ude00"`, `"\ud83d"`, `"\/\b"`, "\"\xff\""} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		var want string
		if json.Unmarshal([]byte(in), &want) != nil {
			return // not a JSON string: encoding/json never hands those to UnmarshalJSON
		}
		got, err := unquoteJSON([]byte(in))
		if err != nil || got != want {
			t.Errorf("unquoteJSON(%q) = %q, %v; want %q", in, got, err, want)
		}
		if b, err := unquoteJSONBytes([]byte(in)); err != nil || string(b) != want {
			t.Errorf("unquoteJSONBytes(%q) = %q, %v; want %q", in, b, err, want)
		}
	})
}
