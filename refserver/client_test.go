package refserver_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/enos-go/batchprocessing/refserver"
)

// TestClientInProcess: the HTTP client made by Client reaches the server without a socket,
// with any endpoint, a server made WithoutListener too, and honours its request's context.
func TestClientInProcess(t *testing.T) {
	t.Parallel()
	srv := refserver.NewDemoServer(refserver.WithoutListener())
	defer srv.Close()
	hc := srv.Client()
	body := strings.NewReader(`{"appKey":"` + refserver.DemoAccessKey + `"}`)
	resp, err := hc.Post("https://gateway.test/apim-token-service/v2.0/token/get", "application/json", body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.Contains(string(raw), `"status"`) {
		t.Errorf("answer %d %s, want the token service's", resp.StatusCode, raw)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "https://gateway.test/", nil)
	if _, err := hc.Do(req); !errors.Is(err, context.Canceled) {
		t.Errorf("a cancelled request: err = %v", err)
	}
}
