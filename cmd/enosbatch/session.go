package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/enos-go/batchprocessing"
	"github.com/enos-go/batchprocessing/internal/envconfig"
	"github.com/enos-go/batchprocessing/refserver"
)

// session is what a command runs with: the global flags, the environment, the output streams,
// and the client, made on first use.
type session struct {
	g              globals
	getenv         func(string) string
	stdout, stderr io.Writer

	c    *batchprocessing.Client
	stop func() // stops the --demo server, if one was started
}

// client returns the client for the configuration: the ENOS_* variables overridden by the
// flags, or the in-process demo server with --demo. A missing or invalid setting is a
// usageError (exit code 2); its message names the variable and the flag, never a value.
func (s *session) client() (*batchprocessing.Client, error) {
	if s.c != nil {
		return s.c, nil
	}
	cfg, err := s.config()
	if err != nil {
		return nil, err
	}
	c, err := cfg.Client(batchprocessing.WithUserAgent("enosbatch/" + batchprocessing.Version))
	if err != nil {
		s.close()
		return nil, configf("configuration: %v", err)
	}
	s.c = c
	return c, nil
}

// setting is one configuration value: its variable, its flag and the flag's value.
type setting struct {
	variable, flag, value string
}

// config reads the configuration, or starts the demo server.
func (s *session) config() (envconfig.Config, error) {
	settings := []setting{
		{envconfig.VarGateway, "--gateway", s.g.gateway},
		{envconfig.VarAccessKey, "--access-key", s.g.accessKey},
		{envconfig.VarSecretKey, "--secret-key", s.g.secretKey},
		{envconfig.VarOrgID, "--org", s.g.orgID},
		{envconfig.VarUserID, "--user", s.g.userID},
	}
	if s.g.demo {
		for _, st := range settings {
			if st.value != "" {
				return envconfig.Config{}, usagef("--demo runs its own server; it cannot be combined with %s", st.flag)
			}
		}
		srv := refserver.NewDemoServer()
		s.stop = srv.Close
		fmt.Fprintf(s.stderr, "enosbatch: --demo: using an in-process reference server at %s (org %s, user %s, flows %d and %d); it stops when enosbatch exits\n",
			srv.URL, refserver.DemoOrgID, refserver.DemoUserID, refserver.DemoFlowID, refserver.DemoEmptyFlowID)
		return envconfig.Config{
			Endpoint: srv.URL, AccessKey: refserver.DemoAccessKey, SecretKey: refserver.DemoSecretKey,
			OrgID: refserver.DemoOrgID, UserID: refserver.DemoUserID,
		}, nil
	}

	byVariable := map[string]string{}
	var missing []string
	for _, st := range settings {
		v := st.value
		if v == "" {
			v = s.getenv(st.variable)
		}
		if v == "" {
			missing = append(missing, st.variable+" (or "+st.flag+")")
		}
		byVariable[st.variable] = v
	}
	if byVariable[envconfig.VarGateway] == "" {
		return envconfig.Config{}, configf("no gateway: set %s or --gateway (or try the tool with --demo, which starts an in-process reference server)", envconfig.VarGateway)
	}
	if len(missing) > 0 {
		return envconfig.Config{}, configf("configuration incomplete: set %s", strings.Join(missing, ", "))
	}
	cfg, _, err := envconfig.FromEnv(func(name string) string { return byVariable[name] })
	if err != nil {
		return envconfig.Config{}, configf("configuration: %v", err)
	}
	return cfg, nil
}

// close releases what the session started.
func (s *session) close() {
	if s.stop != nil {
		s.stop()
		s.stop = nil
	}
}

// printJSON writes v on stdout as one indented JSON document.
func (s *session) printJSON(v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(s.stdout, "%s\n", b)
	return err
}

// instanceClient reads a command's one argument, a flow instance id, and returns it with
// the client.
func (s *session) instanceClient(args []string) (batchprocessing.FlowInstanceID, *batchprocessing.Client, error) {
	id, err := instanceArg(args)
	if err != nil {
		return "", nil, err
	}
	c, err := s.client()
	return id, c, err
}

// flowClient reads a command's one argument, a flow id, and returns it with the client.
func (s *session) flowClient(args []string) (int64, *batchprocessing.Client, error) {
	id, err := flowArg(args)
	if err != nil {
		return 0, nil, err
	}
	c, err := s.client()
	return id, c, err
}
