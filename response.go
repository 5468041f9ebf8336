package batchprocessing

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// response is one HTTP response of the gateway, as the decoders, the retry rules and the
// clock-skew check read it.
type response struct {
	op, method, path string // the operation and request it answers
	status           int
	header           http.Header
	body             []byte
	// start and end are the base clock's readings around the round trip (clock skew).
	start, end time.Time
	// secrets must not appear in an error built from this response (see keepSecret).
	secrets  secrets
	secretsA [3]string
	// codes gives some business codes another meaning for this operation (call.codes).
	codes map[int]error
	// requestID is the gateway's id of the request, once the envelope is read.
	requestID string
}

// keepSecret sets the secrets of r, in r itself.
func (r *response) keepSecret(values ...string) {
	n := copy(r.secretsA[:], values)
	r.secrets = r.secretsA[:n]
}

// errBodyTooLarge reports a response body over the client's limit.
var errBodyTooLarge = errors.New("response body larger than the client's limit (WithMaxResponseBytes)")

// readResponse reads raw into r: its status and headers, and its body up to limit bytes.
// It closes the body. A body announced or found longer fails with an unexpected-response
// *APIError without being read further; so does a redirect, which the client never
// follows (see newHTTPSender).
func readResponse(raw *http.Response, limit int, r *response) error {
	defer raw.Body.Close()
	r.status, r.header = raw.StatusCode, raw.Header
	r.requestID = raw.Header.Get("X-Request-Id")
	tooLarge := func() error {
		e := r.unexpected(errBodyTooLarge)
		e.BodySize = -1
		return e
	}
	if raw.ContentLength > int64(limit) {
		return tooLarge()
	}
	size := 512
	if raw.ContentLength >= 0 {
		size = int(raw.ContentLength) + 1 // +1: EOF is read without growing the buffer
	}
	body, err := readAll(raw.Body, size, limit+1)
	if err != nil {
		return err
	}
	if len(body) > limit {
		return tooLarge()
	}
	r.body = body
	if raw.StatusCode >= 300 && raw.StatusCode < 400 {
		return r.unexpected(redirectRefused(raw))
	}
	return nil
}

// redirectRefused describes a redirect the client did not follow: its status and the host
// it pointed to.
func redirectRefused(raw *http.Response) error {
	target := "no Location"
	if loc, err := raw.Location(); err == nil {
		target = "a Location on host " + strconv.Quote(loc.Host)
	} else if raw.Header.Get("Location") != "" {
		target = "an unreadable Location"
	}
	return fmt.Errorf("redirect not followed: http %d %s with %s; the EnOS gateway does not redirect API calls",
		raw.StatusCode, http.StatusText(raw.StatusCode), target)
}

// readAll reads r up to limit bytes, starting from a buffer of the given capacity and
// doubling it as needed, never past limit: a reader with more to give yields exactly
// limit bytes, which tells the caller it was too long.
func readAll(r io.Reader, size, limit int) ([]byte, error) {
	b := make([]byte, 0, min(size, limit))
	for {
		if len(b) == cap(b) {
			grown := make([]byte, len(b), min(max(2*cap(b), 512), limit))
			copy(grown, b)
			b = grown
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
		if len(b) == limit {
			return b, nil
		}
	}
}
