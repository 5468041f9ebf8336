package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"
)

// retryRecordPrefix starts the message of the debug record that the SDK logs before each
// retry of a call, with attributes such as operation, attempt, pause and after (the error
// that made it retry).
const retryRecordPrefix = "batchprocessing retry"

// retryNotes is the slog.Handler that enosbatch gives the SDK: it turns the first retry
// record of the command into a note for the operator, saying which call is retried and why,
// and drops every other record. Attributes it does not know are ignored, and a missing one
// leaves its part out of the note.
type retryNotes struct {
	notify func(string)
	done   *atomic.Bool // the note was given; shared by the handlers WithAttrs derives
	attrs  []slog.Attr  // from WithAttrs
}

// newRetryNotes returns a handler that gives its note to notify.
func newRetryNotes(notify func(string)) *retryNotes {
	return &retryNotes{notify: notify, done: new(atomic.Bool)}
}

// Enabled wants debug records until the note is given, and nothing after.
func (h *retryNotes) Enabled(_ context.Context, level slog.Level) bool {
	return !h.done.Load() && level <= slog.LevelDebug
}

// Handle gives the note for the first retry record.
func (h *retryNotes) Handle(_ context.Context, r slog.Record) error {
	if !strings.HasPrefix(r.Message, retryRecordPrefix) || !h.done.CompareAndSwap(false, true) {
		return nil
	}
	values := map[string]slog.Value{}
	collect := func(a slog.Attr) bool {
		values[a.Key] = a.Value.Resolve()
		return true
	}
	for _, a := range h.attrs {
		collect(a)
	}
	r.Attrs(collect)
	h.notify(retryNote(values))
	return nil
}

// retryNote words the note from a retry record's attributes.
func retryNote(values map[string]slog.Value) string {
	text := func(key string) string {
		v, ok := values[key]
		switch {
		case !ok:
			return ""
		case v.Kind() == slog.KindDuration:
			return v.Duration().Round(time.Millisecond).String()
		}
		return v.String()
	}
	var b strings.Builder
	b.WriteString("retrying")
	if op := text("operation"); op != "" {
		b.WriteString(" " + op)
	}
	var when []string
	if n := text("attempt"); n != "" {
		when = append(when, "attempt "+n)
	}
	if d := text("pause"); d != "" {
		when = append(when, "in "+d)
	}
	if len(when) > 0 {
		fmt.Fprintf(&b, " (%s)", strings.Join(when, ", "))
	}
	if after := text("after"); after != "" {
		b.WriteString(" after: " + after)
	}
	b.WriteString("; further retries are not shown")
	return b.String()
}

// WithAttrs keeps attrs for the records to come.
func (h *retryNotes) WithAttrs(attrs []slog.Attr) slog.Handler {
	h2 := *h
	h2.attrs = append(append([]slog.Attr{}, h.attrs...), attrs...)
	return &h2
}

// WithGroup is not needed for the attributes read here, which the SDK does not group.
func (h *retryNotes) WithGroup(string) slog.Handler { return h }
