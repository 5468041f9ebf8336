package batchprocessing_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/enos-go/batchprocessing"
)

// TestRedirectsNotFollowed: a gateway that redirects, the token request or an API call, to
// another host gets an error naming the status and the host, and the other host sees
// nothing: no token, no signature, no body, no AccessKey.
func TestRedirectsNotFollowed(t *testing.T) {
	t.Parallel()
	var reached atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached.Add(1)
		_, _ = w.Write([]byte(`{"status":0,"code":0,"msg":"OK","data":{"accessToken":"stolen-token-0123456789","expire":7200,"flowInstanceId":"3377-20261130080000"}}`))
	}))
	t.Cleanup(other.Close) // after the parallel subtests, which a defer would not wait for
	otherHost := strings.TrimPrefix(other.URL, "http://")

	for _, status := range []int{301, 302, 303, 307, 308} {
		for _, route := range []string{"token", "api"} {
			for _, custom := range []bool{false, true} {
				name := fmt.Sprintf("%d %s custom=%v", status, route, custom)
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
						if route == "api" && strings.HasPrefix(r.URL.Path, "/apim-token-service/") {
							_, _ = w.Write([]byte(`{"status":0,"msg":"SUCCESS","data":{"accessToken":"gateway-token-0123456789","expire":7200}}`))
							return
						}
						http.Redirect(w, r, other.URL+r.URL.RequestURI(), status)
					}))
					defer gw.Close()
					before := reached.Load()
					var opts []batchprocessing.Option
					hc := &http.Client{}
					if custom {
						opts = append(opts, batchprocessing.WithHTTPClient(hc))
					}
					c, err := batchprocessing.NewClient(gw.URL, "ak-0123456789", "sk-0123456789", append(opts,
						batchprocessing.WithOrgID("o"), batchprocessing.WithUserID("u"), batchprocessing.WithoutRetries())...)
					if err != nil {
						t.Fatal(err)
					}
					err = c.DisableFlow(context.Background(), batchprocessing.FlowRequest{FlowID: 3377})
					var apiErr *batchprocessing.APIError
					if !errors.As(err, &apiErr) || !errors.Is(err, batchprocessing.ErrUnexpectedResponse) || apiErr.HTTPStatus != status {
						t.Fatalf("err = %v, want an unexpected-response *APIError with http %d", err, status)
					}
					if !strings.Contains(err.Error(), otherHost) || !strings.Contains(err.Error(), fmt.Sprint(status)) {
						t.Errorf("err = %v, want it to name http %d and host %s", err, status, otherHost)
					}
					if reached.Load() != before {
						t.Errorf("the other host got the request")
					}
					if hc.CheckRedirect != nil {
						t.Errorf("the caller's http.Client was modified")
					}
				})
			}
		}
	}
}

// TestRedirectOfATriggerIsNotAnOutcomeUnknown: a redirect is not an answer of the service,
// so a trigger redirected is known not to have run.
func TestRedirectOfATriggerIsNotAnOutcomeUnknown(t *testing.T) {
	t.Parallel()
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/apim-token-service/") {
			_, _ = w.Write([]byte(`{"status":0,"msg":"SUCCESS","data":{"accessToken":"gateway-token-0123456789","expire":7200}}`))
			return
		}
		u := url.URL{Scheme: "https", Host: "elsewhere.example:8443", Path: r.URL.Path}
		http.Redirect(w, r, u.String(), http.StatusTemporaryRedirect)
	}))
	defer gw.Close()
	c, err := batchprocessing.NewClient(gw.URL, "ak-0123456789", "sk-0123456789", batchprocessing.WithOrgID("o"), batchprocessing.WithUserID("u"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.TriggerFlow(context.Background(), batchprocessing.TriggerFlowRequest{FlowID: 3377})
	if !errors.Is(err, batchprocessing.ErrUnexpectedResponse) || errors.Is(err, batchprocessing.ErrOutcomeUnknown) ||
		!strings.Contains(err.Error(), `"elsewhere.example:8443"`) {
		t.Errorf("err = %v, want an unexpected response naming elsewhere.example:8443, not an unknown outcome", err)
	}
}
