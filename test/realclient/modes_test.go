package realclient_test

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// contactSet is a device's or the server's contacts as a sorted FN list.
func contactSet(t *testing.T, d *device) []string {
	t.Helper()
	return keySet(d.files(t, "contacts"), "FN")
}

func serverContacts(t *testing.T, s *server, user string) []string {
	t.Helper()
	return keySet(splitStream(s.export(t, user, "contacts"), "VCARD"), "FN")
}

func addContacts(t *testing.T, d *device, prefix string, from, n int) {
	t.Helper()
	for i := from; i < from+n; i++ {
		d.write(t, "contacts", fmt.Sprintf("%s%03d.vcf", prefix, i),
			vcard30(fmt.Sprintf("%s%03d", strings.ToUpper(prefix[:1])+prefix[1:], i), "Tester", fmt.Sprintf("+4915%07d", i), fmt.Sprintf("%s%d@example.org", prefix, i)))
	}
}

// confirm runs a two-way sync that must exchange nothing.
// syncLeavesServer syncs d in mode and checks the mode the client reports
// (unless wantMode is ""), that the server's contacts did not change, that
// d then holds exactly them, and that a confirmation sync exchanges nothing.
func syncLeavesServer(t *testing.T, srv *server, user string, d *device, mode, wantMode string) *report {
	t.Helper()
	before := serverContacts(t, srv, user)
	r := d.mustSync(t, mode)
	if got := r.sources["contacts"]["mode"]; wantMode != "" && got != wantMode {
		t.Errorf("%s sync of %s: mode = %s, want %s", mode, d.id, got, wantMode)
	}
	if got := serverContacts(t, srv, user); !equalLists(got, before) {
		t.Errorf("%s sync of %s changed the server's contacts: %v -> %v", mode, d.id, before, got)
	}
	assertConverged(t, srv, user, d)
	confirmNothing(t, d)
	return r
}

func confirmNothing(t *testing.T, d *device) {
	t.Helper()
	r := d.mustSync(t, "two-way")
	for _, src := range d.sources {
		expectNothing(t, "confirmation on "+d.id, r, src)
	}
}

// assertConverged checks that every device holds exactly the server's contacts.
func assertConverged(t *testing.T, s *server, user string, devs ...*device) {
	t.Helper()
	want := serverContacts(t, s, user)
	for _, d := range devs {
		if got := contactSet(t, d); !equalLists(got, want) {
			t.Errorf("%s holds %d contacts %q\nserver holds %d %q", d.id, len(got), got, len(want), want)
		}
	}
}

func fileWith(t *testing.T, d *device, fn string) string {
	t.Helper()
	for name, body := range d.files(t, "contacts") {
		if strings.Contains(body, "FN:"+fn+"\n") || strings.Contains(body, "FN:"+fn+"\r\n") {
			return name
		}
	}
	t.Fatalf("%s has no contact %q", d.id, fn)
	return ""
}

// TestSyncModes runs every client-initiated mode against two devices and
// checks the exact contact sets afterwards and a quiet confirmation sync.
func TestSyncModes(t *testing.T) {
	shared := needRealClient(t)
	srv := startServer(t)
	srv.addUser(t, "mo", "pw")
	a := newDevice(t, shared, srv, "modes-a", "mo", "pw", "", "contacts")
	b := newDevice(t, shared, srv, "modes-b", "mo", "pw", "", "contacts")
	addContacts(t, a, "seed", 0, 5)
	a.mustSync(t, "slow")
	b.mustSync(t, "two-way")
	assertConverged(t, srv, "mo", a, b)

	t.Run("one-way-from-client", func(t *testing.T) {
		waitForMtime()
		addContacts(t, b, "bee", 0, 1)
		b.mustSync(t, "two-way") // the server now has a change A has not seen
		waitForMtime()
		addContacts(t, a, "ant", 0, 1)
		r := a.mustSync(t, "one-way-from-client")
		expect(t, "A one-way-from-client", r, "contacts", map[string]int{"remote_added": 1, "local_added": 0})
		if contains(contactSet(t, a), "Bee000 Tester") {
			t.Error("one-way-from-client delivered a server change to the device")
		}
		r = a.mustSync(t, "two-way")
		expect(t, "A two-way after one-way", r, "contacts", map[string]int{"local_added": 1, "remote_added": 0})
		b.mustSync(t, "two-way")
		assertConverged(t, srv, "mo", a, b)
		confirmNothing(t, a)
		confirmNothing(t, b)
	})

	t.Run("one-way-from-server", func(t *testing.T) {
		waitForMtime()
		addContacts(t, a, "ant", 1, 2)
		a.mustSync(t, "two-way")
		waitForMtime()
		addContacts(t, b, "bee", 1, 1)
		r := b.mustSync(t, "one-way-from-server")
		expect(t, "B one-way-from-server", r, "contacts", map[string]int{"local_added": 2, "remote_added": 0})
		if contains(serverContacts(t, srv, "mo"), "Bee001 Tester") {
			t.Error("one-way-from-server took a device change")
		}
		// SyncEvolution re-sends the items it just received as Adds: the
		// server must keep one copy of each.
		before := len(serverContacts(t, srv, "mo"))
		r = b.mustSync(t, "two-way")
		if got := len(serverContacts(t, srv, "mo")); got != before+1 {
			t.Errorf("after B's two-way the server has %d contacts, want %d (B's one new contact, no duplicates): %v",
				got, before+1, serverContacts(t, srv, "mo"))
		}
		a.mustSync(t, "two-way")
		assertConverged(t, srv, "mo", a, b)
		confirmNothing(t, a)
		confirmNothing(t, b)
	})

	t.Run("refresh-from-server", func(t *testing.T) {
		waitForMtime()
		addContacts(t, b, "local", 0, 1) // never synced: refresh-from-server drops it
		if err := os.Remove(b.path("contacts", fileWith(t, b, "Seed000 Tester"))); err != nil {
			t.Fatal(err)
		}
		syncLeavesServer(t, srv, "mo", b, "refresh-from-server", "refresh-from-server")
	})

	t.Run("refresh-from-client", func(t *testing.T) {
		waitForMtime()
		for _, fn := range []string{"Seed001 Tester", "Seed002 Tester"} {
			if err := os.Remove(a.path("contacts", fileWith(t, a, fn))); err != nil {
				t.Fatal(err)
			}
		}
		addContacts(t, a, "fresh", 0, 1)
		want := contactSet(t, a)
		r := a.mustSync(t, "refresh-from-client")
		if r.sources["contacts"]["mode"] != "refresh-from-client" {
			t.Errorf("mode = %s", r.sources["contacts"]["mode"])
		}
		if got := serverContacts(t, srv, "mo"); !equalLists(got, want) {
			t.Errorf("after refresh-from-client the server holds %v, want exactly A's %v", got, want)
		}
		r = b.mustSync(t, "two-way")
		expect(t, "B after A's refresh", r, "contacts", map[string]int{"local_deleted": 2, "local_added": 1})
		assertConverged(t, srv, "mo", a, b)
		confirmNothing(t, a)
		confirmNothing(t, b)
	})
}
