package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"anchorage/store"
)

// TestDeviceListSetAside: device list names, per datastore, the items set
// aside for a device that kept refusing them.
func TestDeviceListSetAside(t *testing.T) {
	dir := dataWithUser(t)
	withStore(t, dir, func(ctx context.Context, tx store.Tx, uid int64) error {
		now := time.Now()
		if err := tx.PutDevice(ctx, &store.Device{UserID: uid, DeviceID: "phone", FirstSeen: now, LastSeen: now}); err != nil {
			return err
		}
		for _, g := range []string{"g1", "g2"} {
			if err := tx.PutSetAside(ctx, &store.SetAside{UserID: uid, DeviceID: "phone", Datastore: "contacts", GUID: g, Seq: 1, Reason: "refused"}); err != nil {
				return err
			}
		}
		return tx.PutSetAside(ctx, &store.SetAside{UserID: uid, DeviceID: "phone", Datastore: "calendar", GUID: "g3", Seq: 2, Reason: "refused"})
	})
	out, stderr, st := cli(t, "", "device", "list", "--data", dir)
	if st != 0 || !strings.Contains(out, "SET ASIDE: 1 of calendar; SET ASIDE: 2 of contacts") {
		t.Errorf("device list = %d %s\n%s", st, stderr, out)
	}
}
