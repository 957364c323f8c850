package storetest

import (
	"errors"
	"fmt"
	"testing"

	"anchorage/store"
)

// testSharedDevice: a shared device id's record keeps its first sighting,
// client anchors keep the last MaxClientAnchors newest first, and
// DeleteDevice forgets both.
func testSharedDevice(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := newUser(t, s, "u1")
	update(t, s, func(tx store.Tx) error {
		if err := tx.PutDevice(ctx, &store.Device{UserID: u, DeviceID: "sc-pim-outlook", FirstSeen: t0}); err != nil {
			return err
		}
		for i, detail := range []string{"two clients", "three clients"} {
			sd := &store.SharedDevice{UserID: u, DeviceID: "sc-pim-outlook", Clients: i + 2, Detail: detail,
				Partners: []string{"sc-pim-outlook#1"}}
			if err := tx.NoteSharedDevice(ctx, sd); err != nil {
				return err
			}
		}
		for i := range store.MaxClientAnchors + 3 {
			a := &store.ClientAnchor{UserID: u, DeviceID: "sc-pim-outlook", Datastore: "contacts", Anchor: fmt.Sprint(i), Forced: i%2 == 0}
			if err := tx.AddClientAnchor(ctx, a); err != nil {
				return err
			}
		}
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		sd, err := tx.SharedDevice(ctx, u, "sc-pim-outlook")
		if err != nil {
			return err
		}
		if sd.Clients != 3 || sd.Detail != "three clients" || len(sd.Partners) != 1 || sd.Partners[0] != "sc-pim-outlook#1" {
			t.Errorf("SharedDevice = %+v, want the latest record", sd)
		}
		as, err := tx.ClientAnchors(ctx, u, "sc-pim-outlook", "contacts")
		if err != nil {
			return err
		}
		if len(as) != store.MaxClientAnchors || as[0].Anchor != fmt.Sprint(store.MaxClientAnchors+2) || !as[0].Forced {
			t.Errorf("ClientAnchors = %+v, want the last %d, newest first", as, store.MaxClientAnchors)
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error { return tx.DeleteDevice(ctx, u, "sc-pim-outlook") })
	view(t, s, func(tx store.Tx) error {
		if _, err := tx.SharedDevice(ctx, u, "sc-pim-outlook"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("SharedDevice after DeleteDevice: err = %v, want ErrNotFound", err)
		}
		as, err := tx.ClientAnchors(ctx, u, "sc-pim-outlook", "contacts")
		if err != nil {
			return err
		}
		if len(as) != 0 {
			t.Errorf("ClientAnchors after DeleteDevice = %+v, want none", as)
		}
		return nil
	})
}
