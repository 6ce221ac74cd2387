package smalljson_test

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"testing"

	"github.com/netfix/netfix/src/internal/smalljson"
	"github.com/netfix/netfix/src/internal/status"
)

// benchDoc is the largest golden status document.
func benchDoc(b *testing.B) status.Document {
	data, err := os.ReadFile("../status/testdata/doc_s2_critical.json")
	if err != nil {
		b.Fatal(err)
	}
	var doc status.Document
	if err := smalljson.Unmarshal(data, &doc); err != nil {
		b.Fatal(err)
	}
	return doc
}

// The daemon's serve path: one status reply on the control socket.
func BenchmarkEncodeStatus(b *testing.B) {
	doc := benchDoc(b)
	reply := map[string]any{"data": doc}
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			_ = json.NewEncoder(io.Discard).Encode(reply)
		}
	})
	b.Run("smalljson", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			_ = smalljson.NewEncoder(io.Discard).Encode(reply)
		}
	})
}

// `netfix status --json`: the indented document.
func BenchmarkEncodeStatusIndent(b *testing.B) {
	doc := benchDoc(b)
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			_, _ = json.MarshalIndent(doc, "", "  ")
		}
	})
	b.Run("smalljson", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			_, _ = smalljson.MarshalIndent(doc, "", "  ")
		}
	})
}

// The client's side (rpcd plugin, netfix status): the reply from a
// stream, then the document out of it.
func BenchmarkDecodeStatus(b *testing.B) {
	var buf bytes.Buffer
	_ = json.NewEncoder(&buf).Encode(map[string]any{"data": benchDoc(b)})
	data := buf.Bytes()
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			var reply struct {
				Data json.RawMessage `json:"data"`
			}
			var doc status.Document
			_ = json.NewDecoder(bytes.NewReader(data)).Decode(&reply)
			_ = json.Unmarshal(reply.Data, &doc)
		}
	})
	b.Run("smalljson", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			var reply struct {
				Data smalljson.RawMessage `json:"data"`
			}
			var doc status.Document
			_ = smalljson.NewDecoder(bytes.NewReader(data)).Decode(&reply)
			_ = smalljson.Unmarshal(reply.Data, &doc)
		}
	})
}
