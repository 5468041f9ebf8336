package envconfig

import (
	"bytes"
	"strings"
	"testing"
)

func TestFromEnv(t *testing.T) {
	full := map[string]string{VarGateway: "https://gw", VarAccessKey: "ak", VarSecretKey: "sk", VarOrgID: "o", VarUserID: "u"}
	without := func(keys ...string) map[string]string {
		m := map[string]string{}
		for k, v := range full {
			m[k] = v
		}
		for _, k := range keys {
			delete(m, k)
		}
		return m
	}
	tests := []struct {
		name string
		env  map[string]string
		ok   bool
		err  string
	}{
		{"complete", full, true, ""},
		{"no gateway", without(VarGateway), false, ""},
		{"nothing", nil, false, ""},
		{"one missing", without(VarSecretKey), true, "ENOS_SECRET_KEY is not"},
		{"two missing", without(VarOrgID, VarUserID), true, "ENOS_ORG_ID, ENOS_USER_ID are not"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, ok, err := FromEnv(func(k string) string { return tt.env[k] })
			if ok != tt.ok || (err == nil) != (tt.err == "") || (err != nil && !strings.Contains(err.Error(), tt.err)) {
				t.Fatalf("ok %v, err %v", ok, err)
			}
			if tt.name == "complete" && cfg != (Config{"https://gw", "ak", "sk", "o", "u"}) {
				t.Errorf("cfg = %+v", cfg)
			}
		})
	}
}

func TestLoadStartsDemo(t *testing.T) {
	var stderr bytes.Buffer
	cfg, stop, err := Load("prog", func(string) string { return "" }, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	if !strings.HasPrefix(cfg.Endpoint, "http://127.0.0.1:") || !strings.Contains(stderr.String(), "prog: ENOS_API_GATEWAY is not set") {
		t.Errorf("cfg %+v, stderr %q", cfg, stderr.String())
	}
	if _, err := cfg.Client(); err != nil {
		t.Error(err)
	}
}
