package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// The configuration file holds named profiles, each a section of "key = value" lines:
//
//	# ~/.config/enosbatch/config
//	[default]
//	gateway = https://apim-gateway.example.com
//	access_key = yourAppAccessKey
//	secret_key_file = ~/.config/enosbatch/default.secret
//	org = yourOrgId
//	user = yourUserId
//
// Blank lines and lines starting with # or ; are ignored; a value is the rest of its line,
// trimmed (no quotes, no comment after it). A UTF-8 byte order mark at the start is
// skipped. The file holds no SecretKey: secret_key_file names a file, readable by its owner
// only, that holds it (a relative path is relative to the configuration file's directory;
// ~/ is the home directory).

// profileKeys are the keys a profile may set, in the order of the help.
var profileKeys = []string{"gateway", "access_key", "secret_key_file", "org", "user", "server_zone"}

// profileName is what a profile may be called.
var profileName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// maxConfigBytes bounds the configuration file that enosbatch reads.
const maxConfigBytes = 1 << 20

// utf8BOM is the byte order mark that some editors (Notepad) put at the start of a UTF-8
// file: skipped at the start of the configuration file.
const utf8BOM = "\uFEFF"

// profileValue is one setting of a profile and the line it is on.
type profileValue struct {
	value string
	line  int
}

// configFile is a parsed configuration file.
type configFile struct {
	path     string
	profiles map[string]map[string]profileValue
}

// configFilePath returns where the configuration file is: $XDG_CONFIG_HOME/enosbatch/config,
// else ~/.config/enosbatch/config (%APPDATA%\enosbatch\config on Windows); "" when neither
// variable is set.
func configFilePath(getenv func(string) string) string {
	dir := userDir(getenv, "XDG_CONFIG_HOME", "APPDATA", ".config")
	if dir == "" {
		return ""
	}
	return filepath.Join(dir, "config")
}

// readConfigFile reads and parses the configuration file at path; ok is false when there
// is none.
func readConfigFile(path string) (cf *configFile, ok bool, err error) {
	if special(path) {
		return nil, false, configf("configuration file %s is not a regular file", path)
	}
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, configf("configuration file: %v", err)
	}
	defer f.Close()
	cf, err = parseConfigFile(path, io.LimitReader(f, maxConfigBytes))
	return cf, err == nil, err
}

// parseConfigFile parses a configuration file read from r.
func parseConfigFile(path string, r io.Reader) (*configFile, error) {
	cf := &configFile{path: path, profiles: map[string]map[string]profileValue{}}
	var current map[string]profileValue
	sc := bufio.NewScanner(skipBOM(r))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		fail := func(format string, args ...any) error {
			return configf("%s:%d: %s", path, n, fmt.Sprintf(format, args...))
		}
		switch {
		case line == "" || line[0] == '#' || line[0] == ';':
			continue
		case line[0] == '[':
			name, ok := strings.CutSuffix(line[1:], "]")
			name = strings.TrimSpace(name)
			if !ok || !profileName.MatchString(name) {
				return nil, fail("want [profile-name] (letters, digits, '.', '_', '-'), got %s", line)
			}
			if cf.profiles[name] == nil {
				cf.profiles[name] = map[string]profileValue{}
			}
			current = cf.profiles[name]
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		switch {
		case !ok:
			return nil, fail("want key = value or [profile-name]")
		case current == nil:
			return nil, fail("%s is outside any profile: put a [profile-name] line before it", key)
		case key == "secret_key":
			return nil, fail("the file holds no SecretKey: put it in a file readable by you only and name that file with secret_key_file")
		case !slices.Contains(profileKeys, key):
			return nil, fail("unknown key %q; want one of %s", key, strings.Join(profileKeys, ", "))
		}
		if prev, dup := current[key]; dup {
			return nil, fail("%s set twice in the profile (first on line %d)", key, prev.line)
		}
		current[key] = profileValue{value: value, line: n}
	}
	if err := sc.Err(); err != nil {
		return nil, configf("configuration file %s: %v", path, err)
	}
	return cf, nil
}

// skipBOM returns r without the UTF-8 byte order mark at its start, if it has one (as
// Windows editors save UTF-8).
func skipBOM(r io.Reader) io.Reader {
	br := bufio.NewReader(r)
	if b, err := br.Peek(len(utf8BOM)); err == nil && string(b) == utf8BOM {
		_, _ = br.Discard(len(utf8BOM))
	}
	return br
}

// names returns the profiles' names, sorted.
func (cf *configFile) names() []string {
	var out []string
	for name := range cf.profiles {
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

// filePath resolves a path written in the file: ~/ is the home directory (an error when
// HOME is not set), and a relative path is relative to the file's directory.
func (cf *configFile) filePath(p string, getenv func(string) string) (string, error) {
	if rest, ok := strings.CutPrefix(p, "~/"); ok {
		home := getenv("HOME")
		if home == "" {
			return "", configf("%s: %s starts with ~/, but HOME is not set", cf.path, p)
		}
		return filepath.Join(home, rest), nil
	}
	if filepath.IsAbs(p) {
		return p, nil
	}
	return filepath.Join(filepath.Dir(cf.path), p), nil
}
