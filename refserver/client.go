package refserver

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
)

// Client returns an *http.Client whose requests the server answers in-process, without a
// socket: hand it to the SDK with batchprocessing.WithHTTPClient. Any endpoint works with it
// (a Server's URL, or "https://gateway.test" for a Backend), since the host is not dialled.
// Like httptest.Server.Client, it is the one-call way for a test to reach the server.
func (b *Backend) Client() *http.Client {
	return &http.Client{Transport: inProcess{b}}
}

// inProcess is an http.RoundTripper that serves each request with a handler.
type inProcess struct{ h http.Handler }

// errDropped is what RoundTrip returns for a request whose connection the handler dropped
// (Fault.DropAfterProcessing): it matches io.EOF, as the error of a connection closed before
// an answer does over a socket.
var errDropped = fmt.Errorf("refserver: the connection was dropped without an answer: %w", io.EOF)

// RoundTrip serves req and returns the recorded answer. The request's context reaches the
// handler, so a client that gives up stops the server's work as a real one would. A handler
// that aborts (panics with http.ErrAbortHandler, as DropAfterProcessing does, and as net/http
// answers by closing the connection) gives errDropped; any other panic is a bug of the
// server and is not hidden.
func (t inProcess) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := req.Context().Err(); err != nil {
		return nil, err
	}
	served := req.Clone(req.Context())
	if req.Body != nil {
		body, err := io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return nil, err
		}
		served.Body = io.NopCloser(bytes.NewReader(body))
	}
	served.RequestURI = req.URL.RequestURI()
	rec := httptest.NewRecorder()
	if aborted := t.serve(rec, served); aborted {
		return nil, errDropped
	}
	if err := req.Context().Err(); err != nil {
		return nil, err // the caller gave up while the server worked (a Delay fault)
	}
	resp := rec.Result()
	resp.Request = req
	return resp, nil
}

// serve runs the handler and reports whether it aborted with http.ErrAbortHandler.
func (t inProcess) serve(w http.ResponseWriter, r *http.Request) (aborted bool) {
	defer func() {
		if p := recover(); p != nil {
			if err, ok := p.(error); ok && errors.Is(err, http.ErrAbortHandler) {
				aborted = true
				return
			}
			panic(p)
		}
	}()
	t.h.ServeHTTP(w, r)
	return false
}
