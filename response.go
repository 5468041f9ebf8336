package batchprocessing

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// response is one HTTP response of the gateway, as the decoders, the retry rules and the
// clock-skew check read it.
type response struct {
	op, method, path string // the operation and request it answers
	status           int
	header           http.Header
	body             []byte
	// buffer is the pooled buffer body was read into, until release gives it back.
	buffer *[]byte
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

// readResponse reads raw into r: its status and headers, and its body up to limit bytes,
// into a pooled buffer that r.release gives back. It closes the body. A body announced or
// found longer fails with an unexpected-response *APIError without being read further; so
// does a redirect, which the client never follows (see newHTTPSender).
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
	buffer := bodyBuffers.Get().(*[]byte)
	body, err := readBody(raw.Body, *buffer, raw.ContentLength, limit+1)
	if err == nil && len(body) > limit {
		err = tooLarge()
	}
	if err != nil {
		putBodyBuffer(buffer, body)
		return err
	}
	r.body, r.buffer = body, buffer
	if raw.StatusCode >= 300 && raw.StatusCode < 400 {
		return r.unexpected(redirectRefused(raw))
	}
	return nil
}

// release gives the body's buffer back to the pool once the response is decoded: results
// and errors own copies of what they took from it. The body is gone after.
func (r *response) release() {
	if r.buffer == nil {
		return
	}
	if poisonReleasedBodies.Load() {
		for i := range r.body {
			r.body[i] = 'X'
		}
	}
	putBodyBuffer(r.buffer, r.body)
	r.body, r.buffer = nil, nil
}

// poisonReleasedBodies makes release overwrite a body before giving its buffer back; the
// tests set it, so that a result or an error still reading the body shows it.
var poisonReleasedBodies atomic.Bool

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

// readBody reads a body of the announced length (-1: unknown) up to limit bytes into buf
// (its capacity, not its contents), which it grows as needed: a body of known length up to
// maxUpfront in one allocation at most, the length plus one (EOF is read without growing
// the buffer).
func readBody(r io.Reader, buf []byte, length int64, limit int) ([]byte, error) {
	if length >= 0 {
		need := min(int64(limit), maxUpfront)
		if length < need {
			need = length + 1
		}
		if cap(buf) < int(need) {
			buf = make([]byte, 0, need)
		}
	}
	return readAll(r, buf[:0], limit)
}

// maxUpfront is the most readBody allocates for an announced length before the bytes
// come: a server that announces gigabytes and sends a few gets a buffer that grows with
// what it sends.
const maxUpfront = 1 << 20

// maxPooledBody is the capacity past which a read buffer is not kept in the pool: a rare
// large body should not hold its memory for the client's lifetime.
const maxPooledBody = 64 << 10

// bodyBuffers holds the buffers bodies are read into. A response of a few KB would
// otherwise be read into a buffer allocated for it (and, of unknown length, as a chunked
// response is, grown and allocated again three or four times).
var bodyBuffers = sync.Pool{New: func() any {
	b := make([]byte, 0, 4<<10)
	return &b
}}

// putBodyBuffer gives buffer back to the pool, holding body's array, which may have grown
// from it, unless that is too large to keep.
func putBodyBuffer(buffer *[]byte, body []byte) {
	if reusable(buffer, body) {
		bodyBuffers.Put(buffer)
	}
}

// reusable makes buffer hold body's array, empty, to read another body into, and reports
// whether it may go back to the pool: not when the array grew past maxPooledBody.
func reusable(buffer *[]byte, body []byte) bool {
	if cap(body) > maxPooledBody {
		return false
	}
	*buffer = body[:0]
	return true
}

// readAll reads r into b up to limit bytes, doubling b's capacity as needed, never past
// limit (a larger b is read into up to limit only): a reader with more to give yields
// exactly limit bytes, which tells the caller it was too long.
func readAll(r io.Reader, b []byte, limit int) ([]byte, error) {
	for len(b) < limit {
		if len(b) == cap(b) {
			grown := make([]byte, len(b), min(max(2*cap(b), 512), limit))
			copy(grown, b)
			b = grown
		}
		n, err := r.Read(b[len(b):min(cap(b), limit)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
	return b, nil
}
