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

// Trigger a flow against the bundled reference server. Against a real gateway, pass its
// address and the application's AccessKey and SecretKey instead.
func ExampleClient_TriggerFlow() {
	srv := refserver.NewDemoServer()
	defer srv.Close()

	client, err := batchprocessing.NewClient(srv.URL, refserver.DemoAccessKey, refserver.DemoSecretKey,
		batchprocessing.WithOrgID(refserver.DemoOrgID),
		batchprocessing.WithUserID(refserver.DemoUserID),
	)
	if err != nil {
		log.Fatal(err)
	}
	id, err := client.TriggerFlow(context.Background(), batchprocessing.TriggerFlowRequest{
		FlowID:      3377,
		TriggerTime: time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC),
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(id)
	// Output: 3377-20261130080000
}

// Match the service's errors with errors.Is, and read their details with errors.As.
func ExampleAPIError() {
	srv := refserver.NewDemoServer()
	defer srv.Close()
	client, err := batchprocessing.NewClient(srv.URL, refserver.DemoAccessKey, refserver.DemoSecretKey,
		batchprocessing.WithOrgID(refserver.DemoOrgID), batchprocessing.WithUserID(refserver.DemoUserID))
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
