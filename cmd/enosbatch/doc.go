// Command enosbatch triggers and watches EnOS Batch Processing flows from a terminal, a cron
// job or a CI pipeline. It is a thin layer over package batchprocessing.
//
//	go install github.com/enos-go/batchprocessing/cmd/enosbatch@latest
//	enosbatch trigger --flow 3377 --wait
//
// # Commands
//
//	trigger --flow FLOW_ID   trigger a run of a flow; prints the flow instance id
//	    --at TIME            trigger (business) time: now, RFC 3339, a date (midnight UTC),
//	                         or a duration ago
//	    --from-task TASK_ID  run only this task and its downstream tasks
//	    --param key=value    override a global parameter for this run (repeatable)
//	    --wait               wait for the instance to end (and the flags of wait)
//	status INSTANCE_ID       show a flow instance and the state of its tasks (--watch)
//	wait INSTANCE_ID         wait for a flow instance to end, showing progress
//	    --poll D, --max-poll D   first and longest pause between polls (1s, 30s; at least 1ms)
//	    --cancel-on-interrupt    cancel the instance when waiting stops early
//	    --quiet                  no progress on stderr
//	cancel INSTANCE_ID       cancel a flow instance
//	instances                list flow instances, newest first
//	    --type all|manual|periodic|temporary, --flow FLOW_ID, --search TEXT, --owner USER,
//	    --status FAIL,CANCEL,..., --from TIME, --to TIME, --limit N (50; 0 all)
//	    --watch, --interval D    keep the list up to date until interrupted (3s; at least 1ms)
//	tasks INSTANCE_ID        show the task instances of a flow instance
//	logs INSTANCE_ID         print the logs of its tasks (--task NAME|ID, --max-length N)
//	flows search [EXPR]      search the organization's flows (--page, --page-size)
//	flows get FLOW_ID        show a flow
//	flows enable FLOW_ID     start the scheduling of a flow
//	flows disable FLOW_ID    stop the scheduling of a flow
//	config                   show the configuration in force and where it comes from
//	completion SHELL         print the completion script for bash, zsh, fish or powershell
//	help [COMMAND]           help (also COMMAND -h); version, --version print the version
//
// The commands run on github.com/spf13/cobra: every command has -h, a mistyped command or
// flag gets a suggestion, and the shell completion completes commands, flags, flag values
// and the ids of the last listings (kept in $XDG_CACHE_HOME/enosbatch, apart for each
// gateway and organization).
//
// # Configuration
//
// Each setting comes from its flag, else its variable, else the profile in use: --gateway,
// ENOS_API_GATEWAY, gateway; --access-key, ENOS_ACCESS_KEY, access_key; --secret-key or
// --secret-key-file, ENOS_SECRET_KEY or ENOS_SECRET_KEY_FILE, secret_key_file; --org,
// ENOS_ORG_ID, org; --user, ENOS_USER_ID, user; and, optional, --server-zone,
// ENOS_SERVER_ZONE, server_zone: the gateway's IANA time zone, in which --json reads times
// (else the offset Get Timezone names, an hour off across daylight saving). Profiles are sections of
// $XDG_CONFIG_HOME/enosbatch/config ('enosbatch help config' gives the format), chosen by
// --profile, else ENOS_PROFILE, else "default". A SecretKey file must be readable by its
// owner only. A missing setting is a configuration error (exit code 2): enosbatch never
// falls back to a fake server on its own. --demo asks for one: it runs the command against
// an in-process reference server with the demo seed.
//
// Other global flags: --json prints one JSON document on stdout instead of text; --jq EXPR
// filters it with a jq expression (gojq, built in); --timeout D bounds the whole command;
// --request-timeout D bounds each attempt of a call (30s). Global flags go before or after
// the command name.
//
// # Output
//
// Results go to stdout: aligned text, or with --json one JSON document (an object, or an
// array for lists) with stable field names. Errors, notes and progress go to stderr; the
// SecretKey and the access token are never printed. When the SDK retries a call, stderr
// says so once, with the reason.
//
// While wait and trigger --wait poll, stderr shows progress: on a terminal one status line
// updated in place, cut to the terminal's width (elapsed time, status, the state of each
// task); otherwise one line per change. Ctrl-C or SIGTERM stops waiting and leaves the flow
// instance running, unless --cancel-on-interrupt is given; a second Ctrl-C kills enosbatch
// at once. instances --watch and status --watch redraw a live table on a terminal, and
// print the changes otherwise, each stamped with the local time it was seen.
//
// # Exit codes
//
//	0  success (for wait and trigger --wait: the instance ended SUCCESS)
//	1  the waited-for instance ended FAIL, CANCEL, TIMEOUT, SKIP or INTERNAL_ERROR
//	2  usage or configuration error
//	3  API error: the service refused the call, or the gateway could not be reached or did
//	   not answer within --request-timeout
//	4  interrupted (Ctrl-C, SIGTERM) or --timeout reached; a --watch ends this way, or
//	   with 5 when its output fails
//	5  the output could not be written (a full disk, a pipe whose reader is gone) or made
//	   (a --jq expression failed on it); a triggered instance runs, its id on stderr;
//	   other commands end quietly when the reader of their pipe is gone
package main
