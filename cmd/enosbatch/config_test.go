package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/enos-go/batchprocessing/refserver"
)

// profileWorld is a world with a configuration file in its own XDG_CONFIG_HOME.
type profileWorld struct {
	*world
	dir string // XDG_CONFIG_HOME
}

// newProfileWorld writes a configuration file with these profiles: default (a user who is
// not in the org), good, bad-secret (a wrong SecretKey), and the secret files they name.
func newProfileWorld(t *testing.T) *profileWorld {
	t.Helper()
	w := &profileWorld{world: newWorld(t), dir: t.TempDir()}
	profile := func(name, user, secretFile string) string {
		return "[" + name + "]\ngateway = " + w.env["ENOS_API_GATEWAY"] + "\naccess_key = " + refserver.DemoAccessKey +
			"\nsecret_key_file = " + secretFile + "\norg = " + refserver.DemoOrgID + "\nuser = " + user + "\n\n"
	}
	w.write(t, "enosbatch/config", 0o644, "# test profiles\n"+profile("default", "nobody", "demo.secret")+
		profile("good", refserver.DemoUserID, "demo.secret")+profile("bad-secret", refserver.DemoUserID, "wrong.secret"))
	w.write(t, "enosbatch/demo.secret", 0o600, refserver.DemoSecretKey+"\n")
	w.write(t, "enosbatch/wrong.secret", 0o600, "notTheDemoSecret\n")
	w.write(t, "env.secret", 0o400, refserver.DemoSecretKey)
	w.write(t, "open.secret", 0o644, refserver.DemoSecretKey+"\n")
	return w
}

// write writes a file under the directory with the given mode.
func (w *profileWorld) write(t *testing.T, name string, mode os.FileMode, content string) {
	t.Helper()
	path := filepath.Join(w.dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil { // past the umask
		t.Fatal(err)
	}
}

// env returns the environment with only XDG_CONFIG_HOME and the given variables.
func (w *profileWorld) envWith(kv ...string) map[string]string {
	return with(map[string]string{"XDG_CONFIG_HOME": w.dir}, kv...)
}

// TestProfilePrecedence checks, with 'config --json', which value each setting takes: the
// flag, else the variable, else the profile chosen by --profile, else ENOS_PROFILE, else
// "default".
func TestProfilePrecedence(t *testing.T) {
	t.Parallel()
	w := newProfileWorld(t)
	config := filepath.Join(w.dir, "enosbatch", "config")
	tests := []struct {
		name                string
		env                 map[string]string
		args                []string
		profile, user, from string // the user setting and its source
		secretFrom          string
	}{
		{"the default profile", w.envWith(), nil, "default", "nobody", `user of profile "default" (` + config + ")",
			`secret_key_file of profile "default" (` + filepath.Join(w.dir, "enosbatch", "demo.secret") + ")"},
		{"ENOS_PROFILE", w.envWith("ENOS_PROFILE", "good"), nil, "good", refserver.DemoUserID, `user of profile "good" (` + config + ")", ""},
		{"--profile over ENOS_PROFILE", w.envWith("ENOS_PROFILE", "good"), []string{"--profile", "default"}, "default", "nobody", "", ""},
		{"variable over profile", w.envWith("ENOS_PROFILE", "good", "ENOS_USER_ID", "envUser"), nil, "good", "envUser", "ENOS_USER_ID", ""},
		{"flag over variable", w.envWith("ENOS_USER_ID", "envUser"), []string{"--user", "flagUser"}, "default", "flagUser", "--user", ""},
		{"ENOS_SECRET_KEY_FILE over the profile", w.envWith("ENOS_SECRET_KEY_FILE", filepath.Join(w.dir, "env.secret")), nil, "default", "nobody", "",
			"ENOS_SECRET_KEY_FILE (" + filepath.Join(w.dir, "env.secret") + ")"},
		{"ENOS_SECRET_KEY over the profile", w.envWith("ENOS_SECRET_KEY", "fromTheVariable"), nil, "default", "nobody", "", "ENOS_SECRET_KEY"},
		{"--secret-key-file over the variables", w.envWith("ENOS_SECRET_KEY", "fromTheVariable"),
			[]string{"--secret-key-file", filepath.Join(w.dir, "env.secret")}, "default", "nobody", "", "--secret-key-file (" + filepath.Join(w.dir, "env.secret") + ")"},
		{"no configuration file", map[string]string{"XDG_CONFIG_HOME": t.TempDir(), "ENOS_USER_ID": "u"}, nil, "", "u", "ENOS_USER_ID", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := execBinary(t, tt.env, append(tt.args, "config", "--json")...)
			var v configView
			if err := json.Unmarshal([]byte(r.stdout), &v); err != nil {
				t.Fatalf("stdout %q: %v; stderr %q", r.stdout, err, r.stderr)
			}
			if v.Profile != tt.profile || v.UserID.Value != tt.user || (tt.from != "" && v.UserID.Source != tt.from) {
				t.Errorf("profile %q, user %+v; want %q, %q from %q", v.Profile, v.UserID, tt.profile, tt.user, tt.from)
			}
			if tt.secretFrom != "" && (!v.SecretKey.Set || v.SecretKey.Source != tt.secretFrom) {
				t.Errorf("secret key %+v, want it set from %q", v.SecretKey, tt.secretFrom)
			}
			if strings.Contains(r.stdout+r.stderr, refserver.DemoSecretKey) {
				t.Error("config printed the SecretKey")
			}
		})
	}
}

func TestProfiles(t *testing.T) {
	t.Parallel()
	w := newProfileWorld(t)
	checkBinaryCases(t, []binaryCase{
		{"a profile works end to end", w.envWith("ENOS_PROFILE", "good"), []string{"flows", "get", "3377"}, exitOK, ""},
		{"the default profile's user is not in the org", w.envWith(), []string{"flows", "get", "3377"}, exitAPI, "code 62101"},
		{"unknown profile", w.envWith(), []string{"--profile", "nope", "flows", "get", "3377"}, exitUsage,
			`--profile names profile "nope", which ` + filepath.Join(w.dir, "enosbatch", "config") + " does not define (profiles: bad-secret, default, good)"},
		{"no configuration file", map[string]string{"ENOS_PROFILE": "good"}, []string{"flows", "get", "3377"}, exitUsage,
			`ENOS_PROFILE names profile "good", but there is no configuration file`},
		{"a secret file others can read", w.envWith("ENOS_PROFILE", "good", "ENOS_SECRET_KEY_FILE", filepath.Join(w.dir, "open.secret")),
			[]string{"flows", "get", "3377"}, exitUsage, "SecretKey file " + filepath.Join(w.dir, "open.secret") +
				" is accessible by others than its owner (mode 0644): enosbatch refuses it, as ssh refuses such a private key; run 'chmod 600 "},
		{"both secret variables", w.envWith("ENOS_SECRET_KEY", "x", "ENOS_SECRET_KEY_FILE", filepath.Join(w.dir, "env.secret")),
			[]string{"flows", "get", "3377"}, exitUsage, "both ENOS_SECRET_KEY and ENOS_SECRET_KEY_FILE are set: set one"},
		{"missing secret file", w.envWith("ENOS_SECRET_KEY_FILE", filepath.Join(w.dir, "none.secret")), []string{"flows", "get", "3377"}, exitUsage,
			"SecretKey file: open " + filepath.Join(w.dir, "none.secret")},
		{"wrong SecretKey in a profile", w.envWith("ENOS_PROFILE", "bad-secret"), []string{"flows", "get", "3377"}, exitAPI,
			"\nThe token service refused the signature of the request (code 1003): the SecretKey does not match the AccessKey; check " +
				`secret_key_file of profile "bad-secret" (` + filepath.Join(w.dir, "enosbatch", "wrong.secret") + ")."},
		{"wrong SecretKey in the variable", w.envWith("ENOS_PROFILE", "good", "ENOS_SECRET_KEY", "notTheSecret"), []string{"flows", "get", "3377"}, exitAPI,
			"the SecretKey does not match the AccessKey; check ENOS_SECRET_KEY."},
		{"unknown AccessKey", w.envWith("ENOS_PROFILE", "good", "ENOS_ACCESS_KEY", "nobodysKey"), []string{"flows", "get", "3377"}, exitAPI,
			"The token service does not know the AccessKey (code 1002): check ENOS_ACCESS_KEY."},
		{"unknown AccessKey in a flag", w.envWith("ENOS_PROFILE", "good"), []string{"--access-key", "nobodysKey", "flows", "get", "3377"}, exitAPI,
			"check --access-key."},
		{"config of an incomplete configuration", map[string]string{"ENOS_API_GATEWAY": "http://gateway.example.com"}, []string{"config"}, exitUsage,
			"configuration incomplete: set ENOS_ACCESS_KEY (or --access-key, or access_key in a profile)"},
	})
}

// TestClockFarOff: the token service's code 1004 says that the clock is far off.
func TestClockFarOff(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header()["Date"] = nil // nothing to correct the clock with
		rw.Header().Set("Content-Type", "application/json")
		_, _ = rw.Write([]byte(`{"status":1004,"msg":"Invalid parameter: timestamp","business":"0"}`))
	}))
	t.Cleanup(srv.Close)
	env := map[string]string{"ENOS_API_GATEWAY": srv.URL, "ENOS_ACCESS_KEY": "k", "ENOS_SECRET_KEY": "s3cr3t-value", "ENOS_ORG_ID": "o", "ENOS_USER_ID": "u"}
	r := execBinary(t, env, "status", "3377-20261130080000").want(t, exitAPI)
	if !strings.Contains(r.stderr, "code 1004") || !strings.Contains(r.stderr, "this computer's clock is probably far off") {
		t.Errorf("stderr %q", r.stderr)
	}
}

func TestParseConfigFile(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, text string
		want       map[string]map[string]string
		err        string
	}{
		{"profiles, comments, spaces", "# c\n; c\n\n[default]\n gateway = https://g \naccess_key=k\n[p.2]\norg = o # not a comment\n[default]\nuser = u\n",
			map[string]map[string]string{"default": {"gateway": "https://g", "access_key": "k", "user": "u"}, "p.2": {"org": "o # not a comment"}}, ""},
		{"key outside a profile", "gateway = x\n", nil, "config:1: gateway is outside any profile"},
		{"unknown key", "[a]\nregion = x\n", nil, `config:2: unknown key "region"; want one of gateway, access_key, secret_key_file, org, user`},
		{"secret in the file", "[a]\nsecret_key = x\n", nil, "config:2: the file holds no SecretKey"},
		{"twice", "[a]\norg = x\n\norg = y\n", nil, "config:4: org set twice in the profile (first on line 2)"},
		{"bad section", "[a b]\n", nil, "config:1: want [profile-name]"},
		{"no equals", "[a]\norg\n", nil, "config:2: want key = value or [profile-name]"},
		{"a UTF-8 byte order mark at the start", "\uFEFF[a]\norg = o\n", map[string]map[string]string{"a": {"org": "o"}}, ""},
		{"a byte order mark before a comment", "\uFEFF# c\n[a]\n", map[string]map[string]string{"a": {}}, ""},
		{"a byte order mark elsewhere is text", "[a]\n\uFEFForg = o\n", nil, `config:2: unknown key "\ufefforg"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cf, err := parseConfigFile("config", strings.NewReader(tt.text))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]map[string]string{}
			for name, p := range cf.profiles {
				got[name] = map[string]string{}
				for k, v := range p {
					got[name][k] = v.value
				}
			}
			if !jsonEqual(got, tt.want) {
				t.Errorf("profiles %v, want %v", got, tt.want)
			}
		})
	}
}

// jsonEqual compares two values by their JSON.
func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// TestConfigRefusesWhatCommandsRefuse: config shows what it reads, a gateway's password
// masked, and exits 2 for a setting every other command refuses.
func TestConfigRefusesWhatCommandsRefuse(t *testing.T) {
	t.Parallel()
	env := map[string]string{"ENOS_ACCESS_KEY": "ak", "ENOS_SECRET_KEY": "sk-0123456789", "ENOS_ORG_ID": "o", "ENOS_USER_ID": "u"}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--gateway", "http://admin:hunter2pass@gw.example", "config"}, "must not contain user information"},
		{[]string{"--gateway", "notaurl", "config"}, `scheme must be "http" or "https"`},
		{[]string{"--gateway", "http://gw.example/?token=abc", "config"}, "must not contain a query or fragment"},
		{[]string{"--gateway", "http://gw.example", "--access-key", " spaced ", "config"}, "leading or trailing white space"},
	} {
		r := runWith(t, context.Background(), env, tt.args...).want(t, exitUsage)
		if !strings.Contains(r.stderr, tt.want) || strings.Contains(r.stdout+r.stderr, "hunter2pass") {
			t.Errorf("%v: stdout %q stderr %q, want %q and no password", tt.args, r.stdout, r.stderr, tt.want)
		}
	}
	r := runWith(t, context.Background(), env, "--gateway", "http://admin:hunter2pass@gw.example", "config")
	if !strings.Contains(r.stdout, "http://admin:xxxxx@gw.example") {
		t.Errorf("stdout %q, want the gateway with its password masked", r.stdout)
	}
}
