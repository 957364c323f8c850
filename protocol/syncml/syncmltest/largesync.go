// Package syncmltest builds SyncML messages for tests and benchmarks of
// the packages that read and write them (syncml, wbxml, engine).
package syncmltest

import (
	"fmt"
	"strconv"

	"anchorage/protocol/syncml"
)

// LargeSync builds what a client sends in a slow sync that fills its
// messages: a header with MaxMsgSize, the Status of the server's header and
// a Sync of n Adds of generated vCard 3.0 contacts (about 330 bytes each,
// every fourth with a non-ASCII name; the shape of peer-bench/gen_vcards.py).
// n = 300 makes about 150 KB of XML, the maxMsgSize SyncEvolution is run
// with.
func LargeSync(n int) *syncml.Message {
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
	return &syncml.Message{
		Header: syncml.Header{VerDTD: "1.2", VerProto: "SyncML/1.2", SessionID: "5", MsgID: "2",
			Target: syncml.Loc{URI: "http://127.0.0.1:9400/sync?sessionid=3f2a9c1e7b"}, Source: syncml.Loc{URI: "bench-device", Name: "test"},
			MaxMsgSize: 150000, MaxObjSize: 4000000},
		Commands: []*syncml.Command{{Name: "Status", CmdID: "1", MsgRef: "1", CmdRef: "0", Cmd: "SyncHdr", NumberOfChanges: -1,
			TargetRefs: []string{"bench-device"}, SourceRefs: []string{"http://127.0.0.1:9400/sync"}, Data: "200"}, sync},
		Final: true,
	}
}
