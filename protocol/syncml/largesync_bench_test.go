package syncml_test

// Benchmarks of a 300-Add slow-sync message of about 150 KB
// (syncmltest.LargeSync), built here and needing nothing from ../shared.

import (
	"testing"

	"anchorage/protocol/syncml"
	"anchorage/protocol/syncml/syncmltest"
)

// BenchmarkDecodeLargeSync decodes a 300-Add Sync of about 150 KB.
func BenchmarkDecodeLargeSync(b *testing.B) {
	data, err := syncml.Encode(syncmltest.LargeSync(300))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := syncml.Decode(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodeLargeSync encodes the same message.
func BenchmarkEncodeLargeSync(b *testing.B) {
	m := syncmltest.LargeSync(300)
	out, err := syncml.Encode(m)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(out)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := syncml.Encode(m); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodedSizeLargeSync sizes each of the 300 Adds with
// EncodedSize, as the engine does for every command it places in a reply.
func BenchmarkEncodedSizeLargeSync(b *testing.B) {
	m := syncmltest.LargeSync(300)
	out, _ := syncml.Encode(m)
	b.SetBytes(int64(len(out)))
	b.ReportAllocs()
	adds := m.Commands[1].Commands
	for b.Loop() {
		for _, c := range adds {
			if syncml.EncodedSize(c) <= 0 {
				b.Fatal("EncodedSize 0")
			}
		}
	}
}
