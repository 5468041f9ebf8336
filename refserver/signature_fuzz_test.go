package refserver_test

import (
	"bytes"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/enos-go/batchprocessing/refserver"
)

// FuzzSignatureCheck signs one request, then sends it with its query, body, timestamp or
// token changed: the gateway must accept it exactly when what is signed is unchanged, and
// refuse it with 401 otherwise. What is signed is the documented concatenation, without
// separators, of the token, the sorted query keys and values, the body, the timestamp and
// the SecretKey: a character moved from one value to the next (the body's "{" to the end of
// userId, orgId and userId merged into one value) leaves it unchanged, and the scheme cannot
// tell. So the request is accepted exactly when that string, written out here apart from
// the signing code the gateway uses, is the original's, with the token and timestamp issued.
func FuzzSignatureCheck(f *testing.F) {
	const (
		path  = "/batch-processing-service/v2.1/flowInstances"
		query = "action=search&orgId=yourOrgId&userId=yourUserId"
		body  = `{"type":0,"expression":"","owner":"","fromTriggerTime":0,"toTriggerTime":1,"status":"1","pagination":{"pageNo":1,"pageSize":10}}`
	)
	f.Add(query, []byte(body), int64(0), "")
	f.Add("userId=yourUserId&orgId=yourOrgId&action=search", []byte(body), int64(0), "")
	f.Add("action=search&orgId=yourOrgId&userId=yourUserId&x=1", []byte(body), int64(0), "")
	f.Add("action=search&orgId=yourOrgI%64&userId=yourUserId", []byte(body), int64(0), "")
	f.Add(query, []byte(body+" "), int64(0), "")
	f.Add(query, []byte(body), int64(1), "")
	f.Add(query, []byte(body), int64(0), "x")
	f.Add("action=search&orgId=yourOrgId&userId=yourUserId;", []byte(body), int64(0), "")
	f.Add("action=search&action=search&orgId=yourOrgId&userId=yourUserId", []byte(body), int64(0), "")
	f.Add("action=search&orgId=yourOrgId&userId=yourUserId%7B", []byte(body[1:]), int64(0), "") // "{" moved
	f.Add("action=search&orgId=yourOrgIduserIdyourUserId", []byte(body), int64(0), "")          // values merged

	r := newRig(&testing.T{})
	tok := r.token()
	ts := r.clock.Millis()
	original, _ := url.ParseQuery(query)
	signature := signed(tok, ts, original, []byte(body))
	signedText := signedString(original, []byte(body))

	f.Fuzz(func(t *testing.T, rawQuery string, sentBody []byte, tsDelta int64, tokenSuffix string) {
		req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(sentBody))
		req.URL.RawQuery = rawQuery
		req.Header.Set("apim-accesstoken", tok+tokenSuffix)
		req.Header.Set("apim-timestamp", strconv.FormatInt(ts+tsDelta, 10))
		req.Header.Set("apim-signature", signature)
		rec := httptest.NewRecorder()
		r.srv.Handler().ServeHTTP(rec, req)

		sent := gatewayQuery(rawQuery)
		same := tsDelta == 0 && tokenSuffix == "" && signedString(sent, sentBody) == signedText
		if accepted := rec.Code != http.StatusUnauthorized; accepted != same {
			t.Fatalf("query %q, body %q, ts%+d, token+%q: HTTP %d, accepted %v, want %v",
				rawQuery, sentBody, tsDelta, tokenSuffix, rec.Code, accepted, same)
		}
	})
}

// signedString is the part of the documented signed string that a request's query and
// body make: the keys sorted bytewise, each with each of its values, then the body.
func signedString(query url.Values, body []byte) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(query)) {
		for _, v := range query[k] {
			b.WriteString(k + v)
		}
	}
	b.Write(body)
	return b.String()
}

// signed is the signature of a request, as the client computes it.
func signed(token string, ts int64, query url.Values, body []byte) string {
	req := httptest.NewRequest(http.MethodPost, "/", nil)
	sign(req, token, refserver.DemoSecretKey, ts, query, body)
	return req.Header.Get("apim-signature")
}

// gatewayQuery reads a raw query as the EnOS gateway (nginx) does, written out here apart
// from the server's parser: split on '&' alone, each pair at its first '=', what decodes
// decoded and the rest kept as sent.
func gatewayQuery(rawQuery string) url.Values {
	out := url.Values{}
	for _, pair := range strings.Split(rawQuery, "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		if dk, err := url.QueryUnescape(k); err == nil {
			k = dk
		}
		if dv, err := url.QueryUnescape(v); err == nil {
			v = dv
		}
		out[k] = append(out[k], v)
	}
	return out
}
