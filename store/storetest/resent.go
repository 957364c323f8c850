package storetest

import (
	"fmt"
	"testing"

	"anchorage/store"
)

// testResentAdds: resent Adds are kept per partnership, keep the version
// first recorded and every older copy's LUID given, are deleted by GUID,
// cleared per datastore or device, and go with a reset or a removed
// device.
func testResentAdds(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := newUser(t, s, "u")
	other := newUser(t, s, "v")
	putPending := func(user int64, dev, ds, guid string, version int64, luid string) {
		update(t, s, func(tx store.Tx) error {
			a := &store.ResentAdd{UserID: user, DeviceID: dev, Datastore: ds, GUID: guid, Version: version}
			if luid != "" {
				a.PendingLUIDs = []string{luid}
			}
			return tx.PutResentAdd(ctx, a)
		})
	}
	put := func(user int64, dev, ds, guid string, version int64) { putPending(user, dev, ds, guid, version, "") }
	list := func(user int64, dev, ds string) string {
		t.Helper()
		var out string
		view(t, s, func(tx store.Tx) error {
			as, err := tx.ResentAdds(ctx, user, dev, ds)
			for _, a := range as {
				if a.UserID != user || a.DeviceID != dev || a.Datastore != ds {
					t.Errorf("ResentAdds(%d, %s, %s) returned %+v", user, dev, ds, a)
				}
				out += fmt.Sprintf("%s@%d ", a.GUID, a.Version)
				for _, l := range a.PendingLUIDs {
					out += "luid=" + l + " "
				}
				if a.PendingNewerLUID != "" {
					out += "newer=" + a.PendingNewerLUID + " "
				}
			}
			return err
		})
		return out
	}
	check := func(what, got, want string) {
		t.Helper()
		if got != want {
			t.Errorf("%s = %q, want %q", what, got, want)
		}
	}
	put(u, "dev", "contacts", "g2", 3)
	put(u, "dev", "contacts", "g1", 1)
	put(u, "dev", "contacts", "g1", 5) // sent again: the first version stays
	put(u, "dev", "calendar", "g3", 1)
	put(u, "other", "contacts", "g4", 1)
	put(other, "dev", "contacts", "g5", 2)
	check("contacts", list(u, "dev", "contacts"), "g1@1 g2@3 ")
	check("nothing recorded", list(u, "nobody", "contacts"), "")
	putPending(u, "dev", "contacts", "g2", 7, "L9") // the older copy's Delete to send: set
	put(u, "dev", "contacts", "g2", 8)              // recorded again: the LUID stays
	check("pending LUID", list(u, "dev", "contacts"), "g1@1 g2@3 luid=L9 ")
	update(t, s, func(tx store.Tx) error { // the newer copy's Delete: set, the older's stays
		return tx.PutResentAdd(ctx, &store.ResentAdd{UserID: u, DeviceID: "dev", Datastore: "contacts", GUID: "g2", Version: 9, PendingNewerLUID: "L4"})
	})
	putPending(u, "dev", "contacts", "g2", 9, "L9")
	check("pending newer LUID", list(u, "dev", "contacts"), "g1@1 g2@3 luid=L9 newer=L4 ")
	putPending(u, "dev", "contacts", "g2", 9, "L12") // a second older copy: both kept
	check("two pending LUIDs", list(u, "dev", "contacts"), "g1@1 g2@3 luid=L12 luid=L9 newer=L4 ")

	update(t, s, func(tx store.Tx) error {
		if err := tx.DeleteResentAdd(ctx, u, "dev", "contacts", "g2"); err != nil {
			return err
		}
		return tx.DeleteResentAdd(ctx, u, "dev", "contacts", "nope")
	})
	check("after delete", list(u, "dev", "contacts"), "g1@1 ")
	update(t, s, func(tx store.Tx) error {
		n, err := tx.ClearResentAdds(ctx, u, "dev", "contacts")
		if n != 1 {
			t.Errorf("ClearResentAdds(contacts) = %d, want 1", n)
		}
		return err
	})
	check("after clear", list(u, "dev", "contacts"), "")
	check("other datastore", list(u, "dev", "calendar"), "g3@1 ")
	check("other device", list(u, "other", "contacts"), "g4@1 ")

	if err := s.Update(ctx, func(tx store.Tx) error {
		return tx.PutResentAdd(ctx, &store.ResentAdd{UserID: u, DeviceID: "dev", Datastore: "contacts"})
	}); err == nil {
		t.Error("PutResentAdd without a GUID succeeded")
	}

	update(t, s, func(tx store.Tx) error {
		if err := tx.PutDevice(ctx, &store.Device{UserID: u, DeviceID: "dev"}); err != nil {
			return err
		}
		if err := tx.PutDevice(ctx, &store.Device{UserID: u, DeviceID: "other"}); err != nil {
			return err
		}
		_, err := tx.DeletePartnerships(ctx, u, "dev", "")
		return err
	})
	check("after reset", list(u, "dev", "calendar"), "")
	update(t, s, func(tx store.Tx) error { return tx.DeleteDevice(ctx, u, "other") })
	check("after remove", list(u, "other", "contacts"), "")
	check("other user after all", list(other, "dev", "contacts"), "g5@2 ")
}
