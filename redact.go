package batchprocessing

import (
	"errors"
	"net/http"
	"regexp"
	"strings"
)

// secrets are the values that must never appear in an error or a log record: the
// SecretKey, the access token, the signature of the attempt. Errors are built from what the
// server sent, and a hostile or careless gateway may reflect any of them in any field (a
// request id, a header, a message, a body), so every field of an error is masked when the
// error is built.
type secrets []string

// minSecretLen is the length below which a value is not masked: real keys, tokens and
// signatures are far longer, and masking a short value ("t", as a test might use) inside
// ordinary words would garble every message. A secret of this length or more is masked
// wherever its whole value occurs.
const minSecretLen = 8

// redactedText replaces a secret.
const redactedText = "[REDACTED]"

// tokenValue finds access token values in a token service's response.
var tokenValue = regexp.MustCompile(`("accessToken"\s*:\s*")[^"]*("?)`)

// redact masks every occurrence of a secret in s, and any "accessToken" value.
func (ss secrets) redact(s string) string {
	for _, secret := range ss {
		if len(secret) >= minSecretLen {
			s = strings.ReplaceAll(s, secret, redactedText)
		}
	}
	if strings.Contains(s, "accessToken") {
		s = tokenValue.ReplaceAllString(s, "${1}"+redactedText+"${2}")
	}
	return s
}

// redactHeader returns h, or a copy of it with the secrets masked when a value holds one.
func (ss secrets) redactHeader(h http.Header) http.Header {
	for _, values := range h {
		for _, v := range values {
			if ss.redact(v) != v {
				return ss.maskHeader(h)
			}
		}
	}
	return h
}

// maskHeader copies h with every value masked.
func (ss secrets) maskHeader(h http.Header) http.Header {
	out := make(http.Header, len(h))
	for k, values := range h {
		masked := make([]string, len(values))
		for i, v := range values {
			masked[i] = ss.redact(v)
		}
		out[k] = masked
	}
	return out
}

// redactAPIError masks every text field of e, and replaces its cause by its masked text
// when that text held a secret.
func (ss secrets) redactAPIError(e *APIError) *APIError {
	e.Message = ss.redact(e.Message)
	e.RequestID = ss.redact(e.RequestID)
	e.ContentType = ss.redact(e.ContentType)
	e.Body = ss.redact(e.Body)
	if e.Err != nil {
		text := e.Err.Error()
		if masked := ss.redact(text); masked != text {
			e.Err = errors.New(masked)
		}
	}
	return e
}
