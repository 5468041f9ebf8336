package main

import (
	"flag"
	"io"
	"strings"
	"time"
)

// globals are the flags every command takes, before or after the command name.
type globals struct {
	gateway, accessKey, secretKey, orgID, userID string

	json    bool
	timeout time.Duration
	demo    bool
}

// register defines the global flags on fs.
func (g *globals) register(fs *flag.FlagSet) {
	fs.StringVar(&g.gateway, "gateway", "", "API gateway URL (default $ENOS_API_GATEWAY)")
	fs.StringVar(&g.accessKey, "access-key", "", "application AccessKey (default $ENOS_ACCESS_KEY)")
	fs.StringVar(&g.secretKey, "secret-key", "",
		"application SecretKey (default $ENOS_SECRET_KEY; prefer the variable: flags show in process lists)")
	fs.StringVar(&g.orgID, "org", "", "organization id (default $ENOS_ORG_ID)")
	fs.StringVar(&g.userID, "user", "", "user id (default $ENOS_USER_ID)")
	fs.BoolVar(&g.json, "json", false, "print one JSON document on stdout instead of text")
	fs.DurationVar(&g.timeout, "timeout", 0, "give up after this long, e.g. 30m (exit code 4; 0: no limit)")
	fs.BoolVar(&g.demo, "demo", false,
		"run against an in-process reference server with the demo seed instead of a gateway (to try the tool)")
}

// splitCommand finds the command name in args: what precedes it must be global flags. It
// returns the global flags, the name, and the arguments after it. name is "" when args hold
// no command.
func splitCommand(args []string) (globalArgs []string, name string, rest []string, err error) {
	fs := flag.NewFlagSet("enosbatch", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var g globals
	g.register(fs)
	if err := fs.Parse(args); err != nil {
		return nil, "", nil, err
	}
	rest = fs.Args()
	globalArgs = args[:len(args)-len(rest)]
	if len(rest) == 0 {
		return globalArgs, "", nil, nil
	}
	return globalArgs, rest[0], rest[1:], nil
}

// parseInterleaved parses args with fs, allowing flags between positional arguments
// ("status ID --json"). Everything after "--" is positional. It returns the positional
// arguments.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		consumed := args[:len(args)-len(rest)]
		if len(consumed) > 0 && consumed[len(consumed)-1] == "--" {
			return append(positional, rest...), nil
		}
		if len(rest) == 0 {
			return positional, nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// listFlag is a flag that may be repeated, each value also split on commas when split is set.
type listFlag struct {
	values []string
	split  bool
}

func (l *listFlag) String() string { return strings.Join(l.values, ",") }

func (l *listFlag) Set(s string) error {
	if !l.split {
		l.values = append(l.values, s)
		return nil
	}
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			l.values = append(l.values, v)
		}
	}
	return nil
}
