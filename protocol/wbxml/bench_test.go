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
	"fmt"
	"os"
	"strconv"
	"testing"

	"anchorage/protocol/syncml"

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
// 3.0 contacts of about 330 bytes (as in protocol/syncml's
// BenchmarkDecodeLargeSync), encoded as the engine encodes replies.
func largeSync(b *testing.B, n int) *benchMessages {
	given := []string{"Alice", "Bob", "Carol", "David", "Emma", "Frank", "Grace"}
	family := []string{"Smith", "Jones", "Brown", "Taylor", "Wilson", "Müller", "Wiśniewski", "Παπαδόπουλος"}
	sync := &syncml.Command{Name: "Sync", CmdID: "2", Target: syncml.Loc{URI: "contacts"}, Source: syncml.Loc{URI: "./contacts"}, NumberOfChanges: -1}
	for i := 0; i < n; i++ {
		g, f := given[i%len(given)], family[(i*7)%5]
		if i%4 == 3 {
			f = family[5+i%3]
		}
		card := fmt.Sprintf("BEGIN:VCARD\r\nVERSION:3.0\r\nUID:bench-42-%06d\r\nN:%s;%s;;;\r\nFN:%s %s\r\n"+
			"TEL;TYPE=CELL:+49 170 %07d\r\nTEL;TYPE=WORK:+49 30 %06d\r\nEMAIL;TYPE=INTERNET:user%d@example.com\r\n"+
			"ADR;TYPE=HOME:;;Hauptstraße %d;Berlin;;10115;Germany\r\nORG:ACME Corp.\r\nNOTE:Contact number %d\r\nEND:VCARD\r\n",
			i, f, g, g, f, 1000000+i*37, 100000+i*13, i, 1+i%200, i)
		sync.Commands = append(sync.Commands, &syncml.Command{Name: "Add", CmdID: strconv.Itoa(3 + i), NumberOfChanges: -1,
			Meta:  &syncml.Meta{Type: "text/vcard"},
			Items: []syncml.Item{{Source: syncml.Loc{URI: fmt.Sprintf("bench-%06d.vcf", i)}, Data: card}}})
	}
	m := &syncml.Message{
		Header: syncml.Header{VerDTD: "1.2", VerProto: "SyncML/1.2", SessionID: "5", MsgID: "2",
			Target: syncml.Loc{URI: "http://127.0.0.1:9400/sync?sessionid=3f2a9c1e7b"}, Source: syncml.Loc{URI: "bench-device", Name: "test"},
			MaxMsgSize: 150000, MaxObjSize: 4000000},
		Commands: []*syncml.Command{{Name: "Status", CmdID: "1", MsgRef: "1", CmdRef: "0", Cmd: "SyncHdr", NumberOfChanges: -1,
			TargetRefs: []string{"bench-device"}, SourceRefs: []string{"http://127.0.0.1:9400/sync"}, Data: "200"}, sync},
		Final: true,
	}
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
