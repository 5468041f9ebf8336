package main

import (
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/enos-go/batchprocessing/refserver"
)

// stalledGateway is a listener that accepts connections, reads what comes, and never
// answers. It counts the connections.
type stalledGateway struct {
	ln       net.Listener
	accepted atomic.Int64
}

// newStalledGateway starts one; it stops when the test ends.
func newStalledGateway(t *testing.T) *stalledGateway {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	g := &stalledGateway{ln: ln}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			g.accepted.Add(1)
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			go func() { _, _ = c.Read(make([]byte, 64<<10)) }() // read the request, answer nothing
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	return g
}

// env is a complete configuration that points at the stalled gateway.
func (g *stalledGateway) env() map[string]string {
	return map[string]string{
		"ENOS_API_GATEWAY": "http://" + g.ln.Addr().String(),
		"ENOS_ACCESS_KEY":  refserver.DemoAccessKey,
		"ENOS_SECRET_KEY":  refserver.DemoSecretKey,
		"ENOS_ORG_ID":      refserver.DemoOrgID,
		"ENOS_USER_ID":     refserver.DemoUserID,
	}
}

// TestGatewayThatNeverAnswers: attempts that time out mean the gateway could not be
// reached (exit code 3), said with one note about the retries; only the command's own
// --timeout is exit code 4.
func TestGatewayThatNeverAnswers(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr []string
	}{
		{"attempts time out", []string{"--request-timeout", "150ms", "status", "3377-20261130080000"}, exitAPI,
			[]string{"enosbatch: retrying GetFlowInstance (attempt 2, in ", "no complete answer within the per-attempt timeout of 150ms", "further retries are not shown",
				"enosbatch: status: the gateway did not answer in time: the call's last attempt, after its retries, got no whole answer within --request-timeout 150ms (a limit per attempt): "}},
		{"while waiting", []string{"--request-timeout", "150ms", "wait", "3377-20261130080000"}, exitAPI,
			[]string{"retrying GetFlowInstance", "the gateway did not answer in time"}},
		{"--timeout first", []string{"--timeout", "400ms", "status", "3377-20261130080000"}, exitInterrupted,
			[]string{"enosbatch: status: --timeout 400ms reached: batchprocessing: "}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g := newStalledGateway(t)
			start := time.Now()
			r := execBinary(t, g.env(), tt.args...).want(t, tt.code)
			for _, want := range tt.stderr {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
				}
			}
			if n := strings.Count(r.stderr, "retrying"); n > 1 {
				t.Errorf("%d notes about retries, want at most one:\n%s", n, r.stderr)
			}
			if g.accepted.Load() == 0 {
				t.Error("the gateway saw no connection")
			}
			t.Logf("took %v", time.Since(start))
		})
	}
}

// TestBadTriggerTimeNeverCalls: a trigger time the service cannot represent is refused
// before any connection.
func TestBadTriggerTimeNeverCalls(t *testing.T) {
	t.Parallel()
	g := newStalledGateway(t)
	for _, at := range []string{"0001-01-01T00:00:00Z", "1969-12-31T23:59:59Z", "9999-12-31T23:00:00-05:00"} {
		r := execBinary(t, g.env(), "--request-timeout", "100ms", "trigger", "--flow", "3377", "--at", at).want(t, exitUsage)
		if !strings.Contains(r.stderr, `--at "`+at+`": want a time from 1970-01-01T00:00:00Z to 9999-12-31T09:59:59Z`) {
			t.Errorf("stderr %q", r.stderr)
		}
	}
	if n := g.accepted.Load(); n != 0 {
		t.Errorf("%d connections to the gateway, want none", n)
	}
}
