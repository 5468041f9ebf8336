// Package testhttp sends the plain HTTP requests of tests, such as those of the reference
// server's control API, and decodes their JSON answers.
package testhttp

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// JSON sends a request with body to url and decodes the JSON answer into out (when not
// nil); it returns the HTTP status. A request that cannot be sent, or an answer that is not
// JSON when one is wanted, fails the test.
func JSON(t testing.TB, method, url, body string, out any) int {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, url, err, raw)
		}
	}
	return resp.StatusCode
}
