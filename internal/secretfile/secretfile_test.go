package secretfile

import (
	"errors"
	"strings"
	"testing"
)

func TestRead(t *testing.T) {
	t.Parallel()
	key := strings.Repeat("k", MaxBytes)
	for _, tt := range []struct {
		in, want string
		err      error
	}{
		{"secret\n", "secret", nil},
		{"secret\r\n\r\n", "secret", nil},
		{"two\nlines\n", "two\nlines", nil},
		{"", "", nil},
		{key, key, nil},
		{key + "\n", "", ErrTooLarge},
		{strings.Repeat(key, 100), "", ErrTooLarge},
	} {
		got, err := Read(strings.NewReader(tt.in))
		if got != tt.want || !errors.Is(err, tt.err) {
			t.Errorf("Read(%.20q...) = %.20q, %v; want %.20q, %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}
