package batchprocessing

import (
	"net/http"
	"os"
	"testing"
)

// BenchmarkDecodeEnvelope measures decoding a large Get Flow Instance answer alone.
func BenchmarkDecodeEnvelope(b *testing.B) {
	body, err := os.ReadFile("testdata/bench/flow_instance.json")
	if err != nil {
		b.Fatal(err)
	}
	r := &response{op: "GetFlowInstance", method: http.MethodGet, path: flowInstancesPath, status: 200, header: http.Header{}, body: body}
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for i := 0; i < b.N; i++ {
		var fi flowInstanceWire // what GetFlowInstance decodes into
		if err := decodeEnvelope(r, &fi); err != nil {
			b.Fatal(err)
		}
	}
}
