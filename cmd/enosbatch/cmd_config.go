package main

import (
	"context"
	"fmt"
	"net/url"
	"runtime"

	"github.com/enos-go/batchprocessing"
	"github.com/spf13/pflag"
)

var configCommand = &command{
	name:    "config",
	summary: "show the configuration in force and where each setting comes from",
	help: `Config shows the configuration that the other commands use: the gateway, the
AccessKey, the organization and the user, whether a SecretKey is set (never
its value), the server zone, and where each comes from. It exits 2 when a setting is missing,
or when the SecretKey is refused (its file missing or readable by others, or
a key of two lines or with white space around it): the table then shows the
SecretKey as not usable (--json: "refused", the reason), and stderr says
why.

Each setting comes from its flag, else its variable, else the profile:

  setting     flag                 variable               profile key
  gateway     --gateway            ENOS_API_GATEWAY       gateway
  AccessKey   --access-key         ENOS_ACCESS_KEY        access_key
  SecretKey   --secret-key or      ENOS_SECRET_KEY or     secret_key_file
              --secret-key-file    ENOS_SECRET_KEY_FILE
  org         --org                ENOS_ORG_ID            org
  user        --user               ENOS_USER_ID           user
  server zone --server-zone        ENOS_SERVER_ZONE       server_zone

The server zone is optional: an IANA zone (Europe/Berlin) in which --json
reads the gateway's times; without it, the offset Get Timezone names (GMT+1),
an hour off for a time of the other daylight-saving period.

The profile is the one --profile names, else ENOS_PROFILE, else "default"
if the file has it. The file is $XDG_CONFIG_HOME/enosbatch/config
(~/.config/enosbatch/config when XDG_CONFIG_HOME is not set):

  # profiles: [name], then key = value lines
  [default]
  gateway = https://apim-gateway.example.com
  access_key = yourAppAccessKey
  secret_key_file = ~/.config/enosbatch/default.secret
  org = yourOrgId
  user = yourUserId

  [staging]
  gateway = https://apim-gateway.staging.example.com
  access_key = yourStagingAccessKey
  secret_key_file = staging.secret
  org = yourOrgId
  user = yourUserId

Blank lines and lines starting with # or ; are ignored; a value is the rest of
its line, trimmed; a UTF-8 byte order mark at the start of the file is
skipped. The file holds no SecretKey: secret_key_file names the file that
does (relative to the configuration file's directory, or ~/...). A
SecretKey file holds the key alone (a final line break is ignored), and must
be readable by its owner only (chmod 600), as ssh requires of a private key:
enosbatch refuses it otherwise. ENOS_SECRET_KEY_FILE follows the convention of
container secrets (mount the secret with mode 0400).`,
	example: `  enosbatch config
  enosbatch --profile staging config --json`,
	setup: func(*pflag.FlagSet) action { return runConfig },
}

// configView is the --json output of config.
type configView struct {
	ConfigFile string        `json:"configFile"`
	Profile    string        `json:"profile"`
	Gateway    settingView   `json:"gateway"`
	AccessKey  settingView   `json:"accessKey"`
	SecretKey  secretKeyView `json:"secretKey"`
	OrgID      settingView   `json:"org"`
	UserID     settingView   `json:"user"`
	ServerZone settingView   `json:"serverZone"`
}

// settingView is a setting and where it comes from ("" when it is not set).
type settingView struct {
	Value  string `json:"value"`
	Source string `json:"source"`
}

// secretKeyView says whether the SecretKey is set, and where from; never its value.
type secretKeyView struct {
	Set    bool   `json:"set"`
	Source string `json:"source"`
	// Refused says why the SecretKey named by Source cannot be used (its file is missing or
	// readable by others, or the key it holds is refused); absent when it can.
	Refused string `json:"refused,omitempty"`
}

// runConfig is the config command.
func runConfig(_ context.Context, s *session, args []string) error {
	if err := noArgs(args); err != nil {
		return err
	}
	if s.g.demo {
		return usagef("--demo needs no configuration: it uses the demo app of an in-process reference server")
	}
	cfg, err := s.configuration()
	if cfg == nil {
		return err // the file or the profile could not be read: nothing to show
	}
	refused := err != nil // the SecretKey file was refused
	if err == nil {
		// What is shown is in force only if every command would take it: the same checks.
		_, err = s.client()
		refused = err != nil && onlySecretKeyRefused(cfg)
	}
	view := func(label string) settingView {
		st := cfg.settings[label]
		return settingView{Value: st.value, Source: st.source}
	}
	v := configView{
		ConfigFile: cfg.file, Profile: cfg.profile,
		Gateway: view("gateway"), AccessKey: view("access key"), OrgID: view("org"), UserID: view("user"),
		ServerZone: view("server zone"),
		SecretKey:  secretKeyView{Set: cfg.secret.value != "", Source: cfg.secret.source},
	}
	v.Gateway.Value = redactedURL(v.Gateway.Value)
	if refused {
		v.SecretKey.Refused = err.Error()
	}
	if perr := s.printConfig(v, cfg); perr != nil {
		return perr
	}
	return err // when refused, the table marks the SecretKey and stderr says why
}

// onlySecretKeyRefused reports, for a configuration the client refused, whether the
// SecretKey alone is the cause (a file of two lines, white space around the key): the
// client takes the same configuration with a stand-in key.
func onlySecretKeyRefused(cfg *configuration) bool {
	full, err := cfg.complete()
	if err != nil {
		return false // something is missing: the client's error says what
	}
	full.SecretKey = "stand-in"
	_, err = full.NewClient()
	return err == nil
}

// redactedURL returns a gateway URL with the password of its user information, if any,
// shown as "xxxxx" (the gateway is refused with one anyway, but config shows what it reads).
func redactedURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	return u.Redacted()
}

// printConfig prints the configuration view: JSON, or a table, whose SecretKey row says
// "not usable" when the SecretKey was refused (a file missing or readable by others).
func (s *session) printConfig(v configView, cfg *configuration) error {
	if s.g.json {
		return s.printJSON(v)
	}
	profile := dash(v.Profile)
	if cfg.profileFrom != "" {
		profile += " (" + cfg.profileFrom + ")"
	}
	secret := "-"
	switch {
	case v.SecretKey.Refused != "":
		secret = "not usable (see the error)"
	case v.SecretKey.Set:
		secret = "set (not shown)"
	}
	tw := newTable(s.stdout)
	tw.row("configuration file", dash(v.ConfigFile))
	tw.row("profile", profile)
	tw.row()
	tw.row("SETTING", "VALUE", "FROM")
	for _, row := range []struct {
		label string
		st    settingView
	}{{"gateway", v.Gateway}, {"access key", v.AccessKey}, {"secret key", settingView{secret, v.SecretKey.Source}},
		{"org", v.OrgID}, {"user", v.UserID}, {"server zone", v.ServerZone}} {
		tw.row(row.label, dash(row.st.Value), dash(row.st.Source))
	}
	return tw.Flush()
}

var versionCommand = &command{
	name:    "version",
	summary: "print the version",
	help: `Version prints the version of enosbatch (also 'enosbatch --version'); with
--json, {"version", "go", "platform"}.`,
	setup: func(*pflag.FlagSet) action { return runVersion },
}

// runVersion is the version command.
func runVersion(_ context.Context, s *session, args []string) error {
	if err := noArgs(args); err != nil {
		return err
	}
	if s.g.json {
		return s.printJSON(struct {
			Version  string `json:"version"`
			Go       string `json:"go"`
			Platform string `json:"platform"`
		}{batchprocessing.Version, runtime.Version(), runtime.GOOS + "/" + runtime.GOARCH})
	}
	_, err := fmt.Fprintf(s.stdout, "enosbatch %s\n", batchprocessing.Version)
	return err
}
