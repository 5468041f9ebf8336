// Command wait triggers one run of an EnOS Batch Processing flow, waits for it to end, and
// prints each status change of the flow instance.
//
// Configuration is that of examples/trigger: ENOS_API_GATEWAY, ENOS_ACCESS_KEY,
// ENOS_SECRET_KEY (or ENOS_SECRET_KEY_FILE), ENOS_ORG_ID and ENOS_USER_ID, or, when none is
// set, the reference server in-process, whose demo flow runs two one-second tasks.
//
//	go run ./examples/wait                 # against the in-process reference server
//	go run ./examples/wait -flow 3377 -poll 5s -timeout 30m
//
// Each status change is a line on stdout: the time since the trigger, the instance id, the
// status and the state of each task. It exits 0 when the run succeeds, 1 when it ends
// otherwise or a call fails, and 2 for bad flags or configuration.
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
	flags := flag.NewFlagSet("wait", flag.ContinueOnError)
	flags.SetOutput(stderr)
	flowID := flags.Int64("flow", refserver.DemoFlowID, "id of the flow to trigger")
	poll := flags.Duration("poll", time.Second, "first pause between two status polls (it grows to 30s while nothing changes)")
	timeout := flags.Duration("timeout", 30*time.Minute, "give up waiting after this long (the run goes on)")
	if err := flags.Parse(args); err != nil {
		return 2
	}
	if flags.NArg() > 0 || *poll <= 0 || *timeout <= 0 {
		fmt.Fprintln(stderr, "wait: unexpected arguments, or a -poll or -timeout that is not positive")
		return 2
	}
	cfg, stop, err := config(stderr)
	if err != nil {
		fmt.Fprintf(stderr, "wait: %v\n", err)
		return 2
	}
	defer stop()
	client, err := cfg.NewClient()
	if err != nil {
		fmt.Fprintf(stderr, "wait: %v\n", err)
		return 2
	}

	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	start := time.Now()
	id, err := client.TriggerFlow(ctx, batchprocessing.TriggerFlowRequest{FlowID: *flowID})
	if err != nil {
		fmt.Fprintf(stderr, "wait: %v\n", err)
		if errors.Is(err, batchprocessing.ErrInvalidRequest) {
			return 2
		}
		return 1
	}
	fmt.Fprintf(stdout, "%6.1fs %s triggered\n", time.Since(start).Seconds(), id)

	// A run that ends in any status but SUCCESS is an error (ErrFlowInstanceFailed).
	_, err = client.WaitForFlowInstance(ctx, id,
		batchprocessing.WithPollInterval(*poll, 30*time.Second),
		batchprocessing.WithStatusChange(func(fi *batchprocessing.FlowInstance) {
			fmt.Fprintf(stdout, "%6.1fs %s %s%s\n", time.Since(start).Seconds(), fi.FlowInstanceID, fi.Status, tasks(fi))
		}))
	if err != nil {
		fmt.Fprintf(stderr, "wait: %v\n", err)
		return 1
	}
	return 0
}

// tasks describes the state of each task of the instance, from its graph.
func tasks(fi *batchprocessing.FlowInstance) string {
	g, err := fi.DecodeGraph()
	if err != nil || len(g.Tasks) == 0 {
		return ""
	}
	parts := make([]string, len(g.Tasks))
	for i, t := range g.Tasks {
		parts[i] = t.TaskName + "=" + t.Status.String()
	}
	return "  [" + strings.Join(parts, " ") + "]"
}

// config returns the configuration of the ENOS_* variables or, when none is set, that of a
// reference server started in-process, with the function that stops it.
func config(stderr io.Writer) (batchprocessing.Config, func(), error) {
	cfg, err := batchprocessing.ConfigFromEnv()
	if !errors.Is(err, batchprocessing.ErrNoConfig) {
		return cfg, func() {}, err
	}
	srv := refserver.NewDemoServer()
	fmt.Fprintf(stderr, "wait: no ENOS_* variable is set; using the in-process reference server at %s (demo app, org %s, user %s)\n",
		srv.URL, refserver.DemoOrgID, refserver.DemoUserID)
	return batchprocessing.Config{Gateway: srv.URL, AccessKey: refserver.DemoAccessKey, SecretKey: refserver.DemoSecretKey,
		OrgID: refserver.DemoOrgID, UserID: refserver.DemoUserID}, srv.Close, nil
}
