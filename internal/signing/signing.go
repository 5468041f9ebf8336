// Package signing is the one definition of the EnOS API gateway's token authentication that
// both the client and the reference server use: the request signature, the token request's
// encryption, the header names and the token service's paths.
//
// The scheme is documented on the EnOS API gateway's pages "Get Access Token" and "Invoke API
// with Access Token" (https://support.enos-iot.com/docs/apim/en/2.4.0/token/index.html): a
// token request carries encryption = sha256(appKey + timestamp + appSecret); every API call
// carries the access token, a millisecond timestamp and a signature over the token, the
// sorted query, the body, the timestamp and the SecretKey.
package signing

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"slices"
	"strconv"
)

// Header names of a signed call.
const (
	HeaderAccessToken = "apim-accesstoken"
	HeaderSignature   = "apim-signature"
	HeaderTimestamp   = "apim-timestamp"
)

// Paths of the gateway's token service.
const (
	TokenGetPath     = "/apim-token-service/v2.0/token/get"
	TokenRefreshPath = "/apim-token-service/v2.0/token/refresh"
)

// stackSize is the part of the signed string built on the stack; a longer body is streamed
// into the hash instead of copied.
const stackSize = 1024

// Sign computes the apim-signature of one API call: the lowercase hex SHA-256 of
//
//	accessToken + sorted(key + value ...) + body + decimal(timestampMillis) + secretKey
//
// The query keys are sorted bytewise and include action; the values are the decoded ones,
// joined to their key without separators. A key with several values contributes key+value
// once for each value, in order (the gateway documents single values only). body is the
// exact bytes sent, nil or empty when the request has none.
//
// Sign is pure: no clock, no I/O.
func Sign(accessToken, secretKey string, timestampMillis int64, query url.Values, body []byte) string {
	var keyArray [8]string
	keys := keyArray[:0]
	for k := range query {
		keys = append(keys, k)
	}
	slices.Sort(keys)

	var stack [stackSize]byte
	data := append(stack[:0], accessToken...)
	for _, k := range keys {
		for _, v := range query[k] {
			data = append(data, k...)
			data = append(data, v...)
		}
	}
	var sum [sha256.Size]byte
	if len(data)+len(body) <= stackSize-64 {
		data = append(data, body...)
		data = strconv.AppendInt(data, timestampMillis, 10)
		data = append(data, secretKey...)
		sum = sha256.Sum256(data)
	} else {
		// A large body goes to the hash as it is, not through a copy.
		h := sha256.New()
		h.Write(data)
		h.Write(body)
		tail := strconv.AppendInt(stack[:0], timestampMillis, 10)
		tail = append(tail, secretKey...)
		h.Write(tail)
		h.Sum(sum[:0])
	}
	return hexString(sum)
}

// TokenEncryption is the encryption field of a token request: the lowercase hex SHA-256 of
// appKey + decimal(timestampMillis) + appSecret.
func TokenEncryption(appKey, appSecret string, timestampMillis int64) string {
	var stack [256]byte
	data := append(stack[:0], appKey...)
	data = strconv.AppendInt(data, timestampMillis, 10)
	data = append(data, appSecret...)
	return hexString(sha256.Sum256(data))
}

func hexString(sum [sha256.Size]byte) string {
	var out [sha256.Size * 2]byte
	hex.Encode(out[:], sum[:])
	return string(out[:])
}

// QueryPart returns the query's share of the signed string, as Sign builds it: each key and
// its decoded value, keys sorted bytewise, without separators. The reference server shows it
// to explain a refused signature.
func QueryPart(query url.Values) string {
	keys := make([]string, 0, len(query))
	for k := range query {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b []byte
	for _, k := range keys {
		for _, v := range query[k] {
			b = append(b, k...)
			b = append(b, v...)
		}
	}
	return string(b)
}
