package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/enos-go/batchprocessing"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// rootHelp is the description of enosbatch in the general help.
const rootHelp = `enosbatch triggers and watches EnOS Batch Processing flows.

Configuration comes from the global flags, then the ENOS_* variables, then
the profile of the configuration file ($XDG_CONFIG_HOME/enosbatch/config);
'enosbatch help config' shows the file's format and 'enosbatch config' what
is in force. Without a gateway enosbatch stops with exit code 2; --demo runs
it against an in-process reference server with the demo seed instead (flow
3377, two one-second tasks), which lives as long as the command.

Shell completion: 'enosbatch completion bash|zsh|fish|powershell' prints the
script ('enosbatch help completion bash' says where to put it).`

// usageTemplate is cobra's usage template, with the exit codes at the end.
const usageTemplate = `Usage:{{if and .Runnable (not .HasAvailableSubCommands)}}
  {{.UseLine}}{{end}}{{if .HasAvailableSubCommands}}
  {{.CommandPath}} <command> [flags] [arguments]{{end}}{{if .HasExample}}

Examples:
{{.Example}}{{end}}{{if .HasAvailableSubCommands}}

Commands:{{range .Commands}}{{if (or .IsAvailableCommand (eq .Name "help"))}}
  {{rpad .Name .NamePadding }} {{.Short}}{{end}}{{end}}{{end}}{{if .HasAvailableLocalFlags}}

Flags:
{{.LocalFlags.FlagUsages | trimTrailingWhitespaces}}{{end}}{{if .HasAvailableInheritedFlags}}

Global flags (before or after the command):
{{.InheritedFlags.FlagUsages | trimTrailingWhitespaces}}{{end}}{{if .HasAvailableSubCommands}}

Use "{{.Root.Name}} help{{if .HasParent}} {{.Name}}{{end}} <command>" or "{{.CommandPath}} <command> -h" for more about a command.{{end}}

` + exitCodesHelp

func init() {
	// The help lists the commands in the order of the commands table.
	cobra.EnableCommandSorting = false
}

// newRootCommand returns the command tree of enosbatch for one run, its actions bound to s.
func newRootCommand(s *session) *cobra.Command {
	root := &cobra.Command{
		Use:                        "enosbatch",
		Short:                      "trigger and watch EnOS Batch Processing flows",
		Long:                       rootHelp,
		Version:                    batchprocessing.Version,
		SilenceErrors:              true,
		SilenceUsage:               true,
		SuggestionsMinimumDistance: 2,
		Args:                       unknownCommand,
		ValidArgsFunction:          cobra.NoFileCompletions,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprint(s.stderr, cmd.UsageString())
			return usagef("missing command")
		},
	}
	root.SetVersionTemplate("enosbatch {{.Version}}\n")
	root.SetUsageTemplate(usageTemplate)
	root.SetFlagErrorFunc(flagError)
	root.SetOut(s.stdout)
	root.SetErr(s.stderr)
	s.g.register(root.PersistentFlags())
	registerGlobalCompletions(root, s)

	groupCmds := map[string]*cobra.Command{}
	for _, c := range commands {
		parent := root
		if group, _, ok := strings.Cut(c.name, " "); ok {
			if groupCmds[group] == nil {
				groupCmds[group] = newGroupCommand(group)
				root.AddCommand(groupCmds[group])
			}
			parent = groupCmds[group]
		}
		parent.AddCommand(c.cobra(s))
	}
	root.AddCommand(newCompletionCommand())
	root.SetHelpCommand(newHelpCommand())
	return root
}

// cobra returns the cobra command of c, running its action with s.
func (c *command) cobra(s *session) *cobra.Command {
	cc := &cobra.Command{
		Use:                        strings.TrimSpace(c.name[strings.LastIndex(c.name, " ")+1:] + " " + c.args),
		Short:                      c.summary,
		Long:                       c.help,
		Example:                    c.example,
		SuggestionsMinimumDistance: 2,
		ValidArgsFunction:          cobra.NoFileCompletions,
	}
	act := c.setup(cc.Flags())
	cc.RunE = func(cmd *cobra.Command, args []string) error {
		if err := s.runAction(cmd.Context(), act, args); err != nil {
			return &commandFailed{err: err}
		}
		return nil
	}
	if c.complete != nil {
		cc.ValidArgsFunction = c.complete(s)
	}
	for name, f := range c.flagCompletions {
		if err := cc.RegisterFlagCompletionFunc(name, f(s)); err != nil {
			panic(err) // a flag named in the table that the command does not define
		}
	}
	return cc
}

// newGroupCommand returns the command of a group ("flows"), which only holds its commands.
func newGroupCommand(name string) *cobra.Command {
	return &cobra.Command{
		Use:                        name,
		Short:                      groups[name],
		SuggestionsMinimumDistance: 2,
		Args:                       unknownCommand,
		ValidArgsFunction:          cobra.NoFileCompletions,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var names []string
			for _, sub := range cmd.Commands() {
				names = append(names, sub.Name())
			}
			return usagef("%s needs a command: %s", name, strings.Join(names, ", "))
		},
	}
}

// newHelpCommand returns 'enosbatch help [command]': the help of any command, this one
// included, and an error with suggestions for an unknown one.
func newHelpCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "help [command]",
		Short: "show help for a command",
		Long: `Help shows the help of a command: 'enosbatch help flows get'. Every command
also shows its help with -h or --help.`,
		ValidArgsFunction: completeCommandNames,
		RunE: func(cmd *cobra.Command, args []string) error {
			target, rest, err := cmd.Root().Find(args)
			if err == nil && len(rest) > 0 {
				err = unknownCommand(target, rest)
			}
			if err != nil {
				return err
			}
			target.InitDefaultHelpFlag()
			target.InitDefaultVersionFlag()
			return target.Help()
		},
	}
}

// completeCommandNames completes the arguments of help: command names.
func completeCommandNames(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	parent, rest, err := cmd.Root().Find(args)
	if err != nil || len(rest) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var out []cobra.Completion
	for _, sub := range parent.Commands() {
		if (sub.IsAvailableCommand() || sub.Name() == "help") && strings.HasPrefix(sub.Name(), toComplete) {
			out = append(out, cobra.CompletionWithDesc(sub.Name(), sub.Short))
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

// unknownCommand refuses arguments where a command name is expected, suggesting the
// closest names.
func unknownCommand(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	name := strings.TrimSpace(commandName(cmd) + " " + args[0])
	return usagef("unknown command %q%s", name, didYouMean(cmd.SuggestionsFor(args[0]), ""))
}

// flagError turns a flag that does not parse into a usage error, suggesting the closest
// flag names for an unknown one. Where a command name was expected and a word that is none
// came before the flag ("enosbatch trigr --flow 41"), the word is the mistake: its error
// suggests the command.
func flagError(cmd *cobra.Command, err error) error {
	if args := cmd.Flags().Args(); cmd.HasAvailableSubCommands() && len(args) > 0 {
		return unknownCommand(cmd, args)
	}
	var notExist *pflag.NotExistError
	if !errors.As(err, &notExist) {
		return usagef("%v", err)
	}
	msg := err.Error()
	typed := notExist.GetSpecifiedShortnames() // "flwo" of -flwo, a mistyped long flag
	if name, _, hasValue := strings.Cut(typed, "="); hasValue {
		// pflag quotes the whole argument: -secretkey=VALUE would show a SecretKey.
		msg, typed = strings.Replace(msg, typed, name+"=…", 1), name
	}
	if typed == "" {
		typed = notExist.GetSpecifiedName()
	}
	var names []string
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if !f.Hidden && (levenshtein(typed, f.Name) <= 2 || (len(typed) > 2 && strings.HasPrefix(f.Name, typed))) {
			names = append(names, f.Name)
		}
	})
	return usagef("%s%s", msg, didYouMean(names, "--"))
}

// didYouMean returns the paragraph that suggests names (each with prefix), or "".
func didYouMean(names []string, prefix string) string {
	if len(names) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("\n\nDid you mean this?\n")
	for _, n := range names {
		fmt.Fprintf(&b, "\t%s%s\n", prefix, n)
	}
	return b.String()
}

// levenshtein returns the edit distance between a and b, ignoring case.
func levenshtein(a, b string) int {
	ra, rb := []rune(strings.ToLower(a)), []rune(strings.ToLower(b))
	prev := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur := make([]int, len(rb)+1)
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(rb)]
}

// commandName returns the name of cmd without the program's: "flows get", "" for the root.
func commandName(cmd *cobra.Command) string {
	if cmd == nil {
		return ""
	}
	return strings.TrimSpace(strings.TrimPrefix(cmd.CommandPath(), cmd.Root().Name()))
}

// commandFailed marks the error of a command's action, telling it from the errors of
// parsing the command line, which are usage errors.
type commandFailed struct{ err error }

func (e *commandFailed) Error() string { return e.err.Error() }
func (e *commandFailed) Unwrap() error { return e.err }
