package storetest

import (
	"testing"

	"anchorage/store"
)

// testSetAside: set-aside items are kept per device and datastore, a
// second record of an item replaces the first, PutDevice keeps them and
// DeleteDevice forgets them.
func testSetAside(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := newUser(t, s, "u1")
	update(t, s, func(tx store.Tx) error {
		for _, id := range []string{"A", "B"} {
			if err := tx.PutDevice(ctx, &store.Device{UserID: u, DeviceID: id, FirstSeen: t0}); err != nil {
				return err
			}
		}
		for _, a := range []store.SetAside{
			{UserID: u, DeviceID: "A", Datastore: "contacts", GUID: "g2", Seq: 3, Reason: "first", At: t0},
			{UserID: u, DeviceID: "A", Datastore: "contacts", GUID: "g2", Seq: 5, Reason: "again", At: t0},
			{UserID: u, DeviceID: "A", Datastore: "calendar", GUID: "g1", Seq: 4, Reason: "r", At: t0},
			{UserID: u, DeviceID: "B", Datastore: "contacts", GUID: "g9", Seq: 1, Reason: "r", At: t0},
		} {
			if err := tx.PutSetAside(ctx, &a); err != nil {
				return err
			}
		}
		return tx.PutDevice(ctx, &store.Device{UserID: u, DeviceID: "A", FirstSeen: t0, LastSeen: t0})
	})
	view(t, s, func(tx store.Tx) error {
		all, err := tx.SetAsideItems(ctx, u, "A", "")
		if err != nil {
			return err
		}
		if len(all) != 2 || all[0].Datastore != "calendar" || all[1].GUID != "g2" || all[1].Seq != 5 || all[1].Reason != "again" || !all[1].At.Equal(t0) {
			t.Errorf("SetAsideItems(A) = %+v", all)
		}
		cs, err := tx.SetAsideItems(ctx, u, "A", "contacts")
		if err != nil {
			return err
		}
		if len(cs) != 1 || cs[0].GUID != "g2" {
			t.Errorf("SetAsideItems(A, contacts) = %+v", cs)
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error { return tx.DeleteDevice(ctx, u, "A") })
	view(t, s, func(tx store.Tx) error {
		for dev, want := range map[string]int{"A": 0, "B": 1} {
			as, err := tx.SetAsideItems(ctx, u, dev, "")
			if err != nil {
				return err
			}
			if len(as) != want {
				t.Errorf("after DeleteDevice(A): %s has %d set aside, want %d", dev, len(as), want)
			}
		}
		return nil
	})
}
