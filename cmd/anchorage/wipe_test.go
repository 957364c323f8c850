package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"anchorage/store"
)

// device wipe marks the device pending, device list shows it, a second
// wipe changes nothing, and device remove ends it; no item is touched.
func TestDeviceWipe(t *testing.T) {
	dir := dataWithUser(t)
	withStore(t, dir, func(ctx context.Context, tx store.Tx, uid int64) error {
		return tx.PutDevice(ctx, &store.Device{UserID: uid, DeviceID: "outlook", FirstSeen: time.Now()})
	})
	if _, stderr, st := cli(t, "", "device", "wipe", "--data", dir, "--user", "demo", "--device", "nope"); st == 0 || !strings.Contains(stderr, `no device "nope"`) {
		t.Errorf("wipe of an unknown device: %d %q", st, stderr)
	}
	out, stderr, st := cli(t, "", "device", "wipe", "--data", dir, "--user", "demo", "--device", "outlook", "--account-only")
	if st != 0 || !strings.Contains(out, "pending") || !strings.Contains(out, "data on the server stays") {
		t.Fatalf("device wipe: %d %q %q", st, out, stderr)
	}
	out, _, _ = cli(t, "", "device", "wipe", "--data", dir, "--user", "demo", "--device", "outlook")
	if !strings.Contains(out, "already pending") {
		t.Errorf("second wipe: %q", out)
	}
	out, _, _ = cli(t, "", "device", "list", "--data", dir)
	if !strings.Contains(out, "WIPE") || !strings.Contains(out, "pending (account only)") {
		t.Errorf("device list after wipe:\n%s", out)
	}
	if _, stderr, st := cli(t, "", "device", "remove", "--data", dir, "--user", "demo", "--device", "outlook"); st != 0 {
		t.Fatalf("device remove: %d %s", st, stderr)
	}
	withStore(t, dir, func(ctx context.Context, tx store.Tx, uid int64) error {
		return tx.PutDevice(ctx, &store.Device{UserID: uid, DeviceID: "outlook", FirstSeen: time.Now()})
	})
	if out, _, _ = cli(t, "", "device", "list", "--data", dir); strings.Contains(out, "pending") {
		t.Errorf("device list after remove and return:\n%s", out)
	}
}
