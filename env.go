package batchprocessing

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strings"

	"github.com/enos-go/batchprocessing/internal/secretfile"
)

// The environment variables NewClientFromEnv and ConfigFromEnv read.
const (
	EnvGateway       = "ENOS_API_GATEWAY" // the gateway's URL, e.g. https://apim-gateway.example.com
	EnvAccessKey     = "ENOS_ACCESS_KEY"
	EnvSecretKey     = "ENOS_SECRET_KEY"
	EnvSecretKeyFile = "ENOS_SECRET_KEY_FILE" // a file holding the SecretKey, as container secrets are mounted
	EnvOrgID         = "ENOS_ORG_ID"
	EnvUserID        = "ENOS_USER_ID"
)

// ErrNoConfig matches the error of NewClientFromEnv when none of the ENOS_* variables is
// set: the program may then fall back to something else, such as a reference server.
var ErrNoConfig = errors.New("batchprocessing: no ENOS_* environment variable is set")

// Config is where a client sends its calls, and as whom.
type Config struct {
	// Gateway is the URL of the EnOS API gateway.
	Gateway string
	// AccessKey and SecretKey are the application's (EnOS Console, Application Registration).
	AccessKey, SecretKey string
	// OrgID and UserID are the defaults of every call (WithOrgID, WithUserID).
	OrgID, UserID string
}

// String describes the configuration without its SecretKey, and without the password of
// a Gateway URL that holds one.
func (c Config) String() string {
	return fmt.Sprintf("batchprocessing.Config{Gateway: %s, AccessKey: %s, OrgID: %s, UserID: %s}", c.shownGateway(), c.AccessKey, c.OrgID, c.UserID)
}

// shownGateway is the Gateway with the password of its URL, if any, masked.
func (c Config) shownGateway() string {
	if u, err := url.Parse(c.Gateway); err == nil && u.User != nil {
		return u.Redacted()
	}
	return c.Gateway
}

// LogValue logs the configuration without its SecretKey (slog.LogValuer).
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(slog.String("Gateway", c.shownGateway()), slog.String("AccessKey", c.AccessKey),
		slog.String("OrgID", c.OrgID), slog.String("UserID", c.UserID))
}

// MarshalJSON encodes the configuration without its SecretKey, and with the password of
// its Gateway masked: a Config written out, or logged as JSON, shows no credential.
// encoding/json still decodes a SecretKey into a Config.
func (c Config) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct{ Gateway, AccessKey, OrgID, UserID string }{c.shownGateway(), c.AccessKey, c.OrgID, c.UserID})
}

// GoString describes the configuration without its SecretKey, for %#v.
func (c Config) GoString() string { return c.String() }

// Format prints the configuration without its SecretKey, whatever the verb: the value
// receiver covers both Config and *Config, so that no verb (%d, %x) falls back to printing
// the fields. fmt cannot call it on a Config held in an unexported field of another
// struct: it prints such a field's fields, SecretKey among them.
func (c Config) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(c.String())) }

// NewClient returns a Client for the configuration, with the given options after the
// configuration's own.
func (c Config) NewClient(opts ...Option) (*Client, error) {
	return NewClient(c.Gateway, c.AccessKey, c.SecretKey, append([]Option{WithOrgID(c.OrgID), WithUserID(c.UserID)}, opts...)...)
}

// ConfigFromEnv reads the configuration from ENOS_API_GATEWAY, ENOS_ACCESS_KEY,
// ENOS_SECRET_KEY (or ENOS_SECRET_KEY_FILE, a file of at most 4 KiB whose final line
// break is dropped), ENOS_ORG_ID and ENOS_USER_ID. When none of them is set, it fails with
// ErrNoConfig; when some are, its error names those missing.
func ConfigFromEnv() (Config, error) {
	return configFrom(os.Getenv)
}

// NewClientFromEnv returns a Client configured from the ENOS_* environment variables (see
// ConfigFromEnv), with the given options after the configuration's own. In the style of
// aws-sdk-go-v2's config.LoadDefaultConfig, a program needs no flags of its own:
//
//	client, err := batchprocessing.NewClientFromEnv()
//	if errors.Is(err, batchprocessing.ErrNoConfig) {
//		// nothing configured: say what to set, or use a reference server
//	}
func NewClientFromEnv(opts ...Option) (*Client, error) {
	cfg, err := ConfigFromEnv()
	if err != nil {
		return nil, err
	}
	return cfg.NewClient(opts...)
}

// configFrom reads the configuration through getenv.
func configFrom(getenv func(string) string) (Config, error) {
	cfg := Config{
		Gateway:   getenv(EnvGateway),
		AccessKey: getenv(EnvAccessKey),
		SecretKey: getenv(EnvSecretKey),
		OrgID:     getenv(EnvOrgID),
		UserID:    getenv(EnvUserID),
	}
	secretFile := getenv(EnvSecretKeyFile)
	if cfg == (Config{}) && secretFile == "" {
		return Config{}, ErrNoConfig
	}
	if secretFile != "" {
		if cfg.SecretKey != "" {
			return Config{}, fmt.Errorf("batchprocessing: both %s and %s are set; set one", EnvSecretKey, EnvSecretKeyFile)
		}
		secret, err := readSecretKeyFile(secretFile)
		if err != nil {
			return Config{}, fmt.Errorf("batchprocessing: %s: %w", EnvSecretKeyFile, err)
		}
		cfg.SecretKey = secret
	}
	var missing []string
	for _, v := range []struct{ name, value string }{
		{EnvGateway, cfg.Gateway}, {EnvAccessKey, cfg.AccessKey}, {EnvSecretKey, cfg.SecretKey},
		{EnvOrgID, cfg.OrgID}, {EnvUserID, cfg.UserID},
	} {
		if v.value == "" {
			missing = append(missing, v.name)
		}
	}
	if len(missing) > 0 {
		return Config{}, fmt.Errorf("batchprocessing: incomplete configuration: %s not set", strings.Join(missing, ", "))
	}
	return cfg, nil
}

// readSecretKeyFile reads the SecretKey from the file at path (secretfile.Read: at most
// 4 KiB, without the line break at the end). A pipe is read like a file, so that a secret
// can come from a shell's process substitution.
func readSecretKeyFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	return secretfile.Read(f, path)
}
