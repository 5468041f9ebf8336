// Package secretfile reads a SecretKey from a file: the one bounded read that
// ConfigFromEnv (ENOS_SECRET_KEY_FILE) and the CLI's secret files share.
package secretfile

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// MaxBytes bounds a SecretKey file: a SecretKey is a few dozen characters, so that a wrong
// path (a log file, /dev/zero) fails at once instead of filling the memory.
const MaxBytes = 4096

// ErrTooLarge is Read's error for more than MaxBytes.
var ErrTooLarge = errors.New("larger than " + strconv.Itoa(MaxBytes) + " bytes: not a SecretKey")

// Read reads r, the file called name, at most MaxBytes of it, and returns its content
// without the line breaks at its end. Its errors name the file ("<name> is larger than
// ...", matching ErrTooLarge; "<name>: <the read's error>") and never quote the content.
func Read(r io.Reader, name string) (string, error) {
	raw, err := io.ReadAll(io.LimitReader(r, MaxBytes+1))
	switch {
	case err != nil:
		return "", fmt.Errorf("%s: %w", name, err)
	case len(raw) > MaxBytes:
		return "", fmt.Errorf("%s is %w", name, ErrTooLarge)
	}
	return strings.TrimRight(string(raw), "\r\n"), nil
}
