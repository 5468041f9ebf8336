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
// system chose), describes its seed on stderr, and serves until SIGINT or SIGTERM. Then it
// stops accepting connections, closes the idle ones, lets the requests in flight finish for
// the grace (-grace), closes the connections still open, and exits 0.
//
// No client can hold it: a request must arrive whole within -read-timeout (its headers within
// 10 seconds), its answer must be written within -write-timeout (a request held by a longer
// delay fault is still served after the delay, but its answer is lost and the client sees the
// connection close: raise it to test longer delays), and a keep-alive connection idle for
// -idle-timeout is closed. Its history is bounded by -max-instances: beyond it, the
// instances that ended first are forgotten (a completed instance of a two-task flow holds
// about 0.65 KB, and 0.6 KB more once its graph has been read, so the default bound holds
// 0.3 to 0.6 GB of them; waiting and running instances are never forgotten).
//
// What it does not bound, being a server for tests and not one to expose: work that grows
// with what a request covers, done under the store's one lock while other requests wait. A
// manual clock moved far ahead makes the next request create and run every instance the
// schedules fire in the span, in time order (-max-instances holds meanwhile: what ended is
// forgotten as it goes); a List Flow Instances page of any size is served; a state dump
// without instances= writes the whole history. The number of open connections is the
// process's file limit.
//
// Flags:
//
//	-addr host:port      the address to listen on (default 127.0.0.1:8080; port 0 picks a free one)
//	-seed file.json      the seed: apps, users, flows, time zone (testdata/seed/README.md);
//	                     without it, the demo seed (refserver.NewDemoServer)
//	-v                   log each request on stderr, one line each (slog's text format, values
//	                     quoted): time, method, path, action, HTTP status (0: none sent),
//	                     duration
//	-read-timeout 30s    the most a request may take to arrive, headers and body
//	-write-timeout 60s   the most from the end of a request's headers to the end of its answer
//	-idle-timeout 60s    how long an idle keep-alive connection stays open
//	-grace 5s            on SIGINT or SIGTERM, how long requests in flight may finish
//	-max-instances N     the most flow instances kept (default 500000; 0 keeps all); those
//	                     that ended first are forgotten, waiting and running ones never
//	-control             serve the control API under /_refserver/ (default true;
//	                     -control=false turns it off)
//	-clock wall|manual   the server clock (default wall); manual moves only through the
//	                     control API
//	-clock-start TIME    with -clock manual, the time it starts at (RFC 3339; default now)
//	-location ZONE       the server's time zone (UTC, GMT+8, UTC+05:30, Asia/Shanghai);
//	                     default the seed's, or UTC
//	-token-lifetime D    the lifetime of issued access tokens (default 2h)
//	-timestamp-window D  how far a request timestamp may be from the server clock, either
//	                     way (default 15m)
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
