package refserver

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestFlexInt(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    int64
		set     bool
		wantErr bool
	}{
		{`1574385824000`, 1574385824000, true, false},
		{`"1574385824000"`, 1574385824000, true, false},
		{`-5`, -5, true, false},
		{`0`, 0, true, false},
		{`null`, 0, false, false},
		{`""`, 0, false, false},
		{`1.5`, 0, false, true},
		{`1e3`, 0, false, true},
		{`"12a"`, 0, false, true},
		{`" 12"`, 0, false, true},
		{`true`, 0, false, true},
		{`{}`, 0, false, true},
		{`"99999999999999999999"`, 0, false, true},
	}
	for _, tt := range tests {
		var v struct {
			N flexInt `json:"n"`
		}
		err := json.Unmarshal([]byte(`{"n":`+tt.in+`}`), &v)
		if (err != nil) != tt.wantErr {
			t.Errorf("%s: err %v, wantErr %v", tt.in, err, tt.wantErr)
			continue
		}
		if err == nil && (v.N.value != tt.want || v.N.set != tt.set) {
			t.Errorf("%s: got %+v, want %d set=%v", tt.in, v.N, tt.want, tt.set)
		}
	}
	var absent struct {
		N flexInt `json:"n"`
	}
	if err := json.Unmarshal([]byte(`{}`), &absent); err != nil || absent.N.set {
		t.Errorf("absent field: %+v %v", absent.N, err)
	}
}

func TestWriters(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		write  func(w http.ResponseWriter)
		status int
		ctype  string
		body   string
	}{
		{"gateway", func(w http.ResponseWriter) { writeGatewayError(w, 401, msgUnauthorized) },
			401, "application/json", `{"message":"Invalid authentication credentials"}`},
		{"token ok", func(w http.ResponseWriter) { writeTokenAnswer(w, &tokenData{AccessToken: "abc", Expire: 7200}, nil) },
			200, "application/json;charset=UTF-8", `{"status":0,"msg":"SUCCESS","business":"apim-token-service","data":{"accessToken":"abc","expire":7200}}`},
		{"token error", func(w http.ResponseWriter) { writeTokenAnswer(w, nil, errTokenReplay) },
			200, "application/json;charset=UTF-8", `{"status":1001,"msg":"Repeated requests with duplicated encryption","business":"apim-token-service","data":null}`},
		{"token error drops data", func(w http.ResponseWriter) { writeTokenAnswer(w, &tokenData{AccessToken: "x"}, errTokenExpired) },
			200, "application/json;charset=UTF-8", `{"status":1203,"msg":"The access token has expired","business":"apim-token-service","data":null}`},
	}
	for _, tt := range tests {
		rec := httptest.NewRecorder()
		tt.write(rec)
		if rec.Code != tt.status || rec.Header().Get("Content-Type") != tt.ctype || rec.Body.String() != tt.body {
			t.Errorf("%s: %d %q %s", tt.name, rec.Code, rec.Header().Get("Content-Type"), rec.Body)
		}
	}

	for _, f := range []*failure{nil, errFlowNoTask} {
		rec := httptest.NewRecorder()
		writeEnvelope(rec, flowInstanceIDData{FlowInstanceID: "1-19700101000000"}, f)
		var env struct {
			Code      int             `json:"code"`
			Msg       string          `json:"msg"`
			Data      json.RawMessage `json:"data"`
			RequestID string          `json:"requestId"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil {
			t.Fatal(err)
		}
		wantData, wantCode, wantMsg := `{"flowInstanceId":"1-19700101000000"}`, 0, "OK"
		if f != nil {
			wantData, wantCode, wantMsg = "null", f.code, f.msg
		}
		if env.Code != wantCode || env.Msg != wantMsg || string(env.Data) != wantData || len(env.RequestID) != 32 {
			t.Errorf("envelope %s", rec.Body)
		}
	}
}
