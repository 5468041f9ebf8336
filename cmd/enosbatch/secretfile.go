package main

import (
	"io"
	"os"
	"runtime"
	"strings"
)

// maxSecretFileBytes bounds a SecretKey file: a SecretKey is a few dozen characters.
const maxSecretFileBytes = 4096

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
	b, err := io.ReadAll(io.LimitReader(f, maxSecretFileBytes+1))
	switch {
	case err != nil:
		return "", configf("SecretKey file %s: %v", path, err)
	case len(b) > maxSecretFileBytes:
		return "", configf("SecretKey file %s is larger than %d bytes: not a SecretKey", path, maxSecretFileBytes)
	}
	secret := strings.TrimRight(string(b), "\r\n")
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
