package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/enos-go/batchprocessing"
)

// The variables that enosbatch reads besides the SDK's (batchprocessing.Env*).
const (
	varProfile    = "ENOS_PROFILE"
	varServerZone = "ENOS_SERVER_ZONE"
)

// setting is one resolved setting: its value and where it came from.
type setting struct {
	value  string
	source string // "--org", "ENOS_ORG_ID", `org of profile "prod" (FILE)`; "" when not set
}

// settingSpec says where a setting can come from, in order of precedence: a flag, a
// variable, a key of the profile.
type settingSpec struct {
	label    string // the name in messages and in 'enosbatch config'
	flag     string
	variable string
	key      string
	flagOf   func(g *globals) string
	optional bool // the configuration is complete without it
}

// settingSpecs are the settings other than the SecretKey.
var settingSpecs = []settingSpec{
	{"gateway", "--gateway", batchprocessing.EnvGateway, "gateway", func(g *globals) string { return g.gateway }, false},
	{"access key", "--access-key", batchprocessing.EnvAccessKey, "access_key", func(g *globals) string { return g.accessKey }, false},
	{"org", "--org", batchprocessing.EnvOrgID, "org", func(g *globals) string { return g.orgID }, false},
	{"user", "--user", batchprocessing.EnvUserID, "user", func(g *globals) string { return g.userID }, false},
	{"server zone", "--server-zone", varServerZone, "server_zone", func(g *globals) string { return g.serverZone }, true},
}

// configuration is the configuration in force: each setting with its source, and the
// profile it may come from.
type configuration struct {
	file        string             // the configuration file, "" if there is none
	profile     string             // the profile in use, "" if none
	profileFrom string             // what chose it: --profile, ENOS_PROFILE, or "" for the default one
	settings    map[string]setting // by settingSpec.label
	secret      setting            // the SecretKey; source says which variable, flag or file
}

// resolveConfiguration reads the configuration: each setting from its flag, else its
// variable, else the profile chosen by --profile, else ENOS_PROFILE, else the profile
// named "default" if the file has one. The SecretKey comes from --secret-key or
// --secret-key-file, else ENOS_SECRET_KEY or ENOS_SECRET_KEY_FILE, else the profile's
// secret_key_file; a secret file must be readable by its owner only. When the SecretKey
// alone cannot be had, the configuration comes with the error, its secret's source set.
func resolveConfiguration(g *globals, getenv func(string) string) (*configuration, error) {
	cfg, profile, cf, err := resolveSettings(g, getenv)
	if err != nil {
		return nil, err
	}
	cfg.secret, err = cfg.resolveSecret(g, getenv, profile, cf)
	return cfg, err
}

// resolveSettings is resolveConfiguration without the SecretKey, whose file it does not
// read: the settings, and the profile and file they came from.
func resolveSettings(g *globals, getenv func(string) string) (*configuration, map[string]profileValue, *configFile, error) {
	cfg := &configuration{settings: map[string]setting{}}
	profile, cf, err := cfg.selectProfile(g, getenv)
	if err != nil {
		return nil, nil, nil, err
	}
	for _, spec := range settingSpecs {
		st := setting{}
		switch {
		case spec.flagOf(g) != "":
			st = setting{spec.flagOf(g), spec.flag}
		case getenv(spec.variable) != "":
			st = setting{getenv(spec.variable), spec.variable}
		case profile[spec.key].value != "":
			st = setting{profile[spec.key].value, fmt.Sprintf("%s of profile %q (%s)", spec.key, cfg.profile, cf.path)}
		}
		cfg.settings[spec.label] = st
	}
	return cfg, profile, cf, nil
}

// selectProfile reads the configuration file and returns the profile in use, if any.
func (cfg *configuration) selectProfile(g *globals, getenv func(string) string) (map[string]profileValue, *configFile, error) {
	name, from := g.profile, "--profile"
	if name == "" {
		name, from = getenv(varProfile), varProfile
	}
	if name == "" {
		name, from = "default", ""
	}
	cfg.file = configFilePath(getenv)
	var cf *configFile
	found := false
	if cfg.file != "" {
		var err error
		if cf, found, err = readConfigFile(cfg.file); err != nil {
			return nil, nil, err
		}
	}
	switch {
	case !found && from != "":
		return nil, nil, configf("%s names profile %q, but there is no configuration file %s", from, name, dash(cfg.file))
	case !found:
		cfg.file = ""
		return nil, nil, nil
	}
	profile, ok := cf.profiles[name]
	switch {
	case !ok && from != "":
		return nil, nil, configf("%s names profile %q, which %s does not define (profiles: %s)",
			from, name, cf.path, dash(strings.Join(cf.names(), ", ")))
	case !ok:
		return nil, cf, nil
	}
	cfg.profile, cfg.profileFrom = name, from
	return profile, cf, nil
}

// resolveSecret finds the SecretKey.
func (cfg *configuration) resolveSecret(g *globals, getenv func(string) string, profile map[string]profileValue, cf *configFile) (setting, error) {
	pairs := []struct{ value, file, valueName, fileName string }{
		{g.secretKey, g.secretKeyFile, "--secret-key", "--secret-key-file"},
		{getenv(batchprocessing.EnvSecretKey), getenv(batchprocessing.EnvSecretKeyFile), batchprocessing.EnvSecretKey, batchprocessing.EnvSecretKeyFile},
	}
	for _, p := range pairs {
		switch {
		case p.value != "" && p.file != "":
			return setting{source: p.valueName + " and " + p.fileName}, configf("both %s and %s are set: set one", p.valueName, p.fileName)
		case p.value != "":
			return setting{p.value, p.valueName}, nil
		case p.file != "":
			secret, err := readSecretFile(p.file)
			return setting{secret, p.fileName + " (" + p.file + ")"}, err
		}
	}
	if v, ok := profile["secret_key_file"]; ok && v.value != "" {
		path, err := cf.filePath(v.value, getenv)
		if err != nil {
			return setting{source: fmt.Sprintf("secret_key_file of profile %q (%s)", cfg.profile, v.value)}, err
		}
		secret, err := readSecretFile(path)
		return setting{secret, fmt.Sprintf("secret_key_file of profile %q (%s)", cfg.profile, path)}, err
	}
	return setting{}, nil
}

// complete returns the client configuration, or the error that says what is missing.
func (cfg *configuration) complete() (batchprocessing.Config, error) {
	if cfg.settings["gateway"].value == "" {
		return batchprocessing.Config{}, configf("no gateway: set %s or --gateway, or gateway in a profile (or try the tool with --demo, which starts an in-process reference server)",
			batchprocessing.EnvGateway)
	}
	var missing []string
	for _, spec := range settingSpecs {
		if cfg.settings[spec.label].value == "" && !spec.optional {
			missing = append(missing, fmt.Sprintf("%s (or %s, or %s in a profile)", spec.variable, spec.flag, spec.key))
		}
	}
	if cfg.secret.value == "" {
		missing = append(missing, fmt.Sprintf("%s or %s (or --secret-key-file, or secret_key_file in a profile)", batchprocessing.EnvSecretKey, batchprocessing.EnvSecretKeyFile))
	}
	if len(missing) > 0 {
		return batchprocessing.Config{}, configf("configuration incomplete: set %s", strings.Join(missing, "; "))
	}
	return batchprocessing.Config{
		Gateway:   cfg.settings["gateway"].value,
		AccessKey: cfg.settings["access key"].value,
		SecretKey: cfg.secret.value,
		OrgID:     cfg.settings["org"].value,
		UserID:    cfg.settings["user"].value,
	}, nil
}

// serverZone returns the server's time zone the configuration names (--server-zone,
// ENOS_SERVER_ZONE, the profile's server_zone), nil when it names none, or the error
// that says which setting names no zone.
func (cfg *configuration) serverZone() (*time.Location, error) {
	st := cfg.settings["server zone"]
	if st.value == "" {
		return nil, nil
	}
	loc, err := time.LoadLocation(st.value)
	if err != nil {
		return nil, configf("server zone %q (%s): want an IANA time zone such as Asia/Shanghai or Europe/Berlin: %v", st.value, st.source, err)
	}
	return loc, nil
}

// sourceOf says where the setting labelled label ("access key", "secret key", ...) came
// from, for a message that asks the operator to check it.
func (cfg *configuration) sourceOf(label string) string {
	if label == "secret key" {
		return cfg.secret.source
	}
	return cfg.settings[label].source
}
