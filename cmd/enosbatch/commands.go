package main

import (
	"context"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// command is one subcommand of enosbatch.
type command struct {
	name    string // "trigger", or "flows get" for a command of a group
	args    string // what follows the name in the usage line
	summary string // one line for the command list
	help    string // the paragraph of 'enosbatch help <name>'
	example string // examples for the help, each line indented by two spaces
	// setup defines the command's own flags on fs and returns the action that runs it.
	setup func(fs *pflag.FlagSet) action
	// complete, if set, completes the command's positional arguments in the shell.
	complete func(s *session) cobra.CompletionFunc
	// flagCompletions complete the values of some of the command's flags.
	flagCompletions map[string]func(s *session) cobra.CompletionFunc
}

// action runs a command with its positional arguments.
type action func(ctx context.Context, s *session, args []string) error

// commands lists the commands in the order of the help.
var commands = []*command{
	triggerCommand, statusCommand, waitCommand, cancelCommand, instancesCommand, tasksCommand,
	logsCommand, flowsSearchCommand, flowsGetCommand, flowsEnableCommand, flowsDisableCommand,
	configCommand, versionCommand,
}

// groups are the names that take a second word ("flows get"), with their summary.
var groups = map[string]string{
	"flows":      "search, show, enable or disable the organization's flows",
	"completion": "print the shell completion script: bash, zsh, fish or powershell",
}
