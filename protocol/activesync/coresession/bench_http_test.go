package coresession_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"anchorage/protocol/activesync"
	"anchorage/test/easclient"
)

// benchHTTPContact is the ApplicationData TbSync sends for benchContact's
// contact: names, two numbers, a home address, a mail address, the
// company and a note.
func benchHTTPContact(i int) string {
	return fmt.Sprintf(`<ApplicationData><c:FirstName>Given%05d</c:FirstName><c:LastName>Family%05d</c:LastName>`+
		`<c:MobilePhoneNumber>+1555%07d</c:MobilePhoneNumber><c:BusinessPhoneNumber>+1666%07d</c:BusinessPhoneNumber>`+
		`<c:Email1Address>p%05d@example.org</c:Email1Address><c:HomeStreet>%d Main St</c:HomeStreet>`+
		`<c:HomeCity>Springfield</c:HomeCity><c:HomePostalCode>12345</c:HomePostalCode><c:HomeCountry>US</c:HomeCountry>`+
		`<c:CompanyName>Example Corp</c:CompanyName><b:Body><b:Type>1</b:Type><b:Data>contact number %d</b:Data></b:Body>`+
		`</ApplicationData>`, i, i, i, i, i, i, i)
}

// benchSync sends TbSync's Sync of the contacts folder (GetChanges, a
// window of 50, plain-text bodies) with commands, and returns the next
// key, whether more is available and the number of server commands.
func benchSync(b *testing.B, c *easclient.Client, key, commands string) (string, bool, int) {
	b.Helper()
	if commands != "" {
		commands = "<Commands>" + commands + "</Commands>"
	}
	out, err := c.Do(context.Background(), "Sync", `<Sync xmlns="AirSync:" xmlns:c="Contacts:" xmlns:b="AirSyncBase:">`+
		`<Collections><Collection><SyncKey>`+key+`</SyncKey><CollectionId>contacts</CollectionId><DeletesAsMoves/>`+
		`<GetChanges/><WindowSize>50</WindowSize><Options><Class>Contacts</Class><b:BodyPreference><b:Type>1</b:Type>`+
		`</b:BodyPreference></Options>`+commands+`</Collection></Collections></Sync>`)
	if err != nil {
		b.Fatal(err)
	}
	col := out.FindElement("Collections/Collection")
	if col == nil || easclient.Text(col, "Status") != "1" {
		b.Fatalf("sync at %s: %s", key, easclient.Dump(out))
	}
	return easclient.Text(col, "SyncKey"), col.FindElement("MoreAvailable") != nil, len(col.FindElements("Commands/*"))
}

// benchEstimate sends the GetItemEstimate TbSync sends before each Sync.
func benchEstimate(b *testing.B, c *easclient.Client, key string) {
	b.Helper()
	if _, err := c.Do(context.Background(), "GetItemEstimate", `<GetItemEstimate xmlns="GetItemEstimate:" xmlns:a="AirSync:">`+
		`<Collections><Collection><a:SyncKey>`+key+`</a:SyncKey><CollectionId>contacts</CollectionId><a:Options>`+
		`<a:Class>Contacts</a:Class></a:Options></Collection></Collections></GetItemEstimate>`); err != nil {
		b.Fatal(err)
	}
}

// benchDevice brings a device's contacts folder to its first key.
func benchDevice(b *testing.B, base, id string) (*easclient.Client, string) {
	c := &easclient.Client{Base: base, User: "ann", Password: "pw", DeviceID: id, DeviceType: "TbSync", Version: "14.0"}
	if _, err := c.Do(context.Background(), "FolderSync", `<FolderSync xmlns="FolderHierarchy:"><SyncKey>0</SyncKey></FolderSync>`); err != nil {
		b.Fatal(err)
	}
	key, _, _ := benchSync(b, c, "0", "")
	return c, key
}

// benchUpload syncs a device at key as TbSync does when it holds n new
// contacts: a GetItemEstimate, a Sync for the server's changes, the
// contacts in Syncs of 50 Adds, a Sync for the server's changes again. It
// returns the last key.
func benchUpload(b *testing.B, a *easclient.Client, key string, n int) string {
	benchEstimate(b, a, key)
	key, _, _ = benchSync(b, a, key, "")
	for i := 0; i < n; i += 50 {
		var cmds strings.Builder
		for j := i; j < i+50 && j < n; j++ {
			fmt.Fprintf(&cmds, "<Add><ClientId>%d</ClientId>%s</Add>", j, benchHTTPContact(j))
		}
		key, _, _ = benchSync(b, a, key, cmds.String())
	}
	key, _, _ = benchSync(b, a, key, "")
	return key
}

// benchInitialSync runs a new device's initial sync as TbSync does
// (FolderSync, Sync at key 0, GetItemEstimate, Syncs until no more is
// available), which must bring n contacts; it returns the device and its
// key.
func benchInitialSync(b *testing.B, base, id string, n int) (*easclient.Client, string) {
	d, key := benchDevice(b, base, id)
	got := 0
	benchEstimate(b, d, key)
	for more := true; more; {
		var k int
		key, more, k = benchSync(b, d, key, "")
		got += k
	}
	if got != n {
		b.Fatalf("device %s got %d contacts, want %d", id, got, n)
	}
	return d, key
}

// benchServer serves EAS on the core and a new SQLite file, as serve
// wires it; it is closed when the benchmark ends.
func benchServer(b *testing.B) *httptest.Server {
	be, _ := newBackendAt(b, nil)
	hs := httptest.NewServer(activesync.New(activesync.Options{Backend: be, Converter: activesync.PIMConverter{}}))
	b.Cleanup(hs.Close)
	return hs
}

// BenchmarkEASContactsHTTP is BenchmarkEASContacts through the whole
// server: HTTP on 127.0.0.1 with Basic authentication, WBXML and the
// vCard <-> EAS contact conversion, with TbSync's requests (a
// GetItemEstimate before a folder's Syncs, windows of 50). Device B's first
// request is part of its initial sync, as in bench-eas-peer. The upload's
// CPU time (the process's) is reported besides its wall time.
func BenchmarkEASContactsHTTP(b *testing.B) {
	for _, n := range []int{1000, 2000} {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			var up, upCPU, initial, repeat time.Duration
			for range b.N {
				b.StopTimer()
				hs := benchServer(b)
				base := hs.URL
				a, key := benchDevice(b, base, "deva")
				key, _, _ = benchSync(b, a, key, "")
				b.StartTimer()

				start, cpu := time.Now(), cpuTime()
				benchUpload(b, a, key, n)
				up += time.Since(start)
				upCPU += cpuTime() - cpu

				start = time.Now()
				d, key := benchInitialSync(b, base, "devb", n)
				initial += time.Since(start)

				start = time.Now()
				benchEstimate(b, d, key)
				if _, _, k := benchSync(b, d, key, ""); k != 0 {
					b.Fatalf("repeat sync sent %d commands", k)
				}
				repeat += time.Since(start)
				b.StopTimer()
				hs.Close()
			}
			reportSteps(b, n, up, initial, repeat)
			// Client and server run in this process: the client's part
			// (building and parsing the WBXML) grows as N.
			b.ReportMetric(float64(upCPU.Microseconds())/1000/float64(b.N*n), "upload-cpu-ms/contact")
		})
	}
}

// BenchmarkEASInitialSyncHTTP is the initial sync step of
// BenchmarkEASContactsHTTP alone, on one server holding N contacts: each
// op is a new device's initial sync (ns/op; per contact in the metric).
func BenchmarkEASInitialSyncHTTP(b *testing.B) {
	for _, n := range []int{1000, 2000} {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			hs := benchServer(b)
			a, key := benchDevice(b, hs.URL, "deva")
			key, _, _ = benchSync(b, a, key, "")
			benchUpload(b, a, key, n)
			b.ResetTimer()
			for i := range b.N {
				benchInitialSync(b, hs.URL, fmt.Sprintf("devb%d", i), n)
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N*n), "ms/contact")
		})
	}
}

// BenchmarkEASRepeatSyncHTTP times a device's sync with nothing to
// exchange through the whole server, as TbSync sends it: FolderSync at
// its key, then the contacts folder's GetItemEstimate and Sync (ns/op;
// per request in the metric).
func BenchmarkEASRepeatSyncHTTP(b *testing.B) {
	const n = 1000
	hs := benchServer(b)
	a, key := benchDevice(b, hs.URL, "deva")
	key, _, _ = benchSync(b, a, key, "")
	benchUpload(b, a, key, n)
	d, key := benchInitialSync(b, hs.URL, "devb", n)
	out, err := d.Do(context.Background(), "FolderSync", `<FolderSync xmlns="FolderHierarchy:"><SyncKey>0</SyncKey></FolderSync>`)
	if err != nil {
		b.Fatal(err)
	}
	folderKey := easclient.Text(out, "SyncKey")
	b.ResetTimer()
	for range b.N {
		if _, err := d.Do(context.Background(), "FolderSync", `<FolderSync xmlns="FolderHierarchy:"><SyncKey>`+folderKey+`</SyncKey></FolderSync>`); err != nil {
			b.Fatal(err)
		}
		benchEstimate(b, d, key)
		var k int
		if key, _, k = benchSync(b, d, key, ""); k != 0 {
			b.Fatalf("repeat sync sent %d commands", k)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N*3), "ms/request")
}
