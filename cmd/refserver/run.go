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

	"github.com/enos-go/batchprocessing/refserver"
)

// shutdownTimeout bounds how long the server waits for requests in flight when it stops.
const shutdownTimeout = 5 * time.Second

// Exit codes.
const (
	exitOK    = 0
	exitServe = 1
	exitUsage = 2
)

// run is the whole program, with its arguments and output passed in so that tests can drive
// it. It serves until ctx ends and returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("refserver", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on, host:port (port 0 picks a free port)")
	seedPath := fs.String("seed", "", "JSON seed file (see testdata/seed/README.md); default: the demo seed")
	verbose := fs.Bool("v", false, "log each request on stderr")
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: refserver [-addr host:port] [-seed file.json] [-v]

refserver serves the EnOS Batch Processing reference server until SIGINT or
SIGTERM. It prints its base URL alone on the first line of stdout.

Flags:
`)
		fs.PrintDefaults()
		fmt.Fprint(stderr, "\nExit codes: 0 stopped by a signal, 1 could not listen or serve, 2 bad flags or seed.\n")
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "refserver: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}

	srv, desc, err := start(*seedPath)
	if err != nil {
		fmt.Fprintf(stderr, "refserver: %v\n", err)
		return exitUsage
	}
	defer srv.Close()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "refserver: %v\n", err)
		return exitServe
	}
	url := baseURL(ln.Addr())
	fmt.Fprintln(stdout, url)
	fmt.Fprintf(stderr, "refserver: serving %s at %s; stop with Ctrl-C\n", desc, url)

	handler := srv.Handler()
	if *verbose {
		handler = logRequests(handler, stderr)
	}
	hs := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	select {
	case err := <-served:
		fmt.Fprintf(stderr, "refserver: %v\n", err)
		return exitServe
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		fmt.Fprintf(stderr, "refserver: stopping: %v\n", err)
		return exitServe
	}
	fmt.Fprintln(stderr, "refserver: stopped")
	return exitOK
}

// start returns the reference server seeded from the file at path, or with the demo seed when
// path is empty, and a description of its seed. The description names no SecretKey.
func start(path string) (*refserver.Server, string, error) {
	if path == "" {
		return refserver.NewDemoServer(refserver.WithoutListener()), fmt.Sprintf(
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
	srv, err := refserver.NewServerFromSeed(seed, refserver.WithoutListener())
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", path, err)
	}
	loc, _ := seed.Location()
	return srv, fmt.Sprintf("the seed %s (%d apps, %d users, %d flows; time zone %s)",
		path, len(seed.Apps), len(seed.Users), len(seed.Flows), loc), nil
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
