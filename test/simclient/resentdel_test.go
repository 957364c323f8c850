package simclient_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"anchorage/admin"
	"anchorage/test/simclient"
)

// resentCard is the contact of the resent-Add tests; org is the edit.
func resentCard(org string) string {
	c := "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Doe;Jane;;;\r\nFN:Jane Doe\r\nEMAIL:jane@example.org\r\nTEL;TYPE=CELL:+49 170 1\r\n"
	if org != "" {
		c += "ORG:" + org + "\r\n"
	}
	return c + "END:VCARD\r\n"
}

// owServer starts a server with the user ow and returns how to make a
// device of it and how to run a sync that must complete.
func owServer(t *testing.T) (dev func(id string) *simclient.Device, sync func(d *simclient.Device, mode int)) {
	_, dev, sync = owServerAdmin(t)
	return dev, sync
}

// owServerAdmin is owServer that also returns the server's admin.
func owServerAdmin(t *testing.T) (adm *admin.Admin, dev func(id string) *simclient.Device, sync func(d *simclient.Device, mode int)) {
	adm, url := newServer(t, "ow")
	dev = func(id string) *simclient.Device {
		return simclient.New(simclient.Options{URL: url, User: "ow", Password: "pw", DeviceID: id})
	}
	sync = func(d *simclient.Device, mode int) {
		t.Helper()
		rep, err := d.Sync(context.Background(), mode)
		if err != nil || !rep.Complete {
			t.Fatalf("sync of %s: %v (report %+v)", d.ID(), err, rep)
		}
	}
	return adm, dev, sync
}

// checkHeld fails unless each device holds want contacts, with the
// phone's edit (ORG:Acme) when edit.
func checkHeld(t *testing.T, want int, edit bool, devs ...*simclient.Device) {
	t.Helper()
	for _, d := range devs {
		items := d.Items("contacts")
		if len(items) != want {
			t.Errorf("%s holds %d items, want %d:\n%v", d.ID(), len(items), want, items)
		}
		for _, got := range items {
			if edit && !strings.Contains(got, "ORG:Acme") {
				t.Errorf("%s lacks the phone's edit:\n%s", d.ID(), got)
			}
		}
	}
}

// holdTwice brings a phone to hold the owner's contact twice: killed
// before its Map, then two one-way syncs from the server (the second
// sends the Add again). It returns the phone's older LUID.
func holdTwice(t *testing.T, ctx context.Context, sync func(*simclient.Device, int), owner, phone *simclient.Device) string {
	t.Helper()
	sync(phone, simclient.TwoWay)
	owner.Add("contacts", resentCard(""))
	sync(owner, simclient.TwoWay)
	killedBeforeMap(t, ctx, phone, simclient.TwoWay)
	old := phone.LUIDs("contacts")[0]
	sync(phone, simclient.OneWayFromServer)
	sync(phone, simclient.OneWayFromServer)
	if n := len(phone.Items("contacts")); n != 2 {
		t.Fatalf("phone holds %d items after two one-way syncs, want 2", n)
	}
	return old
}

// killedBeforeMap runs a sync of d that is killed after the server's
// first message (its Adds), before d's Map.
func killedBeforeMap(t *testing.T, ctx context.Context, d *simclient.Device, mode int) {
	t.Helper()
	d.Faults = simclient.Faults{AbandonAfter: 2}
	if _, err := d.Sync(ctx, mode); !errors.Is(err, simclient.ErrAbandoned) {
		t.Fatalf("%s's killed sync: %v", d.ID(), err)
	}
}

// TestResentAddDeletedElsewhere: a phone holds a contact twice (older copy
// unmapped, newer mapped) and another device deletes it before the
// phone's next sync, in which the phone sends both copies (SyncEvolution
// sends what a one-way sync gave it as changes). Copies equal to what the
// server sent do not undo the deletion: the phone ends with no copy, in a
// one-way or refresh sync from the phone too. An edit of the older copy
// survives the deletion as one item, not two.
func TestResentAddDeletedElsewhere(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit bool
		mode int
	}{
		{"unchanged", false, simclient.TwoWay},
		{"edited", true, simclient.TwoWay},
		{"unchanged, slow", false, simclient.Slow},
		{"edited, slow", true, simclient.Slow},
		// Sent in a sync in which the server sends nothing: the
		// deletion reaches both copies in the phone's next two-way sync.
		{"unchanged, one-way from phone", false, simclient.OneWayFromClient},
		{"edited, one-way from phone", true, simclient.OneWayFromClient},
		{"unchanged, refresh from phone", false, simclient.RefreshFromClient},
		{"edited, refresh from phone", true, simclient.RefreshFromClient},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			dev, sync := owServer(t)
			owner, phone := dev("owner"), dev("phone")
			old := holdTwice(t, ctx, sync, owner, phone)
			if err := owner.Delete("contacts", owner.LUIDs("contacts")[0]); err != nil {
				t.Fatal(err)
			}
			sync(owner, simclient.TwoWay)
			if tc.edit {
				phone.Edit("contacts", old, resentCard("Acme"))
			}
			sync(phone, tc.mode)
			sync(owner, simclient.TwoWay)
			sync(phone, simclient.TwoWay)
			want := 0
			if tc.edit {
				want = 1
			}
			checkHeld(t, want, tc.edit, phone, owner)
			quiet(t, phone)
			quiet(t, owner)
		})
	}
}

// TestResentAddFromClient: a phone holding a contact twice sends its
// older copy in a one-way or refresh sync from the phone, in which the
// server sends nothing. The copy is recognised there too: nothing is
// added (an edit is applied to the item), and the Delete of the older
// copy goes in the phone's next two-way sync, with the item's current
// state to the newer copy.
func TestResentAddFromClient(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit bool
		mode int
	}{
		{"unchanged, one-way", false, simclient.OneWayFromClient},
		{"edited, one-way", true, simclient.OneWayFromClient},
		{"unchanged, refresh", false, simclient.RefreshFromClient},
		{"edited, refresh", true, simclient.RefreshFromClient},
		// The phone's user then deletes the newer copy: that removes
		// the duplicate, not the contact, which stays as the older copy
		// (as when the phone sends both in one two-way sync,
		// TestResentAddNewerDeletedByDevice).
		{"edited, one-way, newer deleted", true, simclient.OneWayFromClient},
		{"unchanged, one-way, newer deleted", false, simclient.OneWayFromClient},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			dev, sync := owServer(t)
			owner, phone := dev("owner"), dev("phone")
			old := holdTwice(t, ctx, sync, owner, phone)
			if tc.edit {
				phone.Edit("contacts", old, resentCard("Acme"))
			}
			sync(phone, tc.mode)
			if strings.HasSuffix(tc.name, "newer deleted") {
				for _, l := range phone.LUIDs("contacts") {
					if l != old {
						if err := phone.Delete("contacts", l); err != nil {
							t.Fatal(err)
						}
					}
				}
			}
			sync(phone, simclient.TwoWay)
			settled(t, sync, 1, tc.edit, phone, owner)
		})
	}
}
