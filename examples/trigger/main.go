// Command trigger triggers one run of an EnOS Batch Processing flow and prints the id of
// the flow instance it creates.
//
// It calls the gateway of ENOS_API_GATEWAY with the credentials of ENOS_ACCESS_KEY,
// ENOS_SECRET_KEY (or ENOS_SECRET_KEY_FILE), ENOS_ORG_ID and ENOS_USER_ID. When none of
// these is set, it starts the bundled reference server in-process with its demo identities
// and says so on stderr; when only some are, it says which are missing and exits 2.
//
//	go run ./examples/trigger                      # against the in-process reference server
//	go run ./examples/trigger -flow 3377 -at 2026-11-30T08:00:00Z
//
// It prints the flow instance id alone on stdout. On failure it prints the error (with
// the service's code and message) on stderr and exits 1; bad flags, configuration or
// input exit 2 without a call.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/enos-go/batchprocessing"
	"github.com/enos-go/batchprocessing/refserver"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

// run is the whole program, with its output passed in so that tests can drive it.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("trigger", flag.ContinueOnError)
	flags.SetOutput(stderr)
	flowID := flags.Int64("flow", refserver.DemoFlowID, "id of the flow to trigger")
	at := flags.String("at", "now", `trigger time: RFC 3339 (2026-11-30T08:00:00Z) or "now"`)
	timeout := flags.Duration("timeout", 30*time.Second, "give up after this long")
	if err := flags.Parse(args); err != nil {
		return 2
	}
	if flags.NArg() > 0 {
		fmt.Fprintf(stderr, "trigger: unexpected arguments: %s\n", strings.Join(flags.Args(), " "))
		return 2
	}
	triggerTime, err := parseTriggerTime(*at)
	if err != nil {
		fmt.Fprintf(stderr, "trigger: -at: %v\n", err)
		return 2
	}

	cfg, stop, err := config(stderr)
	if err != nil {
		fmt.Fprintf(stderr, "trigger: %v\n", err)
		return 2
	}
	defer stop()
	client, err := cfg.NewClient()
	if err != nil {
		fmt.Fprintf(stderr, "trigger: %v\n", err)
		return 2
	}

	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	id, err := client.TriggerFlow(ctx, batchprocessing.TriggerFlowRequest{FlowID: *flowID, TriggerTime: triggerTime})
	if err != nil {
		// The error says it all: the operation, the service's code and message, the
		// request id.
		fmt.Fprintf(stderr, "trigger: %v\n", err)
		if errors.Is(err, batchprocessing.ErrInvalidRequest) {
			return 2
		}
		return 1
	}
	fmt.Fprintln(stdout, id)
	return 0
}

// config returns the configuration of the ENOS_* variables or, when none is set, that of a
// reference server started in-process, with the function that stops it.
func config(stderr io.Writer) (batchprocessing.Config, func(), error) {
	cfg, err := batchprocessing.ConfigFromEnv()
	if !errors.Is(err, batchprocessing.ErrNoConfig) {
		return cfg, func() {}, err
	}
	srv := refserver.NewDemoServer()
	fmt.Fprintf(stderr, "trigger: no ENOS_* variable is set; using the in-process reference server at %s (demo app, org %s, user %s)\n",
		srv.URL, refserver.DemoOrgID, refserver.DemoUserID)
	return batchprocessing.Config{Gateway: srv.URL, AccessKey: refserver.DemoAccessKey, SecretKey: refserver.DemoSecretKey,
		OrgID: refserver.DemoOrgID, UserID: refserver.DemoUserID}, srv.Close, nil
}

// parseTriggerTime reads -at: "now" (the zero time, which the client takes as now) or RFC 3339.
func parseTriggerTime(s string) (time.Time, error) {
	if strings.EqualFold(s, "now") {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf(`want RFC 3339 (2026-11-30T08:00:00Z) or "now", got %q`, s)
	}
	if t.Before(time.Unix(0, 0)) {
		// The zero time would mean now to the client: say "now" for that.
		return time.Time{}, fmt.Errorf("%s is before 1970, which the service cannot represent", s)
	}
	return t, nil
}
