package batchprocessing

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"

	"github.com/enos-go/batchprocessing/internal/signing"
	"github.com/go-resty/resty/v2"
)

// This file is the only one that knows resty: the rest of the package hands an outgoing
// request to a sender and reads the *http.Response it returns.

// sender sends one outgoing request and returns the response, whose body the caller must
// read and close. httpSender is the one the client uses; the benchmarks measure what resty
// costs by putting the same client on a sender that calls net/http directly.
type sender interface {
	send(ctx context.Context, req outgoing) (*http.Response, error)
}

// httpSender sends requests through resty over the client's copy of the *http.Client.
type httpSender struct {
	rest *resty.Client
	pool sync.Pool // request header maps (http.Header), reused across calls
}

// newHTTPSender configures resty over hc, which it does not copy (NewClient has), for the
// given User-Agent, with resty's own messages going to log.
//
// It never follows a redirect: the EnOS gateway does not redirect API calls, and a followed
// redirect would carry the token, the signature and the body (or, for a token request, the
// AccessKey and its encryption) to whatever host the Location names. The 3xx response itself
// comes back, and readResponse turns it into an error. Resty reads no body: the request
// path reads it within its limit and decodes it itself (resty's response handling would
// only match the content type against its regular expressions).
func newHTTPSender(hc *http.Client, userAgent string, log *slog.Logger) *httpSender {
	rest := resty.NewWithClient(hc).
		SetRedirectPolicy(resty.RedirectPolicyFunc(keepRedirect)).
		SetLogger(restyLogger{log}).
		SetDoNotParseResponse(true).
		SetHeader("User-Agent", userAgent).
		SetPreRequestHook(sendOnce)
	return &httpSender{rest: rest}
}

// restyLogger sends resty's own messages to the client's logger at debug level. They hold
// URLs (endpoint, path, orgId, userId, action), never headers, so no secret.
type restyLogger struct{ l *slog.Logger }

func (r restyLogger) Errorf(format string, v ...any) { r.debug(format, v) }
func (r restyLogger) Warnf(format string, v ...any)  { r.debug(format, v) }
func (r restyLogger) Debugf(format string, v ...any) { r.debug(format, v) }

func (r restyLogger) debug(format string, v []any) { r.l.Debug("resty: " + fmt.Sprintf(format, v...)) }

// keepRedirect is the redirect policy: return the redirect itself, never follow it.
func keepRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// outgoing is one request as the request path built it.
type outgoing struct {
	method string
	url    string // absolute, with its encoded query
	// signed holds the access token, the timestamp and the signature of a signed call;
	// unsigned requests (the token service's) leave them empty.
	signed [3]string
	body   []byte // the exact bytes to send, as JSON; nil for none
	// once marks a call that is not safe to repeat: the transport must not resend it
	// (see sendOnce).
	once bool
}

// Header keys in canonical form, set on requests as they are.
var (
	keyAccessToken = http.CanonicalHeaderKey(signing.HeaderAccessToken)
	keyTimestamp   = http.CanonicalHeaderKey(signing.HeaderTimestamp)
	keySignature   = http.CanonicalHeaderKey(signing.HeaderSignature)
	jsonHeader     = []string{contentTypeJSON}
	acceptJSON     = []string{"application/json"}
)

// send sends req once and returns the response, whose body the caller must read and close.
// resty leaves an absolute URL without query parameters of its own as it is, so the query
// the request path encoded is neither parsed nor encoded again.
func (h *httpSender) send(ctx context.Context, req outgoing) (*http.Response, error) {
	if req.once && replayedByTransport(req.method) {
		ctx = context.WithValue(ctx, sendOnceKey{}, true)
	}
	r := h.rest.R().SetContext(ctx)
	// resty sends a clone of r.Header (createHTTPRequest) and keeps no other reference
	// once Execute has returned, so the map comes from a pool: its room is allocated once,
	// not on every call.
	hdr := h.headers()
	req.setHeaders(hdr)
	r.Header = hdr
	defer h.putHeaders(hdr)
	if req.body != nil {
		// A *bytes.Reader is sent as it is: resty neither copies nor re-encodes it.
		r.SetBody(bytes.NewReader(req.body))
	}
	resp, err := r.Execute(req.method, req.url)
	if err != nil {
		return nil, err
	}
	return resp.RawResponse, nil
}

// setHeaders sets the request's own headers in h: the signing ones of a signed request, and
// the Content-Type of a body with an Accept beside it. Without that Accept, resty would
// match the Content-Type against its regular expressions and send it again as the Accept.
// A request without a body sends none, as the samples of the EnOS API documentation do.
func (req outgoing) setHeaders(h http.Header) {
	if req.signed[0] != "" {
		// One backing array for the three values, set under their canonical keys.
		values := req.signed
		h[keyAccessToken] = values[0:1:1]
		h[keyTimestamp] = values[1:2:2]
		h[keySignature] = values[2:3:3]
	}
	if req.body != nil {
		h["Content-Type"] = jsonHeader
		h["Accept"] = acceptJSON
	}
}

// headers returns an empty request header map from the sender's pool.
func (h *httpSender) headers() http.Header {
	if hdr, ok := h.pool.Get().(http.Header); ok {
		return hdr
	}
	return make(http.Header, 8)
}

// putHeaders empties hdr, keeping its room, and gives it back to the pool.
func (h *httpSender) putHeaders(hdr http.Header) {
	clear(hdr)
	h.pool.Put(hdr)
}

// sendOnceKey marks, in a request's context, a request that net/http's transport must not
// resend (see sendOnce).
type sendOnceKey struct{}

// replayedByTransport reports whether net/http's transport resends a request of method with
// no body on its own: on a reused connection that closed before any answer came, it sends a
// GET, HEAD, OPTIONS or TRACE again, taking it for idempotent. A POST with a body it does
// not resend.
func replayedByTransport(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return true
	}
	return false
}

// sendOnce is resty's pre-request hook: it keeps the transport from resending a request that
// is not safe to repeat. Delete Flow is a GET, and a connection that closes after the service
// deleted the flow but before the answer came would make the transport send it again, unseen
// by the retry loop, and answer "Flow not found" for a flow the call itself deleted. A
// request whose body the transport cannot rewind is one it never resends; onceBody is such a
// body, and an empty one. Over HTTP/1.1 the transport finds it empty and sends the GET as
// it would without it; over HTTP/2 it ends the request with an empty DATA frame.
//
// The cost: net/http resends no such request at all, so this one is not resent either where
// the resend was safe: a reused HTTP/1.1 connection whose write failed before any byte went
// out, and an HTTP/2 stream the server refused or left unprocessed by a GOAWAY. Such a call
// fails with a *TransportError, as a dropped answer does; the request path cannot tell them
// apart. For the one call it concerns, a Delete Flow, sent rarely, never acting twice unseen
// is worth more.
func sendOnce(_ *resty.Client, r *http.Request) error {
	if r.Context().Value(sendOnceKey{}) != nil {
		r.Body, r.GetBody, r.ContentLength = onceBody{}, nil, 0
	}
	return nil
}

// onceBody is the empty body of a request the transport must not resend (see sendOnce).
type onceBody struct{}

func (onceBody) Read([]byte) (int, error) { return 0, io.EOF }
func (onceBody) Close() error             { return nil }
