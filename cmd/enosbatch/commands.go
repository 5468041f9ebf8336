package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
)

// command is one subcommand of enosbatch.
type command struct {
	name    string // "trigger", or "flows get" for a command of a group
	args    string // what follows the name in the usage line
	summary string // one line for the command list
	help    string // the paragraph of 'enosbatch help <name>'
	// setup defines the command's own flags on fs and returns the action that runs it.
	setup func(fs *flag.FlagSet) action
}

// action runs a command with its positional arguments.
type action func(ctx context.Context, s *session, args []string) error

// commands lists the commands in the order of the help.
var commands = []*command{
	triggerCommand, statusCommand, waitCommand, cancelCommand, instancesCommand, tasksCommand,
	logsCommand, flowsSearchCommand, flowsGetCommand, flowsEnableCommand, flowsDisableCommand,
}

// groups are the names that take a second word ("flows get").
var groups = map[string]bool{"flows": true}

// lookup finds the command name (and, for a group, the word after it in args) and returns
// it with the remaining arguments.
func lookup(name string, args []string) (*command, []string, error) {
	if groups[name] {
		if len(args) == 0 || strings.HasPrefix(args[0], "-") {
			return nil, nil, usagef("%s needs a command: %s", name, strings.Join(groupCommands(name), ", "))
		}
		name, args = name+" "+args[0], args[1:]
	}
	for _, c := range commands {
		if c.name == name {
			return c, args, nil
		}
	}
	return nil, nil, usagef("unknown command %q", name)
}

// groupCommands returns the second words of a group's commands.
func groupCommands(group string) []string {
	var out []string
	for _, c := range commands {
		if sub, ok := strings.CutPrefix(c.name, group+" "); ok {
			out = append(out, sub)
		}
	}
	return out
}

// usageText is the start of the general help.
const usageText = `enosbatch triggers and watches EnOS Batch Processing flows.

Usage:
  enosbatch [global flags] <command> [flags] [arguments]

Commands:
`

// configHelp explains the configuration.
const configHelp = `Configuration comes from ENOS_API_GATEWAY, ENOS_ACCESS_KEY, ENOS_SECRET_KEY,
ENOS_ORG_ID and ENOS_USER_ID, each overridden by its flag. Without a gateway
enosbatch stops with exit code 2; --demo runs it against an in-process
reference server with the demo seed instead (flow 3377, two one-second tasks),
which lives as long as the command.
`

// printUsage writes the general help.
func printUsage(w io.Writer) {
	fmt.Fprint(w, usageText)
	for _, c := range commands {
		fmt.Fprintf(w, "  %-26s %s\n", strings.TrimSpace(c.name+" "+c.args), c.summary)
	}
	fmt.Fprintf(w, "  %-26s %s\n  %-26s %s\n\n", "help [command]", "show help for a command", "version", "print the version")
	fmt.Fprint(w, configHelp)
	fmt.Fprint(w, "\nGlobal flags (before or after the command):\n")
	fs := flag.NewFlagSet("enosbatch", flag.ContinueOnError)
	var g globals
	g.register(fs)
	fs.SetOutput(w)
	fs.PrintDefaults()
	fmt.Fprint(w, "\n"+exitCodesHelp)
}

// printCommandHelp writes the help of one command.
func printCommandHelp(w io.Writer, c *command) {
	fmt.Fprintf(w, "Usage: enosbatch %s\n\n%s\n", strings.TrimSpace(c.name+" [flags] "+c.args), c.help)
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	c.setup(fs)
	hasFlags := false
	fs.VisitAll(func(*flag.Flag) { hasFlags = true })
	if hasFlags {
		fmt.Fprint(w, "\nFlags:\n")
		fs.SetOutput(w)
		fs.PrintDefaults()
	}
	fmt.Fprint(w, "\nGlobal flags: --gateway, --access-key, --secret-key, --org, --user, --json,\n--timeout, --demo; see 'enosbatch help'.\n\n"+exitCodesHelp)
}

// help runs 'enosbatch help [command]'.
func help(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		printUsage(stdout)
		return exitOK
	}
	name := strings.Join(args, " ")
	if groups[name] {
		for _, c := range commands {
			if strings.HasPrefix(c.name, name+" ") {
				printCommandHelp(stdout, c)
				fmt.Fprintln(stdout)
			}
		}
		return exitOK
	}
	c, rest, err := lookup(args[0], args[1:])
	if err == nil && len(rest) > 0 {
		err = usagef("unknown command %q", name)
	}
	if err != nil {
		return report(stderr, "", err)
	}
	printCommandHelp(stdout, c)
	return exitOK
}
