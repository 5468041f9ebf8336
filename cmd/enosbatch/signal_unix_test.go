//go:build unix

package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/signal"
	"syscall"
	"testing"

	"github.com/enos-go/batchprocessing"
)

// TestSignalStopsAreInterruptions sends the test process a real signal caught by
// signal.NotifyContext, as main's is, and checks that a call the signal cut is reported as
// an interruption: net/http returns the context's cause, which is not context.Canceled.
func TestSignalStopsAreInterruptions(t *testing.T) {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGUSR1)
	defer stop()
	if err := syscall.Kill(os.Getpid(), syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	<-ctx.Done()
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = srv.Client().Do(req)
	if err == nil {
		t.Fatal("a request on a stopped context succeeded")
	}
	err = &batchprocessing.TransportError{Operation: "GetFlowInstance", Err: err}
	if got := exitCode(err); got != exitInterrupted {
		t.Errorf("exitCode(%v) = %d, want %d (interrupted)", err, got, exitInterrupted)
	}
}
