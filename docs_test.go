package batchprocessing_test

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/doc/comment"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"
)

// This file checks that the documentation's Go code compiles: every ```go block of
// README.md and every code block of the package comment (doc.go). A block that is a whole
// file is compiled as it is; a fragment is compiled as the body of a function whose
// parameters are the variables fragments may use without declaring them (docGivens). Each
// block becomes a package of a temporary module that uses this one through a replace
// directive, and one `go test -vet=all` compiles them all and runs the blocks that are
// tests, so that an unused variable, a wrong name, a misused printf verb or a recipe that
// does not work fails the test.

// docGivens are the variables a fragment may use without declaring them, as the parameters
// of the function that wraps it; a fragment that declares one of them shadows it.
const docGivens = `ctx context.Context, client *batchprocessing.Client, srv *refserver.Server, t *testing.T,
	accessKey, secretKey string, id batchprocessing.FlowInstanceID, req batchprocessing.TriggerFlowRequest`

// docGivenImports are the packages docGivens needs: every fragment's file imports them.
var docGivenImports = []string{"context", "testing", "github.com/enos-go/batchprocessing", "github.com/enos-go/batchprocessing/refserver"}

// docImports are the packages a fragment may use, by the name it uses them by; the file
// that wraps a fragment imports those it names.
var docImports = map[string]string{
	"context": "context", "errors": "errors", "fmt": "fmt", "http": "net/http", "httptest": "net/http/httptest",
	"io": "io", "log": "log", "os": "os", "slog": "log/slog", "strings": "strings", "testing": "testing",
	"time": "time", "httpmock": "github.com/jarcoal/httpmock",
	"batchprocessing": "github.com/enos-go/batchprocessing", "refserver": "github.com/enos-go/batchprocessing/refserver",
}

// docBlock is a block of Go code of a documentation file.
type docBlock struct {
	file string // README.md or doc.go
	line int    // the line of the block's first line of code in file
	code string
}

// TestDocumentationGoCodeCompiles builds, vets and runs the documentation's Go code (see
// the top of this file). It does not run in parallel with the package's other tests: the
// go command it starts keeps both cores of a CI machine busy for seconds.
func TestDocumentationGoCodeCompiles(t *testing.T) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH: cannot compile the documentation's Go blocks")
	}
	blocks := append(readmeGoBlocks(t), packageCommentCode(t)...)
	if len(blocks) == 0 {
		t.Fatal("no Go code found in README.md and doc.go")
	}
	root, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeDocModule(t, dir, root)
	for i, b := range blocks {
		if strings.Contains(b.code, "/*") {
			t.Errorf("%s:%d: a block comment in a Go block; a user cannot copy a placeholder", b.file, b.line)
		}
		pkg := fmt.Sprintf("block%02d", i+1)
		name, src := docBlockFile(t, pkg, b)
		writeDocFile(t, filepath.Join(dir, pkg, name), src)
	}
	// One command builds every package, vets it with every analyzer, and runs the tests.
	runDocGo(t, goCmd, dir, "test", "-count=1", "-vet=all", "./...")
}

// readmeGoBlocks returns the ```go blocks of README.md.
func readmeGoBlocks(t *testing.T) []docBlock {
	data, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	var blocks []docBlock
	var cur *docBlock
	for i, line := range strings.Split(string(data), "\n") {
		switch {
		case cur == nil && strings.TrimSpace(line) == "```go":
			cur = &docBlock{file: "README.md", line: i + 2}
		case cur != nil && strings.TrimSpace(line) == "```":
			blocks = append(blocks, *cur)
			cur = nil
		case cur != nil:
			cur.code += line + "\n"
		}
	}
	if cur != nil {
		t.Fatalf("README.md:%d: a ```go block that does not end", cur.line-1)
	}
	return blocks
}

// packageCommentCode returns the code blocks of the package comment, which doc.go holds.
func packageCommentCode(t *testing.T) []docBlock {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "doc.go", nil, parser.ParseComments|parser.PackageClauseOnly)
	if err != nil {
		t.Fatal(err)
	}
	if f.Doc == nil {
		t.Fatal("doc.go has no package comment")
	}
	src, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	var p comment.Parser
	var blocks []docBlock
	for _, b := range p.Parse(f.Doc.Text()).Content {
		code, ok := b.(*comment.Code)
		if !ok {
			continue
		}
		first, _, _ := strings.Cut(code.Text, "\n")
		at := bytes.Index(src, []byte("//\t"+first+"\n"))
		if at < 0 {
			t.Fatalf("doc.go: cannot find the code block starting %q", first)
		}
		blocks = append(blocks, docBlock{file: "doc.go", line: bytes.Count(src[:at], []byte("\n")) + 1, code: code.Text})
	}
	return blocks
}

// TestPackageCommentLeadsGoDoc checks that `go doc` opens on the package comment: it is in
// doc.go alone, and says what the package is.
func TestPackageCommentLeadsGoDoc(t *testing.T) {
	t.Parallel()
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, ".", func(fi os.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") },
		parser.ParseComments|parser.PackageClauseOnly)
	if err != nil {
		t.Fatal(err)
	}
	var with []string
	for name, f := range pkgs["batchprocessing"].Files {
		if f.Doc != nil {
			with = append(with, filepath.Base(name))
		}
	}
	if !slices.Equal(with, []string{"doc.go"}) {
		t.Fatalf("files with a package comment: %v, want doc.go alone", with)
	}
	text := pkgs["batchprocessing"].Files["doc.go"].Doc.Text()
	if !strings.HasPrefix(text, "Package batchprocessing is a client for the EnOS Batch Processing Service") {
		t.Errorf("the package comment starts %.80q", text)
	}
}

// docBlockFile returns the file name and source that compile block b as package pkg.
func docBlockFile(t *testing.T, pkg string, b docBlock) (name, src string) {
	abs, err := filepath.Abs(b.file)
	if err != nil {
		t.Fatal(err)
	}
	lineDirective := fmt.Sprintf("//line %s:%d\n", abs, b.line)
	if isWholeFile(b.code) {
		name = pkg + ".go"
		if regexp.MustCompile(`(?m)^package \w+_test$|^func (Test|Example|Benchmark|Fuzz)`).MatchString(b.code) {
			name = pkg + "_test.go"
		}
		return name, lineDirective + b.code
	}
	imports := slices.Clone(docGivenImports)
	for _, m := range regexp.MustCompile(`\b([a-z]\w*)\.[A-Za-z_]`).FindAllStringSubmatch(b.code, -1) {
		if path, ok := docImports[m[1]]; ok && !slices.Contains(imports, path) {
			imports = append(imports, path)
		}
	}
	var s strings.Builder
	fmt.Fprintf(&s, "package %s\n\nimport (\n", pkg)
	for _, path := range imports {
		fmt.Fprintf(&s, "\t%q\n", path)
	}
	fmt.Fprintf(&s, ")\n\nfunc example(%s) error {\n{\n%s%s}\n", docGivens, lineDirective, b.code)
	if !endsInReturn(t, s.String()+"}\n") {
		s.WriteString("return nil\n") // else vet reports unreachable code
	}
	s.WriteString("}\n")
	return "example.go", s.String()
}

// isWholeFile reports whether code is a Go file rather than a fragment: its first line that
// is not blank or a comment is a package clause.
func isWholeFile(code string) bool {
	for _, line := range strings.Split(code, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "//") {
			continue
		}
		return strings.HasPrefix(line, "package ")
	}
	return false
}

// endsInReturn reports whether the fragment in the wrapper src (without its final return)
// ends with a return statement.
func endsInReturn(t *testing.T, src string) bool {
	f, err := parser.ParseFile(token.NewFileSet(), "", src, parser.SkipObjectResolution)
	if err != nil {
		return false // go vet will report the syntax error, at the README's line
	}
	body := f.Decls[len(f.Decls)-1].(*ast.FuncDecl).Body.List
	block, ok := body[len(body)-1].(*ast.BlockStmt)
	if !ok || len(block.List) == 0 {
		t.Fatalf("unexpected wrapper:\n%s", src)
	}
	_, ok = block.List[len(block.List)-1].(*ast.ReturnStmt)
	return ok
}

// writeDocModule writes the go.mod and go.sum of a module that requires this one from
// root, with this module's requirements and sums, so that nothing needs the network.
func writeDocModule(t *testing.T, dir, root string) {
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	mod := regexp.MustCompile(`(?m)^module .*$`).ReplaceAllString(string(gomod), "module docblocks")
	mod += fmt.Sprintf("\nrequire github.com/enos-go/batchprocessing v0.0.0\n\nreplace github.com/enos-go/batchprocessing => %q\n", root)
	writeDocFile(t, filepath.Join(dir, "go.mod"), mod)
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	writeDocFile(t, filepath.Join(dir, "go.sum"), string(sum))
}

// runDocGo runs the go command in dir with the module cache and proxy of the environment,
// failing the test with its output.
func runDocGo(t *testing.T, goCmd, dir string, args ...string) {
	cmd := exec.Command(goCmd, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off", "GOTOOLCHAIN=local")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// writeDocFile writes a file of the temporary module, making its directory.
func writeDocFile(t *testing.T, name, content string) {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestExportedDocsNameNothingUnexported: the doc comments that go doc and pkg.go.dev show
// (of exported names, exported fields and methods of exported types) name no unexported
// function, type, variable or constant of the package, which a reader could not look up.
// Only camelCase names count: a one-word name ("invalid") is also an ordinary word.
func TestExportedDocsNameNothingUnexported(t *testing.T) {
	t.Parallel()
	for _, dir := range []string{".", "refserver"} {
		t.Run(dir, func(t *testing.T) {
			t.Parallel()
			checkExportedDocs(t, dir)
		})
	}
}

// checkExportedDocs is TestExportedDocsNameNothingUnexported for the package in dir.
func checkExportedDocs(t *testing.T, dir string) {
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, dir, func(fi os.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs) != 1 {
		t.Fatalf("%d packages in %s", len(pkgs), dir)
	}
	var files []*ast.File
	for _, p := range pkgs {
		for _, f := range p.Files {
			files = append(files, f)
		}
	}
	hidden := map[string]bool{} // the unexported top-level names
	for _, f := range files {
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil && !d.Name.IsExported() {
					hidden[d.Name.Name] = true
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						if !s.Name.IsExported() {
							hidden[s.Name.Name] = true
						}
					case *ast.ValueSpec:
						for _, n := range s.Names {
							if !n.IsExported() {
								hidden[n.Name] = true
							}
						}
					}
				}
			}
		}
	}
	camel := func(s string) bool { return strings.IndexFunc(s, unicode.IsUpper) > 0 }
	word := regexp.MustCompile(`\b[a-z]\w*\b`)
	check := func(where string, doc *ast.CommentGroup) {
		if doc == nil {
			return
		}
		for _, w := range word.FindAllString(doc.Text(), -1) {
			if hidden[w] && camel(w) {
				t.Errorf("%s: the doc comment names %s, which is unexported", where, w)
			}
		}
	}
	for _, f := range files {
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Name.IsExported() && (d.Recv == nil || ast.IsExported(recvName(d.Recv))) {
					check(fset.Position(d.Pos()).String(), d.Doc)
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						if s.Name.IsExported() {
							check(fset.Position(s.Pos()).String(), d.Doc)
							check(fset.Position(s.Pos()).String(), s.Doc)
							if st, ok := s.Type.(*ast.StructType); ok {
								for _, fl := range st.Fields.List {
									if len(fl.Names) > 0 && !fl.Names[0].IsExported() {
										continue
									}
									check(fset.Position(fl.Pos()).String(), fl.Doc)
									check(fset.Position(fl.Pos()).String(), fl.Comment)
								}
							}
						}
					case *ast.ValueSpec:
						if s.Names[0].IsExported() {
							check(fset.Position(s.Pos()).String(), d.Doc)
							check(fset.Position(s.Pos()).String(), s.Doc)
						}
					}
				}
			}
		}
	}
}

// recvName is the name of a method's receiver type.
func recvName(r *ast.FieldList) string {
	t := r.List[0].Type
	if s, ok := t.(*ast.StarExpr); ok {
		t = s.X
	}
	if g, ok := t.(*ast.IndexExpr); ok {
		t = g.X
	}
	if id, ok := t.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}
