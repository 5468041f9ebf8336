package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"syscall"

	"github.com/enos-go/batchprocessing"
	"github.com/enos-go/batchprocessing/internal/ctxerr"
)

// Exit codes of enosbatch; the help and the README document them.
const (
	exitOK          = 0 // the command did what it was asked; a waited-for flow ended SUCCESS
	exitFlowFailed  = 1 // a waited-for flow instance ended otherwise: FAIL, CANCEL, TIMEOUT, SKIP, ...
	exitUsage       = 2 // bad command, flags or arguments, or incomplete or invalid configuration
	exitAPI         = 3 // a call failed: the API answered an error, or the gateway could not be reached
	exitInterrupted = 4 // interrupted (Ctrl-C, SIGTERM) or --timeout reached; a flow goes on
	exitOutput      = 5 // the output could not be written (a full disk, a pipe whose reader is gone)
)

// exitCodesHelp is the table of exit codes that the help prints.
const exitCodesHelp = `Exit codes:
  0  success (for wait and trigger --wait: the flow instance ended SUCCESS)
  1  the flow instance ended FAIL, CANCEL, TIMEOUT, SKIP or INTERNAL_ERROR
  2  usage or configuration error: unknown command or flag, bad argument,
     missing or invalid setting
  3  API error: the service refused the call (code and message on stderr),
     or the gateway could not be reached or did not answer in time
  4  interrupted (Ctrl-C, SIGTERM) or --timeout reached; the flow instance
     is not cancelled unless --cancel-on-interrupt is given; a --watch
     ends this way
  5  the output could not be written (a full disk, a pipe whose reader is
     gone) or made (a --jq expression failed on it); what the command did
     is done (a triggered instance runs, and its id is on stderr). Other
     commands end quietly when the reader of their pipe is gone. A stdout
     closed before the start (>&-) is /dev/null to a Go program: what goes
     there is lost without an error.
`

// usageError is a bad command line or configuration: exit code 2.
type usageError struct {
	msg    string
	config bool // a configuration error, not a command-line one
}

func (e *usageError) Error() string { return e.msg }

// usagef returns a usageError with a formatted message.
func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// configf returns a usageError for a configuration problem.
func configf(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...), config: true}
}

// flowEndedError reports a waited-for instance that ended other than SUCCESS: exit code 1.
type flowEndedError struct {
	id     batchprocessing.FlowInstanceID
	status batchprocessing.FlowInstanceStatus
}

func (e *flowEndedError) Error() string {
	return fmt.Sprintf("flow instance %s ended %s", e.id, e.status)
}

// stoppedError reports waiting that stopped before the instance ended: exit code 4. The
// message says why and what became of the instance.
type stoppedError struct{ msg string }

func (e *stoppedError) Error() string { return e.msg }

// outputError reports output that could not be written, or that --jq failed to make from
// the command's JSON: exit code 5, since what the command did (a trigger, a cancel) is done.
// err is the command's error when writing stopped it, the write's own, or the query's.
type outputError struct {
	err       error
	explained bool // err says what failed (--jq, a trigger whose output failed); else a write did
}

func (e *outputError) Error() string {
	if e.explained {
		return e.err.Error()
	}
	return "writing the output: " + e.err.Error()
}

func (e *outputError) Unwrap() error { return e.err }

// outputWriter is stdout as the commands write it. It keeps the first write error, so that
// output lost to a full disk or a broken pipe is reported whatever wrote it (a table, JSON,
// cobra's help), even where the writer's error was not looked at.
type outputWriter struct {
	w   io.Writer
	err error
}

func (o *outputWriter) Write(b []byte) (int, error) {
	if o.err != nil {
		return 0, o.err
	}
	n, err := o.w.Write(b)
	if err != nil {
		o.err = err
	}
	return n, err
}

// lost returns the error of a command whose output was lost: an outputError unless the
// command failed for a reason of its own.
func (o *outputWriter) lost(err error) error {
	switch {
	case o.err == nil:
		return err
	case err == nil:
		return &outputError{err: o.err}
	case errors.As(err, new(*outputError)):
		return err // reported already, with what the command knows (a triggered id)
	case errors.Is(err, o.err):
		return &outputError{err: err}
	}
	return err
}

// outputFailure returns err as an outputError when it is the failure of the output: a write
// to stdout that failed, or --jq's error on the output; nil otherwise.
func (s *session) outputFailure(err error) *outputError {
	var out *outputError
	if errors.As(err, &out) {
		return out
	}
	if o, ok := s.stdout.(*outputWriter); ok && o.err != nil && errors.Is(err, o.err) {
		return &outputError{err: err}
	}
	return nil
}

// exitCode returns the exit code of a command's error.
func exitCode(err error) int {
	var usage *usageError
	var ended *flowEndedError
	var stopped *stoppedError
	var unreachable *unreachableError
	var output *outputError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &output):
		return exitOutput
	case errors.As(err, &usage), errors.Is(err, batchprocessing.ErrInvalidRequest):
		return exitUsage
	case errors.As(err, &ended):
		return exitFlowFailed
	case errors.As(err, &unreachable):
		return exitAPI
	case errors.As(err, &stopped), stopCause(err) != nil:
		return exitInterrupted
	}
	return exitAPI
}

// stopCause returns context.Canceled or context.DeadlineExceeded when err is the stop of
// the command's context (interrupted, or --timeout reached), or nil. A call whose attempt
// got no answer in time (TransportError.Timeout) matches context.DeadlineExceeded without
// being a stop: the gateway could not be reached. It may still hold one, as a trigger
// whose instance lookup the context cut does.
//
// Nothing but an interruption matches context.Canceled. net/http returns the cause of a
// cancelled context, and signal.NotifyContext's cause ("interrupt signal received")
// matches context.Canceled without being it.
func stopCause(err error) error {
	if cause := ctxerr.Held(err); cause != nil {
		return cause
	}
	if errors.Is(err, context.Canceled) {
		return context.Canceled
	}
	if errors.Is(err, context.DeadlineExceeded) && !attemptTimedOut(err) {
		return context.DeadlineExceeded // the deadline cut an attempt, reported as a network timeout (a dial)
	}
	return nil
}

// attemptTimedOut reports whether err is a call whose attempt got no answer in time.
func attemptTimedOut(err error) bool {
	var te *batchprocessing.TransportError
	return errors.As(err, &te) && te.Timeout()
}

// stopReason says why the context of a command stopped, from its error cause:
// "--timeout <d> reached" or "interrupted".
func (s *session) stopReason(cause error) string {
	if errors.Is(cause, context.DeadlineExceeded) {
		return fmt.Sprintf("--timeout %s reached", s.g.timeout)
	}
	return "interrupted"
}

// report prints a command's error on stderr, with a hint for usage errors, and returns its
// exit code.
func report(stderr io.Writer, cmd string, err error) int {
	code := exitCode(err)
	if err == nil {
		return code
	}
	stderr = printableWriter{stderr} // an error may quote what the gateway said
	prefix := "enosbatch: "
	if cmd != "" {
		prefix += cmd + ": "
	}
	var usage *usageError
	var stopped *stoppedError
	switch {
	case errors.As(err, &usage):
		fmt.Fprintf(stderr, "%s%s\n", prefix, errorText(err))
		if usage.config {
			fmt.Fprintln(stderr, "Run 'enosbatch help config' for the configuration.")
		} else {
			fmt.Fprintf(stderr, "Run '%s' for usage.\n", strings.TrimSpace("enosbatch help "+cmd))
		}
	case errors.As(err, &stopped):
		fmt.Fprintf(stderr, "%s%s\n", prefix, errorText(err))
	case readerGone(err):
		// "enosbatch instances | head -1": the reader has what it wanted.
	case code == exitInterrupted:
		fmt.Fprintf(stderr, "%sstopped: %s\n", prefix, errorText(err))
	default:
		fmt.Fprintf(stderr, "%s%s\n", prefix, errorText(err))
	}
	return code
}

// readerGone reports whether err is a write to a pipe whose reader is gone, by a command
// that has nothing else to say: a trigger whose output failed names its instance instead.
func readerGone(err error) bool {
	var output *outputError
	return errors.As(err, &output) && !output.explained && errors.Is(err, syscall.EPIPE)
}

// errorText is err's text for stderr. A usage error is the command line's (cobra's
// suggestions take lines of their own); any other is shown on one line: a line break or a
// tab in it comes from text the gateway sent (an API error's message), never from
// enosbatch, and shows as U+FFFD, so that it cannot start a line that looks like
// enosbatch's own. A hint (hintedError) keeps its own line after the error's.
func errorText(err error) string {
	if errors.As(err, new(*usageError)) || errors.As(err, new(*hintedError)) {
		return err.Error() // a hintedError's error part is made printable already
	}
	return printable(err.Error())
}
