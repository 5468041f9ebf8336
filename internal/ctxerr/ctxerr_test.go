package ctxerr

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"
)

// matcher matches context.DeadlineExceeded with errors.Is without holding it.
type matcher struct{}

func (matcher) Error() string        { return "attempt timed out" }
func (matcher) Is(target error) bool { return target == context.DeadlineExceeded }

func TestHeld(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		err  error
		want error
	}{
		{"nil", nil, nil},
		{"other", os.ErrNotExist, nil},
		{"canceled", context.Canceled, context.Canceled},
		{"deadline wrapped", fmt.Errorf("call: %w", context.DeadlineExceeded), context.DeadlineExceeded},
		{"only matched", fmt.Errorf("call: %w", matcher{}), nil},
		{"joined, second", errors.Join(matcher{}, fmt.Errorf("lookup: %w", context.Canceled)), context.Canceled},
		{"joined, first found", errors.Join(context.DeadlineExceeded, context.Canceled), context.DeadlineExceeded},
		{"multi %w", fmt.Errorf("%w; %w", os.ErrClosed, context.Canceled), context.Canceled},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Held(tt.err); got != tt.want {
				t.Errorf("Held(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}
