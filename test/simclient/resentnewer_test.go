package simclient_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"anchorage/admin"
	"anchorage/test/simclient"
)

// quiet fails unless a two-way sync of d exchanges no item.
func quiet(t *testing.T, d *simclient.Device) {
	t.Helper()
	rep, err := d.Sync(context.Background(), simclient.TwoWay)
	if err != nil || !rep.Complete {
		t.Fatalf("sync of %s: %v", d.ID(), err)
	}
	s := rep.Stores["contacts"]
	if n := s.SentAdds + s.SentReplaces + s.SentDeletes + s.RecvAdds + s.RecvReplaces + s.RecvDeletes; n != 0 {
		t.Errorf("%s's next sync exchanged %d items: %+v", d.ID(), n, s)
	}
}

// settled runs the owner's and then the phone's two-way sync, checks that
// both hold want contacts (with the phone's edit when edit), and that
// their next syncs exchange nothing.
func settled(t *testing.T, sync func(*simclient.Device, int), want int, edit bool, phone, owner *simclient.Device) {
	t.Helper()
	sync(owner, simclient.TwoWay)
	sync(phone, simclient.TwoWay)
	checkHeld(t, want, edit, phone, owner)
	quiet(t, phone)
	quiet(t, owner)
}

// TestResentAddNewerDeletedByDevice: a phone holds a contact twice and
// its user deletes the newer copy (the one the server mapped) before the
// two-way sync in which the phone sends its older copy. The two copies
// are one item on the phone: deleting one of them removes the duplicate,
// not the contact, which the phone still holds (the older copy, edited or
// not). The item stays, once, on every device, with the phone's edit,
// whichever the phone sends first, its Delete or its Add: the older copy
// is recognised, and the item, under its GUID, is mapped to it.
func TestResentAddNewerDeletedByDevice(t *testing.T) {
	for _, tc := range []struct{ edit, addsFirst bool }{{false, false}, {true, false}, {false, true}, {true, true}} {
		edit := tc.edit
		t.Run(fmt.Sprintf("edited=%v,adds_first=%v", tc.edit, tc.addsFirst), func(t *testing.T) {
			ctx := context.Background()
			adm, dev, sync := owServerAdmin(t)
			owner, phone := dev("owner"), dev("phone")
			phone.AddsFirst = tc.addsFirst
			old := holdTwice(t, ctx, sync, owner, phone)
			before := liveGUIDs(t, adm)
			for _, l := range phone.LUIDs("contacts") {
				if l != old {
					if err := phone.Delete("contacts", l); err != nil {
						t.Fatal(err)
					}
				}
			}
			if edit {
				phone.Edit("contacts", old, resentCard("Acme"))
			}
			sync(phone, simclient.TwoWay)
			settled(t, sync, 1, edit, phone, owner)
			if after := liveGUIDs(t, adm); !slices.Equal(after, before) {
				t.Errorf("the server's item is %v, want %v (the same item, not a new one)", after, before)
			}
		})
	}
}

// liveGUIDs returns the GUIDs of the live contacts of the user ow.
func liveGUIDs(t *testing.T, adm *admin.Admin) []string {
	t.Helper()
	items, err := adm.LiveItems(context.Background(), "ow", "contacts")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, it := range items {
		out = append(out, it.GUID)
	}
	slices.Sort(out)
	return out
}
