package eas_test

import (
	"context"
	"maps"
	"strings"
	"testing"

	"anchorage/test/simclient/eas"
)

// TestDeletedItemComesBackOnce: C deletes a contact A holds; B, which
// never synced it, holds its own edited copy and adds it (nothing pairs
// with a deleted item); then A changes the deleted contact. A's change
// would bring the deleted item back next to B's copy: it goes to B's copy
// instead, through the conflict rules with the version A held as the
// base, and every device ends with one contact. A either held the item
// (a two-way sync), or was killed before it stored its Add's answer and
// sends the Add again, edited, in its first sync (seed 61 of
// TestRandomizedConvergence).
func TestDeletedItemComesBackOnce(t *testing.T) {
	for _, crash := range []bool{false, true} {
		name := "held"
		if crash {
			name = "Add answer never stored"
		}
		t.Run(name, func(t *testing.T) {
			url, adm := newServerAdmin(t)
			ctx := context.Background()
			dev := func(id string) *eas.Device {
				return eas.New(eas.Options{URL: url, User: "ann", Password: "pw", DeviceID: id})
			}
			a, b, c := dev("dev-a"), dev("dev-b"), dev("dev-c")
			id := a.Add(eas.Item{"LastName": "Brontë", "FirstName": "Zoë", "MobilePhoneNumber": "+49170001", "Email1Address": "zb@example.org"})
			if crash {
				a.Faults = eas.Faults{Crash: 2} // SyncKey 0, then the Add
				if _, err := a.Sync(ctx); err != eas.ErrAbandoned {
					t.Fatalf("killed sync: %v", err)
				}
			} else {
				sync(t, a)
			}
			sync(t, c)
			for cid := range c.Items() {
				c.Delete(cid)
			}
			sync(t, c)
			b.Add(eas.Item{"LastName": "Brontë", "FirstName": "Zoë", "MobilePhoneNumber": "+49170009", "Email1Address": "zb@example.org", "JobTitle": "Poet"})
			sync(t, b)
			a.Edit(id, eas.Item{"LastName": "Brontë", "FirstName": "Zoë", "MobilePhoneNumber": "+49170012", "Email1Address": "zb@example.org"})
			d := dev("dev-d")
			sync(t, a, b, c, a, b, c, d)
			// The server holds one contact with both edits (B's number
			// and job, A's number); the devices hold it alike.
			live, err := adm.LiveItems(ctx, "ann", "contacts")
			if err != nil {
				t.Fatal(err)
			}
			if len(live) != 1 {
				t.Fatalf("server holds %d contacts, want 1", len(live))
			}
			for _, want := range []string{"+49170012", "+49170009", "TITLE:Poet"} {
				if !strings.Contains(string(live[0].Data), want) {
					t.Errorf("server's contact lacks %s:\n%s", want, live[0].Data)
				}
			}
			var first eas.Item
			for _, x := range []*eas.Device{a, b, c, d} {
				items := x.Items()
				if len(items) != 1 {
					t.Fatalf("%s holds %d contacts, want 1: %v", x.ID(), len(items), items)
				}
				for _, it := range items {
					delete(it, "FileAs")
					delete(it, "JobTitle") // A never sent one (preserve.go)
					if first == nil {
						first = it
					} else if !maps.Equal(first, it) {
						t.Errorf("%s holds %v, %s %v", x.ID(), it, a.ID(), first)
					}
				}
			}
		})
	}
}
