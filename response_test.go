package batchprocessing

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/jarcoal/httpmock"
)

// chunks is a body of unknown length that gives at most n bytes a read, as a chunked
// response does.
type chunks struct {
	r io.Reader
	n int
}

func (c chunks) Read(p []byte) (int, error) { return c.r.Read(p[:min(len(p), c.n)]) }

func TestReadBody(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name          string
		n, limit, buf int
		length        int64 // announced; -1 unknown
		wantCapAtMost int
		wantInBuf     bool // read into the buffer given
	}{
		{"empty, known", 0, 100, 0, 0, 1, false},
		{"empty, unknown", 0, 100, 512, -1, 512, true},
		{"known, in the buffer", 99, 1 << 20, 4096, 99, 4096, true},
		{"known, larger than the buffer: allocated at its size", 5000, 1 << 20, 4096, 5000, 5001, false},
		{"known, announced shorter than sent", 5000, 1 << 20, 0, 10, 8192, false},
		{"known, cut at the limit", 200, 101, 0, 200, 101, false},
		{"known, announced far longer than sent", 10, math.MaxInt - 1, 0, 64 << 20, 1 << 20, false},
		{"unknown, in the buffer", 43, 1 << 20, 4096, -1, 4096, true},
		{"unknown, past the buffer", 70000, 1 << 20, 4096, -1, 131072, false},
		{"unknown, cut at a limit under the buffer", 3000, 1001, 4096, -1, 4096, true},
		{"unknown, cut at a limit past the buffer", 70000, 9000, 4096, -1, 9000, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			body := strings.Repeat("x", tt.n)
			buf := make([]byte, 0, tt.buf)
			got, err := readBody(chunks{strings.NewReader(body), 1000}, buf, tt.length, tt.limit)
			want := body[:min(tt.n, tt.limit)]
			if err != nil || string(got) != want {
				t.Fatalf("%d bytes, %v; want %d", len(got), err, len(want))
			}
			if got == nil || cap(got) > tt.wantCapAtMost {
				t.Errorf("cap %d (nil %t), want at most %d, not nil", cap(got), got == nil, tt.wantCapAtMost)
			}
			inBuf := cap(buf) > 0 && cap(got) > 0 && &got[:1][0] == &buf[:1][0]
			if inBuf != tt.wantInBuf || (inBuf && cap(got) != cap(buf)) {
				t.Errorf("read into the buffer given: %t (cap %d of %d), want %t, its capacity kept", inBuf, cap(got), cap(buf), tt.wantInBuf)
			}
		})
	}
}

func TestReadBodyKeepsTheReadError(t *testing.T) {
	t.Parallel()
	for _, length := range []int64{-1, 100} {
		got, err := readBody(io.MultiReader(strings.NewReader("part"), iotest.ErrReader(io.ErrUnexpectedEOF)), nil, length, 1<<20)
		if err != io.ErrUnexpectedEOF || !bytes.Equal(got, []byte("part")) {
			t.Errorf("length %d: %q, %v; want the part read and the error", length, got, err)
		}
	}
}

// TestReusable: a buffer goes back to the pool holding the array its body was read into,
// unless that grew past maxPooledBody.
func TestReusable(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		cap  int
		kept bool
	}{{"grown, kept", maxPooledBody, true}, {"too large", maxPooledBody + 1, false}} {
		buffer := new([]byte)
		body := make([]byte, 10, tt.cap)
		kept := reusable(buffer, body)
		if holds := cap(*buffer) == tt.cap && len(*buffer) == 0; kept != tt.kept || holds != tt.kept {
			t.Errorf("%s: reusable %t, the buffer holds len %d cap %d; want %t", tt.name, kept, len(*buffer), cap(*buffer), tt.kept)
		}
	}
}

// TestNoResponseLimit: math.MaxInt, as large a limit as can be asked, reads responses.
func TestNoResponseLimit(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, WithMaxResponseBytes(math.MaxInt))
	mt.RegisterResponder(http.MethodPost, flowsURL, okInstance("3377-20191122012300"))
	if _, err := trigger(c, 3377); err != nil {
		t.Fatal(err)
	}
}

// TestResultsOutliveTheirBuffers checks that results and errors own what they decoded: the
// pooled buffers their responses were read into are poisoned when given back (TestMain) and
// read into again by later calls, and the first results, their embedded documents sent as
// strings and as plain JSON, stay as their bodies decoded apart, and so does the error of a
// failed call among them.
func TestResultsOutliveTheirBuffers(t *testing.T) {
	t.Parallel()
	if !poisonReleasedBodies.Load() {
		t.Fatal("released bodies are not poisoned: this test could not see a result reading one")
	}
	c, mt, _ := newTestClient(t)
	instance := func(i int) string {
		graph := fmt.Sprintf(`{"nodes":[{"id":%d,"name":"task %d","status":2}],"relations":[]}`, i, i)
		params := fmt.Sprintf(`[{"key":"k%d","value":"v%d"}]`, i, i)
		if i%2 == 1 { // the documents as the service sends them: JSON in a string
			graph, params = strconv.Quote(graph), `"[]"`
		}
		return fmt.Sprintf(`{"instanceId":"3377-2019112201%04d","flowId":3377,"flowName":"flow %d","status":1,`+
			`"graph":%s,"parameters":%s,"owner":"owner %d","triggerTime":"2019-11-22 01:%02d:00"}`, i, i, graph, params, i, i%60)
	}
	calls := 0
	mt.RegisterResponder(http.MethodGet, `=~/flowInstances\?`, func(*http.Request) (*http.Response, error) {
		calls++
		if calls == 3 {
			return httpmock.NewStringResponse(200, `{"code":62102,"msg":"bad parameter 3377-x","data":null}`), nil
		}
		return httpmock.NewStringResponse(200, `{"code":0,"msg":"OK","data":`+instance(calls)+`}`), nil
	})
	get := func(n int) (*FlowInstance, error) {
		return c.GetFlowInstance(context.Background(), GetFlowInstanceRequest{FlowInstanceID: FlowInstanceID(fmt.Sprintf("3377-2019112201%04d", n))})
	}
	var firsts, want []FlowInstance
	for i := 1; i <= 2; i++ {
		got, err := get(i)
		if err != nil {
			t.Fatal(err)
		}
		var apart FlowInstance // the same body decoded from bytes of its own
		if err := json.Unmarshal([]byte(instance(i)), &apart); err != nil {
			t.Fatal(err)
		}
		firsts, want = append(firsts, *got), append(want, apart)
	}
	if !reflect.DeepEqual(firsts, want) {
		t.Fatalf("the results differ from their bodies decoded apart:\n%+v\nwant\n%+v", firsts, want)
	}
	_, failure := get(3)
	for i := 4; i < 30; i++ {
		if _, err := get(i); err != nil {
			t.Fatal(err)
		}
	}
	if !reflect.DeepEqual(firsts, want) {
		t.Errorf("the results changed after later calls:\n%+v\nwant\n%+v", firsts, want)
	}
	var apiErr *APIError
	if !errors.As(failure, &apiErr) || apiErr.Message != "bad parameter 3377-x" || !strings.Contains(apiErr.Error(), "bad parameter 3377-x") {
		t.Errorf("the failed call's error changed: %v", failure)
	}
}
