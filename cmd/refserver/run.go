package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/enos-go/batchprocessing/internal/utcoffset"
	"github.com/enos-go/batchprocessing/refserver"
)

// Defaults of the flags that bound connections, requests and the history.
const (
	defaultReadTimeout  = 30 * time.Second // a whole request, headers and body
	defaultWriteTimeout = 60 * time.Second // from the end of the headers to the end of the answer
	defaultIdleTimeout  = 60 * time.Second // a keep-alive connection between requests
	defaultGrace        = 5 * time.Second  // requests in flight after SIGINT or SIGTERM
	defaultMaxInstances = 500_000          // 0.3 to 0.6 GB of instances of two-task flows, their graphs read or not

	// readHeaderTimeout bounds the headers of a request, within the read timeout.
	readHeaderTimeout = 10 * time.Second
)

// Exit codes.
const (
	exitOK    = 0
	exitServe = 1
	exitUsage = 2
)

// run is the whole program, with its arguments and output passed in so that tests can drive
// it. It serves until ctx ends and returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, code, ok := parseFlags(args, stderr)
	if !ok {
		return code
	}
	srv, desc, err := start(cfg.seedPath, cfg.loc, cfg.options()...)
	if err != nil {
		fmt.Fprintf(stderr, "refserver: %v\n", err)
		return exitUsage
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		fmt.Fprintf(stderr, "refserver: %v\n", err)
		return exitServe
	}
	url := baseURL(ln.Addr())
	fmt.Fprintln(stdout, url)
	fmt.Fprintf(stderr, "refserver: serving %s at %s; stop with Ctrl-C\n", desc, url)

	var handler http.Handler = srv
	if cfg.control {
		handler = refserver.NewControlHandler(srv, cfg.manualClock)
	}
	if cfg.verbose {
		handler = logRequests(handler, stderr)
	}
	hs := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: min(readHeaderTimeout, cfg.readTimeout),
		ReadTimeout:       cfg.readTimeout,
		WriteTimeout:      cfg.writeTimeout,
		IdleTimeout:       cfg.idleTimeout,
	}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	select {
	case err := <-served:
		fmt.Fprintf(stderr, "refserver: %v\n", err)
		return exitServe
	case <-ctx.Done():
	}
	stop(hs, cfg.grace, stderr)
	return exitOK
}

// stop stops hs: it stops accepting connections and closes the idle ones, lets the requests in
// flight finish for grace, then closes the connections still open.
func stop(hs *http.Server, grace time.Duration, stderr io.Writer) {
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := hs.Shutdown(ctx); err != nil {
		hs.Close()
		fmt.Fprintf(stderr, "refserver: requests still in flight after %v; closed their connections\n", grace)
	}
	fmt.Fprintln(stderr, "refserver: stopped")
}

// config is what the flags set.
type config struct {
	addr, seedPath                                string
	verbose, control                              bool
	readTimeout, writeTimeout, idleTimeout, grace time.Duration
	maxInstances                                  int
	clock, clockStart, location                   string
	tokenLifetime, timestampWindow                time.Duration

	manualClock *refserver.ManualClock // with -clock manual
	loc         *time.Location         // with -location
}

// options returns the server options the flags ask for.
func (cfg *config) options() []refserver.Option {
	opts := []refserver.Option{refserver.WithMaxInstances(cfg.maxInstances),
		refserver.WithTokenLifetime(cfg.tokenLifetime), refserver.WithTimestampWindow(cfg.timestampWindow)}
	if cfg.manualClock != nil {
		opts = append(opts, refserver.WithClock(cfg.manualClock.Now))
	}
	if cfg.loc != nil {
		opts = append(opts, refserver.WithLocation(cfg.loc))
	}
	return opts
}

// checkClockAndZone reads -clock, -clock-start and -location into cfg.
func (cfg *config) checkClockAndZone(stderr io.Writer) bool {
	switch cfg.clock {
	case "wall":
		if cfg.clockStart != "" {
			fmt.Fprintln(stderr, "refserver: -clock-start needs -clock manual")
			return false
		}
	case "manual":
		if !cfg.control {
			fmt.Fprintln(stderr, "refserver: -clock manual needs the control API: with -control=false nothing could move the clock")
			return false
		}
		start := time.Now().UTC().Truncate(time.Second)
		if cfg.clockStart != "" {
			t, err := time.Parse(time.RFC3339Nano, cfg.clockStart)
			if err != nil {
				fmt.Fprintf(stderr, "refserver: -clock-start %q: want an RFC 3339 time such as 2026-11-30T08:00:00Z\n", cfg.clockStart)
				return false
			}
			start = t
		}
		cfg.manualClock = refserver.NewManualClock(start)
	default:
		fmt.Fprintf(stderr, "refserver: -clock %q: want wall or manual\n", cfg.clock)
		return false
	}
	if cfg.location != "" {
		loc, err := utcoffset.Location(cfg.location)
		if err != nil {
			fmt.Fprintf(stderr, "refserver: -location %q: %v\n", cfg.location, err)
			return false
		}
		cfg.loc = loc
	}
	return true
}

// parseFlags reads the flags. When ok is false the program ends with code: the usage was
// asked for (0) or the flags are wrong (exitUsage).
func parseFlags(args []string, stderr io.Writer) (cfg config, code int, ok bool) {
	fs := flag.NewFlagSet("refserver", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.addr, "addr", "127.0.0.1:8080", "address to listen on, host:port (port 0 picks a free port)")
	fs.StringVar(&cfg.seedPath, "seed", "", "JSON seed file (see testdata/seed/README.md); default: the demo seed")
	fs.BoolVar(&cfg.verbose, "v", false, "log each request on stderr, one line each")
	fs.DurationVar(&cfg.readTimeout, "read-timeout", defaultReadTimeout, "the most a request may take to arrive, headers and body")
	fs.DurationVar(&cfg.writeTimeout, "write-timeout", defaultWriteTimeout, "the most a request may take from the end of its headers to the end of its answer")
	fs.DurationVar(&cfg.idleTimeout, "idle-timeout", defaultIdleTimeout, "how long an idle keep-alive connection stays open")
	fs.DurationVar(&cfg.grace, "grace", defaultGrace, "on SIGINT or SIGTERM, how long requests in flight may finish before their connections are closed")
	fs.IntVar(&cfg.maxInstances, "max-instances", defaultMaxInstances, "the most flow instances kept; beyond, those that ended first are forgotten, waiting and running ones never (0: keep all)")
	fs.BoolVar(&cfg.control, "control", true, "serve the control API under /_refserver/ (faults, clock, settings, state, reset); -control=false turns it off")
	fs.StringVar(&cfg.clock, "clock", "wall", "the server clock: wall, or manual (moved only through the control API)")
	fs.StringVar(&cfg.clockStart, "clock-start", "", "with -clock manual, the time it starts at (RFC 3339; default now)")
	fs.DurationVar(&cfg.tokenLifetime, "token-lifetime", refserver.DefaultTokenLifetime, "the lifetime of issued access tokens")
	fs.DurationVar(&cfg.timestampWindow, "timestamp-window", refserver.DefaultTimestampWindow, "how far a request timestamp may be from the server clock, either way")
	fs.StringVar(&cfg.location, "location", "", "the server's time zone (UTC, GMT+8, UTC+05:30, Asia/Shanghai); default the seed's, or UTC")
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: refserver [-addr host:port] [-seed file.json] [-v] [flags]

refserver serves the EnOS Batch Processing reference server until SIGINT or
SIGTERM. It prints its base URL alone on the first line of stdout.

Flags:
`)
		fs.PrintDefaults()
		fmt.Fprint(stderr, "\nExit codes: 0 stopped by a signal, 1 could not listen or serve, 2 bad flags or seed.\n")
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return cfg, exitOK, false
		}
		return cfg, exitUsage, false
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "refserver: unexpected argument %q\n", fs.Arg(0))
		return cfg, exitUsage, false
	}
	for _, f := range []struct {
		name string
		d    time.Duration
	}{{"read-timeout", cfg.readTimeout}, {"write-timeout", cfg.writeTimeout}, {"idle-timeout", cfg.idleTimeout}, {"grace", cfg.grace},
		{"token-lifetime", cfg.tokenLifetime}, {"timestamp-window", cfg.timestampWindow}} {
		if f.d <= 0 {
			fmt.Fprintf(stderr, "refserver: -%s %v: want a positive duration\n", f.name, f.d)
			return cfg, exitUsage, false
		}
	}
	if cfg.maxInstances < 0 {
		fmt.Fprintf(stderr, "refserver: -max-instances %d: want 0 (no bound) or more\n", cfg.maxInstances)
		return cfg, exitUsage, false
	}
	if !cfg.checkClockAndZone(stderr) {
		return cfg, exitUsage, false
	}
	return cfg, 0, true
}

// start returns a reference server without a listener loaded with the seed file at path, or
// with the demo seed when path is empty, with opts, and a description of its seed and of
// the server's time zone (loc, or the seed's when loc is nil). The description names no
// SecretKey.
func start(path string, loc *time.Location, opts ...refserver.Option) (*refserver.Backend, string, error) {
	seed, desc, err := readSeed(path)
	if err != nil {
		return nil, "", err
	}
	b := refserver.NewBackend(opts...)
	if err := b.Load(seed); err != nil {
		return nil, "", fmt.Errorf("%s: %w", path, err)
	}
	if loc == nil {
		loc, _ = seed.Location() // Load has validated it
	}
	return b, fmt.Sprintf("%s in time zone %s", desc, loc), nil
}

// readSeed reads the seed file at path, or returns the demo seed when path is empty, with a
// description of it.
func readSeed(path string) (*refserver.Seed, string, error) {
	if path == "" {
		return refserver.DemoSeed(), fmt.Sprintf(
			"the demo seed (app %s, org %s, user %s; flows %d \"demo flow\" and %d \"empty flow\")",
			refserver.DemoAccessKey, refserver.DemoOrgID, refserver.DemoUserID, refserver.DemoFlowID, refserver.DemoEmptyFlowID), nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, "", err
	}
	defer f.Close()
	seed, err := refserver.LoadSeed(f)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", path, err)
	}
	return seed, fmt.Sprintf("the seed %s (%d apps, %d users, %d flows)", path, len(seed.Apps), len(seed.Users), len(seed.Flows)), nil
}

// baseURL returns the URL that reaches a listener: on the loopback address when it listens
// on every interface.
func baseURL(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "http://" + addr.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}
