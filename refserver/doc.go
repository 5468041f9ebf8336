// Package refserver is an in-process reference server for the EnOS API that package
// batchprocessing calls: the API gateway with its token service and signature check, and the
// Batch Processing Service V2.1 operations implemented so far (Trigger Flow). Use it in tests
// the way you use net/http/httptest:
//
//	srv := refserver.NewDemoServer()
//	defer srv.Close()
//	// point the client at srv.URL with refserver.DemoAccessKey and refserver.DemoSecretKey
//
// NewServer starts an empty server on a loopback port; seed it with AddApp, AddUser and
// AddFlow. NewDemoServer seeds the identities of the EnOS documentation's samples (DemoAccessKey,
// DemoOrgID, DemoUserID, DemoFlowID, ...). Handler serves the same routes and store without a
// socket. All methods are safe for concurrent use.
//
// # What it reproduces
//
// The gateway (spec sections 1.2 and 2.2): POST /apim-token-service/v2.0/token/get and
// /token/refresh with their status codes 0, 1001 to 1004 and 1202 to 1204; on every other route
// the headers apim-accesstoken, apim-timestamp and apim-signature, checked with
// batchprocessing.Sign over the decoded query and the exact body bytes. Gateway refusals are
// HTTP statuses with Kong's {"message": ...} body: 404 for an unknown path (checked before
// authentication), 413 for a body over MaxBodyBytes, 401 "Invalid authentication credentials"
// for a missing header, an unknown or expired token, a timestamp outside the window (15
// minutes by default, see WithTimestampWindow) or a wrong signature. Every answer carries a
// Date header from the server clock.
//
// The Batch Processing Service answers HTTP 200 with {"code","msg","data","requestId"}; code 0
// is success and 621xx codes are the documented business errors. It routes on method, path and
// action; an operation it does not implement answers 62102 "Invalid parameter: action".
// Trigger Flow (POST /batch-processing-service/v2.1/flows?action=trigger) checks the user, the
// body, the flow, ownership, locks and tasks in the documented order and creates an instance
// "<flowId>-<yyyyMMddHHmm00>" from the trigger time in the server's time zone (WithLocation).
// One instance of a flow runs at a time: later ones wait (StatusWait) and run in trigger order,
// and an instance whose trigger time is in the future waits until the clock reaches it.
//
// # Time
//
// Nothing runs in the background. The server reads its clock (WithClock) when a request or a
// method call comes and brings instance statuses up to that moment; tests move time by moving
// the clock, never by sleeping. Instances only end when a test calls FinishFlowInstance.
//
// # What it is not
//
// It is a reference for the documented behaviour, not a simulator of EnOS: there is no
// scheduler, no task execution, no rate limiting and no Poseidon (RSA token) authentication.
// Where the documentation is silent, the choice made is noted on the code that makes it.
package refserver
