package batchprocessing

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"
)

// TestCallLogRecords: each attempt is logged with what WithLogger promises (operation,
// method, path, status, code, request id, duration), at debug level when it succeeds and
// at warn level when it fails; the request id is the envelope's, else the X-Request-Id
// header's.
func TestCallLogRecords(t *testing.T) {
	t.Parallel()
	const (
		instance = `{"instanceId":"1-20191122012300","flowId":1,"status":2}`
		call     = `operation=GetFlowInstance method=GET path=/batch-processing-service/v2.1/flowInstances duration=<d> attempt=1 status=200 `
	)
	idInHeader := func(req *http.Request) (*http.Response, error) {
		r, err := okData(instance)(req)
		r.Header.Set("X-Request-Id", "rq-header")
		return r, err
	}
	for _, tt := range []struct {
		name   string
		answer httpmock.Responder
		want   string
	}{
		{"success", httpmock.NewStringResponder(200, `{"code":0,"msg":"OK","data":`+instance+`,"requestId":"rq-envelope"}`),
			`level=DEBUG msg="batchprocessing call" ` + call + `request_id=rq-envelope` + "\n"},
		{"success, the id in a header", idInHeader,
			`level=DEBUG msg="batchprocessing call" ` + call + `request_id=rq-header` + "\n"},
		{"business error", httpmock.NewStringResponder(200, `{"code":62102,"msg":"Instance not found","requestId":"rq-envelope"}`),
			`level=WARN msg="batchprocessing call failed" ` + call + `code=62102 request_id=rq-envelope error=`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var logs bytes.Buffer
			logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			c, mt, _ := newTestClient(t, WithoutRetries(), WithLogger(logger))
			mt.RegisterResponder(http.MethodGet, getInstanceURL, tt.answer)
			_, _ = c.GetFlowInstance(context.Background(), GetFlowInstanceRequest{FlowInstanceID: "1-20191122012300"})
			record := callRecord.FindString(logs.String())
			record = duration.ReplaceAllString(record, "duration=<d>")
			if !strings.HasPrefix(record, tt.want) {
				t.Errorf("record\n%s\nwant it to start with\n%s", record, tt.want)
			}
		})
	}
}

var (
	callRecord = regexp.MustCompile(`level=\w+ msg="batchprocessing call.*operation=GetFlowInstance.*\n`)
	duration   = regexp.MustCompile(`duration=\S+`)
)
