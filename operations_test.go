package batchprocessing

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/enos-go/batchprocessing/refserver"
	"github.com/jarcoal/httpmock"
)

// The tests of the catalogue (catalogue_test.go): each runs every operation.

// docSampleDir holds the documentation's samples (see its README.md for their sources).
const docSampleDir = "testdata/docsamples"

// docSampleZone is the samples' server time zone, as get_time_zone.json reports it.
var docSampleZone = time.FixedZone("GMT+8", 8*3600)

// TestOperationDocSamples answers each operation with the documentation's Return Sample
// and compares what the client makes of it (the result, its embedded documents, its times
// read in GMT+8) with testdata/golden/docsamples/<operation>.json (the operations that
// return only an error have none, their sample decoding without error). The service is
// inconsistent (numbers as strings, JSON in strings, snake_case in graphs, Java dates); the
// decoding is tolerant of all of it.
func TestOperationDocSamples(t *testing.T) {
	t.Parallel()
	for _, op := range catalogue {
		t.Run(op.name, func(t *testing.T) {
			t.Parallel()
			c, _ := docSampleClient(t, op)
			got, err := op.call(context.Background(), c)
			if err != nil {
				t.Fatal(err)
			}
			if got != nil {
				checkGolden(t, "docsamples/"+op.name, viewOf(t, got, docSampleZone), nil)
			}
		})
	}
}

// TestOperationRequests checks the exact request of each operation: method, path, query,
// body bytes, content type and signature.
func TestOperationRequests(t *testing.T) {
	t.Parallel()
	for _, op := range catalogue {
		t.Run(op.name, func(t *testing.T) {
			t.Parallel()
			c, rec := docSampleClient(t, op)
			if _, err := op.call(context.Background(), c); err != nil {
				t.Fatal(err)
			}
			op.request.check(t, rec)
		})
	}
}

// TestOperationValidation checks that each operation refuses its invalid input, and a nil
// context, with a *RequestError naming the field before any request; and that it turns a
// business error of the service into an *APIError of the operation.
func TestOperationValidation(t *testing.T) {
	t.Parallel()
	var nilCtx context.Context
	for _, op := range catalogue {
		t.Run(op.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			c, mt, _ := newTestClient(t)
			mt.RegisterNoResponder(httpmock.NewStringResponder(200, `{"code":62103,"msg":"User has no privilege.","data":null}`))
			_, err := op.call(ctx, c)
			var apiErr *APIError
			if !errors.Is(err, ErrNoPrivilege) || !errors.As(err, &apiErr) || apiErr.Operation != op.name {
				t.Errorf("business error: err = %v, want ErrNoPrivilege of %s", err, op.name)
			}
			mt.ZeroCallCounters()
			for _, invalid := range []struct {
				call  func() (any, error)
				field string
			}{
				{func() (any, error) { return op.invalid(ctx, c) }, op.field},
				{func() (any, error) { return op.call(nilCtx, c) }, "context"},
			} {
				_, err := invalid.call()
				var reqErr *RequestError
				if !errors.Is(err, ErrInvalidRequest) || !errors.As(err, &reqErr) || reqErr.Operation != op.name || reqErr.Field != invalid.field {
					t.Errorf("err = %v, want a *RequestError of %s about %s", err, op.name, invalid.field)
				}
			}
			if n := mt.GetTotalCallCount(); n != 0 {
				t.Errorf("%d network calls for invalid input", n)
			}
		})
	}
}

// TestInvalidInputFields checks the fields that more of the client's refusals name, beyond
// the catalogue's one per operation; none sends a request.
func TestInvalidInputFields(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, mt, _ := newTestClient(t)
	for _, tt := range []struct {
		field string
		call  func() (any, error)
	}{
		{"From", func() (any, error) {
			return withResult(c.ListFlowInstances(ctx, ListFlowInstancesRequest{From: time.UnixMilli(testNowMillis), To: time.UnixMilli(0)}))
		}},
		{"From", func() (any, error) { // after now, on the client's clock
			return withResult(c.ListFlowInstances(ctx, ListFlowInstancesRequest{From: time.UnixMilli(testNowMillis).Add(time.Minute)}))
		}},
		{"Within", func() (any, error) {
			return withResult(c.ListFlowInstances(ctx, ListFlowInstancesRequest{Within: -time.Hour}))
		}},
		{"Within", func() (any, error) { // with a From: one of the two
			return withResult(c.ListFlowInstances(ctx, ListFlowInstancesRequest{From: time.UnixMilli(testNowMillis).Add(-time.Hour), Within: time.Hour}))
		}},
		{"PageNo", func() (any, error) { return withResult(c.SearchFlows(ctx, SearchFlowsRequest{PageNo: -1})) }},
		{"Name", func() (any, error) {
			return withResult(c.SaveFlow(ctx, SaveFlowRequest{FlowID: 2515, Freq: "0 0 0 * * ? *", Cycle: "D", StartTime: "2019-07-23"}))
		}},
		{"Freq", func() (any, error) {
			return withResult(c.SaveFlow(ctx, SaveFlowRequest{FlowID: 2515, Name: "etl", Freq: "every day", Cycle: "D", StartTime: "2019-07-23"}))
		}},
		{"StartTime", func() (any, error) {
			return withResult(c.SaveFlow(ctx, SaveFlowRequest{FlowID: 2515, Name: "etl", Freq: "0 0 0 * * ? *", Cycle: "D", StartTime: "tomorrow"}))
		}},
		{"AlertMode", func() (any, error) {
			return withResult(c.SaveFlow(ctx, SaveFlowRequest{FlowID: 2515, Name: "etl", Freq: "0 0 0 * * ? *", Cycle: "D", StartTime: "2019-07-23", AlertMode: 9}))
		}},
		{"FlowName", func() (any, error) { return withResult(c.ImportFlow(ctx, ImportFlowRequest{DirID: docRootDirectory})) }},
		{"ParentID", func() (any, error) { return withResult(c.CreateDirectory(ctx, CreateDirectoryRequest{Name: "etl"})) }},
	} {
		_, err := tt.call()
		var reqErr *RequestError
		if !errors.As(err, &reqErr) || reqErr.Field != tt.field {
			t.Errorf("err = %v, want a *RequestError about %s", err, tt.field)
		}
	}
	if n := mt.GetTotalCallCount(); n != 0 {
		t.Errorf("%d network calls for invalid input", n)
	}
}

// TestOperationRoundTrips runs each operation against the demo reference server, seeded
// with what it needs, and compares the result with testdata/golden/roundtrips/<operation>.json
// (the operations that return only an error have none). The server is in UTC.
func TestOperationRoundTrips(t *testing.T) {
	t.Parallel()
	for _, op := range catalogue {
		t.Run(op.name, func(t *testing.T) {
			t.Parallel()
			rt := newRoundTrip(t)
			if op.seed != nil {
				op.seed(rt)
			}
			got, err := op.call(context.Background(), rt.c)
			if err != nil {
				t.Fatal(err)
			}
			if got != nil {
				checkGolden(t, "roundtrips/"+op.name, viewOf(t, got, time.UTC), maskRandomIDs)
			}
		})
	}
}

// TestCatalogueComplete checks that the catalogue holds every operation of the Client once,
// each with its checks, and every Return Sample of testdata/docsamples once; and that every
// golden file is an operation's.
func TestCatalogueComplete(t *testing.T) {
	t.Parallel()
	helpers := []string{"Format", "GoString", "String", // printing without secrets
		"ListFlowInstancesIter", "ServerLocation", "Time", "WaitForFlowInstance"} // built on the operations
	var methods []string
	client := reflect.TypeFor[*Client]()
	for i := range client.NumMethod() {
		if name := client.Method(i).Name; !slices.Contains(helpers, name) {
			methods = append(methods, name)
		}
	}
	var names, samples []string
	for _, op := range catalogue {
		names = append(names, op.name)
		samples = append(samples, op.docSample+".json")
		if op.call == nil || op.invalid == nil || op.field == "" || op.request.method == "" {
			t.Errorf("%s: incomplete entry", op.name)
		}
	}
	slices.Sort(names)
	if len(methods) != 22 || !slices.Equal(names, methods) {
		t.Errorf("catalogue %v,\nwant the 22 operations %v", names, methods)
	}
	files, err := filepath.Glob(filepath.Join(docSampleDir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	var onDisk []string
	for _, f := range files {
		if !strings.HasSuffix(f, ".request.json") {
			onDisk = append(onDisk, filepath.Base(f))
		}
	}
	slices.Sort(samples)
	if !slices.Equal(samples, onDisk) {
		t.Errorf("samples of the catalogue %v,\nwant those of %s %v", samples, docSampleDir, onDisk)
	}
	goldens, err := filepath.Glob(filepath.Join("testdata", "golden", "*", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range goldens {
		if !slices.Contains(names, strings.TrimSuffix(filepath.Base(g), ".json")) {
			t.Errorf("%s is no operation's", g)
		}
	}
}

// docSampleClient returns a test client whose requests of op are answered with op's Return
// Sample, and the recorder of those requests.
func docSampleClient(t *testing.T, op operation) (*Client, *recorder) {
	t.Helper()
	body, err := os.ReadFile(filepath.Join(docSampleDir, op.docSample+".json"))
	if err != nil {
		t.Fatal(err)
	}
	c, mt, _ := newTestClient(t)
	rec := &recorder{}
	mt.RegisterResponder(op.request.method, testEndpoint+op.request.path, rec.wrap(docSampleResponder(body, op.request.query.Get("action"))))
	return c, rec
}

// docSampleResponder answers with the sample's bytes, and with an error if the request's
// action is not the operation's, so that a case cannot pass by calling the wrong method.
func docSampleResponder(body []byte, action string) httpmock.Responder {
	ok := httpmock.NewBytesResponder(http.StatusOK, body).
		HeaderSet(http.Header{"Content-Type": {"application/json;charset=UTF-8"}})
	return func(req *http.Request) (*http.Response, error) {
		if got := req.URL.Query().Get("action"); got != action {
			return nil, fmt.Errorf("docsample: request action %q, want %q", got, action)
		}
		return ok(req)
	}
}

// roundTrip is a demo reference server without a socket, and a client of the demo
// identities that reaches it in-process; both read one manual clock.
type roundTrip struct {
	t   *testing.T
	srv *refserver.Backend
	clk *refserver.ManualClock
	c   *Client
}

// roundTripStart is where the clock of the round trips starts: after every time the
// catalogue names, so that its triggers run at once.
var roundTripStart = time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)

func newRoundTrip(t *testing.T) *roundTrip {
	t.Helper()
	clk := refserver.NewManualClock(roundTripStart)
	srv := refserver.NewDemoBackend(refserver.WithClock(clk.Now))
	c, err := NewClient(testEndpoint, refserver.DemoAccessKey, refserver.DemoSecretKey, WithHTTPClient(srv.Client()),
		WithOrgID(refserver.DemoOrgID), WithUserID(refserver.DemoUserID), WithClock(clk.Now))
	if err != nil {
		t.Fatal(err)
	}
	return &roundTrip{t: t, srv: srv, clk: clk, c: c}
}

// addFlow stores a flow of DemoOrgID owned by DemoUserID.
func (rt *roundTrip) addFlow(f refserver.Flow) {
	f.OrgID, f.Owner = refserver.DemoOrgID, refserver.DemoUserID
	rt.srv.AddFlow(f)
}

// trigger triggers flowID at the given time, failing the test on error.
func (rt *roundTrip) trigger(flowID int64, at time.Time) FlowInstanceID {
	rt.t.Helper()
	id, err := rt.c.TriggerFlow(context.Background(), TriggerFlowRequest{FlowID: flowID, TriggerTime: at})
	if err != nil {
		rt.t.Fatalf("TriggerFlow(%d, %s): %v", flowID, at, err)
	}
	return id
}

// TestRequestDefaults pins the requests of input left at its zero value: what the client
// sends for it, or leaves out.
func TestRequestDefaults(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name   string
		call   func(c *Client) (any, error)
		answer string // data of the success envelope
		want   wantRequest
	}{
		{"UpdateAndTriggerFlow sends no parameters as [] and no trigger time as now",
			func(c *Client) (any, error) {
				return withResult(c.UpdateAndTriggerFlow(ctx, UpdateAndTriggerFlowRequest{FlowID: 3377}))
			}, `{"flowInstanceId":"3377-20191122012300"}`,
			wantPost(flowsPath, "updateAndTrigger", `{"flowId":3377,"triggerTime":1574385824000,"parameters":[]}`)},
		{"ListFlowInstances of one type: the seven days up to now, every status, the default page",
			func(c *Client) (any, error) {
				return withResult(c.ListFlowInstances(ctx, ListFlowInstancesRequest{Types: []FlowType{FlowTypeManual}}))
			}, `{"flowInsts":[],"count":0}`,
			wantPost(flowInstancesPath, "search", `{"type":0,"expression":"","owner":"","fromTriggerTime":1573781024000,`+
				`"toTriggerTime":1574385824000,"status":"-1,0,1,2,3,4,5,6,7,8,9,10","pagination":{"pageNo":1,"pageSize":50}}`)},
		{"GetTaskInstanceLog leaves out maxLength",
			func(c *Client) (any, error) {
				return withResult(c.GetTaskInstanceLog(ctx, GetTaskInstanceLogRequest{TaskInstanceID: "105007-20190812013400"}))
			}, `{"log":""}`,
			wantGet(taskInstancesPath, "getLog", "taskInstId", "105007-20190812013400")},
		{"GetMyFlows leaves out the expression",
			func(c *Client) (any, error) { return withResult(c.GetMyFlows(ctx, GetMyFlowsRequest{})) }, `[]`,
			wantGet(flowsPath, "getMyFlow")},
		{"SaveFlow leaves out the parameters and lists it is not given",
			func(c *Client) (any, error) {
				return withResult(c.SaveFlow(ctx, SaveFlowRequest{FlowID: 2515, Name: "etl", Freq: "0 0 0 * * ? *", Cycle: "D", StartTime: "2019-08-01"}))
			}, `{"flowId":"2515"}`,
			wantPost(flowsPath, "save", `{"id":2515,"type":0,"name":"etl","freq":"0 0 0 * * ? *","cycle":"D","alertMode":0,"doAs":"",`+
				`"owners":"","visitors":"","startTime":"2019-08-01","active":0,"desc":"","queue":""}`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt, _ := newTestClient(t)
			var rec recorder
			mt.RegisterNoResponder(rec.wrap(okData(tt.answer)))
			if _, err := tt.call(c); err != nil {
				t.Fatal(err)
			}
			tt.want.check(t, &rec)
		})
	}
}
