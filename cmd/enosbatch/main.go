package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	// A write to a pipe whose reader is gone ("enosbatch trigger ... | head -0") returns
	// EPIPE instead of killing the program with SIGPIPE, so that it is reported as lost
	// output (exit code 5), with the id of an instance already triggered.
	signal.Ignore(syscall.SIGPIPE)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// After the first signal, a second one kills the program the default way.
		<-ctx.Done()
		stop()
	}()
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
