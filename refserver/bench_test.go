package refserver_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/enos-go/batchprocessing"
	"github.com/enos-go/batchprocessing/refserver"
)

// BenchmarkServeTrigger measures the trigger requests per second the reference server
// serves through its Handler (no sockets): token check, signature check, prerequisites and
// a new instance, each for a distinct minute.
func BenchmarkServeTrigger(b *testing.B) {
	srv := refserver.NewDemoServer()
	defer srv.Close()
	h := srv.Handler()

	ts := time.Now().UnixMilli()
	tokenBody, _ := json.Marshal(map[string]any{"appKey": refserver.DemoAccessKey,
		"encryption": encryptionOf(refserver.DemoAccessKey, ts, refserver.DemoSecretKey), "timestamp": ts})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/apim-token-service/v2.0/token/get", bytes.NewReader(tokenBody)))
	var tok struct {
		Data struct{ AccessToken string } `json:"data"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &tok); err != nil || tok.Data.AccessToken == "" {
		b.Fatalf("token: %s", rec.Body.String())
	}

	q := url.Values{"action": {"trigger"}, "orgId": {refserver.DemoOrgID}, "userId": {refserver.DemoUserID}}
	target := "/batch-processing-service/v2.1/flows?" + q.Encode()
	base := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		body := []byte(`{"flowId":3377,"triggerTime":` + strconv.FormatInt(base.Add(time.Duration(i)*time.Minute).UnixMilli(), 10) + `}`)
		now := time.Now().UnixMilli()
		req := httptest.NewRequest(http.MethodPost, target, bytes.NewReader(body))
		req.Header.Set("apim-accesstoken", tok.Data.AccessToken)
		req.Header.Set("apim-timestamp", strconv.FormatInt(now, 10))
		req.Header.Set("apim-signature", batchprocessing.Sign(tok.Data.AccessToken, refserver.DemoSecretKey, now, q, body))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK || !bytes.Contains(rec.Body.Bytes(), []byte(`"code":0`)) {
			b.Fatalf("trigger %d: %d %s", i, rec.Code, rec.Body.String())
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
}
