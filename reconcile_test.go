package batchprocessing

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
)

// The trigger of flow 3377 at testNowMillis (2019-11-22 01:23:44 UTC) creates, on a
// server in GMT+8, the instance 3377-20191122092300.
const wantGMT8ID = "3377-20191122092300"

// searchURL is List Flow Instances, which the lookups of a trigger ask.
var searchURL = testEndpoint + flowInstancesPath

// reconcileMocks registers List Flow Instances as a service with one manual flow, 3377,
// whose instance wantGMT8ID (triggered at testNowMillis) is listed while exists reports
// true. It returns the recorder of the lookups: the searches of the manual type, with
// which every lookup starts.
func reconcileMocks(mt *httpmock.MockTransport, exists func() bool) *recorder {
	var lookups recorder
	mt.RegisterResponder(http.MethodPost, searchURL, func(req *http.Request) (*http.Response, error) {
		var body listFlowInstancesBody
		raw, _ := io.ReadAll(req.Body)
		if err := json.Unmarshal(raw, &body); err != nil {
			return codeAnswer(62102, "Invalid parameter")(req)
		}
		if body.Type == int(FlowTypeManual) {
			lookups.add(recorded{req.Method, req.URL.String(), req.Header.Clone(), raw})
		}
		if body.Type == int(FlowTypeManual) && exists() && body.FromTriggerTime <= testNowMillis && testNowMillis <= body.ToTriggerTime &&
			strings.HasPrefix(wantGMT8ID, body.Expression) {
			return okData(`{"flowInsts":[{"instanceId":"` + wantGMT8ID + `","flowId":3377,"status":2}],"count":1}`)(req)
		}
		return okData(`{"flowInsts":[],"count":0}`)(req)
	})
	return &lookups
}

func TestTriggerNeverRunsTwice(t *testing.T) {
	t.Parallel()
	created := false // the service has made the instance; shared, so the cases run one at a time
	tests := []struct {
		name string
		// answers of the trigger endpoint, in order; each may mark the instance created
		answers  []httpmock.Responder
		triggers int // trigger requests sent
		lookups  int // lookups (searches of the manual type)
		err      error
	}{
		{"refused connection: resent without looking",
			[]httpmock.Responder{refused, okInstance(wantGMT8ID)}, 2, 0, nil},
		{"lost after processing: found, not resent",
			[]httpmock.Responder{processedThen(&created, lost)}, 1, 1, nil},
		{"lost before processing: not found, resent",
			[]httpmock.Responder{lost, processedThen(&created, okInstance(wantGMT8ID))}, 2, 1, nil},
		{"503 after processing: found",
			[]httpmock.Responder{processedThen(&created, gatewayError(503))}, 1, 1, nil},
		{"62109: not found, resent",
			[]httpmock.Responder{codeAnswer(62109, "Internal server exception"), processedThen(&created, okInstance(wantGMT8ID))}, 2, 1, nil},
		{"resend answered 62102 after a lost attempt: found",
			[]httpmock.Responder{lost, processedThen(&created, codeAnswer(62102, "do not trigger the same workflow repeatedly in 1 minute"))}, 2, 2, nil},
		{"500 after processing: found",
			[]httpmock.Responder{processedThen(&created, gatewayError(500))}, 1, 1, nil},
		{"a 200 cut short after processing: found",
			[]httpmock.Responder{processedThen(&created, httpmock.NewStringResponder(200, `{"code":0,"msg":"OK","data":{"flowInst`))}, 1, 1, nil},
		{"lost, not found, resend refused while the first is processed late",
			[]httpmock.Responder{lost, processedThen(&created, gatewayError(403))}, 2, 2, nil},
		{"429: resent without looking",
			[]httpmock.Responder{gatewayError(429), okInstance(wantGMT8ID)}, 2, 0, nil},
		{"the user's own duplicate keeps its 62102",
			[]httpmock.Responder{codeAnswer(62102, "do not trigger the same workflow repeatedly in 1 minute")}, 1, 0, ErrInvalidParameter},
		{"62104 is final",
			[]httpmock.Responder{codeAnswer(62104, "This workflow has no task. You cannot trigger it.")}, 1, 0, ErrFlowHasNoTask},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			created = false
			c, mt, _ := newTestClient(t, fastRetries)
			gets := reconcileMocks(mt, func() bool { return created })
			var triggers recorder
			seq := tt.answers[0]
			for _, next := range tt.answers[1:] {
				seq = seq.Then(next)
			}
			mt.RegisterResponder(http.MethodPost, flowsURL, triggers.wrap(seq))
			id, err := trigger(c, 3377)
			if tt.err == nil && (err != nil || id != wantGMT8ID) {
				t.Fatalf("id %q, err %v; want %s", id, err, wantGMT8ID)
			}
			if tt.err != nil && !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if n := len(triggers.all()); n != tt.triggers {
				t.Errorf("%d triggers sent, want %d", n, tt.triggers)
			}
			if n := len(gets.all()); n != tt.lookups {
				t.Errorf("%d lookups, want %d", n, tt.lookups)
			}
			bodies := map[string]bool{}
			for _, r := range triggers.all() {
				bodies[string(r.body)] = true
			}
			if len(bodies) > 1 {
				t.Errorf("attempts sent different bodies: %v", bodies)
			}
		})
	}
}

// processedThen marks the instance created, then answers with next: the service did the
// work whatever the client hears.
func processedThen(created *bool, next httpmock.Responder) httpmock.Responder {
	return func(req *http.Request) (*http.Response, error) {
		*created = true
		return next(req)
	}
}

func TestTriggerOutcomeUnknown(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, fastRetries)
	mt.RegisterResponder(http.MethodPost, searchURL, gatewayError(400)) // the lookup keeps failing
	mt.RegisterResponder(http.MethodPost, flowsURL, lost)
	_, err := trigger(c, 3377)
	if !errors.Is(err, ErrOutcomeUnknown) || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("err = %v, want ErrOutcomeUnknown with the lost connection", err)
	}
	if !strings.Contains(err.Error(), "may have been created") {
		t.Errorf("Error() = %q", err)
	}
	if n := mt.GetCallCountInfo()["POST "+flowsURL]; n != 1 {
		t.Errorf("%d triggers sent while the outcome was unknown, want 1", n)
	}
	// Lookups compare instants: they never need the server's time zone.
	if n := mt.GetCallCountInfo()["GET "+testEndpoint+timePath]; n != 0 {
		t.Errorf("%d time zone requests, want none", n)
	}
}

// TestTriggerLookupChecksTheMinute: when a trigger's answer is lost, an instance that the
// listing shows for another minute than the one asked for (a listing that ignores the
// range) is not taken for the trigger's: the trigger ends with ErrOutcomeUnknown, never
// that id. The instance of the minute, listed beside it, is taken.
func TestTriggerLookupChecksTheMinute(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		listed []string
		want   FlowInstanceID // "" for ErrOutcomeUnknown
	}{
		{"a year before", []string{"3377-20181122092300"}, ""},
		{"a day after", []string{"3377-20191123092300"}, ""},
		{"the minute after", []string{"3377-20191122092400"}, ""},
		{"another minute beside the minute's", []string{"3377-20181122092300", wantGMT8ID}, wantGMT8ID},
	} {
		c, mt, _ := newTestClient(t, fastRetries)
		mt.RegisterResponder(http.MethodPost, flowsURL, lost)
		var insts []string
		for _, id := range tt.listed {
			insts = append(insts, `{"instanceId":"`+id+`","flowId":3377,"status":2}`)
		}
		mt.RegisterResponder(http.MethodPost, searchURL, okData(`{"flowInsts":[`+strings.Join(insts, ",")+`],"count":`+strconv.Itoa(len(insts))+`}`))
		at := time.UnixMilli(testNowMillis)
		id, err := c.TriggerFlow(context.Background(), TriggerFlowRequest{FlowID: 3377, TriggerTime: at})
		switch {
		case tt.want == "" && (id != "" || !errors.Is(err, ErrOutcomeUnknown)):
			t.Errorf("%s: id %q, err %v; want ErrOutcomeUnknown", tt.name, id, err)
		case tt.want != "" && (id != tt.want || err != nil):
			t.Errorf("%s: id %q, err %v; want %s", tt.name, id, err, tt.want)
		}
	}
}

// TestTriggerLookupReadsEveryPage: when a trigger's answer is lost, the lookup reads every
// page of the minute's listing: the expression "3377-" also matches the instances of flows
// 13377, 23377, ..., which may fill the first pages, newest first.
func TestTriggerLookupReadsEveryPage(t *testing.T) {
	t.Parallel()
	for _, others := range []int{0, 49, 50, 120} {
		c, mt, _ := newTestClient(t, fastRetries)
		mt.RegisterResponder(http.MethodPost, flowsURL, lost)
		var listed []string // the minute's instances matching "3377-", the flow's last
		for i := 1; i <= others; i++ {
			id := strconv.Itoa(i) + wantGMT8ID
			listed = append(listed, `{"instanceId":"`+id+`","flowId":`+strings.Split(id, "-")[0]+`,"status":2}`)
		}
		listed = append(listed, `{"instanceId":"`+wantGMT8ID+`","flowId":3377,"status":2}`)
		var pages int
		mt.RegisterResponder(http.MethodPost, searchURL, func(req *http.Request) (*http.Response, error) {
			var body listFlowInstancesBody
			if err := json.NewDecoder(req.Body).Decode(&body); err != nil || body.Type != int(FlowTypeManual) {
				return okData(`{"flowInsts":[],"count":0}`)(req)
			}
			pages++
			size, start := body.Pagination.PageSize, (max(body.Pagination.PageNo, 1)-1)*body.Pagination.PageSize
			page := listed[min(start, len(listed)):min(start+size, len(listed))]
			return okData(`{"flowInsts":[` + strings.Join(page, ",") + `],"count":` + strconv.Itoa(len(listed)) + `}`)(req)
		})
		id, err := c.TriggerFlow(context.Background(), TriggerFlowRequest{FlowID: 3377, TriggerTime: time.UnixMilli(testNowMillis)})
		if id != wantGMT8ID || err != nil {
			t.Errorf("%d other instances: id %q, err %v; want %s", others, id, err, wantGMT8ID)
		}
		if want := others/DefaultPageSize + 1; pages != want {
			t.Errorf("%d other instances: %d pages read, want %d", others, pages, want)
		}
	}
}

// TestTriggerLookupKeepsWhatItFound: a lookup whose first page shows the instance takes it
// when a later page cannot be read: the service answers every page with the first (it
// does not page), or fails. A lookup that found nothing before such a page fails.
func TestTriggerLookupKeepsWhatItFound(t *testing.T) {
	t.Parallel()
	var page []string // the instance, then 49 instances of other flows of that minute
	page = append(page, `{"instanceId":"`+wantGMT8ID+`","flowId":3377,"status":2}`)
	for i := 1; i < DefaultPageSize; i++ {
		id := strconv.Itoa(i) + wantGMT8ID
		page = append(page, `{"instanceId":"`+id+`","flowId":`+strings.Split(id, "-")[0]+`,"status":2}`)
	}
	first := okData(`{"flowInsts":[` + strings.Join(page, ",") + `],"count":60}`)
	for name, later := range map[string]httpmock.Responder{"not paging": first, "failing": gatewayError(503)} {
		c, mt, _ := newTestClient(t, fastRetries)
		mt.RegisterResponder(http.MethodPost, flowsURL, lost)
		mt.RegisterResponder(http.MethodPost, searchURL, first.Then(later))
		id, err := c.TriggerFlow(context.Background(), TriggerFlowRequest{FlowID: 3377, TriggerTime: time.UnixMilli(testNowMillis)})
		if id != wantGMT8ID || err != nil {
			t.Errorf("%s: id %q, err %v; want %s", name, id, err, wantGMT8ID)
		}
	}
	// Without the instance on the first page, a service that does not page says nothing of
	// the pages after it: the outcome is unknown, and the trigger is not sent again.
	others := okData(`{"flowInsts":[` + strings.Join(page[1:], ",") + `,` + page[1] + `],"count":60}`)
	c, mt, _ := newTestClient(t, fastRetries)
	mt.RegisterResponder(http.MethodPost, flowsURL, lost)
	mt.RegisterResponder(http.MethodPost, searchURL, others)
	_, err := c.TriggerFlow(context.Background(), TriggerFlowRequest{FlowID: 3377, TriggerTime: time.UnixMilli(testNowMillis)})
	if !errors.Is(err, ErrOutcomeUnknown) || !strings.Contains(err.Error(), "not paging") {
		t.Errorf("not paging, the instance not on the first page: %v; want ErrOutcomeUnknown saying why", err)
	}
	if n := mt.GetCallCountInfo()["POST "+flowsURL]; n != 1 {
		t.Errorf("not paging, the instance not on the first page: %d triggers sent, want 1", n)
	}
}

// TestTriggerWithoutRetries: with retries off, a trigger whose answer was lost is not
// resent, but the client still looks for the instance before calling the outcome unknown.
func TestTriggerWithoutRetries(t *testing.T) {
	t.Parallel()
	for _, exists := range []bool{true, false} {
		c, mt, _ := newTestClient(t) // WithoutRetries
		gets := reconcileMocks(mt, func() bool { return exists })
		mt.RegisterResponder(http.MethodPost, flowsURL, lost)
		id, err := trigger(c, 3377)
		switch {
		case exists && (err != nil || id != wantGMT8ID):
			t.Errorf("instance there: id %q, err %v", id, err)
		case !exists && !errors.Is(err, ErrOutcomeUnknown):
			t.Errorf("instance not found: err = %v, want ErrOutcomeUnknown", err)
		}
		if n := mt.GetCallCountInfo()["POST "+flowsURL]; n != 1 || len(gets.all()) != 1 {
			t.Errorf("exists %v: %d triggers and %d lookups, want 1 and 1", exists, n, len(gets.all()))
		}
	}
}

// TestTriggerDeadlineDuringUnknownOutcome: when the context ends while a trigger's outcome
// is unknown, the error says the instance may exist.
func TestTriggerDeadlineDuringUnknownOutcome(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, fastRetries)
	mt.RegisterResponder(http.MethodPost, flowsURL, okInstance(wantGMT8ID).Delay(time.Second))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := c.TriggerFlow(ctx, TriggerFlowRequest{FlowID: 3377})
	if !errors.Is(err, ErrOutcomeUnknown) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want ErrOutcomeUnknown and the deadline", err)
	}
}

// TestTriggerWithEndedContext: a trigger whose context has ended before it is sent sends
// nothing, so its outcome is known: no instance. It fails with the context's cause, not
// ErrOutcomeUnknown, and looks for no instance.
func TestTriggerWithEndedContext(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, fastRetries)
	mt.RegisterResponder(http.MethodPost, flowsURL, okInstance(wantGMT8ID))
	if _, err := c.TriggerFlow(context.Background(), TriggerFlowRequest{FlowID: 3377}); err != nil {
		t.Fatal(err) // the token in hand: what follows is the trigger's own attempt
	}
	mt.ZeroCallCounters()
	ctx, cancel := context.WithCancelCause(context.Background())
	shutdown := errors.New("shutting down")
	cancel(shutdown)
	var md ResponseMetadata
	_, err := c.TriggerFlow(ctx, TriggerFlowRequest{FlowID: 3377}, WithMetadata(&md))
	var te *TransportError
	if !errors.As(err, &te) || !errors.Is(err, shutdown) || errors.Is(err, ErrOutcomeUnknown) {
		t.Errorf("err = %v, want a TransportError of the context's cause (as net/http gives), not ErrOutcomeUnknown", err)
	}
	calls := mt.GetCallCountInfo()
	if n := calls["POST "+flowsURL] + calls["POST "+searchURL]; n != 0 || md.Attempts != 0 {
		t.Errorf("%d triggers or lookups sent, %d attempts counted; want none", n, md.Attempts)
	}
}

// TestTriggerUnknownOutcomeEndings covers the ways a trigger gives up after an attempt
// that may have created the instance: each says the outcome is unknown.
func TestTriggerUnknownOutcomeEndings(t *testing.T) {
	t.Parallel()
	t.Run("resend refused for good", func(t *testing.T) {
		t.Parallel()
		c, mt, _ := newTestClient(t, fastRetries)
		reconcileMocks(mt, func() bool { return false })
		mt.RegisterResponder(http.MethodPost, flowsURL, httpmock.Responder(lost).Then(gatewayError(403)))
		_, err := trigger(c, 3377)
		if !errors.Is(err, ErrOutcomeUnknown) {
			t.Errorf("err = %v, want ErrOutcomeUnknown", err)
		}
	})
	t.Run("resend collides but the lookup finds nothing", func(t *testing.T) {
		t.Parallel()
		c, mt, _ := newTestClient(t, fastRetries)
		reconcileMocks(mt, func() bool { return false })
		mt.RegisterResponder(http.MethodPost, flowsURL, httpmock.Responder(lost).Then(codeAnswer(62102, "do not trigger the same workflow repeatedly in 1 minute")))
		_, err := trigger(c, 3377)
		if !errors.Is(err, ErrOutcomeUnknown) || !errors.Is(err, ErrInvalidParameter) {
			t.Errorf("err = %v, want ErrOutcomeUnknown with the 62102", err)
		}
	})
	t.Run("lookups are single requests", func(t *testing.T) {
		t.Parallel()
		c, mt, _ := newTestClient(t, fastRetries)
		mt.RegisterResponder(http.MethodPost, searchURL, gatewayError(503))
		mt.RegisterResponder(http.MethodPost, flowsURL, lost)
		if _, err := trigger(c, 3377); !errors.Is(err, ErrOutcomeUnknown) {
			t.Fatalf("err = %v", err)
		}
		if n := mt.GetCallCountInfo()["POST "+searchURL]; n != 4 {
			t.Errorf("%d lookups, want 4 (one per attempt of the policy)", n)
		}
	})
	t.Run("a lookup refused for good ends it", func(t *testing.T) {
		t.Parallel()
		c, mt, _ := newTestClient(t, fastRetries)
		mt.RegisterResponder(http.MethodPost, searchURL, codeAnswer(62103, "User has no privilege."))
		mt.RegisterResponder(http.MethodPost, flowsURL, lost)
		_, err := trigger(c, 3377)
		// The lookup's refusal is the Lookup of the error, not a cause of the trigger's.
		var unknown *OutcomeUnknownError
		if !errors.As(err, &unknown) || !errors.Is(unknown.Lookup, ErrNoPrivilege) || errors.Is(err, ErrNoPrivilege) {
			t.Fatalf("err = %v", err)
		}
		if n := mt.GetCallCountInfo()["POST "+searchURL]; n != 1 {
			t.Errorf("%d lookups, want 1", n)
		}
	})
	t.Run("resend waits for Retry-After", func(t *testing.T) {
		t.Parallel()
		c, mt, _ := newTestClient(t, fastRetries)
		reconcileMocks(mt, func() bool { return false })
		var stamps []time.Time
		mt.RegisterResponder(http.MethodPost, flowsURL, func(req *http.Request) (*http.Response, error) {
			stamps = append(stamps, time.Now())
			if len(stamps) == 1 {
				return gatewayError(503).HeaderSet(http.Header{"Retry-After": {"1"}})(req)
			}
			return okInstance(wantGMT8ID)(req)
		})
		if _, err := trigger(c, 3377); err != nil {
			t.Fatal(err)
		}
		if len(stamps) != 2 || stamps[1].Sub(stamps[0]) < 900*time.Millisecond {
			t.Errorf("%d triggers, resent after %v; want after the Retry-After second", len(stamps), stamps[len(stamps)-1].Sub(stamps[0]))
		}
	})
}

// TestTriggerGiveUpLogged: a trigger that gives up with its outcome unknown says so in the
// debug log, with why.
func TestTriggerGiveUpLogged(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, mt, _ := newTestClient(t, WithoutRetries(), WithLogger(logger))
	reconcileMocks(mt, func() bool { return false })
	mt.RegisterResponder(http.MethodPost, flowsURL, lost)
	if _, err := trigger(c, 3377); !errors.Is(err, ErrOutcomeUnknown) {
		t.Fatalf("err = %v, want the outcome unknown", err)
	}
	want := `msg="batchprocessing give up" operation=TriggerFlow attempt=1 reason="the outcome is unknown: not found yet, and no attempt left to resend"`
	if !strings.Contains(logs.String(), want) {
		t.Errorf("log lacks %s:\n%s", want, logs.String())
	}
}
