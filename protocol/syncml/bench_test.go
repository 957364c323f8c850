package syncml

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
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

// largeSync builds what a client sends in a slow sync that fills its
// messages: a header with MaxMsgSize, the Status of the server's header
// and a Sync of n Adds of generated vCard 3.0 contacts (about 330 bytes
// each, every fourth with a non-ASCII name; the shape of
// peer-bench/gen_vcards.py). n = 300 makes about 150 KB of XML, the
// maxMsgSize SyncEvolution is run with.
func largeSync(n int) *Message {
	given := []string{"Alice", "Bob", "Carol", "David", "Emma", "Frank", "Grace"}
	family := []string{"Smith", "Jones", "Brown", "Taylor", "Wilson", "Müller", "Wiśniewski", "Παπαδόπουλος"}
	sync := &Command{Name: "Sync", CmdID: "2", Target: Loc{URI: "contacts"}, Source: Loc{URI: "./contacts"}, NumberOfChanges: -1}
	for i := 0; i < n; i++ {
		g, f := given[i%len(given)], family[(i*7)%5]
		if i%4 == 3 {
			f = family[5+i%3]
		}
		card := fmt.Sprintf("BEGIN:VCARD\r\nVERSION:3.0\r\nUID:bench-42-%06d\r\nN:%s;%s;;;\r\nFN:%s %s\r\n"+
			"TEL;TYPE=CELL:+49 170 %07d\r\nTEL;TYPE=WORK:+49 30 %06d\r\nEMAIL;TYPE=INTERNET:user%d@example.com\r\n"+
			"ADR;TYPE=HOME:;;Hauptstraße %d;Berlin;;10115;Germany\r\nORG:ACME Corp.\r\nNOTE:Contact number %d\r\nEND:VCARD\r\n",
			i, f, g, g, f, 1000000+i*37, 100000+i*13, i, 1+i%200, i)
		sync.Commands = append(sync.Commands, &Command{Name: "Add", CmdID: strconv.Itoa(3 + i), NumberOfChanges: -1,
			Meta:  &Meta{Type: "text/vcard"},
			Items: []Item{{Source: Loc{URI: fmt.Sprintf("bench-%06d.vcf", i)}, Data: card}}})
	}
	return &Message{
		Header: Header{VerDTD: "1.2", VerProto: "SyncML/1.2", SessionID: "5", MsgID: "2",
			Target: Loc{URI: "http://127.0.0.1:9400/sync?sessionid=3f2a9c1e7b"}, Source: Loc{URI: "bench-device", Name: "test"},
			MaxMsgSize: 150000, MaxObjSize: 4000000},
		Commands: []*Command{{Name: "Status", CmdID: "1", MsgRef: "1", CmdRef: "0", Cmd: "SyncHdr", NumberOfChanges: -1,
			TargetRefs: []string{"bench-device"}, SourceRefs: []string{"http://127.0.0.1:9400/sync"}, Data: "200"}, sync},
		Final: true,
	}
}

// BenchmarkDecodeLargeSync decodes a 300-Add Sync of about 150 KB.
func BenchmarkDecodeLargeSync(b *testing.B) {
	data, err := Encode(largeSync(300))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodeLargeSync encodes the same message.
func BenchmarkEncodeLargeSync(b *testing.B) {
	m := largeSync(300)
	out, err := Encode(m)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(out)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Encode(m); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodedSizeLargeSync sizes each of the 300 Adds with
// EncodedSize, as the engine does for every command it places in a reply.
func BenchmarkEncodedSizeLargeSync(b *testing.B) {
	m := largeSync(300)
	out, _ := Encode(m)
	b.SetBytes(int64(len(out)))
	b.ReportAllocs()
	adds := m.Commands[1].Commands
	for b.Loop() {
		for _, c := range adds {
			if EncodedSize(c) <= 0 {
				b.Fatal("EncodedSize 0")
			}
		}
	}
}
