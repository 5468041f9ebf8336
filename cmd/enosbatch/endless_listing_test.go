package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/enos-go/batchprocessing/refserver"
)

// TestInstancesFilteredListingEnds: a service that lists other flows' instances without
// end (each page new, the count huge) cannot keep instances --flow paging: it stops after
// its budget of other flows' instances, says so, and shows what matched (issue "Hardening",
// item 7).
func TestInstancesFilteredListingEnds(t *testing.T) {
	t.Parallel()
	var pages atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/apim-token-service/") {
			_, _ = w.Write([]byte(`{"status":0,"msg":"SUCCESS","data":{"accessToken":"endless-token-0123456789","expire":7200}}`))
			return
		}
		var body struct {
			Pagination struct{ PageNo, PageSize int } `json:"pagination"`
		}
		_ = json.NewDecoder(r.Body).Decode(&body)
		n := pages.Add(1)
		items := make([]string, body.Pagination.PageSize)
		for i := range items {
			// Another flow's instances, a new minute each, newest first.
			minute := 1_000_000 - int(n)*body.Pagination.PageSize - i
			items[i] = fmt.Sprintf(`{"instanceId":"9-2026%08d","flowId":9,"status":2,"triggerTime":"x"}`, minute)
		}
		fmt.Fprintf(w, `{"code":0,"msg":"OK","data":{"count":1000000000,"flowInsts":[%s]}}`, strings.Join(items, ","))
	}))
	defer srv.Close()
	env := map[string]string{"ENOS_API_GATEWAY": srv.URL, "ENOS_ACCESS_KEY": "ak", "ENOS_SECRET_KEY": "sk-0123456789",
		"ENOS_ORG_ID": refserver.DemoOrgID, "ENOS_USER_ID": refserver.DemoUserID}
	r := runWith(t, context.Background(), env, "instances", "--type", "manual", "--flow", "3377", "--limit", "10").want(t, exitOK)
	if !strings.Contains(r.stderr, "stopped after reading 1000 instances of other flows") {
		t.Errorf("stderr %q lacks the note", r.stderr)
	}
	if n := pages.Load(); n > 25 {
		t.Errorf("%d pages read for a budget of 1000 instances", n)
	}
}
