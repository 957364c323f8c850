package storetest

import (
	"testing"
	"time"

	"anchorage/store"
)

// testWipe: the wipe state is kept per device, survives PutDevice (which
// the sync path calls on every session), and goes with DeleteDevice.
func testWipe(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := newUser(t, s, "u1")
	update(t, s, func(tx store.Tx) error {
		wantNotFound(t, "SetWipe(missing device)", tx.SetWipe(ctx, u, "nope", store.Wipe{State: store.WipePending}))
		for _, id := range []string{"A", "B"} {
			if err := tx.PutDevice(ctx, &store.Device{UserID: u, DeviceID: id, FirstSeen: t0}); err != nil {
				return err
			}
		}
		return nil
	})
	t1 := t0.Add(time.Hour)
	for _, w := range []store.Wipe{
		{State: store.WipePending, AccountOnly: true, Requested: t0, Changed: t0},
		{State: store.WipeAcknowledged, AccountOnly: true, Requested: t0, Changed: t1},
		{State: store.WipeDone, AccountOnly: true, Requested: t0, Changed: t1.Add(time.Minute)},
	} {
		update(t, s, func(tx store.Tx) error { return tx.SetWipe(ctx, u, "A", w) })
		// The sync path rewrites the device row; the wipe stays.
		update(t, s, func(tx store.Tx) error {
			return tx.PutDevice(ctx, &store.Device{UserID: u, DeviceID: "A", FirstSeen: t0, LastSeen: t1})
		})
		view(t, s, func(tx store.Tx) error {
			d, err := tx.Device(ctx, u, "A")
			if err != nil {
				return err
			}
			if d.Wipe.State != w.State || !d.Wipe.AccountOnly || !d.Wipe.Requested.Equal(w.Requested) || !d.Wipe.Changed.Equal(w.Changed) {
				t.Errorf("Device().Wipe = %+v, want %+v", d.Wipe, w)
			}
			ds, err := tx.ListDevices(ctx, u)
			if err != nil {
				return err
			}
			if len(ds) != 2 || ds[0].Wipe.State != w.State || ds[1].Wipe != (store.Wipe{}) {
				t.Errorf("ListDevices wipes: %+v", ds)
			}
			return nil
		})
	}
	update(t, s, func(tx store.Tx) error {
		if err := tx.DeleteDevice(ctx, u, "A"); err != nil {
			return err
		}
		return tx.PutDevice(ctx, &store.Device{UserID: u, DeviceID: "A"})
	})
	view(t, s, func(tx store.Tx) error {
		d, err := tx.Device(ctx, u, "A")
		if err == nil && d.Wipe != (store.Wipe{}) {
			t.Errorf("a removed and returning device keeps its wipe: %+v", d.Wipe)
		}
		return err
	})
}
