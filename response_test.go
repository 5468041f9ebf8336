package batchprocessing

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

// chunks is a body of unknown length that gives at most n bytes a read, as a chunked
// response does.
type chunks struct {
	r io.Reader
	n int
}

func (c chunks) Read(p []byte) (int, error) { return c.r.Read(p[:min(len(p), c.n)]) }

func TestReadBody(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name          string
		n, limit      int
		length        int64 // announced; -1 unknown
		wantCapAtMost int
	}{
		{"empty, known", 0, 100, 0, 1},
		{"empty, unknown", 0, 100, -1, 0},
		{"known, under the limit", 99, 101, 99, 100},
		{"known, announced shorter than sent", 5000, 1 << 20, 10, 8192},
		{"known, cut at the limit", 200, 101, 200, 101},
		{"unknown, small", 43, 1 << 20, -1, 43},
		{"unknown, past the pooled buffer", 70000, 1 << 20, -1, 70000},
		{"unknown, cut at a limit under the pooled buffer", 3000, 1001, -1, 1001},
		{"unknown, cut at a limit past the pooled buffer", 70000, 9000, -1, 9000},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			body := strings.Repeat("x", tt.n)
			got, err := readBody(chunks{strings.NewReader(body), 1000}, tt.length, tt.limit)
			want := body[:min(tt.n, tt.limit)]
			if err != nil || string(got) != want {
				t.Fatalf("%d bytes, %v; want %d", len(got), err, len(want))
			}
			if got == nil || cap(got) > tt.wantCapAtMost {
				t.Errorf("cap %d (nil %t), want at most %d, not nil", cap(got), got == nil, tt.wantCapAtMost)
			}
		})
	}
}

// TestReadBodyOwnsItsBytes checks that a body of unknown length does not share the pooled
// buffer it was read into: the bodies read after it leave it as it was.
func TestReadBodyOwnsItsBytes(t *testing.T) {
	t.Parallel()
	first, err := readBody(strings.NewReader("first body"), -1, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	for range 10 {
		if _, err := readBody(strings.NewReader(strings.Repeat("y", 20000)), -1, 1<<20); err != nil {
			t.Fatal(err)
		}
	}
	if string(first) != "first body" {
		t.Errorf("the first body became %.20q", first)
	}
}

func TestReadBodyKeepsTheReadError(t *testing.T) {
	t.Parallel()
	for _, length := range []int64{-1, 100} {
		got, err := readBody(io.MultiReader(strings.NewReader("part"), errReader{io.ErrUnexpectedEOF}), length, 1<<20)
		if err != io.ErrUnexpectedEOF || !bytes.Equal(got, []byte("part")) {
			t.Errorf("length %d: %q, %v; want the part read and the error", length, got, err)
		}
	}
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }
