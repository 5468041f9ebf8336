package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/enos-go/batchprocessing/internal/secretfile"
)

// TestReadSecretFile checks what readSecretFile reads and what it refuses (an empty file, a
// file over secretfile.MaxBytes, a file that is not a regular one), called directly and
// through 'enosbatch config' with ENOS_SECRET_KEY_FILE: a refusal is a configuration error
// (exit code 2) that names the file, never its content.
func TestReadSecretFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	const marker = "Zx7-secret-marker" // content that no message may show
	large := strings.Repeat(marker, secretfile.MaxBytes/len(marker)+1)
	file := func(name, content string) string {
		path := filepath.Join(dir, name)
		writeTestFile(t, path, 0o600, content)
		return path
	}
	type secretCase struct {
		name   string
		path   string
		secret string // the key read, when err is ""
		err    string // the whole error message, else ""
	}
	tests := []secretCase{
		{"a key and a line break", file("nl.secret", marker+"\n"), marker, ""},
		{"a key and CRLF", file("crlf.secret", marker+"\r\n"), marker, ""},
		{"a key without a line break", file("bare.secret", marker), marker, ""},
		{"only the final line breaks are dropped", file("lines.secret", marker+"\n"+marker+"\n\n"), marker + "\n" + marker, ""},
		{"exactly secretfile.MaxBytes", file("max.secret", large[:secretfile.MaxBytes]), large[:secretfile.MaxBytes], ""},
		{"an empty file", file("empty.secret", ""), "", "SecretKey file " + filepath.Join(dir, "empty.secret") + " is empty"},
		{"a line break alone", file("blank.secret", "\r\n"), "", "SecretKey file " + filepath.Join(dir, "blank.secret") + " is empty"},
		{"one byte over the bound", file("over.secret", large[:secretfile.MaxBytes+1]), "",
			"SecretKey file " + filepath.Join(dir, "over.secret") + " is larger than 4096 bytes: not a SecretKey"},
		{"the bound counts the line break", file("overnl.secret", large[:secretfile.MaxBytes]+"\n"), "",
			"SecretKey file " + filepath.Join(dir, "overnl.secret") + " is larger than 4096 bytes: not a SecretKey"},
		{"far over the bound", file("huge.secret", strings.Repeat(large, 300)), "",
			"SecretKey file " + filepath.Join(dir, "huge.secret") + " is larger than 4096 bytes: not a SecretKey"},
		{"a directory", dir, "", "SecretKey file " + dir + " is not a regular file"},
		{"a missing file", filepath.Join(dir, "none.secret"), "",
			"SecretKey file: open " + filepath.Join(dir, "none.secret") + ": no such file or directory"},
	}
	if runtime.GOOS != "windows" {
		if _, err := os.Stat(os.DevNull); err == nil {
			tests = append(tests, secretCase{"a device", os.DevNull, "", "SecretKey file " + os.DevNull + " is not a regular file"})
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			secret, err := readSecretFile(tt.path)
			switch {
			case tt.err == "" && (err != nil || secret != tt.secret):
				t.Errorf("readSecretFile = %.40q, %v; want %.40q", secret, err, tt.secret)
			case tt.err != "" && (err == nil || err.Error() != tt.err || secret != ""):
				t.Errorf("readSecretFile = %.40q, %v; want the error %q", secret, err, tt.err)
			case tt.err != "" && exitCode(err) != exitUsage:
				t.Errorf("exit code of %v: %d, want %d", err, exitCode(err), exitUsage)
			}
			if err != nil && strings.Contains(err.Error(), marker) {
				t.Errorf("the error shows the file's content: %.200q", err)
			}

			env := map[string]string{"ENOS_API_GATEWAY": "https://gw.example.com", "ENOS_ACCESS_KEY": "ak", "ENOS_ORG_ID": "o",
				"ENOS_USER_ID": "u", "ENOS_SECRET_KEY_FILE": tt.path}
			if tt.err != "" {
				r := runWith(t, context.Background(), env, "config").want(t, exitUsage)
				want := "enosbatch: config: " + tt.err + "\nRun 'enosbatch help config' for the configuration.\n"
				row := "secret key   not usable (see the error)  ENOS_SECRET_KEY_FILE (" + tt.path + ")\n"
				if r.stderr != want || !strings.Contains(r.stdout, row) {
					t.Errorf("config: stdout %q, stderr %q; want the table with %q, stderr %q", r.stdout, r.stderr, row, want)
				}
				return
			}
			if strings.Contains(tt.secret, "\n") { // read whole, then refused as a key of two lines
				r := runWith(t, context.Background(), env, "config").want(t, exitUsage)
				if !strings.Contains(r.stderr, "secretKey holds a line break") || strings.Contains(r.stdout+r.stderr, marker) {
					t.Errorf("config: stdout %q, stderr %q; want the key of two lines refused", r.stdout, r.stderr)
				}
				return
			}
			r := runWith(t, context.Background(), env, "config", "--json").want(t, exitOK)
			var v configView
			if err := json.Unmarshal([]byte(r.stdout), &v); err != nil {
				t.Fatalf("stdout %q: %v", r.stdout, err)
			}
			if want := "ENOS_SECRET_KEY_FILE (" + tt.path + ")"; !v.SecretKey.Set || v.SecretKey.Source != want {
				t.Errorf("secret key %+v, want it set from %q", v.SecretKey, want)
			}
			if strings.Contains(r.stdout+r.stderr, marker) {
				t.Error("config printed the SecretKey")
			}
		})
	}
}
