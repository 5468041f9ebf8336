package secretfile

import (
	"errors"
	"strings"
	"testing"
	"testing/iotest"
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
		got, err := Read(strings.NewReader(tt.in), "key.secret")
		if got != tt.want || !errors.Is(err, tt.err) {
			t.Errorf("Read(%.20q...) = %.20q, %v; want %.20q, %v", tt.in, got, err, tt.want, tt.err)
		}
		if want := "key.secret is larger than 4096 bytes: not a SecretKey"; tt.err != nil && err.Error() != want {
			t.Errorf("error %q, want %q", err, want)
		}
	}
	broken := errors.New("read failed")
	if _, err := Read(iotest.ErrReader(broken), "key.secret"); !errors.Is(err, broken) || err.Error() != "key.secret: read failed" {
		t.Errorf("a failed read: %v, want it named after the file", err)
	}
}
