package refserver

import (
	"encoding/json"
	"slices"
	"testing"
	"time"
)

func TestDecodeParameters(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    []Parameter
		wantErr bool
	}{
		{``, nil, false},
		{`null`, nil, false},
		{`""`, nil, false},
		{`"  "`, nil, false},
		{`[]`, []Parameter{}, false},
		{`{}`, []Parameter{}, false},
		{`[{"key":"a","value":"1"},{"key":"b","value":2},{"key":"c","value":true},{"key":"d"}]`,
			[]Parameter{{"a", "1"}, {"b", "2"}, {"c", "true"}, {"d", ""}}, false},
		{`{"b":"2","a":1.5}`, []Parameter{{"a", "1.5"}, {"b", "2"}}, false},
		{`"[{\"key\":\"a\",\"value\":\"1\"}]"`, []Parameter{{"a", "1"}}, false},
		{`" {\"a\":\"1\"}"`, []Parameter{{"a", "1"}}, false},
		{`"a=1"`, nil, true},
		{`"\"[]\""`, nil, true}, // a string in a string is one level too many
		{`5`, nil, true},
		{`[{"value":"1"}]`, nil, true},
		{`[{"key":"a","value":[1]}]`, nil, true},
		{`{"a":{"b":1}}`, nil, true},
		{`[1]`, nil, true},
	}
	for _, tt := range tests {
		got, err := decodeParameters(json.RawMessage(tt.in))
		if (err != nil) != tt.wantErr || (err == nil && !slices.Equal(got, tt.want)) || (tt.want != nil && got == nil) {
			t.Errorf("%s: %v %v, want %v err=%v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
	if got := encodeParameters(nil); got != `[]` {
		t.Errorf("encode nil: %s", got)
	}
	if got := encodeParameters([]Parameter{{"k", `v"1`}}); got != `[{"key":"k","value":"v\"1"}]` {
		t.Errorf("encode: %s", got)
	}
}

func TestTail(t *testing.T) {
	t.Parallel()
	tests := []struct {
		s    string
		max  int
		want string
	}{
		{"abcdef", 0, "abcdef"},
		{"abcdef", -1, "abcdef"},
		{"abcdef", 3, "def"},
		{"abcdef", 6, "abcdef"},
		{"abcdef", 60, "abcdef"},
		{"ab描述", 4, "述"},   // 描 would be cut: start at the next whole character
		{"ab描述", 6, "描述"},  // exactly two 3-byte characters
		{"ab描述", 7, "b描述"}, // one byte more
	}
	for _, tt := range tests {
		if got := tail(tt.s, tt.max); got != tt.want {
			t.Errorf("tail(%q, %d) = %q, want %q", tt.s, tt.max, got, tt.want)
		}
	}
}

func TestFormats(t *testing.T) {
	t.Parallel()
	at := time.Date(2021, 2, 2, 9, 35, 0, 250_000_000, time.UTC)
	cst := time.FixedZone("CST", 8*3600)
	tests := []struct{ got, want string }{
		{formatTime(at, cst), "2021-02-02 17:35:00"},
		{formatTime(time.Time{}, cst), ""},
		{formatTimestamp(at, cst), "2021-02-02 17:35:00.0"},
		{formatTimestamp(at.Truncate(time.Second), cst), "2021-02-02 17:35:00.0"},
		{formatTimestamp(at.Add(-245*time.Millisecond), cst), "2021-02-02 17:35:00.0"},
		{formatTimestamp(at.Add(749*time.Millisecond), cst), "2021-02-02 17:35:00.0"},
		{formatTimestamp(time.Time{}, cst), ""},
		{formatJavaDate(at, cst), "Tue Feb 02 17:35:00 CST 2021"},
		{formatJavaDate(at, time.UTC), "Tue Feb 02 09:35:00 UTC 2021"},
		{statusName(StatusInternalError), "INTERNAL_ERROR"},
		{statusName(42), "NONE"},
		{businessDate(at, "D").Format(dateLayout), "2021-02-01"},
	}
	for i, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%d: got %q, want %q", i, tt.got, tt.want)
		}
	}
}

func TestParseStatuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []int
		ok   bool
	}{
		{`"1"`, []int{1}, true},
		{`"1,2, -1"`, []int{-1, 1, 2}, true},
		{`5`, []int{5}, true},
		{`[0,10]`, []int{0, 10}, true},
		{`"1,"`, nil, false},
		{`"a"`, nil, false},
		{`1.5`, nil, false},
		{`true`, nil, false},
		{`["1"]`, []int{1}, true},
		{`["x"]`, nil, false},
	}
	for _, tt := range tests {
		got, err := parseStatuses(json.RawMessage(tt.in))
		ok := err == nil
		var codes []int
		for c := range got {
			codes = append(codes, c)
		}
		slices.Sort(codes)
		if ok != tt.ok || !slices.Equal(codes, tt.want) {
			t.Errorf("%s: %v %v, want %v %v", tt.in, codes, ok, tt.want, tt.ok)
		}
	}
}

func TestPage(t *testing.T) {
	t.Parallel()
	items := func() []int { return []int{5, 3, 1, 4, 2} }
	asc := func(a, b int) int { return a - b }
	pg := func(no, size int64, sizeSet bool) *paginationInput {
		return &paginationInput{PageNo: flexInt{no, true}, PageSize: flexInt{size, sizeSet}}
	}
	tests := []struct {
		p    *paginationInput
		want []int
		fail bool
	}{
		{nil, []int{1, 2, 3, 4, 5}, false},
		{pg(1, 2, true), []int{1, 2}, false},
		{pg(3, 2, true), []int{5}, false},
		{pg(4, 2, true), []int{}, false},
		{pg(0, 2, true), []int{1, 2}, false},
		{pg(1<<62, 1<<62, true), []int{}, false}, // overflow
		{pg(1, 0, true), nil, true},
		{pg(1, 2, false), nil, true},
		{pg(-1, 2, true), nil, true},
	}
	for i, tt := range tests {
		got, f := page(items(), tt.p, asc)
		if (f != nil) != tt.fail || (!tt.fail && (got == nil || !slices.Equal(got, tt.want))) {
			t.Errorf("%d: %v %v, want %v fail=%v", i, got, f, tt.want, tt.fail)
		}
	}

	fields := map[string]func(a, b int) int{"value": asc, "parity": func(a, b int) int { return a%2 - b%2 }}
	for _, tt := range []struct {
		sorters []sorterInput
		want    []int
		fail    bool
	}{
		{nil, []int{1, 2, 3, 4, 5}, false},
		{[]sorterInput{{"value", "DESC"}}, []int{5, 4, 3, 2, 1}, false},
		{[]sorterInput{{"VA_LUE", "desc"}}, []int{5, 4, 3, 2, 1}, false},
		{[]sorterInput{{"parity", ""}, {"value", "DESC"}}, []int{4, 2, 5, 3, 1}, false},
		{[]sorterInput{{"parity", "ASC"}}, []int{2, 4, 1, 3, 5}, false},
		{[]sorterInput{{"other", "ASC"}}, nil, true},
		{[]sorterInput{{"value", "random"}}, nil, true},
	} {
		order, f := orderBy(&paginationInput{Sorters: tt.sorters}, fields, asc)
		if (f != nil) != tt.fail {
			t.Errorf("%v: failure %v", tt.sorters, f)
			continue
		}
		if f == nil {
			got := items()
			slices.SortStableFunc(got, order)
			if !slices.Equal(got, tt.want) {
				t.Errorf("%v: %v, want %v", tt.sorters, got, tt.want)
			}
		}
	}
}

func TestPlanWithCycle(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	st := testState(&now, time.UTC, 0)
	st.flows[1] = &Flow{ID: 1, Tasks: []Task{
		{ID: 1, Duration: time.Minute},
		{ID: 2, Duration: time.Minute, DependsOn: []int64{3}},
		{ID: 3, Duration: time.Minute, DependsOn: []int64{2}},
		{ID: 4, Duration: time.Minute, DependsOn: []int64{3, 99}}, // downstream of the cycle; 99 is unknown
	}}
	in := st.createInstance(1, now, now)
	st.settle(now.Add(time.Hour))
	if in.Status != StatusFail || !in.EndTime.Equal(now.Add(time.Minute)) {
		t.Errorf("instance %d ended %v, want FAIL after task 1", in.Status, in.EndTime)
	}
	var got []int
	for _, ti := range in.Tasks {
		got = append(got, ti.Status)
	}
	if !slices.Equal(got, []int{StatusSuccess, StatusInit, StatusInit, StatusInit}) {
		t.Errorf("task statuses %v", got)
	}
}

func TestTaskTypes(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		raw  string
		want string
		ok   bool
	}{
		{``, defaultTaskType, true},
		{`null`, defaultTaskType, true},
		{`""`, defaultTaskType, true},
		{`"SHELL"`, "SHELL", true},
		{`"DATA_INTEGRATION"`, "DATA_INTEGRATION", true},
		{`3`, "SHELL", true},
		{`"5"`, "HIVE", true},
		{`7`, defaultTaskType, true},
		{`42`, defaultTaskType, true},
		{`true`, "", false},
		{`1.5`, "", false},
	} {
		got, ok := taskTypeName(json.RawMessage(tt.raw))
		if got != tt.want || ok != tt.ok {
			t.Errorf("%s: %q %v, want %q %v", tt.raw, got, ok, tt.want, tt.ok)
		}
	}
	if taskTypeCode("MR") != 6 || taskTypeCode("COMMAND") != 7 || taskTypeCode("") != 7 {
		t.Error("task type codes")
	}
}

func TestFlexBoolAndFloat(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in       string
		value    bool
		set, err bool
	}{
		{`true`, true, true, false}, {`false`, false, true, false}, {`1`, true, true, false}, {`0`, false, true, false},
		{`"1"`, true, true, false}, {`"false"`, false, true, false}, {`null`, false, false, false}, {`""`, false, false, false},
		{`2`, false, false, true}, {`"yes"`, false, false, true},
	} {
		var v flexBool
		err := json.Unmarshal([]byte(tt.in), &v)
		if (err != nil) != tt.err || (err == nil && (v.value != tt.value || v.set != tt.set)) {
			t.Errorf("flexBool %s: %+v %v", tt.in, v, err)
		}
	}
	if b, err := json.Marshal([]flexBool{{value: true, set: true}, {}}); string(b) != "[true,false]" {
		t.Errorf("flexBool written as %s, %v; want JSON booleans", b, err)
	}
	for _, tt := range []struct {
		in   string
		want float64
		err  bool
	}{{`1.5`, 1.5, false}, {`"2.25"`, 2.25, false}, {`null`, 0, false}, {`""`, 0, false}, {`"x"`, 0, true}, {`[]`, 0, true}} {
		var v flexFloat
		err := json.Unmarshal([]byte(tt.in), &v)
		if (err != nil) != tt.err || float64(v) != tt.want {
			t.Errorf("flexFloat %s: %v %v", tt.in, v, err)
		}
	}
}
