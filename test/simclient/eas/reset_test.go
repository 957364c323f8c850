package eas_test

import (
	"context"
	"maps"
	"testing"

	"anchorage/test/simclient/eas"
)

// TestResetKeepsEdit: a device renames a contact it holds, then gets
// status 3 (an invalid SyncKey) and sends every item it holds as an Add.
// The renamed copy pairs with no item by identity (the name changed); it
// is the edit of the item the device held, which the server knows from
// the device's mappings before the re-sync: one item, not two
// (MS-ASCMD 2.2.3.177.16). With the item unchanged on the server the edit
// is taken; changed by another device meanwhile, the conflict rules merge
// both edits on the version the device held; deleted meanwhile, the edit
// brings it back. A device that syncs afterwards gets the one item.
func TestResetKeepsEdit(t *testing.T) {
	for _, tc := range []struct {
		name  string
		other func(b *eas.Device, id string) // B's change of the item meanwhile
		want  eas.Item
	}{
		{"unchanged on the server", nil,
			eas.Item{"LastName": "Brontë", "FirstName": "Emily", "MobilePhoneNumber": "+49170222", "Email1Address": "eb@example.org"}},
		{"changed on the server", func(b *eas.Device, id string) {
			it := b.Items()[id]
			it["JobTitle"] = "Novelist"
			b.Edit(id, it)
		}, eas.Item{"LastName": "Brontë", "FirstName": "Emily", "MobilePhoneNumber": "+49170222", "Email1Address": "eb@example.org", "JobTitle": "Novelist"}},
		{"deleted on the server", func(b *eas.Device, id string) { b.Delete(id) },
			eas.Item{"LastName": "Brontë", "FirstName": "Emily", "MobilePhoneNumber": "+49170222", "Email1Address": "eb@example.org"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url := newServer(t)
			ctx := context.Background()
			a := eas.New(eas.Options{URL: url, User: "ann", Password: "pw", DeviceID: "dev-a"})
			b := eas.New(eas.Options{URL: url, User: "ann", Password: "pw", DeviceID: "dev-b"})
			id := a.Add(eas.Item{"LastName": "Brontë", "FirstName": "Emilie", "MobilePhoneNumber": "+49170111", "Email1Address": "eb@example.org"})
			a.Add(eas.Item{"LastName": "Gaskell", "FirstName": "Elizabeth", "MobilePhoneNumber": "+49170333"})
			sync(t, a, b)
			if tc.other != nil {
				for bid, it := range b.Items() {
					if it["LastName"] == "Brontë" {
						tc.other(b, bid)
					}
				}
				sync(t, b)
			}
			a.Edit(id, eas.Item{"LastName": "Brontë", "FirstName": "Emily", "MobilePhoneNumber": "+49170222", "Email1Address": "eb@example.org"})
			a.Faults = eas.Faults{BadKey: true}
			rep, err := a.Sync(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Resets != 1 {
				t.Fatalf("%d status 3 answers, want 1", rep.Resets)
			}
			c := eas.New(eas.Options{URL: url, User: "ann", Password: "pw", DeviceID: "dev-c"})
			sync(t, b, a, c)
			for _, d := range []*eas.Device{a, b, c} {
				var got []eas.Item
				for _, it := range d.Items() {
					if it["LastName"] == "Brontë" {
						delete(it, "FileAs")
						got = append(got, it)
					}
				}
				want := tc.want
				if d == a {
					// What A never sent it is not known to hold: the
					// server keeps it without sending it (preserve.go).
					want = maps.Clone(want)
					delete(want, "JobTitle")
				}
				if len(got) != 1 || !maps.Equal(got[0], want) {
					t.Errorf("%s holds %v, want the one item %v", d.ID(), got, want)
				}
				if n := len(d.IDs()); n != 2 {
					t.Errorf("%s holds %d items, want 2", d.ID(), n)
				}
			}
		})
	}
}

// sync syncs the devices in turn.
func sync(t *testing.T, ds ...*eas.Device) {
	t.Helper()
	for _, d := range ds {
		if _, err := d.Sync(context.Background()); err != nil {
			t.Fatalf("%s: %v", d.ID(), err)
		}
	}
}

// TestResetKilledGetsLaterChange: a device re-syncing after status 3 is
// killed after the answer to its Adds arrived (the server paired them)
// and before it stored it; B changes one of the items; the device sends
// its Adds again and completes the re-sync. B's change, made after the
// pairing, reaches it: the re-sync sends what the device did not send,
// and what others changed since the device sent it.
func TestResetKilledGetsLaterChange(t *testing.T) {
	url := newServer(t)
	ctx := context.Background()
	a := eas.New(eas.Options{URL: url, User: "ann", Password: "pw", DeviceID: "dev-a"})
	b := eas.New(eas.Options{URL: url, User: "ann", Password: "pw", DeviceID: "dev-b"})
	a.Add(eas.Item{"LastName": "Brontë", "FirstName": "Anne", "MobilePhoneNumber": "+49170111"})
	sync(t, a, b)
	// Request 1 gets status 3, 2 is SyncKey 0, 3 sends the Adds.
	a.Faults = eas.Faults{BadKey: true, Crash: 3}
	if _, err := a.Sync(ctx); err != eas.ErrAbandoned {
		t.Fatalf("killed re-sync: %v", err)
	}
	for id, it := range b.Items() {
		it["MobilePhoneNumber"] = "+49170222"
		b.Edit(id, it)
	}
	sync(t, b, a, a)
	for _, it := range a.Items() {
		if it["MobilePhoneNumber"] != "+49170222" {
			t.Errorf("A holds %v, without B's change", it)
		}
	}
	if n := len(a.IDs()); n != 1 {
		t.Errorf("A holds %d items, want 1", n)
	}
}

// TestResetKeepsEditAfterIncompleteSync: the device got an item in an
// initial sync that never completed (killed before the last window), so
// it never agreed on a version with the server; it renames the item and
// gets status 3. Its renamed copy is still the edit of the item the
// server sent it: one item, not two.
func TestResetKeepsEditAfterIncompleteSync(t *testing.T) {
	url, adm := newServerAdmin(t)
	ctx := context.Background()
	a := eas.New(eas.Options{URL: url, User: "ann", Password: "pw", DeviceID: "dev-a", WindowSize: 1})
	b := eas.New(eas.Options{URL: url, User: "ann", Password: "pw", DeviceID: "dev-b"})
	b.Add(eas.Item{"LastName": "Brontë", "FirstName": "Anne", "MobilePhoneNumber": "+49170111"})
	b.Add(eas.Item{"LastName": "Gaskell", "FirstName": "Elizabeth", "MobilePhoneNumber": "+49170333"})
	b.Add(eas.Item{"LastName": "Eliot", "FirstName": "George", "MobilePhoneNumber": "+49170444"})
	sync(t, b)
	a.Faults = eas.Faults{Crash: 3} // SyncKey 0, one window stored, the next one lost, one more to come
	if _, err := a.Sync(ctx); err != eas.ErrAbandoned {
		t.Fatalf("killed initial sync: %v", err)
	}
	if n := len(a.IDs()); n != 1 {
		t.Fatalf("A holds %d items after one window, want 1", n)
	}
	id := a.IDs()[0]
	it := a.Items()[id]
	it["FirstName"] += " Maria"
	a.Edit(id, it)
	a.Faults = eas.Faults{BadKey: true}
	sync(t, a, b)
	live, err := adm.LiveItems(ctx, "ann", "contacts")
	if err != nil {
		t.Fatal(err)
	}
	if len(live) != 3 {
		t.Errorf("server holds %d contacts, want 3", len(live))
	}
	for _, d := range []*eas.Device{a, b} {
		if n := len(d.IDs()); n != 3 {
			t.Errorf("%s holds %d items, want 3: %v", d.ID(), n, d.Items())
		}
	}
}
