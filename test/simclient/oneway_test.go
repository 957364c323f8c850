package simclient_test

import (
	"context"
	"errors"
	"testing"

	"anchorage/test/simclient"
)

// TestRepeatedOneWayAfterLostMap: a phone applies the server's Add and is
// killed before its Map, so it holds the item under a LUID the server
// never learned. Its next one-way sync from the server holds the Add back
// (the phone sends nothing it could be paired by); the one after sends it,
// so the phone holds two copies. Its next two-way sync sends the older
// copy as new (a slow sync, every copy): it is the stale duplicate, deleted on the phone, not added
// on the server. Edited, the edit is applied to the item first (the
// version first sent is the base), and the phone's mapped copy gets it.
func TestRepeatedOneWayAfterLostMap(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit bool
		mode int // of the sync in which the phone sends its copies
		// killed: that sync dies after sending the copies, before it reads
		// the answer; the next one sends them again.
		killed bool
	}{
		{"unchanged", false, simclient.TwoWay, false},
		{"edited", true, simclient.TwoWay, false},
		{"unchanged, slow", false, simclient.Slow, false},
		{"edited, slow", true, simclient.Slow, false},
		{"unchanged, killed", false, simclient.TwoWay, true},
		{"edited, killed", true, simclient.TwoWay, true},
	} {
		edit := tc.edit
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			dev, sync := owServer(t)
			owner, phone := dev("owner"), dev("phone")
			old := holdTwice(t, ctx, sync, owner, phone)
			if edit {
				phone.Edit("contacts", old, resentCard("Acme"))
			}
			if tc.killed {
				phone.Faults = simclient.Faults{AbandonAfter: 2, Unread: true}
				if _, err := phone.Sync(ctx, tc.mode); !errors.Is(err, simclient.ErrAbandoned) {
					t.Fatalf("phone's killed sync: %v", err)
				}
			}
			sync(phone, tc.mode)
			sync(owner, simclient.TwoWay)
			checkHeld(t, 1, edit, phone, owner)
			// A confirmation sync of each exchanges nothing.
			for _, d := range []*simclient.Device{phone, owner} {
				rep, err := d.Sync(ctx, simclient.TwoWay)
				if err != nil {
					t.Fatal(err)
				}
				s := rep.Stores["contacts"]
				if n := s.SentAdds + s.SentReplaces + s.SentDeletes + s.RecvAdds + s.RecvReplaces + s.RecvDeletes; n != 0 {
					t.Errorf("%s: confirmation sync exchanged %d items: %+v", d.ID(), n, *s)
				}
			}
		})
	}
}

// TestThirdCopyAfterTwoLostMaps: a phone killed before its Map holds the
// owner's contact unmapped; its one-way syncs from the server hold the
// Add back, then send it again, but that sync too is killed before its
// Map; the next two do the same again and the phone maps the third copy.
// It holds the contact three times, two copies unmapped: its next sync
// sends both as new, and both are its older copies of the one item,
// deleted on the phone, not added on the server.
func TestThirdCopyAfterTwoLostMaps(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit bool
		mode int // of the sync in which the phone sends its copies
	}{
		{"unchanged", false, simclient.TwoWay},
		{"edited", true, simclient.TwoWay},
		{"unchanged, slow", false, simclient.Slow},
		{"edited, slow", true, simclient.Slow},
		// The server sends nothing: the Deletes of both older copies
		// wait for the phone's next two-way sync.
		{"unchanged, one-way from phone", false, simclient.OneWayFromClient},
		{"edited, one-way from phone", true, simclient.OneWayFromClient},
		{"unchanged, refresh from phone", false, simclient.RefreshFromClient},
	} {
		edit := tc.edit
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			dev, sync := owServer(t)
			owner, phone := dev("owner"), dev("phone")
			sync(phone, simclient.TwoWay)
			owner.Add("contacts", resentCard(""))
			sync(owner, simclient.TwoWay)
			killedBeforeMap(t, ctx, phone, simclient.TwoWay)
			sync(phone, simclient.OneWayFromServer)
			killedBeforeMap(t, ctx, phone, simclient.OneWayFromServer)
			sync(phone, simclient.OneWayFromServer)
			sync(phone, simclient.OneWayFromServer)
			luids := phone.LUIDs("contacts")
			if len(luids) != 3 {
				t.Fatalf("phone holds %d items, want the contact three times", len(luids))
			}
			if edit {
				phone.Edit("contacts", luids[0], resentCard("Acme"))
			}
			sync(phone, tc.mode)
			settled(t, sync, 1, edit, phone, owner)
		})
	}
}

// TestNamesakeAfterOlderCopy: a phone holds a contact twice and its user
// adds another Jane Doe (another number) before the two-way sync in which
// the phone sends its older copy. The older copy is taken; the namesake,
// which shares the name but is no copy of what the server sent, stays a
// contact of its own, not another edit of the item.
func TestNamesakeAfterOlderCopy(t *testing.T) {
	ctx := context.Background()
	dev, sync := owServer(t)
	owner, phone := dev("owner"), dev("phone")
	holdTwice(t, ctx, sync, owner, phone)
	phone.Add("contacts", "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Doe;Jane;;;\r\nFN:Jane Doe\r\nTEL;TYPE=CELL:+49 170 2\r\nEND:VCARD\r\n")
	sync(phone, simclient.TwoWay)
	settled(t, sync, 2, false, phone, owner)
}
