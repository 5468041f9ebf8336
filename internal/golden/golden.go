// Package golden compares a test's large results with golden files in testdata, for the
// tests of every package of the module: `go test -run TestX -update ./pkg` rewrites the
// files of the tests it runs from what they get. Read the diff before committing it.
package golden

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// update is the -update flag of the test binaries that use the package.
var update = flag.Bool("update", false, "rewrite the golden files of testdata from the results")

// JSON compares the indented JSON of v, passed through mask when it is not nil, with the
// file at path, or with -update writes it there.
func JSON(t testing.TB, path string, v any, mask func([]byte) []byte) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if mask != nil {
		got = mask(got)
	}
	got = append(got, '\n')
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -run '%s' -update writes it)", err, t.Name())
	}
	if !bytes.Equal(got, want) {
		t.Errorf("the result differs from %s (go test -run '%s' -update rewrites it):\n%s", path, t.Name(), lineDiff(want, got))
	}
}

// lineDiff shows the first line where got differs from want, with the line before.
func lineDiff(want, got []byte) string {
	w, g := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	for i := 0; i < max(len(w), len(g)); i++ {
		wl, gl := lineAt(w, i), lineAt(g, i)
		if wl != gl {
			return fmt.Sprintf("line %d:\n  before: %s\n  want:   %s\n  got:    %s", i+1, lineAt(w, i-1), wl, gl)
		}
	}
	return "(no line differs)"
}

// lineAt returns line i, or "(none)" past either end.
func lineAt(lines []string, i int) string {
	if i < 0 || i >= len(lines) {
		return "(none)"
	}
	return lines[i]
}
