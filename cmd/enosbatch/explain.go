package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/enos-go/batchprocessing"
)

// explain adds to a command's error what the operator can do about it: which setting to
// check when the token service refuses the credentials, and that a call whose attempts got
// no answer in time means the gateway did not answer in time (exit code 3), not that the
// command was interrupted.
func (s *session) explain(err error) error {
	if err == nil {
		return nil
	}
	if hint := s.tokenHint(err); hint != "" {
		return &hintedError{err: err, hint: hint}
	}
	var stopped *stoppedError
	switch cause := stopCause(err); {
	case errors.As(err, &stopped):
		return err // it says why already
	case cause != nil:
		return &stoppedError{msg: s.stopReason(cause) + ": " + err.Error()}
	case attemptTimedOut(err):
		return &unreachableError{err: err, perAttempt: s.g.requestTimeout}
	}
	return err
}

// tokenHint returns what to check when the token service refused the access token request,
// or "".
func (s *session) tokenHint(err error) string {
	var apiErr *batchprocessing.APIError
	if !errors.As(err, &apiErr) || (apiErr.Operation != "GetAccessToken" && apiErr.Operation != "RefreshAccessToken") {
		return ""
	}
	source := func(label string) string {
		if s.cfg == nil || s.cfg.sourceOf(label) == "" {
			return "the " + label
		}
		return s.cfg.sourceOf(label)
	}
	switch apiErr.Code {
	case batchprocessing.CodeTokenUnknownAppKey:
		return fmt.Sprintf("The token service does not know the AccessKey (code 1002): check %s.", source("access key"))
	case batchprocessing.CodeTokenBadEncryption:
		return fmt.Sprintf("The token service refused the signature of the request (code 1003): the SecretKey does not match the AccessKey; check %s.",
			source("secret key"))
	case batchprocessing.CodeTokenInvalidParameter:
		return fmt.Sprintf("The token service refused the request's timestamp (code 1004): this computer's clock is probably far off "+
			"(it reads %s); set it right, e.g. with NTP.", time.Now().UTC().Format(time.RFC3339))
	}
	return ""
}

// hintedError is an error with a line that says what to do about it.
type hintedError struct {
	err  error
	hint string
}

// Error is the error on one line (see errorText), then the hint on its own.
func (e *hintedError) Error() string { return printable(e.err.Error()) + "\n" + e.hint }
func (e *hintedError) Unwrap() error { return e.err }

// unreachableError is a call whose last attempt got no whole answer (headers and body)
// within the per-attempt timeout: the gateway did not answer in time (exit code 3). The
// message says that the timeout bounds each attempt, not the call, and speaks of the last
// attempt alone: the earlier ones may have got answers (a 503) that were retried.
type unreachableError struct {
	err        error
	perAttempt time.Duration
}

func (e *unreachableError) Error() string {
	return fmt.Sprintf("the gateway did not answer in time: the call's last attempt, after its retries, got no whole answer within --request-timeout %s (a limit per attempt): %v",
		e.perAttempt, e.err)
}

func (e *unreachableError) Unwrap() error { return e.err }
