package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"

	"github.com/enos-go/batchprocessing"
	"github.com/enos-go/batchprocessing/refserver"
)

// session is what a command runs with: the global flags, the environment, the output streams,
// and the client, made on first use.
type session struct {
	g              globals
	getenv         func(string) string
	stdout, stderr io.Writer

	cfg  *configuration // the configuration in force, read on first use
	c    *batchprocessing.Client
	stop func()   // stops the --demo server, if one was started
	jq   *jqQuery // the --jq filter, if any
	// ctx is the running action's context (--timeout, Ctrl-C, SIGTERM), for the work that
	// follows its calls: a --jq query runs as long as its expression says.
	ctx context.Context

	mu       sync.Mutex
	progress *progress    // the progress line on stderr, while one is shown
	noteSink func(string) // where notes go instead of stderr (a live watch's footer)
}

// newSession returns a session writing to stdout and stderr.
func newSession(getenv func(string) string, stdout, stderr io.Writer) *session {
	return &session{getenv: getenv, stdout: stdout, stderr: stderr}
}

// runAction runs a command's action: it checks the global flags, compiles --jq, applies
// --timeout, and explains the errors an operator can act on.
func (s *session) runAction(ctx context.Context, act action, args []string) error {
	if err := s.g.check(); err != nil {
		return err
	}
	if s.g.jq != "" {
		q, err := compileJQ(s.g.jq)
		if err != nil {
			return err
		}
		s.jq, s.g.json = q, true
	}
	if s.g.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.g.timeout)
		defer cancel()
	}
	s.ctx = ctx
	return s.explain(act(ctx, s, args))
}

// client returns the client for the configuration in force, or for the in-process demo
// server with --demo. A missing or invalid setting is a usageError (exit code 2); its
// message names the variable, the flag or the profile, never a secret.
func (s *session) client() (*batchprocessing.Client, error) {
	if s.c != nil {
		return s.c, nil
	}
	cfg, err := s.config()
	if err != nil {
		return nil, err
	}
	opts := []batchprocessing.Option{
		batchprocessing.WithUserAgent("enosbatch/" + batchprocessing.Version),
		batchprocessing.WithLogger(slog.New(newRetryNotes(s.notify))),
	}
	if s.g.requestTimeout != batchprocessing.DefaultTimeout {
		opts = append(opts, batchprocessing.WithTimeout(s.g.requestTimeout))
	}
	if s.cfg != nil { // not --demo
		loc, err := s.cfg.serverZone()
		if err != nil {
			return nil, err
		}
		if loc != nil {
			opts = append(opts, batchprocessing.WithServerLocation(loc))
		}
	}
	c, err := cfg.NewClient(opts...)
	if err != nil {
		s.close()
		return nil, configf("configuration: %v", err)
	}
	s.c = c
	return c, nil
}

// config returns the configuration in force, or starts the demo server.
func (s *session) config() (batchprocessing.Config, error) {
	if s.g.demo {
		return s.demo()
	}
	cfg, err := s.configuration()
	if err != nil {
		return batchprocessing.Config{}, err
	}
	return cfg.complete()
}

// configuration returns the configuration in force, resolved (its files read) once. When
// only the SecretKey could not be read, it returns the rest with the error, for config to
// show.
func (s *session) configuration() (*configuration, error) {
	if s.cfg == nil {
		cfg, err := resolveConfiguration(&s.g, s.getenv)
		if err != nil {
			return cfg, err
		}
		s.cfg = cfg
	}
	return s.cfg, nil
}

// demo starts the in-process reference server with the demo seed and returns the
// configuration that reaches it.
func (s *session) demo() (batchprocessing.Config, error) {
	for _, f := range []struct{ name, value string }{
		{"--gateway", s.g.gateway}, {"--access-key", s.g.accessKey}, {"--secret-key", s.g.secretKey},
		{"--secret-key-file", s.g.secretKeyFile}, {"--org", s.g.orgID}, {"--user", s.g.userID}, {"--profile", s.g.profile},
		{"--server-zone", s.g.serverZone},
	} {
		if f.value != "" {
			return batchprocessing.Config{}, usagef("--demo runs its own server; it cannot be combined with %s", f.name)
		}
	}
	srv := refserver.NewDemoServer()
	s.stop = srv.Close
	fmt.Fprintf(s.stderr, "enosbatch: --demo: using an in-process reference server at %s (org %s, user %s, flows %d and %d); it stops when enosbatch exits\n",
		srv.URL, refserver.DemoOrgID, refserver.DemoUserID, refserver.DemoFlowID, refserver.DemoEmptyFlowID)
	return batchprocessing.Config{
		Gateway: srv.URL, AccessKey: refserver.DemoAccessKey, SecretKey: refserver.DemoSecretKey,
		OrgID: refserver.DemoOrgID, UserID: refserver.DemoUserID,
	}, nil
}

// close releases what the session started.
func (s *session) close() {
	if s.stop != nil {
		s.stop()
		s.stop = nil
	}
}

// notify shows a note for the operator: in the footer of a live watch, or on stderr, where
// it first erases the progress line (the next redraw brings it back).
func (s *session) notify(msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.noteSink != nil {
		s.noteSink(msg)
		return
	}
	if s.progress != nil {
		s.progress.clear()
	}
	fmt.Fprintf(s.stderr, "enosbatch: %s\n", printable(msg)) // a note may quote the gateway's text
}

// showing records the progress line shown on stderr (nil: none), which notes erase first.
func (s *session) showing(p *progress) {
	s.mu.Lock()
	s.progress = p
	s.mu.Unlock()
}

// printJSON writes v on stdout as one indented JSON document, or what --jq makes of it.
func (s *session) printJSON(v any) error {
	if s.jq != nil {
		return s.runJQ(v)
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(s.stdout, "%s\n", b)
	return err
}

// runJQ writes what --jq makes of v on stdout; a query stopped by the action's context
// (--timeout, Ctrl-C, SIGTERM) is a stoppedError, exit code 4.
func (s *session) runJQ(v any) error {
	ctx := s.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	err := s.jq.print(ctx, s.stdout, v)
	if err != nil && ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		return &stoppedError{msg: s.stopReason(err) + ": --jq stopped"}
	}
	return err
}

// printJSONLine writes v on stdout as one JSON document on one line (a stream of changes),
// or what --jq makes of it.
func (s *session) printJSONLine(v any) error {
	if s.jq != nil {
		return s.runJQ(v)
	}
	b, err := json.Marshal(v)
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

// timeText returns how the command shows the service's times: as written in tables, RFC
// 3339 with the server's offset in --json (the server's zone is asked once per half hour).
// When --json needs the zone and it cannot be had, the error is that of the call (exit code
// 3, or 4 when interrupted): --json never shows its times in another format.
func (s *session) timeText(ctx context.Context, c *batchprocessing.Client) (timeText, error) {
	if !s.g.json {
		return asWritten, nil
	}
	loc, err := c.ServerLocation(ctx)
	if err != nil {
		return nil, fmt.Errorf("--json shows times in the server's time zone, which could not be had: %w", err)
	}
	return rfc3339In(loc), nil
}
