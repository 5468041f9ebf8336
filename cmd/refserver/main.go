// Command refserver runs the reference server of package refserver as a standalone process:
// the EnOS API gateway (token service, signature checks) and the 22 operations of the Batch
// Processing Service V2.1, over an in-memory store whose flow instances advance on the wall
// clock. Teams that write their clients in other languages test against it; enosbatch and the
// examples can talk to it too.
//
//	refserver                                  # 127.0.0.1:8080, the demo seed
//	refserver -addr 127.0.0.1:0 -seed testdata/seed/example.json -v
//
// It prints its base URL alone on the first line of stdout (with -addr host:0, the port the
// system chose), describes its seed on stderr, and serves until SIGINT or SIGTERM, then
// stops cleanly: it stops accepting connections and lets the requests in flight finish.
//
// Flags:
//
//	-addr host:port  the address to listen on (default 127.0.0.1:8080; port 0 picks a free one)
//	-seed file.json  the seed: apps, users, flows, time zone (testdata/seed/README.md);
//	                 without it, the demo seed (refserver.NewDemoServer)
//	-v               log each request (method, path, action, HTTP status, duration) on stderr
//
// Exit codes: 0 stopped by a signal, 1 it could not listen or serve, 2 bad flags or a bad
// seed file.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	_ "time/tzdata" // IANA time zones for seeds, on systems without a zone database
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
