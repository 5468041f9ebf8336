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
// are paced (piecePause) so that sending takes longer than net/http waits (half a second)
// between answering and closing a connection that still has unread data: a server that
// answered without reading the body would have reset the connection by the end.
func TestTooLargeBodyAnswers413(t *testing.T) {
	t.Parallel()
	const size = 2 << 20
	if size > refserver.MaxDrainBytes || size <= refserver.MaxBodyBytes {
		t.Fatalf("the test body (%d bytes) must be over MaxBodyBytes and within MaxDrainBytes", size)
	}
	tests := []struct {
		name    string
		chunked bool
	}{
		{"Content-Length", false},
		{"chunked", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := refserver.NewDemoServer()
			t.Cleanup(srv.Close)
			conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			// A deadline only ends a hung test; nothing asserts how long a step takes.
			_ = conn.SetDeadline(time.Now().Add(time.Minute))
			if err := sendLargeBody(conn, size, tt.chunked); err != nil {
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

// piecePause is the pause between two pieces of sendLargeBody: 32 pieces take over a second.
const piecePause = 40 * time.Millisecond

// sendLargeBody writes a signed-looking Trigger Flow request with a body of size bytes to
// conn, in 64 KiB pieces, chunked or with a Content-Length.
func sendLargeBody(conn net.Conn, size int, chunked bool) error {
	head := "POST /batch-processing-service/v2.1/flows?action=trigger HTTP/1.1\r\nHost: refserver.test\r\n" +
		"Content-Type: application/json\r\n"
	if chunked {
		head += "Transfer-Encoding: chunked\r\n\r\n"
	} else {
		head += fmt.Sprintf("Content-Length: %d\r\n\r\n", size)
	}
	if _, err := conn.Write([]byte(head)); err != nil {
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
