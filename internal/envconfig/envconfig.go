// Package envconfig reads the ENOS_* environment variables that the example programs and
// command-line tools share, and starts the in-process reference server when no gateway is
// configured.
package envconfig

import (
	"fmt"
	"io"
	"strings"

	"github.com/enos-go/batchprocessing"
	"github.com/enos-go/batchprocessing/refserver"
)

// The environment variables.
const (
	VarGateway   = "ENOS_API_GATEWAY"
	VarAccessKey = "ENOS_ACCESS_KEY"
	VarSecretKey = "ENOS_SECRET_KEY"
	VarOrgID     = "ENOS_ORG_ID"
	VarUserID    = "ENOS_USER_ID"
)

// Config is where to send calls and as whom.
type Config struct {
	Endpoint, AccessKey, SecretKey, OrgID, UserID string
}

// FromEnv reads the configuration. ok is false when ENOS_API_GATEWAY is not set; an error
// says which of the other variables are missing when it is.
func FromEnv(getenv func(string) string) (cfg Config, ok bool, err error) {
	cfg = Config{
		Endpoint:  getenv(VarGateway),
		AccessKey: getenv(VarAccessKey),
		SecretKey: getenv(VarSecretKey),
		OrgID:     getenv(VarOrgID),
		UserID:    getenv(VarUserID),
	}
	if cfg.Endpoint == "" {
		return Config{}, false, nil
	}
	var missing []string
	for _, v := range []struct{ name, value string }{
		{VarAccessKey, cfg.AccessKey}, {VarSecretKey, cfg.SecretKey}, {VarOrgID, cfg.OrgID}, {VarUserID, cfg.UserID},
	} {
		if v.value == "" {
			missing = append(missing, v.name)
		}
	}
	if len(missing) > 0 {
		verb := "are"
		if len(missing) == 1 {
			verb = "is"
		}
		return Config{}, true, fmt.Errorf("%s is set, but %s %s not", VarGateway, strings.Join(missing, ", "), verb)
	}
	return cfg, true, nil
}

// Demo starts the reference server with its demo seed and returns the configuration that
// reaches it, and the function that stops it. It tells stderr what it did, naming prog.
func Demo(prog string, stderr io.Writer, opts ...refserver.Option) (Config, func()) {
	srv := refserver.NewDemoServer(opts...)
	fmt.Fprintf(stderr, "%s: %s is not set; using the in-process reference server at %s (demo app, org %s, user %s)\n",
		prog, VarGateway, srv.URL, refserver.DemoOrgID, refserver.DemoUserID)
	return Config{
		Endpoint: srv.URL, AccessKey: refserver.DemoAccessKey, SecretKey: refserver.DemoSecretKey,
		OrgID: refserver.DemoOrgID, UserID: refserver.DemoUserID,
	}, srv.Close
}

// Load reads the environment, or starts the demo reference server when no gateway is set.
// The returned function releases what Load started; call it when done.
func Load(prog string, getenv func(string) string, stderr io.Writer) (Config, func(), error) {
	cfg, ok, err := FromEnv(getenv)
	if err != nil {
		return Config{}, func() {}, err
	}
	if !ok {
		cfg, stop := Demo(prog, stderr)
		return cfg, stop, nil
	}
	return cfg, func() {}, nil
}

// Client returns a client for the configuration, with its org and user as defaults.
func (c Config) Client(opts ...batchprocessing.Option) (*batchprocessing.Client, error) {
	all := append([]batchprocessing.Option{
		batchprocessing.WithOrgID(c.OrgID), batchprocessing.WithUserID(c.UserID),
	}, opts...)
	return batchprocessing.NewClient(c.Endpoint, c.AccessKey, c.SecretKey, all...)
}
