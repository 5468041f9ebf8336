package batchprocessing

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"

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
		{"unknown, in the buffer", 43, 1 << 20, 4096, -1, 4096, true},
		{"unknown, past the buffer", 70000, 1 << 20, 4096, -1, 131072, false},
		{"unknown, cut at a limit under the buffer", 3000, 1001, 4096, -1, 1001, true},
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
			if inBuf := cap(buf) > 0 && cap(got) > 0 && &got[:1][0] == &buf[:1][0]; inBuf != tt.wantInBuf {
				t.Errorf("read into the buffer given: %t, want %t", inBuf, tt.wantInBuf)
			}
		})
	}
}

func TestReadBodyKeepsTheReadError(t *testing.T) {
	t.Parallel()
	for _, length := range []int64{-1, 100} {
		got, err := readBody(io.MultiReader(strings.NewReader("part"), errReader{io.ErrUnexpectedEOF}), nil, length, 1<<20)
		if err != io.ErrUnexpectedEOF || !bytes.Equal(got, []byte("part")) {
			t.Errorf("length %d: %q, %v; want the part read and the error", length, got, err)
		}
	}
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// TestResultsOutliveTheirBuffers checks that results own what they decoded: the pooled
// buffers their responses were read into are poisoned when given back (TestMain) and read
// into again by later calls, and the first results stay as they were decoded, and so does
// the error of a failed call among them.
func TestResultsOutliveTheirBuffers(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t)
	instance := func(i int) string {
		return fmt.Sprintf(`{"instanceId":"3377-2019112201%04d","flowId":3377,"flowName":"flow %d","status":1,`+
			`"graph":"{\"nodes\":[{\"id\":%d,\"name\":\"task %d\",\"status\":2}],\"relations\":[]}",`+
			`"parameters":"[]","owner":"owner %d","triggerTime":"2019-11-22 01:%02d:00"}`, i, i, i, i, i, i%60)
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
	first, err := get(1)
	if err != nil {
		t.Fatal(err)
	}
	var decoded FlowInstance // the same body decoded apart, from bytes of its own
	if err := json.Unmarshal([]byte(instance(1)), &decoded); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(*first, decoded) {
		t.Fatalf("the result differs from its body decoded apart:\n%+v\nwant\n%+v", *first, decoded)
	}
	_, failure := get(2)
	if failure != nil {
		t.Fatal(failure)
	}
	_, failure = get(3)
	for i := 4; i < 30; i++ {
		if _, err := get(i); err != nil {
			t.Fatal(err)
		}
	}
	if !reflect.DeepEqual(*first, decoded) {
		t.Errorf("the result changed after later calls:\n%+v\nwant\n%+v", *first, decoded)
	}
	var apiErr *APIError
	if !errors.As(failure, &apiErr) || apiErr.Message != "bad parameter 3377-x" {
		t.Errorf("the failed call's error changed: %v", failure)
	}
}
