package main

import (
	"context"
	"errors"
	"io"
)

// run is the whole program, with its arguments, environment and output passed in so that
// tests can drive it. ctx ends on Ctrl-C or SIGTERM. It returns the exit code.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	out := &outputWriter{w: stdout}
	s := newSession(getenv, out, stderr)
	defer s.close()
	root := newRootCommand(s)
	// A nil slice would make cobra read os.Args.
	root.SetArgs(append([]string{}, normalizeArgs(root, args)...))
	cmd, err := root.ExecuteContextC(ctx)
	var failed *commandFailed
	fromCommand := errors.As(err, &failed)
	if fromCommand {
		err = failed.err
	}
	err = out.lost(err)
	var usage *usageError
	var output *outputError
	if err != nil && !fromCommand && !errors.As(err, &usage) && !errors.As(err, &output) {
		// cobra's own errors: an unknown command or flag, a flag value that does not parse.
		err = usagef("%v", err)
	}
	name := commandName(cmd)
	if name == "help" {
		name = ""
	}
	return report(stderr, name, err)
}
