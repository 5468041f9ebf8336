package batchprocessing

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"slices"
	"strconv"
)

// Header names of the EnOS API gateway's token authentication (spec section 1.2.4).
const (
	HeaderAccessToken = "apim-accesstoken"
	HeaderSignature   = "apim-signature"
	HeaderTimestamp   = "apim-timestamp"
)

// Sign computes the apim-signature of one API call as the EnOS API gateway defines it
// (spec section 1.2.4): the lowercase hex SHA-256 of
//
//	accessToken + sorted(key + value ...) + body + decimal(timestampMillis) + secretKey
//
// The query keys are sorted bytewise and include action; the values are the decoded ones,
// joined to their key without separators. A key with several values contributes key+value
// once for each value, in order (the gateway documents single values only). body is the
// exact bytes sent, nil or empty when the request has none.
//
// Sign is pure: no clock, no I/O. The client signs every attempt with it and the reference
// server verifies with it, so the two cannot drift apart.
func Sign(accessToken, secretKey string, timestampMillis int64, query url.Values, body []byte) string {
	var keyArray [8]string
	keys := keyArray[:0]
	for k := range query {
		keys = append(keys, k)
	}
	slices.Sort(keys)

	var stack [1024]byte
	data := append(stack[:0], accessToken...)
	for _, k := range keys {
		for _, v := range query[k] {
			data = append(data, k...)
			data = append(data, v...)
		}
	}
	data = append(data, body...)
	data = strconv.AppendInt(data, timestampMillis, 10)
	data = append(data, secretKey...)

	sum := sha256.Sum256(data)
	var out [sha256.Size * 2]byte
	hex.Encode(out[:], sum[:])
	return string(out[:])
}

// tokenEncryption is the encryption field of a token request (spec section 1.2.1):
// the lowercase hex SHA-256 of appKey + decimal(timestampMillis) + appSecret.
func tokenEncryption(appKey, appSecret string, timestampMillis int64) string {
	var stack [256]byte
	data := append(stack[:0], appKey...)
	data = strconv.AppendInt(data, timestampMillis, 10)
	data = append(data, appSecret...)
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}
