package batchprocessing

import (
	"errors"
	"log/slog"
	"math"
	"net/http"
	"strings"
	"time"
)

// Option configures a Client. Options are applied by NewClient in order; an invalid one
// makes NewClient fail.
type Option func(*settings) error

// settings is what the options set; NewClient turns it into a Client.
type settings struct {
	httpClient       *http.Client
	orgID, userID    string
	userAgent        string
	logger           *slog.Logger
	clock            func() time.Time
	maxResponseBytes int
	retry            RetryPolicy
	timeout          time.Duration  // per attempt; 0 keeps the HTTP client's
	location         *time.Location // the server's zone, if given (WithServerLocation)
}

// DefaultTimeout is the per-attempt timeout of the HTTP client that NewClient makes when
// WithHTTPClient is not given (its transport is Go's default one, keeping up to 100 idle
// connections to the gateway). The context passed to each call bounds the whole call.
const DefaultTimeout = 30 * time.Second

// DefaultMaxResponseBytes is the largest response body the client reads. A longer body
// fails the call with an error instead of filling memory.
const DefaultMaxResponseBytes = 8 << 20

// WithHTTPClient makes the client send its requests through a copy of hc: its Transport and
// Jar are used, its Timeout (unless WithTimeout is given) bounds each attempt as WithTimeout
// does, and hc itself is never modified. Use it for proxies, TLS settings, timeouts, and to
// plug in test transports such as httpmock. A zero Timeout leaves attempts unbounded but
// by the context of each call. The per-attempt timeout is a deadline on each request's
// context: a Transport of your own must honour the context, as net/http's and httpmock's
// do (the deprecated Request.Cancel and CancelRequest are not used).
//
// The copy never follows redirects, whatever hc.CheckRedirect says: the EnOS gateway does
// not redirect API calls, and following one would hand the access token, the request's
// signature and its body (for a token request, the AccessKey and its encryption) to the
// host the Location names. A 3xx response fails the call with an unexpected-response
// *APIError (ErrUnexpectedResponse) that names the status and the target host.
//
// hc's transport keeps its own limits; the transport of a client made without
// WithHTTPClient refuses response headers over 64 KiB.
func WithHTTPClient(hc *http.Client) Option {
	return func(s *settings) error {
		if hc == nil {
			return errors.New("WithHTTPClient: nil *http.Client")
		}
		s.httpClient = hc
		return nil
	}
}

// WithTimeout sets the per-attempt timeout: how long one request may take, its body read
// included, before it fails with a *TransportError whose Timeout reports true, that
// matches context.DeadlineExceeded and says "no complete answer within the per-attempt
// timeout of d" (and is retried as the policy allows). It applies to the client NewClient
// makes (DefaultTimeout by default) and to the copy of a WithHTTPClient client, whatever
// its own Timeout. The context passed to each call still bounds the whole call.
func WithTimeout(d time.Duration) Option {
	return func(s *settings) error {
		if d <= 0 {
			return errors.New("WithTimeout: the timeout must be positive")
		}
		s.timeout = d
		return nil
	}
}

// WithOrgID sets the organization id (orgId) used by every call whose request leaves it empty.
func WithOrgID(orgID string) Option {
	return func(s *settings) error {
		if strings.TrimSpace(orgID) == "" {
			return errors.New("WithOrgID: empty organization id")
		}
		s.orgID = orgID
		return nil
	}
}

// WithUserID sets the user id (userId) used by every call whose request leaves it empty.
func WithUserID(userID string) Option {
	return func(s *settings) error {
		if strings.TrimSpace(userID) == "" {
			return errors.New("WithUserID: empty user id")
		}
		s.userID = userID
		return nil
	}
}

// WithUserAgent sets the User-Agent header of every request.
func WithUserAgent(userAgent string) Option {
	return func(s *settings) error {
		if strings.TrimSpace(userAgent) == "" {
			return errors.New("WithUserAgent: empty user agent")
		}
		if strings.ContainsFunc(userAgent, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			return errors.New("WithUserAgent: control characters cannot be sent in a header")
		}
		s.userAgent = userAgent
		return nil
	}
}

// WithLogger makes the client log each request (operation, method, path, status, code,
// request id, duration) and each token fetch at debug level, and failures at warn level.
// Log records never contain the SecretKey or the access token. The default logs nothing.
func WithLogger(logger *slog.Logger) Option {
	return func(s *settings) error {
		if logger == nil {
			return errors.New("WithLogger: nil *slog.Logger")
		}
		s.logger = logger
		return nil
	}
}

// WithServerLocation gives the service's time zone: ServerLocation returns loc without
// asking Get Timezone, and Client.Time and the checks of the triggers' answers read the
// server's local times in it. Get Timezone names only the offset in force when it is asked
// ("GMT+1"), which reads a time of the other daylight-saving period an hour off; an IANA
// zone (time.LoadLocation("Europe/Berlin")) reads every time right. Give the zone the
// server runs in: any other shifts every time read with it.
func WithServerLocation(loc *time.Location) Option {
	return func(s *settings) error {
		if loc == nil {
			return errors.New("WithServerLocation: nil *time.Location")
		}
		s.location = loc
		return nil
	}
}

// WithClock sets the clock the client reads for signature timestamps, token expiry, the
// default trigger time and the default time range of ListFlowInstances. The default is
// time.Now.
func WithClock(now func() time.Time) Option {
	return func(s *settings) error {
		if now == nil {
			return errors.New("WithClock: nil clock")
		}
		s.clock = now
		return nil
	}
}

// WithMaxResponseBytes sets the largest response body the client reads
// (DefaultMaxResponseBytes by default). math.MaxInt means no limit.
func WithMaxResponseBytes(n int) Option {
	return func(s *settings) error {
		if n <= 0 {
			return errors.New("WithMaxResponseBytes: limit must be positive")
		}
		// One byte is kept for the read past the limit that tells a longer body.
		s.maxResponseBytes = min(n, math.MaxInt-1)
		return nil
	}
}
