// Package refserver is an in-process reference server for the EnOS API that package
// batchprocessing calls: the API gateway with its token service and signature check, and the
// 22 operations of the Batch Processing Service V2.1, with flow instances that run on the
// server's clock. Use it in tests the way you use net/http/httptest:
//
//	clk := refserver.NewManualClock(time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC))
//	srv := refserver.NewDemoServer(refserver.WithClock(clk.Now))
//	defer srv.Close()
//	// point the client at srv.URL with refserver.DemoAccessKey and refserver.DemoSecretKey,
//	// trigger refserver.DemoFlowID, then clk.Advance(time.Minute): the instance has run
//
// NewServer starts an empty server on a loopback port; seed it with Load (a Seed, from a file
// by LoadSeed) or with AddApp, AddUser and AddFlow. NewDemoServer loads DemoSeed, the
// identities of the EnOS documentation's samples (DemoAccessKey, DemoOrgID, DemoUserID,
// DemoFlowID, ...). A Backend is the same server without a listener (NewBackend): an
// http.Handler to serve on your own http.Server or in-process through Client; a Server is a
// Backend with a loopback listener. Flow, FlowInstance, FlowInstances and RootDirectory read
// the store; FinishFlowInstance forces an instance to end; Reset goes back to the seed. All
// methods are safe for concurrent use.
//
// # What it reproduces
//
// The gateway (Invoke API with Access Token,
// https://support.enos-iot.com/docs/apim/en/2.4.0/token/invoke_api_with_access_token.html): POST
// /apim-token-service/v2.0/token/get and /token/refresh with their status codes 0, 1001 to 1004 and
// 1202 to 1204; on every other route the headers apim-accesstoken, apim-timestamp and
// apim-signature, checked with the same signature as batchprocessing.Sign over the decoded query
// and the exact body bytes. Gateway refusals are HTTP statuses with Kong's {"message": ...} body:
// 404 for an unknown path (checked before authentication), 413 for a body over MaxBodyBytes (read
// and discarded first, up to MaxDrainBytes and for at most 5 s, so that a client still sending
// it reads the 413; at once for a request that expects 100-continue), 401
// "Invalid authentication credentials" for a missing header, an unknown or expired token, a
// timestamp outside the window (15 minutes by default, see WithTimestampWindow) or a wrong
// signature, and 403 "You cannot consume this service" for an app acting in an organization (orgId)
// it is not registered in (AddApp, SeedApp.Orgs; the documentation gives no answer for this case,
// so this one is inferred). Every answer of the gateway carries a Date header from the server
// clock (the control API's answers carry net/http's, from the wall clock). Tokens that expired
// more than the window ago are forgotten on the next token request; refreshing one then answers
// 1204 instead of 1203.
//
// The Batch Processing Service answers HTTP 200 with {"code","msg","data","requestId"}; code 0 is
// success and 621xx codes are the documented business errors. It routes on method, path and action
// (https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/overview.html): flows
// (trigger, triggerFromTask, updateAndTrigger, get, getMyFlow, search, enable, disable, delete,
// save, loadForEdit, export, import), flowInstances (get, search, cancel), taskInstances (get,
// getLog), directories (create, listWorkFlowDirs) and time (getCurrentTime, getTimeZone). Any other
// action, or a known one with another method, answers 62102 "Invalid parameter: action".
//
// Prerequisites follow each operation's page. Owner-only operations (the triggers,
// cancel, enable, disable, delete, save, import) answer 62101 for a user that is unknown or
// not in orgId, 62105 for a locked user, 62102 for a bad body, 62103 for a user who does not
// own the flow and 62105 for a locked flow, in that order. The other operations need the user
// to belong to orgId (62101) and only see that org's flows and instances; the time operations
// need no userId or orgId. Get My Flow lists the flows the user owns or visits; List Flow
// Instances lists the instances of every flow of the org (its page says "all workflows
// related to the user", which may mean the flows the user owns or visits, as Get My Flow's
// page means by the same words: the wider reading is the tolerant one, and a test that
// expects instances of another user's flows left out should not rely on the server for it).
//
// On the wire it follows the rule "tolerant decoding, exact encoding": ids and numbers are read
// as numbers or strings, flags as true, 1, "true" or "1" (and their false forms), as the
// service's JSON reader takes them, parameters as an array of {key, value}, an object or a
// string holding either;
// graph, parameters and runMode are written as JSON documents inside strings, times as
// server-local "yyyy-MM-dd HH:mm:ss" ("" when not started or ended; creation and update
// times to the second with ".0", as the samples print them), flow ids as numbers where the
// documentation says Integer and strings where it says String, and fields only where the
// documentation's samples place them (isCancelled in List Flow Instances, queue in Load Flow
// For Edit). Flow ids are never given twice, even after a delete. Where the documentation is
// silent, the choice made is noted on the code that makes it.
//
// # The life of an instance
//
// Trigger Flow creates an instance "<flowId>-<yyyyMMddHHmm00>" from the trigger time in the
// server's time zone (WithLocation). One instance of a flow runs at a time: it waits
// (StatusWait) until its trigger time has come and the flow's previous instance has ended,
// then starts at exactly that moment. Its tasks run in dependency order (Task.DependsOn), each
// for its Duration, and succeed, or do what their seeded behaviour says (task_timeline.go):
// fail (Task.Fail, Task.Failures), retried after an interval (StatusRerun), time out
// (StatusTimeout), end with an internal error (StatusInternalError), be suspended
// (StatusSuspend) or wait for their resource (StatusReady) first; the instance shows the
// same statuses while it runs. It shows StatusFail (or StatusTimeout, StatusInternalError)
// as soon as a task ends so, and ends when the tasks still running have ended (no new task
// starts after it, so the failed task's downstream tasks stay StatusInit); it ends
// StatusSuccess when all its tasks succeed, or StatusCancel when Cancel Flow Instance ends it
// (its started tasks become StatusCancel). Then the next waiting instance starts. Trigger Flow From
// Task runs one task and its downstream tasks and marks the others StatusSkip; Update And
// Trigger Flow gives one instance its own parameters. System variables such as ${cal_dt} in
// the parameters, and in a task's parameters and command, are substituted in the instance
// (system_variables.go). Each task instance
// "<taskId>-<yyyyMMddHHmm00>" has a log that grows as it runs.
//
// # Time
//
// Nothing runs in the background. The server reads its clock (WithClock) when a request or a
// method call comes and derives every status and time from it, so moving a ManualClock by an
// hour and then reading gives exactly the state an hour brings, with the exact start and end
// times. Tests move time by moving the clock, never by sleeping.
//
// # History
//
// The server keeps every instance it creates (tests count them), unless WithMaxInstances bounds
// them: then the instances that ended first are forgotten first. A forgotten instance is
// unknown to every operation, and its flow's minute can be triggered again (a periodic fire
// of its id does not run it again: see Schedules below; for that, a periodic flow under a
// bound remembers the ids it fired lately, about 5 KB for a minute cycle in New York). An instance
// holds about 0.4 KB of heap plus 0.13 KB a task of its flow, and once its graph has been
// read, about 0.15 KB plus 0.2 KB a task more (BenchmarkInstanceMemory). A request's cost does not grow
// with the history: each flow's waiting and running instances are indexed, the store settles
// only the flows whose next event has come, and List Flow Instances finds its trigger-time
// range and its page in indexes kept in trigger-time order, of every status and of each one,
// of each owner, newest or oldest first (a search with an expression, or sorted by another
// field, visits the range, never more).
//
// # What it is not
//
// It is a reference for the documented behaviour, not EnOS: no real task execution, no re-run,
// no rate limiting and no Poseidon (RSA token) authentication.
//
// # Schedules, the control API and refusals explained
//
// An active periodic flow fires at each time of its cron expression on the server clock
// (schedule.go tells the ids). Quartz's L, W and # are not read: a flow whose freq uses them never
// fires. Save Flow and Import Flow take such a freq, as EnOS does, and one that fires more often
// than its cycle (the documentation sets no rule against it), while a seed refuses both in a
// periodic flow; since a periodic instance's id holds its fire time to the cycle's granularity,
// only the first fire of a cycle makes an instance and the others are dropped, as is the second
// fire of an hour repeated by a fall-back to standard time (its id is the first's), whether or
// not the history (WithMaxInstances) still holds the first. (Under a bound, a flow remembers
// each id it fired for the id's period and the longest fall-back of the server's zone: after
// a clock set back, or a change of time zone, an id whose instance the bound forgot can run
// again.)
//
// NewControlHandler serves the control API under ControlPrefix
// ("/_refserver/"): health, state (with the last requests and their verdicts), clock,
// settings, faults, reset and seed, the same Go API as JSON for clients in other languages;
// cmd/refserver serves it. It arms a fault only while fewer than MaxFaults (1000) are armed
// (those InjectFault armed count too), and refuses one more, or a Delay over MaxFaultDelay
// (10 minutes), with HTTP 400; a fault used up is disarmed. Every refused request carries HeaderReason, "X-Refserver-Reason",
// saying why, never with a SecretKey, a control character or a byte that is not UTF-8
// (written \xNN) (explain.go).
package refserver
