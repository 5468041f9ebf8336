package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// textConfigSecret is the SecretKey of the config tests below: no output may show it.
const textConfigSecret = "s3cr3t-of-the-config-table"

// writeTestFile writes content to path with mode (past the umask), making its directory.
func writeTestFile(t *testing.T, path string, mode os.FileMode, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

// TestConfigText checks the table that 'enosbatch config' prints without --json: the
// configuration file, the profile and what chose it, then each setting with its value and
// its source; the SecretKey shows as "set (not shown)", never its value.
func TestConfigText(t *testing.T) {
	t.Parallel()
	dir := t.TempDir() // XDG_CONFIG_HOME
	cfgPath := filepath.Join(dir, "enosbatch", "config")
	secretPath := filepath.Join(dir, "enosbatch", "good.secret")
	flagSecretPath := filepath.Join(dir, "flag.secret")
	writeTestFile(t, cfgPath, 0o644, "[good]\ngateway = https://gw.example.com\naccess_key = ak-123\n"+
		"secret_key_file = good.secret\norg = o-1\nuser = u-1\n\n[default]\norg = o-default\n")
	writeTestFile(t, secretPath, 0o600, textConfigSecret+"\n")
	writeTestFile(t, flagSecretPath, 0o600, textConfigSecret)
	twoLinesPath := filepath.Join(dir, "two-lines.secret") // read, but refused by the client
	writeTestFile(t, twoLinesPath, 0o600, textConfigSecret+"\nsecond line\n")
	refused := t.TempDir() // profiles whose SecretKey file is refused
	refusedPath := filepath.Join(refused, "enosbatch", "config")
	openSecretPath := filepath.Join(refused, "enosbatch", "open.secret")
	missingSecretPath := filepath.Join(refused, "enosbatch", "missing.secret")
	writeTestFile(t, refusedPath, 0o644, "[open]\ngateway = https://gw.example.com\naccess_key = ak-123\nsecret_key_file = open.secret\norg = o-1\nuser = u-1\n"+
		"[missing]\ngateway = https://gw.example.com\naccess_key = ak-123\nsecret_key_file = missing.secret\norg = o-1\nuser = u-1\n")
	writeTestFile(t, openSecretPath, 0o644, textConfigSecret)
	ofRefused := func(key, profile string) string { return key + ` of profile "` + profile + `" (` + refusedPath + ")" }
	// refusedTable is config's table for a profile of the refused file whose SecretKey file,
	// secretPath, is refused; from says how the profile was chosen.
	refusedTable := func(profile, from, secretPath string) string {
		return "configuration file  " + refusedPath + "\n" +
			"profile             " + profile + " (" + from + ")\n" +
			"\nSETTING      VALUE                       FROM\n" +
			"gateway      https://gw.example.com      " + ofRefused("gateway", profile) + "\n" +
			"access key   ak-123                      " + ofRefused("access_key", profile) + "\n" +
			`secret key   not usable (see the error)  secret_key_file of profile "` + profile + `" (` + secretPath + ")\n" +
			"org          o-1                         " + ofRefused("org", profile) + "\n" +
			"user         u-1                         " + ofRefused("user", profile) + "\n" + "server zone  -                           -\n"
	}
	openRefused := "SecretKey file " + openSecretPath + " is accessible by others than its owner (mode 0644): " +
		"enosbatch refuses it, as ssh refuses such a private key; run 'chmod 600 " + openSecretPath + "'"
	noDefault := t.TempDir() // a configuration file without a default profile
	noDefaultPath := filepath.Join(noDefault, "enosbatch", "config")
	writeTestFile(t, noDefaultPath, 0o644, "[other]\norg = o-other\n")

	vars := map[string]string{
		"ENOS_API_GATEWAY": "https://gw.example.com", "ENOS_ACCESS_KEY": "ak-123", "ENOS_SECRET_KEY": textConfigSecret,
		"ENOS_ORG_ID": "o-1", "ENOS_USER_ID": "u-1",
	}
	of := func(key, profile string) string { return key + ` of profile "` + profile + `" (` + cfgPath + ")" }
	const head = "\nSETTING      VALUE                   FROM\n"
	tests := []struct {
		name   string
		env    map[string]string
		args   []string
		code   int
		stdout string
		stderr string // the whole of stderr
	}{
		{"every setting from its variable, no configuration file", vars, nil, exitOK,
			"configuration file  -\n" +
				"profile             -\n" + head +
				"gateway      https://gw.example.com  ENOS_API_GATEWAY\n" +
				"access key   ak-123                  ENOS_ACCESS_KEY\n" +
				"secret key   set (not shown)         ENOS_SECRET_KEY\n" +
				"org          o-1                     ENOS_ORG_ID\n" +
				"user         u-1                     ENOS_USER_ID\n" + "server zone  -                       -\n", ""},
		{"every setting from its flag", map[string]string{"XDG_CONFIG_HOME": t.TempDir()},
			[]string{"--gateway", "https://gw.example.com", "--access-key", "ak-123", "--secret-key", textConfigSecret, "--org", "o-1", "--user", "u-1"}, exitOK,
			"configuration file  -\n" +
				"profile             -\n" + head +
				"gateway      https://gw.example.com  --gateway\n" +
				"access key   ak-123                  --access-key\n" +
				"secret key   set (not shown)         --secret-key\n" +
				"org          o-1                     --org\n" +
				"user         u-1                     --user\n" + "server zone  -                       -\n", ""},
		{"a profile chosen by ENOS_PROFILE", map[string]string{"XDG_CONFIG_HOME": dir, "ENOS_PROFILE": "good"}, nil, exitOK,
			"configuration file  " + cfgPath + "\n" +
				"profile             good (ENOS_PROFILE)\n" + head +
				"gateway      https://gw.example.com  " + of("gateway", "good") + "\n" +
				"access key   ak-123                  " + of("access_key", "good") + "\n" +
				`secret key   set (not shown)         secret_key_file of profile "good" (` + secretPath + ")\n" +
				"org          o-1                     " + of("org", "good") + "\n" +
				"user         u-1                     " + of("user", "good") + "\n" + "server zone  -                       -\n", ""},
		{"a profile chosen by --profile, with a variable and flags over it", map[string]string{"XDG_CONFIG_HOME": dir, "ENOS_ORG_ID": "o-env"},
			[]string{"--profile", "good", "--user", "u-flag", "--secret-key-file", flagSecretPath}, exitOK,
			"configuration file  " + cfgPath + "\n" +
				"profile             good (--profile)\n" + head +
				"gateway      https://gw.example.com  " + of("gateway", "good") + "\n" +
				"access key   ak-123                  " + of("access_key", "good") + "\n" +
				"secret key   set (not shown)         --secret-key-file (" + flagSecretPath + ")\n" +
				"org          o-env                   ENOS_ORG_ID\n" +
				"user         u-flag                  --user\n" + "server zone  -                       -\n", ""},
		{"the default profile, incomplete", map[string]string{"XDG_CONFIG_HOME": dir, "ENOS_API_GATEWAY": "https://gw.example.com"}, nil, exitUsage,
			"configuration file  " + cfgPath + "\n" +
				"profile             default\n" + head +
				"gateway      https://gw.example.com  ENOS_API_GATEWAY\n" +
				"access key   -                       -\n" +
				"secret key   -                       -\n" +
				"org          o-default               " + of("org", "default") + "\n" +
				"user         -                       -\n" + "server zone  -                       -\n",
			"enosbatch: config: configuration incomplete: set ENOS_ACCESS_KEY (or --access-key, or access_key in a profile); " +
				"ENOS_USER_ID (or --user, or user in a profile); " +
				"ENOS_SECRET_KEY or ENOS_SECRET_KEY_FILE (or --secret-key-file, or secret_key_file in a profile)\n" +
				"Run 'enosbatch help config' for the configuration.\n"},
		{"a profile's SecretKey file readable by others: the table, the SecretKey marked", map[string]string{"XDG_CONFIG_HOME": refused},
			[]string{"--profile", "open"}, exitUsage, refusedTable("open", "--profile", openSecretPath),
			"enosbatch: config: " + openRefused + "\nRun 'enosbatch help config' for the configuration.\n"},
		{"the same in JSON: the SecretKey refused, and why", map[string]string{"XDG_CONFIG_HOME": refused},
			[]string{"--profile", "open", "--jq", ".secretKey"}, exitUsage,
			`{"refused":"` + openRefused + `",` +
				`"set":false,"source":"secret_key_file of profile \"open\" (` + openSecretPath + `)"}` + "\n",
			"enosbatch: config: " + openRefused + "\nRun 'enosbatch help config' for the configuration.\n"},
		{"a profile's SecretKey file missing", map[string]string{"XDG_CONFIG_HOME": refused, "ENOS_PROFILE": "missing"}, nil, exitUsage,
			refusedTable("missing", "ENOS_PROFILE", missingSecretPath),
			"enosbatch: config: SecretKey file: open " + missingSecretPath + ": no such file or directory\n" +
				"Run 'enosbatch help config' for the configuration.\n"},
		{"a SecretKey file of two lines: read, then refused, and marked", with(vars, "ENOS_SECRET_KEY", "", "XDG_CONFIG_HOME", t.TempDir()),
			[]string{"--secret-key-file", twoLinesPath}, exitUsage,
			"configuration file  -\n" +
				"profile             -\n" +
				"\nSETTING      VALUE                       FROM\n" +
				"gateway      https://gw.example.com      ENOS_API_GATEWAY\n" +
				"access key   ak-123                      ENOS_ACCESS_KEY\n" +
				"secret key   not usable (see the error)  --secret-key-file (" + twoLinesPath + ")\n" +
				"org          o-1                         ENOS_ORG_ID\n" +
				"user         u-1                         ENOS_USER_ID\n" + "server zone  -                           -\n",
			"enosbatch: config: configuration: batchprocessing: NewClient: secretKey holds a line break or another control character\n" +
				"Run 'enosbatch help config' for the configuration.\n"},
		{"a file without the default profile: no profile", with(vars, "XDG_CONFIG_HOME", noDefault, "ENOS_ORG_ID", ""), nil, exitUsage,
			"configuration file  " + noDefaultPath + "\n" +
				"profile             -\n" + head +
				"gateway      https://gw.example.com  ENOS_API_GATEWAY\n" +
				"access key   ak-123                  ENOS_ACCESS_KEY\n" +
				"secret key   set (not shown)         ENOS_SECRET_KEY\n" +
				"org          -                       -\n" +
				"user         u-1                     ENOS_USER_ID\n" + "server zone  -                       -\n",
			"enosbatch: config: configuration incomplete: set ENOS_ORG_ID (or --org, or org in a profile)\n" +
				"Run 'enosbatch help config' for the configuration.\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runWith(t, context.Background(), tt.env, append(tt.args, "config")...).want(t, tt.code)
			if r.stdout != tt.stdout {
				t.Errorf("stdout\n%s\nwant\n%s", r.stdout, tt.stdout)
			}
			if r.stderr != tt.stderr {
				t.Errorf("stderr %q, want %q", r.stderr, tt.stderr)
			}
			if strings.Contains(r.stdout+r.stderr, textConfigSecret) {
				t.Error("config printed the SecretKey")
			}
		})
	}
}

// TestProfileSecretKeyFileInHome: a profile's secret_key_file that starts with ~/ is under
// $HOME; another relative path is under the configuration file's directory; an absolute one
// is itself.
func TestProfileSecretKeyFileInHome(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	elsewhere := filepath.Join(t.TempDir(), "abs.secret")
	writeTestFile(t, filepath.Join(home, "keys", "demo.secret"), 0o600, "from-home-keys\n")
	writeTestFile(t, filepath.Join(home, "demo.secret"), 0o600, "from-home\n")
	writeTestFile(t, elsewhere, 0o600, "from-an-absolute-path\n")
	tests := []struct {
		name, secretKeyFile string
		path                func(configDir string) string // the file read
		secret              string                        // the key it holds
	}{
		{"~/ in a subdirectory of HOME", "~/keys/demo.secret",
			func(string) string { return filepath.Join(home, "keys", "demo.secret") }, "from-home-keys"},
		{"~/ at the top of HOME", "~/demo.secret",
			func(string) string { return filepath.Join(home, "demo.secret") }, "from-home"},
		{"relative: the configuration file's directory", "keys/demo.secret",
			func(dir string) string { return filepath.Join(dir, "keys", "demo.secret") }, "from-config-dir"},
		{"absolute", elsewhere, func(string) string { return elsewhere }, "from-an-absolute-path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			xdg := t.TempDir()
			configDir := filepath.Join(xdg, "enosbatch")
			writeTestFile(t, filepath.Join(configDir, "config"), 0o644,
				"[default]\ngateway = https://gw.example.com\naccess_key = ak\nsecret_key_file = "+tt.secretKeyFile+"\norg = o\nuser = u\n")
			// The same relative names next to the configuration file, with other keys: a ~/
			// taken as a relative path would read the files of the "~" directory.
			writeTestFile(t, filepath.Join(configDir, "keys", "demo.secret"), 0o600, "from-config-dir\n")
			writeTestFile(t, filepath.Join(configDir, "~", "keys", "demo.secret"), 0o600, "from-a-tilde-directory\n")
			writeTestFile(t, filepath.Join(configDir, "~", "demo.secret"), 0o600, "from-a-tilde-directory\n")
			env := map[string]string{"XDG_CONFIG_HOME": xdg, "HOME": home}
			wantSource := `secret_key_file of profile "default" (` + tt.path(configDir) + ")"

			cfg, err := resolveConfiguration(&globals{}, func(k string) string { return env[k] })
			if err != nil {
				t.Fatal(err)
			}
			if cfg.secret.value != tt.secret || cfg.secret.source != wantSource {
				t.Errorf("secret %q from %q, want %q from %q", cfg.secret.value, cfg.secret.source, tt.secret, wantSource)
			}

			r := runWith(t, context.Background(), env, "config", "--json").want(t, exitOK)
			var v configView
			if err := json.Unmarshal([]byte(r.stdout), &v); err != nil {
				t.Fatalf("stdout %q: %v", r.stdout, err)
			}
			if !v.SecretKey.Set || v.SecretKey.Source != wantSource {
				t.Errorf("config --json: secret key %+v, want it set from %q", v.SecretKey, wantSource)
			}
			if strings.Contains(r.stdout+r.stderr, tt.secret) {
				t.Error("config printed the SecretKey")
			}
		})
	}
}

// TestProfileSecretKeyFileWithoutHome: a secret_key_file under ~/ with HOME unset is a
// configuration error, not a path relative to a directory named "~".
func TestProfileSecretKeyFileWithoutHome(t *testing.T) {
	t.Parallel()
	xdg := t.TempDir()
	config := filepath.Join(xdg, "enosbatch", "config")
	writeTestFile(t, config, 0o644, "[default]\ngateway = https://gw.example.com\naccess_key = ak\nsecret_key_file = ~/demo.secret\norg = o\nuser = u\n")
	writeTestFile(t, filepath.Join(xdg, "enosbatch", "~", "demo.secret"), 0o600, "from-a-tilde-directory\n")
	env := map[string]string{"XDG_CONFIG_HOME": xdg}
	r := runWith(t, context.Background(), env, "config").want(t, exitUsage)
	if want := config + ": ~/demo.secret starts with ~/, but HOME is not set"; !strings.Contains(r.stderr, want) {
		t.Errorf("stderr %q, want %q", r.stderr, want)
	}
}
