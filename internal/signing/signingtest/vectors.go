// Package signingtest reads testdata/signing-vectors.json, the signatures and token
// encryptions that internal/signing is checked against and that the root package's tests
// use end to end.
package signingtest

import (
	"encoding/json"
	"os"
	"testing"
)

// Vectors is the layout of testdata/signing-vectors.json: Signatures[0] is the EnOS
// documentation's own example, TokenRequests[0] the token encryption of the documentation's
// sample app, Signatures[1:] the sample trigger signed three ways.
type Vectors struct {
	Signatures []struct {
		Name        string `json:"name"`
		AccessToken string `json:"accessToken"`
		SecretKey   string `json:"secretKey"`
		Timestamp   int64  `json:"timestamp"` // epoch milliseconds
		Query       string `json:"query"`
		Body        string `json:"body"`
		Signature   string `json:"signature"`
	} `json:"signatures"`
	TokenRequests []struct {
		Name       string `json:"name"`
		AppKey     string `json:"appKey"`
		SecretKey  string `json:"secretKey"`
		Timestamp  int64  `json:"timestamp"` // epoch milliseconds
		Encryption string `json:"encryption"`
		Body       string `json:"body"` // the token request's JSON body
	} `json:"tokenRequests"`
}

// Load reads the vectors file at path, failing tb when it cannot be read or holds fewer
// than four signatures or no token request.
func Load(tb testing.TB, path string) Vectors {
	tb.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	var v Vectors
	if err := json.Unmarshal(raw, &v); err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	if len(v.Signatures) < 4 || len(v.TokenRequests) < 1 {
		tb.Fatalf("%s has %d signatures and %d token requests", path, len(v.Signatures), len(v.TokenRequests))
	}
	return v
}
