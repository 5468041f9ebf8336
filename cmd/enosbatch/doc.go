// Command enosbatch triggers and watches EnOS Batch Processing flows from a terminal, a cron
// job or a CI pipeline. It is a thin layer over package batchprocessing.
//
//	go install github.com/enos-go/batchprocessing/cmd/enosbatch@latest
//	enosbatch trigger --flow 3377 --wait
//
// # Commands
//
//	trigger --flow FLOW_ID   trigger a run of a flow; prints the flow instance id
//	    --at TIME            trigger (business) time: now, RFC 3339, a date, or a duration ago
//	    --from-task TASK_ID  run only this task and its downstream tasks
//	    --param key=value    override a global parameter for this run (repeatable)
//	    --wait               wait for the instance to end (and the flags of wait)
//	status INSTANCE_ID       show a flow instance and the state of its tasks
//	wait INSTANCE_ID         wait for a flow instance to end, showing progress
//	    --poll D, --max-poll D   first and longest pause between polls (1s, 30s)
//	    --cancel-on-interrupt    cancel the instance when waiting stops early
//	    --quiet                  no progress on stderr
//	cancel INSTANCE_ID       cancel a flow instance
//	instances                list flow instances, newest first
//	    --type all|manual|periodic|temporary, --flow FLOW_ID, --search TEXT, --owner USER,
//	    --status FAIL,CANCEL,..., --from TIME, --to TIME, --limit N (50; 0 all)
//	tasks INSTANCE_ID        show the task instances of a flow instance
//	logs INSTANCE_ID         print the logs of its tasks (--task NAME|ID, --max-length N)
//	flows search [EXPR]      search the organization's flows (--page, --page-size)
//	flows get FLOW_ID        show a flow
//	flows enable FLOW_ID     start the scheduling of a flow
//	flows disable FLOW_ID    stop the scheduling of a flow
//	help [COMMAND]           help; version prints the version
//
// # Configuration
//
// ENOS_API_GATEWAY, ENOS_ACCESS_KEY, ENOS_SECRET_KEY, ENOS_ORG_ID and ENOS_USER_ID, each
// overridden by a global flag: --gateway, --access-key, --secret-key (flags show in process
// lists: prefer the variable), --org, --user. A missing setting is a configuration error
// (exit code 2): enosbatch never falls back to a fake server on its own. --demo asks for one:
// it runs the command against an in-process reference server with the demo seed.
//
// Other global flags: --json prints one JSON document on stdout instead of text; --timeout D
// bounds the whole command. Global flags go before or after the command name; a command's own
// flags go after it, before or between its arguments.
//
// # Output
//
// Results go to stdout: aligned text, or with --json one JSON document (an object, or an
// array for lists) with stable field names. Errors, notes and progress go to stderr; the
// SecretKey and the access token are never printed.
//
// While wait and trigger --wait poll, stderr shows progress: on a terminal one status line
// updated in place (elapsed time, status, the state of each task); otherwise one line per
// change. Ctrl-C or SIGTERM stops waiting and leaves the flow instance running, unless
// --cancel-on-interrupt is given; a second Ctrl-C kills enosbatch at once.
//
// # Exit codes
//
//	0  success (for wait and trigger --wait: the instance ended SUCCESS)
//	1  the waited-for instance ended FAIL, CANCEL, TIMEOUT, SKIP or INTERNAL_ERROR
//	2  usage or configuration error
//	3  API error: the service refused the call, or the gateway could not be reached
//	4  interrupted (Ctrl-C, SIGTERM) or --timeout reached
package main
