package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"

	"github.com/enos-go/batchprocessing"
)

// run is the whole program, with its arguments, environment and output passed in so that
// tests can drive it. ctx ends on Ctrl-C or SIGTERM. It returns the exit code.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	globalArgs, name, rest, err := splitCommand(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		printUsage(stdout)
		return exitOK
	case err != nil:
		return report(stderr, "", usagef("%v (a command's own flags go after its name)", err))
	case name == "":
		printUsage(stderr)
		return exitUsage
	case name == "help":
		return help(rest, stdout, stderr)
	case name == "version":
		fmt.Fprintf(stdout, "enosbatch %s\n", batchprocessing.Version)
		return exitOK
	}
	cmd, rest, err := lookup(name, rest)
	if err != nil {
		return report(stderr, "", err)
	}

	s := &session{getenv: getenv, stdout: stdout, stderr: stderr}
	defer s.close()
	fs := flag.NewFlagSet("enosbatch "+cmd.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	s.g.register(fs)
	act := cmd.setup(fs)
	positional, err := parseInterleaved(fs, append(slices.Clone(globalArgs), rest...))
	switch {
	case errors.Is(err, flag.ErrHelp):
		printCommandHelp(stdout, cmd)
		return exitOK
	case err != nil:
		return report(stderr, cmd.name, usagef("%v", err))
	case s.g.timeout < 0:
		return report(stderr, cmd.name, usagef("--timeout must not be negative"))
	}
	if s.g.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.g.timeout)
		defer cancel()
	}
	return report(stderr, cmd.name, act(ctx, s, positional))
}
