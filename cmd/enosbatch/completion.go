package main

import (
	"io"
	"strings"

	"github.com/enos-go/batchprocessing"
	"github.com/spf13/cobra"
)

// Shell completion comes from cobra ('enosbatch completion bash|zsh|fish|powershell'): it
// completes commands and flags, and, through the functions here, the values that are
// cheap to know: flow instance and flow ids from the last listings (the cache), flag values
// from fixed lists, profile names from the configuration file. None of them calls the
// gateway.

// completeFromCache completes a command's one positional argument from the cache file name.
func completeFromCache(name string) func(s *session) cobra.CompletionFunc {
	return func(s *session) cobra.CompletionFunc {
		return func(_ *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			if len(args) > 0 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			return cachedCompletions(s, name, toComplete), cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveKeepOrder
		}
	}
}

// cachedCompletions returns the cached ids of the file name that start with toComplete.
func cachedCompletions(s *session, name, toComplete string) []cobra.Completion {
	var out []cobra.Completion
	for _, e := range s.readCache(name) {
		if strings.HasPrefix(e.id, toComplete) {
			out = append(out, cobra.CompletionWithDesc(e.id, e.description))
		}
	}
	return out
}

// completeFlowFlag completes --flow with the cached flow ids.
func completeFlowFlag(s *session) cobra.CompletionFunc {
	return func(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return cachedCompletions(s, cachedFlows, toComplete), cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveKeepOrder
	}
}

// completeWords completes a flag's value from a fixed list.
func completeWords(words ...string) func(*session) cobra.CompletionFunc {
	return func(*session) cobra.CompletionFunc {
		return cobra.FixedCompletions(words, cobra.ShellCompDirectiveNoFileComp)
	}
}

// completeStatuses completes --status: a comma-separated list of status names.
func completeStatuses(*session) cobra.CompletionFunc {
	return func(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		done, last := "", toComplete
		if i := strings.LastIndex(toComplete, ","); i >= 0 {
			done, last = toComplete[:i+1], toComplete[i+1:]
		}
		var out []cobra.Completion
		for st := batchprocessing.StatusFail; st <= batchprocessing.StatusSkip; st++ {
			if name := st.String(); strings.HasPrefix(name, strings.ToUpper(last)) {
				out = append(out, done+name)
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
	}
}

// registerGlobalCompletions completes the values of global flags: --profile with the
// profiles of the configuration file.
func registerGlobalCompletions(root *cobra.Command, s *session) {
	_ = root.RegisterFlagCompletionFunc("profile", func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		var out []cobra.Completion
		if path := configFilePath(s.getenv); path != "" {
			if cf, ok, err := readConfigFile(path); ok && err == nil {
				out = append(out, cf.names()...)
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	})
	_ = root.MarkPersistentFlagFilename("secret-key-file")
	_ = root.RegisterFlagCompletionFunc("jq", cobra.NoFileCompletions)
}

// shells are the shells enosbatch writes a completion script for: how to install it, and
// how cobra writes it (with descriptions of the choices, for the shells that show them).
var shells = []struct {
	name, install string
	write         func(root *cobra.Command, w io.Writer) error
}{
	{"bash", `It needs the bash-completion package. For the current shell:

  source <(enosbatch completion bash)

For every new shell (Linux; on macOS with Homebrew, into
$(brew --prefix)/etc/bash_completion.d/enosbatch):

  enosbatch completion bash > ~/.local/share/bash-completion/completions/enosbatch`,
		func(root *cobra.Command, w io.Writer) error { return root.GenBashCompletionV2(w, true) }},
	{"zsh", `If completion is not yet enabled in zsh, put 'autoload -U compinit; compinit'
in ~/.zshrc. Then, for every new shell:

  enosbatch completion zsh > "${fpath[1]}/_enosbatch"`,
		func(root *cobra.Command, w io.Writer) error { return root.GenZshCompletion(w) }},
	{"fish", `For the current shell:

  enosbatch completion fish | source

For every new shell:

  enosbatch completion fish > ~/.config/fish/completions/enosbatch.fish`,
		func(root *cobra.Command, w io.Writer) error { return root.GenFishCompletion(w, true) }},
	{"powershell", `For the current shell:

  enosbatch completion powershell | Out-String | Invoke-Expression

For every new shell, add that line to your PowerShell profile ($PROFILE).`,
		func(root *cobra.Command, w io.Writer) error { return root.GenPowerShellCompletionWithDesc(w) }},
}

// newCompletionCommand returns 'enosbatch completion SHELL'.
func newCompletionCommand() *cobra.Command {
	group := newGroupCommand("completion")
	group.Long = `Completion prints the script that makes a shell complete enosbatch's commands,
flags, flag values (--type, --status, --profile), and the flow instance and
flow ids of the last listings (instances, flows search, trigger), which
enosbatch keeps in $XDG_CACHE_HOME/enosbatch (~/.cache/enosbatch), apart for
each gateway and organization (--demo keeps none). Completing never calls the
gateway.`
	for _, sh := range shells {
		group.AddCommand(&cobra.Command{
			Use:               sh.name,
			Short:             "print the completion script for " + sh.name,
			Long:              "Completion " + sh.name + " prints the completion script for " + sh.name + ". " + sh.install,
			Args:              cobra.NoArgs,
			ValidArgsFunction: cobra.NoFileCompletions,
			RunE: func(cmd *cobra.Command, _ []string) error {
				if err := sh.write(cmd.Root(), cmd.OutOrStdout()); err != nil {
					return &commandFailed{err: err}
				}
				return nil
			},
		})
	}
	return group
}
