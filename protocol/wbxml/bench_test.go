package wbxml

// Benchmarks of the WBXML codec on SyncML messages, in the two forms the
// engine uses: the etree document alone (Decode, Encode) and the whole path
// of a WBXML session (Decode then syncml.DecodeDocument for a request,
// syncml.EncodeDocument then Encode for a reply; protocol/engine/codec.go).
//
//	go test -run '^$' -bench . -benchmem ./protocol/wbxml/
//
// The corpus is every SyncML WBXML message under ../shared (SyncEvolution's
// captured WBXML session and the spec and Funambol examples), read at run
// time and skipped with a message when ../shared is absent; one op is one
// pass over it. The large message (a 300-Add slow-sync Sync of about 150 KB)
// is built here and needs nothing.

import (
	"os"
	"testing"

	"anchorage/protocol/syncml"
	"anchorage/protocol/syncml/syncmltest"

	"github.com/beevik/etree"
)

// benchMessages is a set of SyncML WBXML messages with their decoded forms.
type benchMessages struct {
	raw  [][]byte
	docs []*etree.Document
	msgs []*syncml.Message
	size int64
}

func (c *benchMessages) add(data []byte) bool {
	doc, err := Decode(data)
	if err != nil {
		return false
	}
	m, err := syncml.DecodeDocument(doc)
	if err != nil {
		return false
	}
	c.raw = append(c.raw, data)
	c.docs = append(c.docs, doc)
	c.msgs = append(c.msgs, m)
	c.size += int64(len(data))
	return true
}

// syncMLCorpus reads the SyncML WBXML messages of ../shared.
func syncMLCorpus(b *testing.B) *benchMessages {
	shared := needShared(b)
	c := &benchMessages{}
	for _, f := range findFiles(shared, "*.wbxml") {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		if l := wbxmlLanguage(data); l == nil || l.Root != "SyncML" {
			continue
		}
		c.add(data)
	}
	if len(c.raw) < 5 {
		b.Skipf("only %d SyncML WBXML messages under %s", len(c.raw), shared)
	}
	return c
}

// largeSync is a client's slow-sync message with n Adds of generated vCard
// 3.0 contacts of about 330 bytes (syncmltest.LargeSync, as in
// protocol/syncml's BenchmarkDecodeLargeSync), encoded as the engine
// encodes replies.
func largeSync(b *testing.B, n int) *benchMessages {
	m := syncmltest.LargeSync(n)
	data, err := Encode(syncml.EncodeDocument(m), EncodeOptions{})
	if err != nil {
		b.Fatal(err)
	}
	c := &benchMessages{}
	if !c.add(data) {
		b.Fatal("the large message does not decode")
	}
	return c
}

// run times f over every message of c per op.
func (c *benchMessages) run(b *testing.B, f func(i int) error) {
	b.Helper()
	b.SetBytes(c.size)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for i := range c.raw {
			if err := f(i); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(len(c.raw)), "msgs")
}

// runCodec runs decode and encode, of the document and of the message.
func runCodec(b *testing.B, c *benchMessages) {
	b.Run("decode", func(b *testing.B) {
		c.run(b, func(i int) error {
			_, err := Decode(c.raw[i])
			return err
		})
	})
	b.Run("decode-message", func(b *testing.B) {
		c.run(b, func(i int) error {
			doc, err := Decode(c.raw[i])
			if err == nil {
				_, err = syncml.DecodeDocument(doc)
			}
			return err
		})
	})
	b.Run("encode", func(b *testing.B) {
		c.run(b, func(i int) error {
			_, err := Encode(c.docs[i], EncodeOptions{})
			return err
		})
	})
	b.Run("encode-message", func(b *testing.B) {
		c.run(b, func(i int) error {
			_, err := Encode(syncml.EncodeDocument(c.msgs[i]), EncodeOptions{})
			return err
		})
	})
}

// BenchmarkSyncMLCorpus: the SyncML WBXML messages of ../shared. MB/s
// counts their WBXML bytes.
func BenchmarkSyncMLCorpus(b *testing.B) {
	runCodec(b, syncMLCorpus(b))
}

// BenchmarkSyncMLLargeSync: one slow-sync message of 300 Adds (about
// 105 KB of WBXML, 150 KB as XML). MB/s counts its WBXML bytes.
func BenchmarkSyncMLLargeSync(b *testing.B) {
	runCodec(b, largeSync(b, 300))
}
