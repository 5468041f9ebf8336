// Package ctxerr finds the error of an ended context in an error chain, by identity: the
// client's masked transport errors and the CLI's exit codes both need to tell a context
// that ended from an error that only matches one with errors.Is (an attempt's own timeout
// matches context.DeadlineExceeded without being the context's).
package ctxerr

import "context"

// Held returns context.Canceled or context.DeadlineExceeded when err's chain holds it
// itself (not only an error whose Is method matches it), the first found walking the chain
// depth first; nil when it holds neither.
func Held(err error) error {
	if err == context.Canceled || err == context.DeadlineExceeded {
		return err
	}
	switch e := err.(type) {
	case interface{ Unwrap() error }:
		return Held(e.Unwrap())
	case interface{ Unwrap() []error }:
		for _, inner := range e.Unwrap() {
			if held := Held(inner); held != nil {
				return held
			}
		}
	}
	return nil
}
