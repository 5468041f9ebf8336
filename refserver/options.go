package refserver

import "time"

// Option configures a Backend or a Server.
type Option func(*options)

type options struct {
	now          func() time.Time
	loc          *time.Location
	window       time.Duration
	tokenLife    time.Duration
	maxInstances int
	locSet       bool // WithLocation was given: a seed's time zone does not replace loc
	noListener   bool // WithoutListener, deprecated
}

// The token lifetime and timestamp window of a server given no WithTokenLifetime or
// WithTimestampWindow.
const (
	// DefaultTokenLifetime is the lifetime of an issued access token: the 7200 seconds of
	// the EnOS samples' "expire".
	DefaultTokenLifetime = 7200 * time.Second
	// DefaultTimestampWindow is how far a request timestamp may be from the server clock,
	// either way (the real gateway's window is undocumented).
	DefaultTimestampWindow = 15 * time.Minute
)

// defaultOptions are the settings of a server given no Option.
func defaultOptions() options {
	return options{now: time.Now, loc: time.UTC, window: DefaultTimestampWindow, tokenLife: DefaultTokenLifetime}
}

// applyOptions returns the default settings changed by opts.
func applyOptions(opts []Option) options {
	o := defaultOptions()
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// WithoutListener makes NewServer (and NewDemoServer, NewServerFromSeed) open no socket:
// URL stays empty, Close does nothing, and the server is reached through Handler only.
//
// Deprecated: use NewBackend, the reference server without a listener, and Backend.Load for
// a seed. A Server made WithoutListener still works as before.
func WithoutListener() Option {
	return func(o *options) { o.noListener = true }
}

// WithClock makes now the server clock (default time.Now). Token lifetimes, the timestamp
// window, trigger times, instance statuses and the Date header all follow it. The server calls
// now with its store locked, one call at a time, so now must not call the Server's methods. A
// nil now keeps the default.
func WithClock(now func() time.Time) Option {
	return func(o *options) {
		if now != nil {
			o.now = now
		}
	}
}

// WithLocation sets the server's time zone (default time.UTC, or the seed's), in which flow
// instance ids, times on the wire and task logs are formatted and which Get Timezone reports.
// It overrides the time zone of a seed the server loads. A nil loc keeps the default.
func WithLocation(loc *time.Location) Option {
	return func(o *options) {
		if loc != nil {
			o.loc, o.locSet = loc, true
		}
	}
}

// WithTimestampWindow sets how far a request timestamp (token requests and apim-timestamp) may
// be from the server clock, in either direction (default DefaultTimestampWindow). A d <= 0
// keeps the default.
func WithTimestampWindow(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.window = d
		}
	}
}

// WithTokenLifetime sets the lifetime of issued access tokens (default DefaultTokenLifetime).
// A d <= 0 keeps the default.
func WithTokenLifetime(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.tokenLife = d
		}
	}
}

// WithMaxInstances bounds the flow instances the server keeps to n: when it holds more, it
// forgets those that ended first (as if they had never been), until it holds n or only
// waiting and running instances are left, which it never forgets. By default (and with n <= 0)
// it keeps every instance, as tests that count them expect; a long-running server under load
// (cmd/refserver) sets a bound so that its history cannot exhaust memory. The bound holds
// while the server catches up after a clock jump too: it handles the instants passed in
// time order and forgets what ended as it goes, so a ManualClock moved a year past a minute
// flow never holds more than n instances besides those waiting or running. An instance holds
// about 0.4 KB of heap plus 0.13 KB a task of its flow (0.66 KB for the demo flow's two), and,
// once read through the API, its graph: about 0.15 KB plus 0.2 KB a task
// (BenchmarkInstanceMemory).
func WithMaxInstances(n int) Option {
	return func(o *options) { o.maxInstances = max(n, 0) }
}
