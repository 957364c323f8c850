package simclient_test

import (
	"context"
	"errors"
	"strings"
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
	card := func(tel, org string) string {
		c := "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Doe;Jane;;;\r\nFN:Jane Doe\r\nEMAIL:jane@example.org\r\nTEL;TYPE=CELL:" + tel + "\r\n"
		if org != "" {
			c += "ORG:" + org + "\r\n"
		}
		return c + "END:VCARD\r\n"
	}
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
			_, url := newServer(t, "ow")
			dev := func(id string) *simclient.Device {
				return simclient.New(simclient.Options{URL: url, User: "ow", Password: "pw", DeviceID: id})
			}
			sync := func(d *simclient.Device, mode int) {
				t.Helper()
				rep, err := d.Sync(ctx, mode)
				if err != nil || !rep.Complete {
					t.Fatalf("sync of %s: %v (report %+v)", d.ID(), err, rep)
				}
			}
			owner, phone := dev("owner"), dev("phone")
			sync(phone, simclient.TwoWay) // first contact: the next sync is a fast one
			owner.Add("contacts", card("+49 170 1", ""))
			sync(owner, simclient.TwoWay)
			phone.Faults = simclient.Faults{AbandonAfter: 2}
			if _, err := phone.Sync(ctx, simclient.TwoWay); !errors.Is(err, simclient.ErrAbandoned) {
				t.Fatalf("phone's killed sync: %v", err)
			}
			if n := len(phone.Items("contacts")); n != 1 {
				t.Fatalf("phone holds %d items after its killed sync, want 1", n)
			}
			old := phone.LUIDs("contacts")[0]
			sync(phone, simclient.OneWayFromServer)
			sync(phone, simclient.OneWayFromServer)
			if n := len(phone.Items("contacts")); n != 2 {
				t.Fatalf("phone holds %d items after two one-way syncs, want 2 (the limit this test is about)", n)
			}
			if edit {
				phone.Edit("contacts", old, card("+49 170 1", "Acme"))
			}
			if tc.killed {
				phone.Faults = simclient.Faults{AbandonAfter: 2, Unread: true}
				if _, err := phone.Sync(ctx, tc.mode); !errors.Is(err, simclient.ErrAbandoned) {
					t.Fatalf("phone's killed sync: %v", err)
				}
			}
			sync(phone, tc.mode)
			sync(owner, simclient.TwoWay)
			for _, d := range []*simclient.Device{phone, owner} {
				items := d.Items("contacts")
				if len(items) != 1 {
					t.Errorf("%s holds %d items, want 1:\n%v", d.ID(), len(items), items)
				}
				for _, got := range items {
					if edit && !strings.Contains(got, "ORG:Acme") {
						t.Errorf("%s lacks the phone's edit:\n%s", d.ID(), got)
					}
				}
			}
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
