package refserver_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/enos-go/batchprocessing/refserver"
)

// orgCall is a call of an app in an organization, and what the gateway answers.
type orgCall struct {
	name   string
	c      *handlerClient
	path   string
	action string
	org    string
	status int // HTTP status; 200 for the service's envelope
}

// checkOrgCalls sends each call as the user u and checks the answer: 403 with the gateway's
// {"message"} body, or 200 with the service's envelope.
func checkOrgCalls(t *testing.T, user string, calls []orgCall) {
	t.Helper()
	for _, tc := range calls {
		method, reqBody := http.MethodGet, ""
		if tc.action == "search" {
			method, reqBody = http.MethodPost, listBody(t, `{}`)
		}
		q := url.Values{"action": {tc.action}, "orgId": {tc.org}, "userId": {user}}
		rec := tc.c.send(method, tc.path, q, "", reqBody)
		body := rec.Body.String()
		switch {
		case rec.Code != tc.status:
			t.Errorf("%s: HTTP %d %s, want %d", tc.name, rec.Code, body, tc.status)
		case tc.status == http.StatusForbidden && body != `{"message":"You cannot consume this service"}`:
			t.Errorf("%s: body %s", tc.name, body)
		case tc.status == http.StatusOK && !strings.Contains(body, `"code":0`):
			t.Errorf("%s: %s, want success", tc.name, body)
		}
	}
}

// TestAppsActOnlyInTheirOrgs registers apps in organizations: an app's calls in another
// organization are refused by the gateway (403), the time operations, which take no
// organization, are not, and an app added without organizations acts in every one.
func TestAppsActOnlyInTheirOrgs(t *testing.T) {
	t.Parallel()
	demo := newHandlerClient(t, t0)
	srv := demo.srv
	srv.AddUser("o1", "u")
	srv.AddUser("o2", "u")
	srv.AddApp("k1", "s1", "o1")
	srv.AddApp("k12", "s12", "o1")
	srv.AddApp("k12", "s12", "o2") // adds o2
	srv.AddApp("kAny", "sAny")
	k1, k12, unbound := demo.as("k1", "s1"), demo.as("k12", "s12"), demo.as("kAny", "sAny")
	const instances = flowInstancesPath
	checkOrgCalls(t, "u", []orgCall{
		{"k1 in o1", k1, instances, "search", "o1", http.StatusOK},
		{"k1 in o2", k1, instances, "search", "o2", http.StatusForbidden},
		{"k1 in o2, unknown action", k1, instances, "none", "o2", http.StatusForbidden},
		{"k1 in o2, Get Timezone", k1, timePath, "getTimeZone", "o2", http.StatusOK},
		{"k12 in o1", k12, instances, "search", "o1", http.StatusOK},
		{"k12 in o2", k12, instances, "search", "o2", http.StatusOK},
		{"unbound app in o1", unbound, instances, "search", "o1", http.StatusOK},
		{"unbound app in o2", unbound, instances, "search", "o2", http.StatusOK},
		{"demo app in o1", demo, instances, "search", "o1", http.StatusForbidden},
	})
	checkOrgCalls(t, refserver.DemoUserID, []orgCall{
		{"demo app in the demo org", demo, flowsPath, "getMyFlow", refserver.DemoOrgID, http.StatusOK},
	})
	// Authentication comes first: a bad signature is 401 whatever the org.
	k1.token = strings.Repeat("0", 64)
	if rec := k1.send(http.MethodGet, flowsPath, url.Values{"action": {"getMyFlow"}, "orgId": {"o2"}, "userId": {"u"}}, "", ""); rec.Code != http.StatusUnauthorized {
		t.Errorf("unknown token in another org: HTTP %d, want 401", rec.Code)
	}
}

// TestSeedAppOrgs starts a server from a seed whose first app names its organization and
// whose second does not: the second is registered in the organizations the seed names.
func TestSeedAppOrgs(t *testing.T) {
	t.Parallel()
	seed, err := refserver.LoadSeed(strings.NewReader(`{
		"apps": [{"accessKey": "bound", "secretKey": "s1", "orgs": ["o1"]}, {"accessKey": "seedOrgs", "secretKey": "s2"}],
		"users": [{"id": "u", "orgs": ["o1", "o2", "o3"]}],
		"flows": [{"id": 1, "name": "f", "org": "o2", "owner": "u"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	demo := newHandlerClient(t, t0)
	if err := demo.srv.ApplySeed(seed); err != nil {
		t.Fatal(err)
	}
	demo.srv.AddUser("o4", "u") // an org the seed does not name
	bound, seedOrgs := demo.as("bound", "s1"), demo.as("seedOrgs", "s2")
	checkOrgCalls(t, "u", []orgCall{
		{"bound in o1", bound, flowInstancesPath, "search", "o1", http.StatusOK},
		{"bound in o2", bound, flowInstancesPath, "search", "o2", http.StatusForbidden},
		{"seedOrgs in o1", seedOrgs, flowInstancesPath, "search", "o1", http.StatusOK},
		{"seedOrgs in o2", seedOrgs, flowInstancesPath, "search", "o2", http.StatusOK},
		{"seedOrgs in o3", seedOrgs, flowInstancesPath, "search", "o3", http.StatusOK},
		{"seedOrgs in o4", seedOrgs, flowInstancesPath, "search", "o4", http.StatusForbidden},
	})

	if _, err := refserver.LoadSeed(strings.NewReader(`{"apps":[{"accessKey":"a","secretKey":"s","orgs":["o1",""]}]}`)); err == nil ||
		err.Error() != "seed: apps[0] (a): an org id is empty" {
		t.Errorf("empty org id: %v", err)
	}
}
