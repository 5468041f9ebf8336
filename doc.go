// Package batchprocessing is a client for the EnOS Batch Processing Service V2.1: the
// service of Envision's EnOS IoT platform that runs workflows ("flows") of batch tasks on a
// schedule or on demand. A Client calls it through the EnOS API gateway as an application:
// it fetches, caches and renews the access token of the application's AccessKey and
// SecretKey, signs every request, sends each of the 22 operations of the API, and turns the
// gateway's {code, msg, data} responses into typed results or typed errors.
//
// # Quick start
//
//	client, err := batchprocessing.NewClient("https://apim-gateway.example.com", accessKey, secretKey,
//		batchprocessing.WithOrgID("yourOrgId"), batchprocessing.WithUserID("yourUserId"))
//	if err != nil {
//		return err // an invalid endpoint or key: NewClient does no I/O
//	}
//	id, err := client.TriggerFlow(ctx, batchprocessing.TriggerFlowRequest{FlowID: 3377})
//	if err != nil {
//		return err
//	}
//	fi, err := client.WaitForFlowInstance(ctx, id)
//	if err != nil {
//		return err // a poll failed, the context ended, or the run did not succeed
//	}
//	log.Printf("%s succeeded at %s", id, fi.EndTime)
//
// [NewClientFromEnv] makes the same client from the ENOS_* environment variables (EnvGateway,
// EnvAccessKey, ...).
//
// # Operations
//
// Each operation of the API is a method of Client named after it: Trigger Flow is
// TriggerFlow, Get Flow Instance is GetFlowInstance, and so on; its doc comment links its
// page of the EnOS documentation
// (https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/overview.html lists
// them all). A method takes a context.Context, a request struct (except GetCurrentTime and
// GetTimezone, which have no input), and per-call options last: [WithMetadata] reads the
// request id, HTTP status and attempts of the call, [WithCallRetryPolicy] changes its retries.
// A request's empty OrgID and UserID take the client's ([WithOrgID], [WithUserID]).
//
// Beyond the API calls, [Client.WaitForFlowInstance] polls an instance until its run ends,
// [Client.ListFlowInstancesIter] goes through every page of a listing, and
// [Client.ServerLocation] and [Client.Time] read the service's times.
//
// # Times and ids
//
// The service writes times as text in its own time zone ([ServerTime]; a time sent as epoch
// milliseconds is kept as RFC 3339 in UTC); Client.Time turns one into a time.Time, in the
// zone the client learns from Get Timezone. The id of a manually
// triggered flow instance is the flow id and the trigger minute in that zone,
// "3377-20261130080000" (FlowInstanceID, [FlowInstanceIDFor]). The service sends ids as
// numbers or strings and some documents as JSON inside strings ([EmbeddedJSON]); the types
// of this package read every form it sends.
//
// # Decoding
//
// The service is not consistent in how it writes values, and every result type reads each
// form it is known to send: ids as numbers or strings, flags as true or 1, counts as 3 or
// "3", "" for a zero number, statuses as codes or names (or, when the code is missing, from
// the status text beside it), request ids as strings or numbers, keys in the snake_case of
// older samples (inst_id for instId), and documents as JSON inside strings ([EmbeddedJSON]).
// Requests are encoded as the documentation gives them.
//
// # Errors
//
// An error of an operation is, or wraps, one of five types. Match its kind with errors.Is
// and a sentinel; read its details with errors.As:
//
//   - *[RequestError]: invalid input (FlowID <= 0, no user id, ...); nothing was sent.
//     It matches [ErrInvalidRequest].
//   - *[APIError]: the gateway answered, but not with success: a business code (62104
//     matches [ErrFlowHasNoTask], ...), a token-service code, an HTTP status (401
//     [ErrUnauthorized], 429 [ErrRateLimited]), or a body that is not the documented JSON
//     ([ErrUnexpectedResponse]). It carries the code, the message and the request id.
//   - *[TransportError]: no response: the connection failed, an attempt timed out (its Timeout
//     method tells), or the context ended.
//   - *[OutcomeUnknownError]: a trigger whose response was lost and whose instance the client
//     could not find; it may have been created. It matches [ErrOutcomeUnknown]: look for the
//     instance (its FlowID and Minute) before triggering again.
//   - *[FlowInstanceFailedError]: WaitForFlowInstance saw the run end FAIL, CANCEL, TIMEOUT,
//     SKIP or INTERNAL_ERROR. It matches [ErrFlowInstanceFailed] and carries the instance.
//
// When the context ends, the error is one of these too (a *TransportError, even between two
// polls of WaitForFlowInstance or two pages of ListFlowInstancesIter), and errors.Is(err,
// context.Canceled) or errors.Is(err, context.DeadlineExceeded) holds. No error, log record or printed Client holds the SecretKey,
// the access token or a request's signature.
//
// # Reliability
//
// Reads and idempotent writes are retried after a connection error, 429 (after its
// Retry-After), 502, 503, 504 or code 62109, with exponential backoff ([RetryPolicy],
// [WithoutRetries]). The three triggers are never resent blindly: when an attempt may have
// reached the service unanswered, the client looks for the instance it would have created
// (List Flow Instances over the trigger's minute) and sends again only if it is not there.
// The context passed to a call bounds the whole call; [WithTimeout] bounds each attempt.
// Redirects are never followed.
//
// # Testing
//
// Package refserver is an in-process imitation of the EnOS gateway and the Batch
// Processing Service, for testing code that uses this package without an EnOS account.
// Server.Client hands the client an in-process transport, no socket needed:
//
//	srv := refserver.NewDemoBackend()
//	client, err := batchprocessing.NewClient("https://gateway.test", refserver.DemoAccessKey, refserver.DemoSecretKey,
//		batchprocessing.WithHTTPClient(srv.Client()),
//		batchprocessing.WithOrgID(refserver.DemoOrgID), batchprocessing.WithUserID(refserver.DemoUserID))
//	if err != nil {
//		t.Fatal(err)
//	}
//	_, err = client.TriggerFlow(ctx, batchprocessing.TriggerFlowRequest{FlowID: refserver.DemoEmptyFlowID})
//	if !errors.Is(err, batchprocessing.ErrFlowHasNoTask) { // the demo's flow without a task: 62104
//		t.Errorf("err = %v, want ErrFlowHasNoTask", err)
//	}
//
// Flow instances run on the server's clock: with a refserver.NewManualClock given to the
// server (refserver.WithClock) and to the client ([WithClock]), a test moves time instead of
// sleeping. Server.InjectFault makes requests fail with a status or a code, be delayed, or
// (over a real socket, srv.URL) lose their response. Seed your own flows with Server.AddFlow,
// or mock by hand with any http.RoundTripper, such as httpmock's, through [WithHTTPClient].
package batchprocessing
