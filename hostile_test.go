package batchprocessing_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/enos-go/batchprocessing"
)

// hostileCase is one entry of testdata/hostile/responses.json.
type hostileCase struct {
	Name          string            `json:"name"`
	Route         string            `json:"route"` // "api" or "token"
	Status        int               `json:"status"`
	Headers       map[string]string `json:"headers"`
	Body          string            `json:"body"`
	Generate      string            `json:"generate"`
	ContentLength bool              `json:"contentLength"`
	Want          string            `json:"want"` // unexpected, api, transport, deadline
	HTTPStatus    int               `json:"httpStatus"`
	Code          int               `json:"code"`
	Sentinel      string            `json:"sentinel"`
}

var sentinels = map[string]error{
	"ErrFlowHasNoTask": batchprocessing.ErrFlowHasNoTask,
	"ErrUnauthorized":  batchprocessing.ErrUnauthorized,
}

// The secrets of the hostile tests, long enough that finding them in an error means a leak.
const (
	hostileSecret = "hostile-secret-key-7f3a9c"
	hostileToken  = "0123456789abcdef0123456789abcdef"
)

// hugeBody is 256 MiB: far over the client's limit in these tests, hostileLimit.
const (
	hugeBody     = 256 << 20
	hostileLimit = 1 << 20
)

// serveHostile writes the case's answer.
func serveHostile(w http.ResponseWriter, r *http.Request, hc hostileCase) {
	for k, v := range hc.Headers {
		w.Header().Set(k, v)
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	}
	flush := func() {
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
	}
	switch hc.Generate {
	case "":
		w.WriteHeader(hc.Status)
		_, _ = w.Write([]byte(hc.Body))
	case "huge":
		if hc.ContentLength {
			w.Header().Set("Content-Length", strconv.Itoa(hugeBody))
		}
		w.WriteHeader(hc.Status)
		chunk := []byte(`{"code":0,"msg":"` + strings.Repeat("x", 64<<10))
		for sent := 0; sent < hugeBody; sent += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return // the client hung up, as it should
			}
		}
	case "endless", "trickle":
		w.WriteHeader(hc.Status)
		_, _ = w.Write([]byte(`{"code":0,"msg":"`))
		flush()
		spaces := []byte(strings.Repeat(" ", 4096)) // allocated once: the test counts allocations
		for r.Context().Err() == nil {
			if hc.Generate == "endless" {
				if _, err := w.Write(spaces); err != nil {
					return
				}
			} else {
				_, _ = w.Write(spaces[:1])
				time.Sleep(50 * time.Millisecond)
			}
			flush()
		}
	case "deep":
		w.WriteHeader(hc.Status)
		_, _ = w.Write([]byte(`{"code":0,"msg":"OK","data":` + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + `}`))
	case "badgzip":
		w.Header().Set("Content-Encoding", "gzip")
		w.WriteHeader(hc.Status)
		_, _ = w.Write([]byte("this is not gzip at all"))
	case "short":
		w.Header().Set("Content-Length", "1000")
		w.WriteHeader(hc.Status)
		_, _ = w.Write([]byte(`{"code":0,"msg":"OK","data":{"flowInst`))
	case "hugeheaders":
		value := strings.Repeat("h", 1<<10)
		for i := 0; i < 8<<10; i++ { // 8 MiB
			w.Header().Set("X-Hostile-"+strconv.Itoa(i), value)
		}
		w.WriteHeader(hc.Status)
		_, _ = w.Write([]byte(`{"code":0,"msg":"OK","data":{"flowInstanceId":"3377-20191122092300"}}`))
	case "badutf8":
		w.WriteHeader(hc.Status)
		_, _ = w.Write([]byte("{\"code\":0,\"msg\":\"OK\",\"data\":{\"flowInstanceId\":\"\xff\xfe-\xc3\x28\"}}"))
	default:
		panic("unknown generator " + hc.Generate)
	}
}

// TestHostileResponses serves every hostile answer of the table and checks that the
// call ends with the typed error the table names, before its deadline, within bounded
// memory, without a panic.
func TestHostileResponses(t *testing.T) {
	// Not parallel: it bounds the allocations of the whole process, which other tests would add to.
	raw, err := os.ReadFile("testdata/hostile/responses.json")
	if err != nil {
		t.Fatal(err)
	}
	var table struct {
		Cases []hostileCase `json:"cases"`
	}
	if err := json.Unmarshal(raw, &table); err != nil {
		t.Fatal(err)
	}
	if len(table.Cases) < 15 {
		t.Fatalf("%d hostile cases, want at least 15", len(table.Cases))
	}
	for _, hc := range table.Cases {
		t.Run(hc.Name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				switch {
				case strings.HasPrefix(r.URL.Path, "/apim-token-service/") && hc.Route != "token":
					_, _ = w.Write([]byte(`{"status":0,"msg":"SUCCESS","data":{"accessToken":"` + hostileToken + `","expire":7200}}`))
				case strings.HasSuffix(r.URL.Path, "/time"): // the lookups after an unknown outcome
					_, _ = w.Write([]byte(`{"code":0,"msg":"OK","data":{"timezone":"GMT+0"}}`))
				case strings.HasSuffix(r.URL.Path, "/flowInstances"): // the lookup finds nothing
					_, _ = w.Write([]byte(`{"code":0,"msg":"OK","data":{"flowInsts":[],"count":0}}`))
				default:
					serveHostile(w, r, hc)
				}
			}))
			defer srv.Close()
			// The limit is an eighth of the default, so that reading up to it takes no time
			// even under the race detector on a loaded machine; the deadline is short only
			// where it is what ends the call.
			c, err := batchprocessing.NewClient(srv.URL, "ak", hostileSecret, batchprocessing.WithOrgID("o"), batchprocessing.WithUserID("u"),
				batchprocessing.WithoutRetries(), batchprocessing.WithMaxResponseBytes(hostileLimit))
			if err != nil {
				t.Fatal(err)
			}
			deadline := time.Minute
			if hc.Want == "deadline" {
				deadline = time.Second
			}
			ctx, cancel := context.WithTimeout(context.Background(), deadline)
			defer cancel()

			var before runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			id, err := c.TriggerFlow(ctx, batchprocessing.TriggerFlowRequest{FlowID: 3377})
			took := time.Since(start)
			var after runtime.MemStats
			runtime.ReadMemStats(&after)

			if err == nil {
				t.Fatalf("success (%q) from a hostile answer", id)
			}
			if took > deadline+time.Second {
				t.Errorf("took %v, past the deadline", took)
			}
			// Client and server share the process, so this counts both: a bound well under
			// the bodies' size (256 MiB for some), whatever the machine's speed.
			if grown := after.TotalAlloc - before.TotalAlloc; grown > 40<<20 {
				t.Errorf("allocated %d MiB for one answer", grown>>20)
			}
			checkHostileError(t, hc, err)
		})
	}
}

func checkHostileError(t *testing.T, hc hostileCase, err error) {
	t.Helper()
	var apiErr *batchprocessing.APIError
	var transportErr *batchprocessing.TransportError
	switch hc.Want {
	case "unexpected":
		if !errors.As(err, &apiErr) || !apiErr.Unexpected || !errors.Is(err, batchprocessing.ErrUnexpectedResponse) {
			t.Fatalf("err = %v (%T), want an unexpected-response *APIError", err, err)
		}
		if apiErr.HTTPStatus != hc.HTTPStatus {
			t.Errorf("HTTPStatus %d, want %d", apiErr.HTTPStatus, hc.HTTPStatus)
		}
		if len(apiErr.Body) > 512 {
			t.Errorf("Body sample of %d bytes", len(apiErr.Body))
		}
	case "api":
		if !errors.As(err, &apiErr) || apiErr.Unexpected || apiErr.Code != hc.Code {
			t.Fatalf("err = %v, want an *APIError with code %d", err, hc.Code)
		}
	case "transport":
		if !errors.As(err, &transportErr) {
			t.Fatalf("err = %v (%T), want a *TransportError", err, err)
		}
	case "deadline":
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want the context's deadline", err)
		}
	default:
		t.Fatalf("unknown want %q", hc.Want)
	}
	// A trigger's answer from which the service may have acted (a 5xx, a 2xx that is not
	// the documented one, no answer) leaves its outcome unknown once the lookup finds nothing.
	mayHaveActed := hc.Route == "api" && (hc.Want == "transport" || hc.Want == "deadline" ||
		(hc.Want == "unexpected" && (hc.HTTPStatus >= 500 || hc.HTTPStatus/100 == 2)))
	if errors.Is(err, batchprocessing.ErrOutcomeUnknown) != mayHaveActed {
		t.Errorf("ErrOutcomeUnknown %v, want %v: %v", !mayHaveActed, mayHaveActed, err)
	}
	if s := hc.Sentinel; s != "" && !errors.Is(err, sentinels[s]) {
		t.Errorf("err = %v, want it to match %s", err, s)
	}
	if msg := err.Error(); strings.Contains(msg, hostileToken) || strings.Contains(msg, hostileSecret) {
		t.Errorf("secret in %q", msg)
	}
}
