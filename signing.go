package batchprocessing

import (
	"net/url"

	"github.com/enos-go/batchprocessing/internal/signing"
)

// Header names of the EnOS API gateway's token authentication: the client sets them on
// every call, and a test that inspects the requests (with httpmock, say) reads them.
const (
	// HeaderAccessToken, "apim-accesstoken", carries the application's access token.
	HeaderAccessToken = signing.HeaderAccessToken
	// HeaderSignature, "apim-signature", carries the request's signature (Sign).
	HeaderSignature = signing.HeaderSignature
	// HeaderTimestamp, "apim-timestamp", carries the signing time in epoch milliseconds.
	HeaderTimestamp = signing.HeaderTimestamp
)

// Sign computes the apim-signature of one API call as the EnOS API gateway defines it
// ("Invoke API with Access Token",
// https://support.enos-iot.com/docs/apim/en/2.4.0/token/invoke_api_with_access_token.html):
// the lowercase hex SHA-256 of
//
//	accessToken + sorted(key + value ...) + body + decimal(timestampMillis) + secretKey
//
// The query keys are sorted bytewise and include action; the values are the decoded ones,
// joined to their key without separators. A key with several values contributes key+value
// once for each value, in order (the gateway documents single values only). body is the
// exact bytes sent, nil or empty when the request has none.
//
// Sign is pure: no clock, no I/O. The client signs every attempt with it and the reference
// server verifies with the same definition, so the two cannot drift apart.
func Sign(accessToken, secretKey string, timestampMillis int64, query url.Values, body []byte) string {
	return signing.Sign(accessToken, secretKey, timestampMillis, query, body)
}
