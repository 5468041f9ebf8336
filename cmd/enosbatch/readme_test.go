package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// readmeExample is a command of the README's console blocks and the stdout it shows.
type readmeExample struct {
	command, stdout string
}

// readmeExamples returns the "$ enosbatch --demo ..." commands of the README's console
// blocks, each with the lines that follow it.
func readmeExamples(t *testing.T) []readmeExample {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	var out []readmeExample
	for _, block := range strings.Split(string(b), "```console\n")[1:] {
		block, _, _ = strings.Cut(block, "```")
		for _, part := range strings.Split(block, "$ ")[1:] {
			command, stdout, _ := strings.Cut(part, "\n")
			out = append(out, readmeExample{command, stdout})
		}
	}
	return out
}

// TestReadmeExamples runs the README's console examples, which use --demo, with bash and
// the built program, and compares what they print.
func TestReadmeExamples(t *testing.T) {
	examples := readmeExamples(t)
	if len(examples) < 3 {
		t.Fatalf("%d examples in the README's console blocks, want the --jq ones", len(examples))
	}
	for _, ex := range examples {
		t.Run(ex.command, func(t *testing.T) {
			if !strings.HasPrefix(ex.command, "enosbatch --demo ") {
				t.Fatalf("a console example must run against --demo: %q", ex.command)
			}
			cmd := binaryCommand(t, nil)
			cmd.Path, cmd.Args = "/bin/bash", []string{"bash", "-c", ex.command}
			cmd.Env = append(cmd.Env, "PATH="+filepath.Dir(binary)+string(os.PathListSeparator)+os.Getenv("PATH"))
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("%v", err)
			}
			if string(out) != ex.stdout {
				t.Errorf("stdout\n%s\nwant (README)\n%s", out, ex.stdout)
			}
		})
	}
}
