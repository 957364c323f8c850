package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"anchorage/store"
)

// TestDeviceListShared: device list reports a device id shared by several
// clients on its row and on the row of the partnership kept for the other
// client.
func TestDeviceListShared(t *testing.T) {
	dir := dataWithUser(t)
	withStore(t, dir, func(ctx context.Context, tx store.Tx, uid int64) error {
		now := time.Now()
		for _, id := range []string{"sc-pim-outlook", "sc-pim-outlook#0a1b2c3d", "phone"} {
			if err := tx.PutDevice(ctx, &store.Device{UserID: uid, DeviceID: id, FirstSeen: now, LastSeen: now}); err != nil {
				return err
			}
		}
		return tx.NoteSharedDevice(ctx, &store.SharedDevice{UserID: uid, DeviceID: "sc-pim-outlook", Clients: 2,
			Detail: "2 clients with different DevInf", Partners: []string{"sc-pim-outlook#0a1b2c3d"}})
	})
	out, stderr, st := cli(t, "", "device", "list", "--data", dir)
	if st != 0 {
		t.Fatalf("device list = %d %s", st, stderr)
	}
	shared := 0
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, "SHARED: 2 clients with different DevInf") {
			shared++
			if !strings.HasPrefix(line, "sc-pim-outlook") {
				t.Errorf("shared report on another device: %s", line)
			}
		}
	}
	if shared != 2 {
		t.Errorf("device list shows the shared id on %d rows, want 2:\n%s", shared, out)
	}
}
