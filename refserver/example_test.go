package refserver_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"time"

	"github.com/enos-go/batchprocessing"
	"github.com/enos-go/batchprocessing/refserver"
)

// This example gets an access token from the demo server and triggers the demo flow with plain
// net/http, signing the call with batchprocessing.Sign. The clock is fixed so that the output
// does not depend on when the example runs.
func Example() {
	now := time.Date(2019, 11, 22, 1, 23, 44, 0, time.UTC)
	srv := refserver.NewDemoServer(refserver.WithClock(func() time.Time { return now }))
	defer srv.Close()
	ts := now.UnixMilli()

	// 1. Get an access token: encryption = sha256hex(appKey + timestamp + appSecret).
	sum := sha256.Sum256([]byte(refserver.DemoAccessKey + strconv.FormatInt(ts, 10) + refserver.DemoSecretKey))
	tokenReq, _ := json.Marshal(map[string]any{
		"appKey":     refserver.DemoAccessKey,
		"encryption": hex.EncodeToString(sum[:]),
		"timestamp":  ts,
	})
	resp, err := http.Post(srv.URL+"/apim-token-service/v2.0/token/get", "application/json;charset=UTF-8", bytes.NewReader(tokenReq))
	if err != nil {
		log.Fatal(err)
	}
	var token struct {
		Status int `json:"status"`
		Data   struct {
			AccessToken string `json:"accessToken"`
		} `json:"data"`
	}
	err = json.NewDecoder(resp.Body).Decode(&token)
	resp.Body.Close()
	if err != nil || token.Status != 0 {
		log.Fatalf("token: %v %+v", err, token)
	}

	// 2. Trigger flow 3377, signed over the query and the exact body bytes.
	query := url.Values{"action": {"trigger"}, "orgId": {refserver.DemoOrgID}, "userId": {refserver.DemoUserID}}
	body := []byte(`{"flowId":3377,"triggerTime":1574385824000}`)
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/batch-processing-service/v2.1/flows?"+query.Encode(), bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json;charset=UTF-8")
	req.Header.Set("apim-accesstoken", token.Data.AccessToken)
	req.Header.Set("apim-timestamp", strconv.FormatInt(ts, 10))
	req.Header.Set("apim-signature", batchprocessing.Sign(token.Data.AccessToken, refserver.DemoSecretKey, ts, query, body))
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	var answer struct {
		Code int    `json:"code"`
		Msg  string `json:"msg"`
		Data struct {
			FlowInstanceID string `json:"flowInstanceId"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil {
		log.Fatal(err)
	}
	fmt.Println(answer.Code, answer.Msg, answer.Data.FlowInstanceID)

	// The instance runs: nothing else of flow 3377 was running.
	for _, in := range srv.FlowInstances(refserver.DemoFlowID) {
		fmt.Println(in.ID, in.Status == refserver.StatusRunning)
	}
	// Output:
	// 0 OK 3377-20191122012300
	// 3377-20191122012300 true
}

// Handler serves the same routes without a socket, for example with httptest.NewRecorder. The
// route check comes before authentication, as in the EnOS gateway.
func ExampleServer_Handler() {
	srv := refserver.NewDemoServer()
	defer srv.Close()

	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/batch-processing-service/v2.1/nowhere", nil))
	fmt.Println(rec.Code, rec.Body)

	rec = httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/batch-processing-service/v2.1/flows?action=trigger", nil))
	fmt.Println(rec.Code, rec.Body)
	// Output:
	// 404 {"message":"no Route matched with those values"}
	// 401 {"message":"Invalid authentication credentials"}
}

// This example runs the demo flow's instance to its end on a ManualClock: its tasks
// "extract" and "load" take a second each, one after the other. Nothing sleeps: moving the
// clock moves the instance.
func ExampleManualClock() {
	clk := refserver.NewManualClock(time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC))
	srv := refserver.NewDemoServer(refserver.WithClock(clk.Now))
	defer srv.Close()
	token := demoToken(srv.URL, clk.Now())

	var trigger struct {
		Data struct {
			FlowInstanceID string `json:"flowInstanceId"`
		} `json:"data"`
	}
	demoCall(srv.URL, token, clk.Now(), http.MethodPost, "/flows", url.Values{"action": {"trigger"}},
		fmt.Sprintf(`{"flowId":%d,"triggerTime":%d}`, refserver.DemoFlowID, clk.Now().UnixMilli()), &trigger)
	id := trigger.Data.FlowInstanceID
	fmt.Println("triggered", id)

	clk.Advance(1500 * time.Millisecond)
	in, _ := srv.FlowInstance(id)
	fmt.Println("after 1.5 s:", in.Status == refserver.StatusRunning, in.Tasks[0].Status == refserver.StatusSuccess, in.Tasks[1].Status == refserver.StatusRunning)

	clk.Advance(time.Minute)
	var got struct {
		Data struct {
			StatusDesc string `json:"statusDesc"`
			StartTime  string `json:"startTime"`
			EndTime    string `json:"endTime"`
		} `json:"data"`
	}
	demoCall(srv.URL, token, clk.Now(), http.MethodGet, "/flowInstances", url.Values{"action": {"get"}, "flowInstId": {id}}, "", &got)
	fmt.Println(got.Data.StatusDesc, got.Data.StartTime, "->", got.Data.EndTime)
	in, _ = srv.FlowInstance(id)
	for _, task := range in.Tasks {
		fmt.Println(task.ID, task.Name, task.StartTime.Format("15:04:05"), task.EndTime.Format("15:04:05"))
	}
	// Output:
	// triggered 3377-20261130080000
	// after 1.5 s: true true true
	// SUCCESS 2026-11-30 08:00:00 -> 2026-11-30 08:00:02
	// 108580-20261130080000 extract 08:00:00 08:00:01
	// 108581-20261130080000 load 08:00:01 08:00:02
}

// demoToken gets the demo application's access token at now.
func demoToken(base string, now time.Time) string {
	ts := now.UnixMilli()
	sum := sha256.Sum256([]byte(refserver.DemoAccessKey + strconv.FormatInt(ts, 10) + refserver.DemoSecretKey))
	body, _ := json.Marshal(map[string]any{"appKey": refserver.DemoAccessKey, "encryption": hex.EncodeToString(sum[:]), "timestamp": ts})
	resp, err := http.Post(base+"/apim-token-service/v2.0/token/get", "application/json;charset=UTF-8", bytes.NewReader(body))
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	var answer struct {
		Data struct {
			AccessToken string `json:"accessToken"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil {
		log.Fatal(err)
	}
	return answer.Data.AccessToken
}

// demoCall calls a Batch Processing operation as the demo user, signed at now, and decodes
// the answer into out.
func demoCall(base, token string, now time.Time, method, resource string, query url.Values, body string, out any) {
	query.Set("orgId", refserver.DemoOrgID)
	query.Set("userId", refserver.DemoUserID)
	var reader io.Reader
	if body != "" {
		reader = bytes.NewReader([]byte(body))
	}
	req, err := http.NewRequest(method, base+"/batch-processing-service/v2.1"+resource+"?"+query.Encode(), reader)
	if err != nil {
		log.Fatal(err)
	}
	ts := now.UnixMilli()
	req.Header.Set("Content-Type", "application/json;charset=UTF-8")
	req.Header.Set("apim-accesstoken", token)
	req.Header.Set("apim-timestamp", strconv.FormatInt(ts, 10))
	req.Header.Set("apim-signature", batchprocessing.Sign(token, refserver.DemoSecretKey, ts, query, []byte(body)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		log.Fatal(err)
	}
}
