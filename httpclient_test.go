package batchprocessing

import (
	"bytes"
	"context"
	"log/slog"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestRequestHeaders pins the headers of a signed request: a body comes with its
// Content-Type and an Accept (which spares resty its own guess of one); a request without a
// body carries neither.
func TestRequestHeaders(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t)
	var rec recorder
	mt.RegisterResponder(http.MethodPost, flowsURL, rec.wrap(okInstance("3377-20191122012300")))
	mt.RegisterRegexpResponder(http.MethodGet, regexp.MustCompile(`/flowInstances\?`),
		rec.wrap(okData(`{"instanceId":"3377-20191122012300","flowId":3377,"status":1}`)))
	if _, err := trigger(c, 3377); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetFlowInstance(context.Background(), GetFlowInstanceRequest{FlowInstanceID: "3377-20191122012300"}); err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{ // sorted
		http.MethodPost: {"Accept", "Apim-Accesstoken", "Apim-Signature", "Apim-Timestamp", "Content-Type", "User-Agent"},
		http.MethodGet:  {"Apim-Accesstoken", "Apim-Signature", "Apim-Timestamp", "User-Agent"},
	}
	reqs := rec.all()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(reqs))
	}
	for _, r := range reqs {
		if got := slices.Sorted(maps.Keys(r.header)); !slices.Equal(got, want[r.method]) {
			t.Errorf("%s headers %v, want %v", r.method, got, want[r.method])
		}
		if r.method == http.MethodPost && r.header.Get("Accept") != "application/json" {
			t.Errorf("Accept = %q, want application/json", r.header.Get("Accept"))
		}
	}
}

// TestRestyLoggerAtDebug: resty's own errors, warnings and debug messages reach the client's
// logger at debug level, formatted and marked as resty's.
func TestRestyLoggerAtDebug(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	r := restyLogger{slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	r.Errorf("error %d", 1)
	r.Warnf("warning %s", "two")
	r.Debugf("debug %v", 3.5)
	for _, want := range []string{`level=DEBUG msg="resty: error 1"`, `level=DEBUG msg="resty: warning two"`, `level=DEBUG msg="resty: debug 3.5"`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %s:\n%s", want, logs.String())
		}
	}
}
