package main

import (
	"strings"
	"time"

	"github.com/enos-go/batchprocessing"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// globals are the flags every command takes, before or after the command name.
type globals struct {
	gateway, accessKey, secretKey, secretKeyFile, orgID, userID, profile string
	serverZone                                                           string

	json           bool
	jq             string
	timeout        time.Duration
	requestTimeout time.Duration
	demo           bool
}

// register defines the global flags on fs.
func (g *globals) register(fs *pflag.FlagSet) {
	fs.StringVar(&g.gateway, "gateway", "", "API gateway URL (default $ENOS_API_GATEWAY, then the profile's gateway)")
	fs.StringVar(&g.accessKey, "access-key", "", "application AccessKey (default $ENOS_ACCESS_KEY, then the profile's access_key)")
	fs.StringVar(&g.secretKey, "secret-key", "",
		"application SecretKey (default $ENOS_SECRET_KEY; prefer a file or the variable: flags show in process lists)")
	fs.StringVar(&g.secretKeyFile, "secret-key-file", "",
		"read the SecretKey from this file, readable by its owner only (default $ENOS_SECRET_KEY_FILE, then the profile's secret_key_file)")
	fs.StringVar(&g.orgID, "org", "", "organization id (default $ENOS_ORG_ID, then the profile's org)")
	fs.StringVar(&g.userID, "user", "", "user id (default $ENOS_USER_ID, then the profile's user)")
	fs.StringVar(&g.serverZone, "server-zone", "", "the gateway's time zone, an IANA name such as Europe/Berlin, for the times of --json "+
		"(default $ENOS_SERVER_ZONE, then the profile's server_zone; unset: the offset Get Timezone names, an hour off across daylight saving)")
	fs.StringVar(&g.profile, "profile", "", "profile of the configuration file to use (default $ENOS_PROFILE, then \"default\")")
	fs.BoolVar(&g.json, "json", false, "print one JSON document on stdout instead of text")
	fs.StringVar(&g.jq, "jq", "", "filter the JSON output with a jq expression, e.g. '.[].instanceId' (implies --json)")
	fs.DurationVar(&g.timeout, "timeout", 0, "give up after this long, e.g. 30m (exit code 4; 0: no limit)")
	fs.DurationVar(&g.requestTimeout, "request-timeout", batchprocessing.DefaultTimeout,
		"longest wait for the gateway's answer to one attempt of a call (exit code 3 when every attempt times out)")
	fs.BoolVar(&g.demo, "demo", false,
		"run against an in-process reference server with the demo seed instead of a gateway (to try the tool)")
}

// check validates the global flags once they are parsed.
func (g *globals) check() error {
	switch {
	case g.timeout < 0:
		return usagef("--timeout must not be negative")
	case g.requestTimeout <= 0:
		return usagef("--request-timeout must be positive")
	}
	return nil
}

// normalizeArgs rewrites the single-dash long flags that enosbatch took before it used
// double dashes ("-json", "-at=now") to their double-dash form, so that scripts written for
// them keep working. Only names of enosbatch's flags are rewritten, never a flag's value, and
// nothing after "--" or in a shell-completion request.
func normalizeArgs(root *cobra.Command, args []string) []string {
	if len(args) > 0 && strings.HasPrefix(args[0], "__complete") {
		return args
	}
	takesValue := flagNames(root)
	out := make([]string, 0, len(args))
	valueNext := false
	for i, arg := range args {
		if arg == "--" {
			return append(out, args[i:]...)
		}
		if valueNext {
			valueNext = false
			out = append(out, arg)
			continue
		}
		name, _, hasValue := strings.Cut(strings.TrimLeft(arg, "-"), "=")
		dashes := len(arg) - len(strings.TrimLeft(arg, "-"))
		value, known := takesValue[name]
		if known && dashes == 1 && len(name) > 1 {
			arg = "-" + arg
		}
		valueNext = known && (dashes == 1 || dashes == 2) && value && !hasValue
		out = append(out, arg)
	}
	return out
}

// flagNames returns the long flags of every command under root, with whether each takes a
// value (--at T) or not (--json).
func flagNames(root *cobra.Command) map[string]bool {
	names := map[string]bool{"help": false, "version": false}
	var visit func(c *cobra.Command)
	add := func(f *pflag.Flag) { names[f.Name] = f.NoOptDefVal == "" }
	visit = func(c *cobra.Command) {
		c.PersistentFlags().VisitAll(add)
		c.Flags().VisitAll(add)
		for _, sub := range c.Commands() {
			visit(sub)
		}
	}
	visit(root)
	return names
}

// listFlag is a flag that may be repeated, each value also split on commas when split is set.
type listFlag struct {
	values []string
	split  bool
}

func (l *listFlag) String() string { return strings.Join(l.values, ",") }

// Type names the flag's value in the help.
func (l *listFlag) Type() string {
	if l.split {
		return "list"
	}
	return "key=value"
}

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
