//go:build unix

package main

import (
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestNamedPipesAreRefused: a SecretKey or configuration file that is a named pipe without
// a writer is refused at once; opening it would wait for a writer for ever.
func TestNamedPipesAreRefused(t *testing.T) {
	t.Parallel()
	fifo := filepath.Join(t.TempDir(), "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		read func() error
		want string
	}{
		{"SecretKey file", func() error { _, err := readSecretFile(fifo); return err }, "SecretKey file " + fifo + " is not a regular file"},
		{"configuration file", func() error { _, _, err := readConfigFile(fifo); return err }, "configuration file " + fifo + " is not a regular file"},
	} {
		done := make(chan error, 1)
		go func() { done <- tt.read() }()
		select {
		case err := <-done:
			if err == nil || err.Error() != tt.want {
				t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
			}
		case <-time.After(30 * time.Second): // not a speed limit: the read is blocked
			t.Fatalf("%s: reading a named pipe blocks", tt.name)
		}
	}
}
