package batchprocessing

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

// TestRestyLoggerAtDebug: resty's own errors, warnings and debug messages reach the client's
// logger at debug level, formatted and marked as resty's.
func TestRestyLoggerAtDebug(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	r := restyLogger{slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	r.Errorf("error %d", 1)
	r.Warnf("warning %s", "two")
	r.Debugf("debug %v", 3.5)
	for _, want := range []string{`level=DEBUG msg="resty: error 1"`, `level=DEBUG msg="resty: warning two"`, `level=DEBUG msg="resty: debug 3.5"`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %s:\n%s", want, logs.String())
		}
	}
}
