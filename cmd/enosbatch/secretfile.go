package main

import (
	"os"
	"runtime"

	"github.com/enos-go/batchprocessing/internal/secretfile"
)

// readSecretFile reads the SecretKey from the file at path: its content without the line
// break at the end. As ssh does with a private key, it refuses a file that anyone but its
// owner may read or write (any permission bit for group or others), on systems with Unix
// permissions. Its errors name the file, never its content.
func readSecretFile(path string) (string, error) {
	if special(path) {
		return "", configf("SecretKey file %s is not a regular file", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return "", configf("SecretKey file: %v", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return "", configf("SecretKey file: %v", err)
	}
	if !info.Mode().IsRegular() { // it changed since special looked
		return "", configf("SecretKey file %s is not a regular file", path)
	}
	if perm := info.Mode().Perm(); runtime.GOOS != "windows" && perm&0o077 != 0 {
		return "", configf("SecretKey file %s is accessible by others than its owner (mode %04o): "+
			"enosbatch refuses it, as ssh refuses such a private key; run 'chmod 600 %s'", path, perm, path)
	}
	secret, err := secretfile.Read(f, path)
	if err != nil {
		return "", configf("SecretKey file %v", err)
	}
	if secret == "" {
		return "", configf("SecretKey file %s is empty", path)
	}
	return secret, nil
}

// special reports whether path names something other than a regular file: a directory, a
// device, or a named pipe, which os.Open would wait on until a writer comes. Read before
// opening; an error (no such file) is left to os.Open to report.
func special(path string) bool {
	info, err := os.Stat(path)
	return err == nil && !info.Mode().IsRegular()
}
