package coresession_test

import (
	"fmt"
	"testing"
	"time"

	"anchorage/protocol/activesync"
)

// benchContact is a contact with the fields TbSync's test address book
// carries: name, two numbers, an address, a mail address and a note.
func benchContact(i int) activesync.Item {
	return contact(fmt.Sprintf("Given%05d", i), fmt.Sprintf("Family%05d", i),
		fmt.Sprintf("TEL;TYPE=CELL:+1555%07d\r\nTEL;TYPE=WORK:+1666%07d\r\nEMAIL;TYPE=INTERNET:p%05d@example.org\r\n"+
			"ADR;TYPE=HOME:;;%d Main St;Springfield;;12345;US\r\nORG:Example Corp\r\nNOTE:contact number %d\r\n", i, i, i, i, i))
}

// BenchmarkEASContacts runs the steps of bench-eas-peer in process, on
// the real core and a SQLite file: device A uploads N contacts in
// requests of 50 Adds (TbSync's), device B's initial sync receives them
// in windows of 50, and B syncs again with nothing to exchange. It
// reports the time of each step per contact (the repeat: per sync).
func BenchmarkEASContacts(b *testing.B) {
	for _, n := range []int{1000, 2000} {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			var up, initial, repeat time.Duration
			for range b.N {
				b.StopTimer()
				be, _ := newBackendAt(b, nil)
				a := login(b, be, "dev-a")
				key := mustSync(b, a, activesync.SyncRequest{FolderID: "contacts", SyncKey: "0"}).SyncKey
				key = mustSync(b, a, activesync.SyncRequest{FolderID: "contacts", SyncKey: key, GetChanges: true, WindowSize: 50}).SyncKey
				b.StartTimer()
				start := time.Now()
				uploadContacts(b, a, key, n)
				up += time.Since(start)

				start = time.Now()
				d := login(b, be, "dev-b")
				key = mustSync(b, d, activesync.SyncRequest{FolderID: "contacts", SyncKey: "0"}).SyncKey
				got := 0
				for {
					r := mustSync(b, d, activesync.SyncRequest{FolderID: "contacts", SyncKey: key, GetChanges: true, WindowSize: 50})
					got += len(r.Changes)
					key = r.SyncKey
					if !r.MoreAvailable {
						break
					}
				}
				initial += time.Since(start)
				if got != n {
					b.Fatalf("device B got %d contacts, want %d", got, n)
				}

				start = time.Now()
				if r := mustSync(b, d, activesync.SyncRequest{FolderID: "contacts", SyncKey: key, GetChanges: true, WindowSize: 50}); len(r.Changes) != 0 {
					b.Fatalf("repeat sync sent %d changes", len(r.Changes))
				}
				repeat += time.Since(start)
				b.StopTimer()
			}
			reportSteps(b, n, up, initial, repeat)
		})
	}
}

// reportSteps reports the time of the steps of b.N runs: the upload and
// the initial sync per contact, the repeat sync per sync.
func reportSteps(b *testing.B, n int, up, initial, repeat time.Duration) {
	per := func(d time.Duration, k int) float64 { return float64(d.Microseconds()) / 1000 / float64(b.N*k) }
	b.ReportMetric(per(up, n), "upload-ms/contact")
	b.ReportMetric(per(initial, n), "initial-ms/contact")
	b.ReportMetric(per(repeat, 1), "repeat-ms")
}

// BenchmarkEASRepeatSync is the last step of BenchmarkEASContacts alone:
// device B, holding N contacts, syncs with nothing to exchange.
func BenchmarkEASRepeatSync(b *testing.B) {
	for _, n := range []int{1000, 2000} {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			be, _ := newBackendAt(b, nil)
			a := login(b, be, "dev-a")
			key := mustSync(b, a, activesync.SyncRequest{FolderID: "contacts", SyncKey: "0"}).SyncKey
			key = mustSync(b, a, activesync.SyncRequest{FolderID: "contacts", SyncKey: key, GetChanges: true}).SyncKey
			uploadContacts(b, a, key, n)
			d := login(b, be, "dev-b")
			key = mustSync(b, d, activesync.SyncRequest{FolderID: "contacts", SyncKey: "0"}).SyncKey
			for {
				r := mustSync(b, d, activesync.SyncRequest{FolderID: "contacts", SyncKey: key, GetChanges: true, WindowSize: 50})
				key = r.SyncKey
				if !r.MoreAvailable {
					break
				}
			}
			b.ResetTimer()
			for range b.N {
				r := mustSync(b, d, activesync.SyncRequest{FolderID: "contacts", SyncKey: key, GetChanges: true, WindowSize: 50})
				if len(r.Changes) != 0 || r.SyncKey != key {
					b.Fatalf("repeat sync: %d changes, key %s after %s", len(r.Changes), r.SyncKey, key)
				}
			}
		})
	}
}

// uploadContacts sends n contacts from the folder's key in requests of 50
// Adds, as TbSync does, and returns the last key.
func uploadContacts(b *testing.B, a activesync.Session, key string, n int) string {
	for i := 0; i < n; i += 50 {
		req := activesync.SyncRequest{FolderID: "contacts", SyncKey: key, GetChanges: true, WindowSize: 50}
		for j := i; j < i+50 && j < n; j++ {
			req.Commands = append(req.Commands, activesync.ClientCommand{Kind: activesync.CmdAdd,
				ClientID: fmt.Sprint(j), Item: benchContact(j)})
		}
		key = mustSync(b, a, req).SyncKey
	}
	return key
}
