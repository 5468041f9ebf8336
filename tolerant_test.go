package batchprocessing

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"reflect"
	"strings"
	"testing"
)

func TestDecodeTolerant(t *testing.T) {
	t.Parallel()
	type inner struct {
		N int `json:"n"`
	}
	type target struct {
		ID      int64              `json:"id"`
		Ratio   float64            `json:"ratio"`
		On      bool               `json:"on"`
		Name    string             `json:"name"`
		Quoted  int64              `json:"quoted,string"`
		Renamed string             `json:"newName" alias:"old_name"`
		Ptr     *int               `json:"ptr"`
		Inner   inner              `json:"inner"`
		List    []inner            `json:"list"`
		IDs     []int64            `json:"ids"`
		Status  FlowInstanceStatus `json:"status"`
	}
	seven := 7
	want := target{ID: 42, Ratio: 0.5, On: true, Name: "12", Quoted: 9, Renamed: "x", Ptr: &seven,
		Inner: inner{3}, List: []inner{{1}, {2}}, IDs: []int64{4, 5}, Status: StatusSuccess}
	for _, in := range []string{
		`{"id":42,"ratio":0.5,"on":true,"name":"12","quoted":"9","newName":"x","ptr":7,"inner":{"n":3},"list":[{"n":1},{"n":2}],"ids":[4,5],"status":1}`,
		`{"id":"42","ratio":"0.5","on":1,"name":12,"quoted":9,"old_name":"x","ptr":"7","inner":{"n":"3"},"list":[{"n":"1"},{"n":2}],"ids":["4",5],"status":"SUCCESS"}`,
		`{"ID":" 42 ","Ratio":"5e-1","On":"true","Name":12,"quoted":" 9 ","old_name":"x","ptr":7.0,"inner":{"N":3},"list":[{"n":1.0},{"n":"2"}],"ids":[4.0,"5"],"status":"1"}`,
	} {
		var got target
		if err := decodeTolerant([]byte(in), &got); err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("decodeTolerant(%s) = %+v, %v", in, got, err)
		}
	}
	for _, in := range []string{`{"id":"x"}`, `{"on":2}`, `{"id":1.5}`, `{"inner":{"n":"x"}}`, `{"id":`, `[1]`} {
		var got target
		if err := decodeTolerant([]byte(in), &got); err == nil {
			t.Errorf("decodeTolerant(%s) = %+v, want an error", in, got)
		}
	}
	// Empty strings are zero, as the service sends them for missing numbers.
	var got target
	if err := decodeTolerant([]byte(`{"id":"","on":"","ratio":""}`), &got); err != nil || got.ID != 0 || got.On {
		t.Errorf("empty strings: %+v, %v", got, err)
	}
}

// resultTypes are the exported types the client decodes from the service: each must decode
// every numeric and boolean field tolerantly.
var resultTypes = []any{
	FlowInstance{}, InstanceGraph{}, TaskInstanceNode{}, FlowInstanceNode{}, Relation{}, FlowInstancePage{},
	Flow{}, FlowGraph{}, TaskNode{}, FlowNode{}, MyFlow{}, FlowSummary{},
	TaskInstance{}, RunMode{}, ExportedFlow{}, ExportedTask{}, FlowLink{}, TaskLink{}, TaskRelation{},
	LinkRelation{}, WorkflowDirectory{}, Timezone{}, Parameter{}, Sorter{},
}

// TestEveryResultFieldTolerant fails when a numeric or boolean field of a result type does
// not accept its value as a string ("1"), the way the service sometimes sends it, and when
// an exported struct type of the package with JSON tags is missing from resultTypes.
func TestEveryResultFieldTolerant(t *testing.T) {
	t.Parallel()
	listed := map[string]bool{}
	for _, v := range resultTypes {
		typ := reflect.TypeOf(v)
		listed[typ.Name()] = true
		for _, f := range fieldsOf(typ) {
			kind := f.typ.Kind()
			if kind == reflect.Pointer {
				kind = f.typ.Elem().Kind()
			}
			var want any
			switch kind {
			case reflect.Int, reflect.Int64, reflect.Int32, reflect.Float64:
				want = "1"
			case reflect.Bool:
				want = "true"
			default:
				continue
			}
			target := reflect.New(typ)
			in := `{"` + f.name + `":"1"}`
			if err := json.Unmarshal([]byte(in), target.Interface()); err != nil {
				t.Errorf("%s.%s: %s does not decode: %v", typ.Name(), f.name, in, err)
				continue
			}
			out, _ := json.Marshal(target.Interface())
			var back map[string]any
			_ = json.Unmarshal(out, &back)
			if got := strings.Trim(string(mustJSON(back[f.name])), `"`); got != want {
				t.Errorf("%s.%s: %s decoded as %s", typ.Name(), f.name, in, got)
			}
		}
	}
	for _, name := range taggedStructTypes(t) {
		if !listed[name] && !strings.HasSuffix(name, "Request") && name != "APIError" && name != "RetryPolicy" {
			t.Errorf("%s has JSON tags but is not in resultTypes", name)
		}
	}
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// taggedStructTypes returns the exported struct types of the package that have a field
// with a json tag.
func taggedStructTypes(t *testing.T) []string {
	t.Helper()
	pkgs, err := parser.ParseDir(token.NewFileSet(), ".", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range pkgs["batchprocessing"].Files {
		ast.Inspect(f, func(n ast.Node) bool {
			ts, ok := n.(*ast.TypeSpec)
			if !ok || !ts.Name.IsExported() {
				return true
			}
			st, ok := ts.Type.(*ast.StructType)
			if !ok {
				return true
			}
			for _, field := range st.Fields.List {
				if field.Tag != nil && strings.Contains(field.Tag.Value, "json:") {
					names = append(names, ts.Name.Name)
					break
				}
			}
			return true
		})
	}
	return names
}
