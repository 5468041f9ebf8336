package batchprocessing_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/enos-go/batchprocessing"
	"github.com/enos-go/batchprocessing/refserver"
)

// The examples run against the reference server (package refserver) instead of an EnOS
// gateway: in-process (refserver.NewDemoBackend, Backend.Client), on a clock they move
// (refserver.NewManualClock, shared with the client through WithClock), so that their
// output is the same on every run. Against a real gateway, a program passes the gateway's
// address and the application's AccessKey and SecretKey to NewClient, and leaves out
// WithHTTPClient and WithClock.

// Trigger a flow: the result is the id of the flow instance the trigger created, made of the
// flow id and the trigger minute in the server's time zone.
func ExampleClient_TriggerFlow() {
	clk := refserver.NewManualClock(time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC))
	srv := refserver.NewDemoBackend(refserver.WithClock(clk.Now))

	client, err := batchprocessing.NewClient("https://gateway.test", refserver.DemoAccessKey, refserver.DemoSecretKey,
		batchprocessing.WithOrgID(refserver.DemoOrgID),
		batchprocessing.WithUserID(refserver.DemoUserID),
		batchprocessing.WithHTTPClient(srv.Client()), // in-process: no socket
		batchprocessing.WithClock(clk.Now),
	)
	if err != nil {
		log.Fatal(err)
	}
	id, err := client.TriggerFlow(context.Background(), batchprocessing.TriggerFlowRequest{
		FlowID: refserver.DemoFlowID, // 3377
		// TriggerTime: zero means now
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(id)
	// Output: 3377-20261130080000
}

// Wait for a run to end. WaitForFlowInstance returns the final instance, and an error that
// matches ErrFlowInstanceFailed when the run ended in a status other than SUCCESS, so that
// checking err alone cannot miss a failed run.
func ExampleClient_WaitForFlowInstance() {
	clk := refserver.NewManualClock(time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC))
	srv := refserver.NewDemoBackend(refserver.WithClock(clk.Now))
	client, err := batchprocessing.NewClient("https://gateway.test", refserver.DemoAccessKey, refserver.DemoSecretKey,
		batchprocessing.WithOrgID(refserver.DemoOrgID), batchprocessing.WithUserID(refserver.DemoUserID),
		batchprocessing.WithHTTPClient(srv.Client()), batchprocessing.WithClock(clk.Now))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	id, err := client.TriggerFlow(ctx, batchprocessing.TriggerFlowRequest{FlowID: refserver.DemoFlowID})
	if err != nil {
		log.Fatal(err)
	}
	clk.Advance(3 * time.Second) // the demo flow's two tasks run a second each

	fi, err := client.WaitForFlowInstance(ctx, id,
		batchprocessing.WithPollInterval(time.Second, 30*time.Second), // the pause grows while nothing changes
		batchprocessing.WithStatusChange(func(fi *batchprocessing.FlowInstance) {
			fmt.Println("status:", fi.Status)
		}))
	switch {
	case errors.Is(err, batchprocessing.ErrFlowInstanceFailed):
		fmt.Println("the run did not succeed:", fi.Status)
	case err != nil:
		log.Fatal(err) // the context ended, or a poll failed
	default:
		fmt.Println(fi.FlowInstanceID, fi.Status, "from", fi.StartTime, "to", fi.EndTime)
	}
	// Output:
	// status: SUCCESS
	// 3377-20261130080000 SUCCESS from 2026-11-30 08:00:00 to 2026-11-30 08:00:02
}

// A run that fails makes WaitForFlowInstance return a *FlowInstanceFailedError, which
// carries the final instance: its graph tells which task failed.
func ExampleFlowInstanceFailedError() {
	clk := refserver.NewManualClock(time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC))
	srv := refserver.NewBackend(refserver.WithClock(clk.Now))
	srv.AddApp("ak", "sk")
	srv.AddUser("o1", "u1")
	srv.AddFlow(refserver.Flow{ID: 10, Name: "nightly", OrgID: "o1", Owner: "u1", Tasks: []refserver.Task{
		{ID: 100, Name: "extract", Duration: time.Second, Fail: true},
		{ID: 101, Name: "load", Duration: time.Second, DependsOn: []int64{100}},
	}})
	client, err := batchprocessing.NewClient("https://gateway.test", "ak", "sk",
		batchprocessing.WithOrgID("o1"), batchprocessing.WithUserID("u1"),
		batchprocessing.WithHTTPClient(srv.Client()), batchprocessing.WithClock(clk.Now))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	id, err := client.TriggerFlow(ctx, batchprocessing.TriggerFlowRequest{FlowID: 10})
	if err != nil {
		log.Fatal(err)
	}
	clk.Advance(time.Minute)

	_, err = client.WaitForFlowInstance(ctx, id)
	fmt.Println(err)
	var failed *batchprocessing.FlowInstanceFailedError
	if errors.As(err, &failed) {
		graph, err := failed.Instance.DecodeGraph()
		if err != nil {
			log.Fatal(err)
		}
		for _, task := range graph.Tasks {
			fmt.Println(task.TaskName, task.Status)
		}
	}
	// Output:
	// batchprocessing: flow instance 10-20261130080000 ended FAIL
	// extract FAIL
	// load INIT
}

// List flow instances page after page. The zero ListFlowInstancesRequest lists the runs of
// every flow type and status triggered in the last seven days, newest first; its fields
// narrow it.
func ExampleClient_ListFlowInstancesIter() {
	clk := refserver.NewManualClock(time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC))
	srv := refserver.NewDemoBackend(refserver.WithClock(clk.Now))
	client, err := batchprocessing.NewClient("https://gateway.test", refserver.DemoAccessKey, refserver.DemoSecretKey,
		batchprocessing.WithOrgID(refserver.DemoOrgID), batchprocessing.WithUserID(refserver.DemoUserID),
		batchprocessing.WithHTTPClient(srv.Client()), batchprocessing.WithClock(clk.Now))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	for _, hour := range []int{5, 6, 7} { // three runs of the demo flow, one after the other
		at := time.Date(2026, 11, 30, hour, 0, 0, 0, time.UTC)
		if _, err := client.TriggerFlow(ctx, batchprocessing.TriggerFlowRequest{FlowID: refserver.DemoFlowID, TriggerTime: at}); err != nil {
			log.Fatal(err)
		}
	}
	clk.Advance(time.Minute)

	for fi, err := range client.ListFlowInstancesIter(ctx, batchprocessing.ListFlowInstancesRequest{PageSize: 2}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(fi.FlowInstanceID, fi.FlowName, fi.Status)
	}
	// Output:
	// 3377-20261130070000 demo flow SUCCESS
	// 3377-20261130060000 demo flow SUCCESS
	// 3377-20261130050000 demo flow SUCCESS
}

// Times in results are the server's local times, as the service writes them (ServerTime).
// Client.Time reads one in the server's time zone, which the client learns from Get
// Timezone once and renews every half hour.
func ExampleClient_Time() {
	shanghai := time.FixedZone("GMT+8", 8*60*60)
	clk := refserver.NewManualClock(time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC))
	srv := refserver.NewDemoBackend(refserver.WithClock(clk.Now), refserver.WithLocation(shanghai))
	client, err := batchprocessing.NewClient("https://gateway.test", refserver.DemoAccessKey, refserver.DemoSecretKey,
		batchprocessing.WithOrgID(refserver.DemoOrgID), batchprocessing.WithUserID(refserver.DemoUserID),
		batchprocessing.WithHTTPClient(srv.Client()), batchprocessing.WithClock(clk.Now))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	id, err := client.TriggerFlow(ctx, batchprocessing.TriggerFlowRequest{FlowID: refserver.DemoFlowID})
	if err != nil {
		log.Fatal(err)
	}
	clk.Advance(time.Minute)
	fi, err := client.GetFlowInstance(ctx, batchprocessing.GetFlowInstanceRequest{FlowInstanceID: id})
	if err != nil {
		log.Fatal(err)
	}
	end, err := client.Time(ctx, fi.EndTime)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(id, "ended at", fi.EndTime, "server time")
	fmt.Println(end.Format(time.RFC3339), "=", end.UTC().Format(time.RFC3339))
	// Output:
	// 3377-20261130160000 ended at 2026-11-30 16:00:02 server time
	// 2026-11-30T16:00:02+08:00 = 2026-11-30T08:00:02Z
}

// Read what the service said of a call besides its result (the request id to quote to
// support, the HTTP status, the number of attempts) with the per-call option WithMetadata.
func ExampleWithMetadata() {
	srv := refserver.NewDemoBackend()
	client, err := batchprocessing.NewClient("https://gateway.test", refserver.DemoAccessKey, refserver.DemoSecretKey,
		batchprocessing.WithOrgID(refserver.DemoOrgID), batchprocessing.WithUserID(refserver.DemoUserID),
		batchprocessing.WithHTTPClient(srv.Client()))
	if err != nil {
		log.Fatal(err)
	}
	var md batchprocessing.ResponseMetadata
	flow, err := client.GetFlow(context.Background(), batchprocessing.FlowRequest{FlowID: refserver.DemoFlowID},
		batchprocessing.WithMetadata(&md))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(flow.FlowName, md.HTTPStatus, md.Attempts, md.RequestID != "")
	// Output: demo flow 200 1 true
}

// Test your own code against the reference server: seed it (or use NewDemoServer), hand the
// client its in-process transport, move its clock instead of sleeping, and check what your
// code did. Here the code under test reports the runs of the last day that did not
// succeed; in a test, the checks would call t.Errorf instead of printing.
func Example_testing() {
	// The code under test.
	failedRuns := func(ctx context.Context, client *batchprocessing.Client) ([]batchprocessing.FlowInstanceID, error) {
		var ids []batchprocessing.FlowInstanceID
		req := batchprocessing.ListFlowInstancesRequest{
			Within: 24 * time.Hour, // the last day, on the gateway's clock
			Statuses: []batchprocessing.FlowInstanceStatus{batchprocessing.StatusFail, batchprocessing.StatusCancel,
				batchprocessing.StatusTimeout, batchprocessing.StatusInternalError},
		}
		for fi, err := range client.ListFlowInstancesIter(ctx, req) {
			if err != nil {
				return nil, err
			}
			ids = append(ids, fi.FlowInstanceID)
		}
		return ids, nil
	}

	// The test: a server with a flow that fails and one that succeeds.
	clk := refserver.NewManualClock(time.Now().Truncate(time.Minute))
	srv := refserver.NewDemoBackend(refserver.WithClock(clk.Now))
	srv.AddFlow(refserver.Flow{ID: 10, Name: "nightly", OrgID: refserver.DemoOrgID, Owner: refserver.DemoUserID,
		Tasks: []refserver.Task{{ID: 100, Name: "load", Duration: time.Second, Fail: true}}})
	client, err := batchprocessing.NewClient("https://gateway.test", refserver.DemoAccessKey, refserver.DemoSecretKey,
		batchprocessing.WithOrgID(refserver.DemoOrgID), batchprocessing.WithUserID(refserver.DemoUserID),
		batchprocessing.WithHTTPClient(srv.Client()), batchprocessing.WithClock(clk.Now))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	for _, flowID := range []int64{10, refserver.DemoFlowID} {
		if _, err := client.TriggerFlow(ctx, batchprocessing.TriggerFlowRequest{FlowID: flowID}); err != nil {
			log.Fatal(err)
		}
	}
	clk.Advance(time.Minute) // both runs are over

	ids, err := failedRuns(ctx, client)
	if err != nil {
		log.Fatal(err)
	}
	for _, id := range ids {
		flowID, err := id.FlowID()
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("failed: a run of flow", flowID)
	}
	// Output: failed: a run of flow 10
}

// A program that runs where the ENOS_* variables are set needs no flags of its own.
func ExampleNewClientFromEnv() {
	client, err := batchprocessing.NewClientFromEnv(batchprocessing.WithTimeout(10 * time.Second))
	if errors.Is(err, batchprocessing.ErrNoConfig) {
		log.Fatal("set ENOS_API_GATEWAY, ENOS_ACCESS_KEY, ENOS_SECRET_KEY (or ENOS_SECRET_KEY_FILE), ENOS_ORG_ID and ENOS_USER_ID")
	}
	if err != nil {
		log.Fatal(err) // some are set, not all: the error names those missing
	}
	id, err := client.TriggerFlow(context.Background(), batchprocessing.TriggerFlowRequest{FlowID: 3377})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(id)
}

// Match the service's errors with errors.Is, and read their details with errors.As.
func ExampleAPIError() {
	srv := refserver.NewDemoBackend()
	client, err := batchprocessing.NewClient("https://gateway.test", refserver.DemoAccessKey, refserver.DemoSecretKey,
		batchprocessing.WithOrgID(refserver.DemoOrgID), batchprocessing.WithUserID(refserver.DemoUserID),
		batchprocessing.WithHTTPClient(srv.Client()))
	if err != nil {
		log.Fatal(err)
	}
	_, err = client.TriggerFlow(context.Background(), batchprocessing.TriggerFlowRequest{FlowID: refserver.DemoEmptyFlowID})
	if errors.Is(err, batchprocessing.ErrFlowHasNoTask) {
		fmt.Println("flow 3378 has no task")
	}
	var apiErr *batchprocessing.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.Code, apiErr.Message)
	}
	// Output:
	// flow 3378 has no task
	// 62104 This workflow has no task. You cannot trigger it.
}

// Invalid input fails before any network call.
func ExampleNewClient() {
	client, err := batchprocessing.NewClient("https://apim-gateway.example.com", "yourAppAccessKey", "yourAppSecretKey",
		batchprocessing.WithOrgID("yourOrgId"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(client) // never shows the SecretKey
	_, err = client.TriggerFlow(context.Background(), batchprocessing.TriggerFlowRequest{FlowID: 3377})
	fmt.Println(errors.Is(err, batchprocessing.ErrInvalidRequest), err)
	// Output:
	// batchprocessing.Client{endpoint: https://apim-gateway.example.com, orgId: "yourOrgId", userId: ""}
	// true batchprocessing: TriggerFlow: invalid UserID: empty, and the client has no default (WithUserID)
}
