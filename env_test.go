package batchprocessing

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestConfigFromEnv(t *testing.T) {
	t.Parallel()
	secretFile := filepath.Join(t.TempDir(), "secret")
	bigFile := filepath.Join(t.TempDir(), "big")
	if err := os.WriteFile(bigFile, bytes.Repeat([]byte("k"), 4097), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(secretFile, []byte("file-secret-0123456789\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	full := map[string]string{EnvGateway: "https://gw.example", EnvAccessKey: "ak", EnvSecretKey: "env-secret-0123456789",
		EnvOrgID: "o", EnvUserID: "u"}
	with := func(changes ...string) map[string]string {
		m := map[string]string{}
		for k, v := range full {
			m[k] = v
		}
		for i := 0; i+1 < len(changes); i += 2 {
			m[changes[i]] = changes[i+1]
		}
		return m
	}
	type envCase struct {
		name    string
		env     map[string]string
		secret  string
		errHas  string
		noneSet bool
	}
	tests := []envCase{
		{"complete", full, "env-secret-0123456789", "", false},
		{"nothing set", map[string]string{}, "", "no ENOS_*", true},
		{"secret from a file", with(EnvSecretKey, "", EnvSecretKeyFile, secretFile), "file-secret-0123456789", "", false},
		{"both secrets", with(EnvSecretKeyFile, secretFile), "", "both ENOS_SECRET_KEY and ENOS_SECRET_KEY_FILE", false},
		{"missing file", with(EnvSecretKey, "", EnvSecretKeyFile, secretFile+".none"), "", "ENOS_SECRET_KEY_FILE", false},
		{"a file too large to be a SecretKey", with(EnvSecretKey, "", EnvSecretKeyFile, bigFile), "", "larger than 4096 bytes", false},
		{"a directory", with(EnvSecretKey, "", EnvSecretKeyFile, t.TempDir()), "", "ENOS_SECRET_KEY_FILE", false},
		{"only some set", map[string]string{EnvAccessKey: "ak"}, "", "ENOS_API_GATEWAY, ENOS_SECRET_KEY, ENOS_ORG_ID, ENOS_USER_ID not set", false},
	}
	if _, err := os.Stat("/dev/zero"); err == nil { // an endless file, where there is one
		tests = append(tests, envCase{"an endless device", with(EnvSecretKey, "", EnvSecretKeyFile, "/dev/zero"), "", "larger than 4096 bytes", false})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := configFrom(func(k string) string { return tt.env[k] })
			if tt.errHas == "" {
				if err != nil || cfg.SecretKey != tt.secret || cfg.Gateway != full[EnvGateway] {
					t.Fatalf("config %v, err %v", cfg, err)
				}
				if c, err := cfg.NewClient(); err != nil || c.orgID != "o" || c.userID != "u" {
					t.Errorf("NewClient: %v, %v", c, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.errHas) || errors.Is(err, ErrNoConfig) != tt.noneSet {
				t.Errorf("err = %v, want one that says %q (ErrNoConfig %v)", err, tt.errHas, tt.noneSet)
			}
		})
	}
}

// TestConfigHidesCredentials prints, logs and encodes a Config every way a program might:
// the SecretKey and the Gateway's password never show, the rest does.
func TestConfigHidesCredentials(t *testing.T) {
	t.Parallel()
	cfg := Config{Gateway: "https://user:gw-password@gw.example", AccessKey: "the-access-key",
		SecretKey: "the-secret-key-0123456789", OrgID: "the-org", UserID: "the-user"}
	logged := func(h func(io.Writer) slog.Handler) string {
		var b bytes.Buffer
		slog.New(h(&b)).Info("start", "config", cfg, "pointer", &cfg)
		return b.String()
	}
	encoded, err := json.Marshal(map[string]any{"value": cfg, "pointer": &cfg})
	if err != nil {
		t.Fatal(err)
	}
	if text := logged(func(w io.Writer) slog.Handler { return slog.NewTextHandler(w, nil) }); !strings.Contains(text, "config.AccessKey=the-access-key") {
		t.Errorf("slog text: want the fields as attributes (LogValue): %s", text)
	}
	for _, tt := range []struct{ name, shown string }{
		{"fmt", fmt.Sprintf("%v %+v %#v %s %q %x %d %v", cfg, cfg, cfg, cfg, cfg, cfg, cfg, &cfg)},
		{"fmt, in an exported field", fmt.Sprintf("%+v", struct{ Cfg *Config }{&cfg})},
		{"encoding/json", string(encoded)},
		{"slog JSON", logged(func(w io.Writer) slog.Handler { return slog.NewJSONHandler(w, nil) })},
		{"slog text", logged(func(w io.Writer) slog.Handler { return slog.NewTextHandler(w, nil) })},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if strings.Contains(tt.shown, cfg.SecretKey) || strings.Contains(tt.shown, "gw-password") {
				t.Errorf("a credential is shown: %s", tt.shown)
			}
			for _, want := range []string{"gw.example", cfg.AccessKey, cfg.OrgID, cfg.UserID} {
				if !strings.Contains(tt.shown, want) {
					t.Errorf("%q not shown: %s", want, tt.shown)
				}
			}
		})
	}
}

func TestNewClientFromEnv(t *testing.T) {
	for _, k := range []string{EnvGateway, EnvAccessKey, EnvSecretKey, EnvSecretKeyFile, EnvOrgID, EnvUserID} {
		t.Setenv(k, "")
	}
	if _, err := NewClientFromEnv(); !errors.Is(err, ErrNoConfig) {
		t.Errorf("nothing set: err = %v, want ErrNoConfig", err)
	}
	t.Setenv(EnvGateway, "https://gw.example")
	t.Setenv(EnvAccessKey, "ak")
	t.Setenv(EnvSecretKey, "sk-0123456789")
	t.Setenv(EnvOrgID, "o")
	t.Setenv(EnvUserID, "u")
	c, err := NewClientFromEnv(WithUserID("override"))
	if err != nil || c.endpoint != "https://gw.example" || c.userID != "override" {
		t.Errorf("NewClientFromEnv = %v, %v", c, err)
	}
}
