package refserver

import (
	"maps"
	"slices"
	"time"
)

// Settings are what a server's options set that can change while it serves. The control
// API's GET and PUT /_refserver/settings read and change the same ones.
type Settings struct {
	// TokenLifetime is how long the tokens issued from now on live (WithTokenLifetime).
	TokenLifetime time.Duration
	// TimestampWindow is how far, either way, a request's timestamp may be from the server
	// clock (WithTimestampWindow).
	TimestampWindow time.Duration
	// Location is the server's time zone: of instance ids, Get Timezone and the times it
	// writes (WithLocation).
	Location *time.Location
}

// Settings returns the settings in force.
func (b *Backend) Settings() Settings {
	st := b.lock()
	defer st.mu.Unlock()
	return st.settings()
}

// settings is Settings for a caller that holds st.mu.
func (st *state) settings() Settings {
	return Settings{TokenLifetime: st.tokenLife, TimestampWindow: st.window, Location: st.loc}
}

// SetSettings changes the settings s gives: a positive TokenLifetime (for tokens issued from
// now on) or TimestampWindow, and a Location, which then holds over a seed loaded later, as
// WithLocation does. Zero values keep a setting. A new Location acts as a server started
// again in that zone: what was due by then happened in the old zone, and the periodic flows
// fire from then on at the new zone's times (a flow at "0 0 8 * * ? *" at 08:00 there).
//
// A TokenLifetime other than the one in force makes the next Get Access Token of each app
// issue a new token, with the new lifetime, instead of handing out the current one until it
// expires: a test that shortens the lifetime to see a token expire wants the next token to
// be short-lived. The tokens issued before stay valid until they expire, so a client in the
// middle of its calls is not refused.
func (b *Backend) SetSettings(s Settings) {
	st := b.lock()
	defer st.mu.Unlock()
	if s.TokenLifetime > 0 && s.TokenLifetime != st.tokenLife {
		st.tokenLife = s.TokenLifetime
		for _, a := range st.apps {
			a.current = ""
		}
	}
	if s.TimestampWindow > 0 {
		st.window = s.TimestampWindow
	}
	if s.Location != nil {
		st.setLocation(s.Location)
	}
}

// setLocation changes the server's zone as a server started again in it would: the
// instances due by now come first, in the old zone (their ids, their fires), and every
// periodic flow is then scheduled on the new zone's clock from now on, one the old zone
// never fired included. A zone to the west repeats local hours: a periodic id already
// taken does not run again, unless a history bound (WithMaxInstances) has forgotten it (see
// the package doc, Schedules).
func (st *state) setLocation(loc *time.Location) {
	now := st.now()
	st.settle(now)
	st.loc, st.locSet = loc, true
	for _, flowID := range slices.Sorted(maps.Keys(st.flows)) {
		st.schedulePeriodic(st.flows[flowID], now)
	}
}

// Request is one request of the server's log: what was asked and how the server judged it.
// The control API's GET /_refserver/requests shows the same.
type Request struct {
	Time                 time.Time // on the server clock
	Method, Path, Action string    // Action is the action query parameter, if any
	Status               int       // the HTTP status of the answer; 0 for none (the client went away first)
	Code                 int       // the business code or token-service status; 0 for success
	Msg                  string    // the answer's message
	Reason               string    // why it was refused or failed, as X-Refserver-Reason says
}

// Requests returns the last n requests the server served, oldest first; the server keeps
// the last 200.
func (b *Backend) Requests(n int) []Request {
	st := b.lock()
	defer st.mu.Unlock()
	return st.lastRequests(n)
}

// lastRequests is Requests for a caller that holds st.mu.
func (st *state) lastRequests(n int) []Request { return st.requests.last(n) }
