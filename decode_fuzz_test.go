package batchprocessing

import (
	"errors"
	"net/http"
	"testing"
)

// FuzzDecodeEnvelope feeds arbitrary answers to the envelope decoder: it must never panic,
// succeed only for a 2xx answer with a complete result, and otherwise return an *APIError.
func FuzzDecodeEnvelope(f *testing.F) {
	for _, seed := range []struct {
		status int
		body   string
	}{
		{200, `{"code":0,"msg":"OK","data":{"flowInstanceId":"3377-20191122012300"}}`},
		{200, `{"code":62104,"msg":"no task","data":null,"requestId":"r"}`},
		{200, `{"code":"0","data":{"flowInstanceId":"1-20191122012300"}}`},
		{401, `{"message":"Invalid authentication credentials"}`},
		{502, `<html>bad gateway</html>`},
		{200, `{"code":0,"msg":"OK","data":{"instanceId":"2809-20190808093200","flowId":"2809","status":"1","graph":"{\"tasks\":[{\"taskId\":1}]}","parameters":"[]","triggerTime":"2019-08-08 09:32:12"}}`},
		{200, ``},
		{204, `{`},
	} {
		f.Add(seed.status, []byte(seed.body))
	}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		r := &response{op: "Fuzz", method: http.MethodGet, path: "/x", status: status, header: http.Header{}, body: body}
		for _, data := range []any{&flowInstanceIDData{}, &FlowInstance{}, &[]MyFlow{}, nil} {
			err := decodeEnvelope(r, data)
			if err == nil {
				if !isSuccessStatus(status) {
					t.Fatalf("success for HTTP %d: %q", status, body)
				}
				if v, ok := data.(validator); ok && v.validate() != nil {
					t.Fatalf("success with an incomplete result: %q", body)
				}
				continue
			}
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.HTTPStatus != status || len(apiErr.Body) > maxErrorBodySample {
				t.Fatalf("error %v (%T) for HTTP %d %q", err, err, status, body)
			}
			_ = err.Error()
		}
	})
}
