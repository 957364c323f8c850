package storetest

import (
	"testing"

	"anchorage/store"
)

// testForgetDevice: resetting partnerships keeps mappings and items;
// deleting a device drops its partnerships, mappings and sessions only.
func testForgetDevice(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := newUser(t, s, "u")
	update(t, s, func(tx store.Tx) error {
		for _, dev := range []string{"dev", "other"} {
			if err := tx.PutDevice(ctx, &store.Device{UserID: u, DeviceID: dev, FirstSeen: t0}); err != nil {
				return err
			}
			for _, ds := range []string{"contacts", "calendar"} {
				if err := tx.PutPartnership(ctx, &store.Partnership{UserID: u, DeviceID: dev, Datastore: ds, ClientAnchor: "a"}); err != nil {
					return err
				}
			}
			if _, err := tx.WriteItem(ctx, &store.ItemWrite{UserID: u, Datastore: "contacts", GUID: "g-" + dev,
				ContentType: "text/vcard", Data: []byte("x"), Origin: dev, Time: t0}); err != nil {
				return err
			}
			if err := tx.PutMapping(ctx, &store.Mapping{UserID: u, DeviceID: dev, Datastore: "contacts", LUID: "l", GUID: "g-" + dev}); err != nil {
				return err
			}
			if err := tx.PutSession(ctx, &store.Session{Key: "s-" + dev, UserID: u, DeviceID: dev, State: []byte("{}"), Created: t0, UpdatedAt: t0}); err != nil {
				return err
			}
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error {
		n, err := tx.DeletePartnerships(ctx, u, "dev", "contacts")
		if err != nil || n != 1 {
			t.Errorf("DeletePartnerships(dev, contacts) = %d, %v; want 1", n, err)
		}
		if _, err := tx.Partnership(ctx, u, "dev", "calendar"); err != nil {
			t.Errorf("the calendar partnership went too: %v", err)
		}
		if _, err := tx.MapByLUID(ctx, u, "dev", "contacts", "l"); err != nil {
			t.Errorf("reset dropped the mapping: %v", err)
		}
		if n, err := tx.DeletePartnerships(ctx, u, "dev", ""); err != nil || n != 1 {
			t.Errorf("DeletePartnerships(dev, all) = %d, %v; want 1", n, err)
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error {
		if err := tx.DeleteDevice(ctx, u, "dev"); err != nil {
			t.Fatalf("DeleteDevice: %v", err)
		}
		wantNotFound(t, "DeleteDevice(again)", tx.DeleteDevice(ctx, u, "dev"))
		_, err := tx.Device(ctx, u, "dev")
		wantNotFound(t, "Device(deleted)", err)
		_, err = tx.MapByLUID(ctx, u, "dev", "contacts", "l")
		wantNotFound(t, "MapByLUID(deleted device)", err)
		_, err = tx.Session(ctx, "s-dev")
		wantNotFound(t, "Session(deleted device)", err)
		if _, err := tx.Item(ctx, u, "contacts", "g-dev"); err != nil {
			t.Errorf("deleting a device deleted its item: %v", err)
		}
		if _, err := tx.MapByLUID(ctx, u, "other", "contacts", "l"); err != nil {
			t.Errorf("deleting a device touched another device's mapping: %v", err)
		}
		if _, err := tx.Partnership(ctx, u, "other", "contacts"); err != nil {
			t.Errorf("deleting a device touched another device's partnership: %v", err)
		}
		return nil
	})
}
