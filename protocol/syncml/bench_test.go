package syncml

import (
	"os"
	"path/filepath"
	"testing"
)

// benchMessage is the largest captured client message (a Sync with Adds).
func benchMessage(b *testing.B) []byte {
	b.Helper()
	dir := sharedDir(b)
	data, err := os.ReadFile(filepath.Join(dir, "conformance", "captures", "01-slow-sync-client-uploads-3", "msg2-client-to-server.xml"))
	if err != nil {
		b.Skip("captures not available:", err)
	}
	return data
}

func BenchmarkDecode(b *testing.B) {
	data := benchMessage(b)
	b.SetBytes(int64(len(data)))
	for i := 0; i < b.N; i++ {
		if _, err := Decode(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncode(b *testing.B) {
	data := benchMessage(b)
	m, err := Decode(data)
	if err != nil {
		b.Fatal(err)
	}
	out, _ := Encode(m)
	b.SetBytes(int64(len(out)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Encode(m); err != nil {
			b.Fatal(err)
		}
	}
}
