package simclient_test

import (
	"anchorage/admin"
	"anchorage/protocol/engine"
	"context"
	"sort"
	"strings"
	"testing"

	"anchorage/conflict"
	"anchorage/test/simclient"
)

// TestReadOnlyDatastore: with the read-only policy, whatever a device
// sends — new items in its first (slow) sync, edits, deletes and adds in
// fast syncs — is refused, the device ends up holding exactly the
// server's items, and every refused version is in the archive as a
// conflict version.
func TestReadOnlyDatastore(t *testing.T) {
	ctx := context.Background()
	eng, url := newServer(t, "ro")
	dev := func(id string) *simclient.Device {
		return simclient.New(simclient.Options{URL: url, User: "ro", Password: "pw", DeviceID: id})
	}
	card := func(name string) string {
		return "BEGIN:VCARD\r\nVERSION:3.0\r\nN:" + name + ";;;;\r\nFN:" + name + "\r\nEND:VCARD\r\n"
	}
	sync := func(d *simclient.Device, mode int) {
		t.Helper()
		rep, err := d.Sync(ctx, mode)
		if err != nil || !rep.Complete {
			t.Fatalf("sync of %s: %v (report %+v)", d.ID(), err, rep)
		}
	}
	names := func(d *simclient.Device) string {
		var out []string
		for _, c := range d.Items("contacts") {
			_, fn, _ := strings.Cut(c[strings.Index(c, "FN:"):], ":")
			out = append(out, strings.TrimSpace(fn[:strings.Index(fn, "\r\n")]))
		}
		sort.Strings(out)
		return strings.Join(out, ",")
	}

	// The owner fills the address book, then makes it read-only.
	owner := dev("owner")
	owner.Add("contacts", card("Alice"))
	owner.Add("contacts", card("Bob"))
	sync(owner, simclient.TwoWay)
	if err := eng.SetConflictRules(ctx, "ro", "contacts", &conflict.Rules{Policy: conflict.ReadOnly}); err != nil {
		t.Fatal(err)
	}

	// A new device with an item of its own and a changed copy of Bob.
	phone := dev("phone")
	phone.Add("contacts", card("Mallory"))
	phone.Add("contacts", strings.Replace(card("Bob"), "END:VCARD", "NOTE:changed on the phone\r\nEND:VCARD", 1))
	sync(phone, simclient.TwoWay) // first contact: slow
	if got := names(phone); got != "Alice,Bob" {
		t.Fatalf("after its slow sync the phone holds %s, want Alice,Bob", got)
	}
	for _, c := range phone.Items("contacts") {
		if strings.Contains(c, "changed on the phone") {
			t.Errorf("the phone kept its refused edit:\n%s", c)
		}
	}

	// Fast sync: an edit, a delete and an add, all refused.
	luids := phone.LUIDs("contacts")
	editedName := "Alice"
	if strings.Contains(phone.Items("contacts")[luids[0]], "FN:Bob") {
		editedName = "Bob"
	}
	phone.Edit("contacts", luids[0], strings.Replace(phone.Items("contacts")[luids[0]], "END:VCARD", "TITLE:x\r\nEND:VCARD", 1))
	phone.Delete("contacts", luids[1])
	phone.Add("contacts", card("Trudy"))
	sync(phone, simclient.TwoWay)
	if got := names(phone); got != "Alice,Bob" {
		t.Fatalf("after a fast sync the phone holds %s, want Alice,Bob", got)
	}
	sync(owner, simclient.TwoWay)
	if got := names(owner); got != "Alice,Bob" {
		t.Errorf("the owner's device holds %s, want Alice,Bob unchanged", got)
	}

	// Nothing refused is lost: every refused version is a conflict version.
	hist, err := eng.History(ctx, "ro", "contacts", admin.HistoryQuery{})
	if err != nil {
		t.Fatal(err)
	}
	refused := map[string]bool{}
	for _, h := range hist {
		if h.Origin == engine.OriginConflict {
			refused[h.Summary] = true
		}
	}
	for _, want := range []string{"Mallory", "Bob", "Trudy", editedName} { // a refused delete has no content to keep
		if !refused[want] {
			t.Errorf("no conflict version of %s in the history (%v)", want, refused)
		}
	}
}
