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

// redact masks every occurrence of a secret in s, in any letter case (a gateway that
// echoes a hex token or signature in upper case echoes the same credential), and any
// "accessToken" value.
func (ss secrets) redact(s string) string {
	folded, lowered := s, false // s in ASCII lower case, made for the first secret to look for
	for _, secret := range ss {
		if len(secret) < minSecretLen {
			continue
		}
		if !lowered {
			folded, lowered = asciiLower(s), true
		}
		s, folded = maskFolded(s, folded, asciiLower(secret))
	}
	if strings.Contains(s, "accessToken") {
		s = tokenValue.ReplaceAllString(s, "${1}"+redactedText+"${2}")
	}
	return s
}

// maskFolded replaces in s each occurrence of secret (in lower case) in folded (s in lower
// case, byte for byte), and returns both, masked.
func maskFolded(s, folded, secret string) (string, string) {
	i := strings.Index(folded, secret)
	if i < 0 {
		return s, folded
	}
	var out, outFolded strings.Builder
	for ; i >= 0; i = strings.Index(folded, secret) {
		out.WriteString(s[:i])
		out.WriteString(redactedText)
		outFolded.WriteString(folded[:i])
		outFolded.WriteString(asciiLower(redactedText))
		s, folded = s[i+len(secret):], folded[i+len(secret):]
	}
	out.WriteString(s)
	outFolded.WriteString(folded)
	return out.String(), outFolded.String()
}

// asciiLower returns s with its ASCII letters in lower case, and every other byte as it
// is, so that an index into it is an index into s (strings.ToLower may change lengths).
func asciiLower(s string) string {
	i := strings.IndexFunc(s, func(r rune) bool { return 'A' <= r && r <= 'Z' })
	if i < 0 {
		return s
	}
	b := []byte(s)
	for ; i < len(b); i++ {
		if 'A' <= b[i] && b[i] <= 'Z' {
			b[i] += 'a' - 'A'
		}
	}
	return string(b)
}

// redactHeader returns h, or a copy of it with the secrets masked when a name or a value
// holds one.
func (ss secrets) redactHeader(h http.Header) http.Header {
	for k, values := range h {
		if ss.redact(k) != k {
			return ss.maskHeader(h)
		}
		for _, v := range values {
			if ss.redact(v) != v {
				return ss.maskHeader(h)
			}
		}
	}
	return h
}

// maskHeader copies h with every name and value masked. Names that mask alike share one
// entry, their values in one list.
func (ss secrets) maskHeader(h http.Header) http.Header {
	out := make(http.Header, len(h))
	for k, values := range h {
		name := ss.redact(k)
		for _, v := range values {
			out[name] = append(out[name], ss.redact(v))
		}
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
