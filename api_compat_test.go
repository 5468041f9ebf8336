package batchprocessing_test

import (
	"bufio"
	"go/importer"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// surfacePackages are the packages whose exported names are the module's API.
var surfacePackages = []string{"github.com/enos-go/batchprocessing", "github.com/enos-go/batchprocessing/refserver"}

// TestSurfaceOf1_0 checks that every exported name of version 1.0.0 is still there:
// testdata/api/v1.0.0.txt lists them, a package's names and the fields and methods
// (promoted ones included) of its exported types. Code written against 1.0 uses them; a
// name replaced since stays as a deprecated alias. The list was made from the 1.0.0 tag
// by surfaceNames, and is never rewritten.
func TestSurfaceOf1_0(t *testing.T) {
	t.Parallel()
	f, err := os.Open("testdata/api/v1.0.0.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	now := surfaceNames(t)
	lines := bufio.NewScanner(f)
	n := 0
	for lines.Scan() {
		n++
		if name := lines.Text(); !slices.Contains(now, name) {
			t.Errorf("%s, exported in 1.0.0, is gone", name)
		}
	}
	if err := lines.Err(); err != nil || n < 500 {
		t.Fatalf("read %d names of 1.0.0: %v", n, err)
	}
}

// surfaceNames returns the exported names of surfacePackages, sorted: "pkg.Name" for a
// package-level name, "pkg.Type.Name" for a field or method of an exported type. It reads
// the packages' export data, as the compiler does.
func surfaceNames(t *testing.T) []string {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to read the export data with")
	}
	out, err := exec.Command(goCmd, append([]string{"list", "-export", "-deps", "-f", "{{.ImportPath}} {{.Export}}"}, surfacePackages...)...).Output()
	if err != nil {
		t.Fatalf("go list -export: %v", err)
	}
	exports := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		path, file, _ := strings.Cut(line, " ")
		exports[path] = file
	}
	imp := importer.ForCompiler(token.NewFileSet(), "gc", func(path string) (io.ReadCloser, error) { return os.Open(exports[path]) })
	var names []string
	for _, path := range surfacePackages {
		pkg, err := imp.Import(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range pkg.Scope().Names() {
			obj := pkg.Scope().Lookup(name)
			if !obj.Exported() {
				continue
			}
			names = append(names, path+"."+name)
			if tn, ok := obj.(*types.TypeName); ok {
				names = append(names, memberNames(path+"."+name, tn.Type())...)
			}
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// memberNames returns prefix.Name for each exported method of t and *t, promoted ones
// included, and each exported field of t, a struct.
func memberNames(prefix string, t types.Type) []string {
	var names []string
	for _, of := range []types.Type{t, types.NewPointer(t)} {
		methods := types.NewMethodSet(of)
		for i := range methods.Len() {
			if m := methods.At(i).Obj(); m.Exported() {
				names = append(names, prefix+"."+m.Name())
			}
		}
	}
	if st, ok := t.Underlying().(*types.Struct); ok {
		for i := range st.NumFields() {
			if f := st.Field(i); f.Exported() {
				names = append(names, prefix+"."+f.Name())
			}
		}
	}
	return names
}
