package refserver_test

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/enos-go/batchprocessing/refserver"
)

// TestTooLargeBodyAnswers413 sends a body over MaxBodyBytes through a raw TCP connection,
// the whole of it, in pieces, before reading the answer, as a plain client (Python's urllib)
// does, and checks that the client reads the 413 rather than a connection reset: the
// server reads and discards such a body, up to MaxDrainBytes, before it answers. The pieces
// are paced (piecePause) so that sending goes on well over the half second net/http waits
// between answering and closing a connection that still has unread data (after reading
// 256 KiB of the body itself): a server that answered without reading the body would have
// reset the connection before the client is done. The sending ends well within the 5 s the server
// gives the drain, counted from when it knows the body too large: from the start with a
// Content-Length, after MaxBodyBytes when chunked.
func TestTooLargeBodyAnswers413(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		size    int
		chunked bool
	}{
		// 32 pieces, 1.3 s, all after the server knows the body too large.
		{"Content-Length", 2 << 20, false},
		// 48 pieces: 16 up to the limit, then 32 (1.3 s) to drain, of which 28 (1.1 s)
		// after the 256 KiB net/http would read itself.
		{"chunked", 3 << 20, true},
	}
	for _, tt := range tests {
		if tt.size > refserver.MaxDrainBytes || tt.size <= refserver.MaxBodyBytes {
			t.Fatalf("the test body (%d bytes) must be over MaxBodyBytes and within MaxDrainBytes", tt.size)
		}
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, conn := dialDemoServer(t, time.Minute)
			if err := sendLargeBody(conn, tt.size, tt.chunked); err != nil {
				t.Fatalf("sending the body: %v (the server closed the connection before reading it)", err)
			}
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatalf("reading the answer: %v", err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusRequestEntityTooLarge {
				t.Fatalf("HTTP %d, want 413", resp.StatusCode)
			}
		})
	}
}

// TestTooLargeBodyNotSentAnswers413 announces a body over MaxBodyBytes and sends none of it,
// on a server with no read timeout (NewDemoServer): the 413 must still come, as the server
// bounds the time it spends draining the body, and the server must then close.
func TestTooLargeBodyNotSentAnswers413(t *testing.T) {
	t.Parallel()
	srv, conn := dialDemoServer(t, 30*time.Second)
	if _, err := conn.Write([]byte(largeBodyHead(2<<20, false))); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("reading the answer: %v (the server is waiting for the body)", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("HTTP %d, want 413", resp.StatusCode)
	}
	// The client's connection stays open: Close must not wait for it.
	closed := make(chan struct{})
	go func() {
		srv.Close()
		close(closed)
	}()
	select {
	case <-closed:
	case <-time.After(30 * time.Second):
		t.Error("srv.Close did not return while the client held its connection")
		conn.Close() // ends the server's read, so that the test ends
		<-closed
	}
}

// TestTooLargeBodyExpectingContinueAnswers413 announces a body over MaxBodyBytes with
// Expect: 100-continue and sends none of it: the server must answer 413 at once, not
// 100 Continue, which would make the client upload the body only to be refused.
func TestTooLargeBodyExpectingContinueAnswers413(t *testing.T) {
	t.Parallel()
	_, conn := dialDemoServer(t, 30*time.Second)
	head := strings.Replace(largeBodyHead(2<<20, false), "\r\n\r\n", "\r\nExpect: 100-continue\r\n\r\n", 1)
	if _, err := conn.Write([]byte(head)); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the answer: %v", err)
	}
	if !strings.HasPrefix(line, "HTTP/1.1 413 ") {
		t.Fatalf("first line %q, want HTTP/1.1 413", line)
	}
}

// dialDemoServer starts a demo server and opens a raw TCP connection to it, closed when the
// test ends, with a deadline that only ends a hung test: nothing asserts how long a step
// takes.
func dialDemoServer(t *testing.T, guard time.Duration) (*refserver.Server, net.Conn) {
	t.Helper()
	srv := refserver.NewDemoServer()
	t.Cleanup(srv.Close)
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	_ = conn.SetDeadline(time.Now().Add(guard))
	return srv, conn
}

// piecePause is the pause between two pieces of sendLargeBody: 32 pieces take over a second.
const piecePause = 40 * time.Millisecond

// sendLargeBody writes a signed-looking Trigger Flow request with a body of size bytes to
// conn, in 64 KiB pieces, chunked or with a Content-Length.
func sendLargeBody(conn net.Conn, size int, chunked bool) error {
	if _, err := conn.Write([]byte(largeBodyHead(size, chunked))); err != nil {
		return err
	}
	piece := []byte(strings.Repeat("x", 64<<10))
	for sent := 0; sent < size; sent += len(piece) {
		out := piece
		if chunked {
			out = append([]byte(fmt.Sprintf("%x\r\n", len(piece))), append(piece, "\r\n"...)...)
		}
		if _, err := conn.Write(out); err != nil {
			return err
		}
		time.Sleep(piecePause) // pacing the client, not waiting for the server
	}
	if chunked {
		_, err := conn.Write([]byte("0\r\n\r\n"))
		return err
	}
	return nil
}

// largeBodyHead is the head of a signed-looking Trigger Flow request with a body of size
// bytes, chunked or with a Content-Length.
func largeBodyHead(size int, chunked bool) string {
	head := "POST /batch-processing-service/v2.1/flows?action=trigger HTTP/1.1\r\nHost: refserver.test\r\n" +
		"Content-Type: application/json\r\n"
	if chunked {
		return head + "Transfer-Encoding: chunked\r\n\r\n"
	}
	return head + fmt.Sprintf("Content-Length: %d\r\n\r\n", size)
}
