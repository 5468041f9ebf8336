package batchprocessing

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Version is the version of this SDK, sent in the default User-Agent.
const Version = "1.0.0"

// Client calls the EnOS Batch Processing Service V2.1 through the EnOS API gateway. It
// fetches an access token on first use, caches and renews it, and signs every request
// with the application's AccessKey and SecretKey (the gateway's token authentication).
//
// A Client is safe for concurrent use by many goroutines; share one per application.
// Printing a Client never shows its SecretKey or access token.
type Client struct {
	endpoint   string // absolute, no trailing slash
	orgID      string // default orgId
	userID     string // default userId
	log        *slog.Logger
	clock      *skewClock  // the client's clock, corrected by the server's Date when it is off
	refinement *refinement // the refinement of the clock's correction in flight (refineClock)
	retry      RetryPolicy
	location   *locationCache // the server's time zone, once a call needed it
	// secretKey sits behind a pointer so that printing a Client by reflection shows an
	// address, not the key.
	secretKey *string
	tokens    *tokenSource
	http      sender      // sends every request, the token service's too (httpSender)
	queries   *queryCache // encoded query structs
	maxBody   int         // the largest response body read
	timeout   attemptTimeout
}

// NewClient returns a Client for the gateway at endpoint (for example
// "https://apim-gateway.example.com"), authenticating as the application with the given
// AccessKey and SecretKey (EnOS Console, Application Registration). It validates its
// arguments and does no I/O: the first call fetches the access token.
func NewClient(endpoint, accessKey, secretKey string, opts ...Option) (*Client, error) {
	base, err := parseEndpoint(endpoint)
	if err != nil {
		return nil, err
	}
	if err := checkKey("accessKey", accessKey); err != nil {
		return nil, err
	}
	if err := checkKey("secretKey", secretKey); err != nil {
		return nil, err
	}
	s := settings{
		userAgent:        "enos-go-batchprocessing/" + Version + " (" + runtime.Version() + ")",
		logger:           slog.New(discardHandler{}),
		clock:            time.Now,
		maxResponseBytes: DefaultMaxResponseBytes,
		retry:            DefaultRetryPolicy(),
	}
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(&s); err != nil {
			return nil, fmt.Errorf("batchprocessing: NewClient: %w", err)
		}
	}

	hc, timeout := httpClient(s)

	c := &Client{
		endpoint:   base,
		orgID:      s.orgID,
		userID:     s.userID,
		log:        s.logger,
		clock:      &skewClock{base: s.clock},
		refinement: &refinement{},
		retry:      s.retry,
		location:   &locationCache{given: s.location},
		secretKey:  &secretKey,
		queries:    &queryCache{},
		maxBody:    s.maxResponseBytes,
		timeout:    timeout,
		http:       newHTTPSender(hc, s.userAgent, s.logger),
	}
	c.tokens = newTokenSource(c.http, base, s.maxResponseBytes, timeout, accessKey, secretKey, c.clock, s.logger)
	return c, nil
}

// httpClient returns the *http.Client the client sends through, a copy of WithHTTPClient's
// or one of its own, and the per-attempt timeout: WithTimeout's, else the client's
// Timeout. The copy's Timeout is zero: the request path bounds each attempt itself
// (attemptTimeout).
func httpClient(s settings) (*http.Client, attemptTimeout) {
	var hc *http.Client
	if s.httpClient != nil {
		copied := *s.httpClient
		hc = &copied
		if hc.Transport == nil {
			hc.Transport = http.DefaultTransport
		}
	} else {
		hc = &http.Client{Timeout: DefaultTimeout, Transport: defaultTransport()}
	}
	if s.timeout > 0 {
		hc.Timeout = s.timeout
	}
	timeout := newAttemptTimeout(hc.Timeout)
	hc.Timeout = 0
	return hc, timeout
}

// defaultTransport is the transport of a client made without WithHTTPClient: Go's default
// transport, but keeping up to maxIdleConnsPerHost idle connections to the gateway instead of
// two, so that a client shared by many goroutines reuses its connections rather than
// opening new ones after every burst.
func defaultTransport() http.RoundTripper {
	base, ok := http.DefaultTransport.(*http.Transport)
	if !ok {
		return http.DefaultTransport
	}
	t := base.Clone()
	t.MaxIdleConns = max(t.MaxIdleConns, maxIdleConnsPerHost)
	t.MaxIdleConnsPerHost = maxIdleConnsPerHost
	t.MaxResponseHeaderBytes = maxResponseHeaderBytes
	return t
}

// maxResponseHeaderBytes bounds the response headers a client made without WithHTTPClient
// reads (Go's default is 10 MB); the gateway's are well under a kilobyte.
const maxResponseHeaderBytes = 64 << 10

// maxIdleConnsPerHost is the number of idle connections a client made without
// WithHTTPClient keeps to the gateway.
const maxIdleConnsPerHost = 100

// parseEndpoint checks that endpoint is an absolute http(s) URL without credentials,
// query or fragment, and returns it without a trailing slash.
func parseEndpoint(endpoint string) (string, error) {
	fail := func(reason string) error {
		return fmt.Errorf("batchprocessing: NewClient: invalid endpoint: %s", reason)
	}
	if strings.TrimSpace(endpoint) == "" {
		return "", fail("empty")
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		return "", fail("not a URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fail(`scheme must be "http" or "https", as in https://apim-gateway.example.com`)
	}
	if u.Hostname() == "" {
		return "", fail("no host")
	}
	if port := u.Port(); port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return "", fail("port " + port + " is not from 1 to 65535")
		}
	}
	if u.User != nil {
		return "", fail("must not contain user information")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "", fail("must not contain a query or fragment")
	}
	return strings.TrimRight(u.Scheme+"://"+u.Host+u.EscapedPath(), "/"), nil
}

func checkKey(name, key string) error {
	switch {
	case key == "":
		return errors.New("batchprocessing: NewClient: empty " + name)
	case strings.TrimSpace(key) != key:
		return errors.New("batchprocessing: NewClient: " + name + " has leading or trailing white space")
	case strings.IndexFunc(key, unicode.IsControl) >= 0:
		// A key file of two lines, or a pasted escape: no key the console issues has one.
		return errors.New("batchprocessing: NewClient: " + name + " holds a line break or another control character")
	}
	return nil
}

// String describes the client without its secrets.
func (c Client) String() string {
	return fmt.Sprintf("batchprocessing.Client{endpoint: %s, orgId: %q, userId: %q}", c.endpoint, c.orgID, c.userID)
}

// GoString describes the client without its secrets, for %#v.
func (c Client) GoString() string { return c.String() }

// Format prints the client without its secrets, whatever the verb: the value receiver
// covers both Client and *Client, so no verb falls back to printing the fields.
func (c Client) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(c.String())) }
