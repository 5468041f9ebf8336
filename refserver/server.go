package refserver

import (
	"net/http/httptest"
)

// Server is a running reference server: a Backend served on a loopback port, shaped like
// httptest.Server. The Backend's methods (AddApp, AddFlow, FlowInstances, InjectFault,
// Handler, Client, ...) are the Server's.
type Server struct {
	*Backend

	// URL is the base URL of the server, "http://127.0.0.1:port", without a trailing slash.
	URL string

	listener *httptest.Server
}

// NewServer starts a reference server on a loopback port, with no application, user or
// flow. Seed it with Load, or with AddApp, AddUser and AddFlow; call Close when done. Like
// httptest.NewServer, it panics if it cannot listen.
func NewServer(opts ...Option) *Server {
	o := applyOptions(opts)
	s := &Server{Backend: newBackend(o)}
	if !o.noListener {
		s.listener = httptest.NewServer(s.Backend)
		s.URL = s.listener.URL
	}
	return s
}

// NewDemoServer starts a reference server (NewServer) loaded with DemoSeed: the application
// DemoAccessKey/DemoSecretKey registered in DemoOrgID (its calls in other organizations are
// refused: see AddApp), the user DemoUserID in DemoOrgID, the flow DemoFlowID ("demo flow",
// periodic and active, daily at midnight, tasks "extract" then "load" of one second each)
// and the flow DemoEmptyFlowID ("empty flow", manual, no task), both in DemoOrgID's root
// directory and owned by DemoUserID.
func NewDemoServer(opts ...Option) *Server {
	s := NewServer(opts...)
	if err := s.Load(DemoSeed()); err != nil {
		panic("refserver: the demo seed: " + err.Error()) // a test keeps it valid
	}
	return s
}

// NewDemoBackend returns a Backend (no listener) loaded with DemoSeed: the in-process demo
// server, reached through its Client or as an http.Handler.
func NewDemoBackend(opts ...Option) *Backend {
	b := NewBackend(opts...)
	if err := b.Load(DemoSeed()); err != nil {
		panic("refserver: the demo seed: " + err.Error()) // a test keeps it valid
	}
	return b
}

// NewServerFromSeed validates seed and starts a reference server (NewServer) loaded with it
// (see Backend.Load), in the seed's time zone unless WithLocation sets another. Call Close
// when done.
func NewServerFromSeed(seed *Seed, opts ...Option) (*Server, error) {
	if err := seed.check(); err != nil {
		return nil, err
	}
	s := NewServer(opts...)
	if err := s.Load(seed); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Close stops the server and waits until the requests it is serving are done.
func (s *Server) Close() {
	if s.listener != nil {
		s.listener.Close()
	}
}
