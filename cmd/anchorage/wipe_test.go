package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"anchorage/protocol/engine"
	"anchorage/store"
	"anchorage/store/postgres/pgtest"
)

// device wipe, on SQLite and PostgreSQL, marks the device pending, device list shows it, a second
// wipe changes nothing, and device remove ends it; no item is touched.
func TestDeviceWipe(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { testDeviceWipe(t, dataWithUser(t)) })
	t.Run("postgres", func(t *testing.T) {
		url := pgtest.Start(t).NewDatabase(t)
		if _, stderr, st := cli(t, "pw\n", "user", "add", "--store", url, "demo"); st != 0 {
			t.Fatalf("user add: %d %s", st, stderr)
		}
		testDeviceWipe(t, url)
	})
}

func testDeviceWipe(t *testing.T, dir string) {
	withStore(t, dir, func(ctx context.Context, tx store.Tx, uid int64) error {
		return tx.PutDevice(ctx, &store.Device{UserID: uid, DeviceID: "outlook", FirstSeen: time.Now()})
	})
	if _, stderr, st := cli(t, "", "device", "wipe", "--store", dir, "--user", "demo", "--device", "nope"); st == 0 || !strings.Contains(stderr, `no device "nope"`) {
		t.Errorf("wipe of an unknown device: %d %q", st, stderr)
	}
	// An account-only wipe needs a device known to speak EAS 16.1.
	for _, c := range []struct{ state, want string }{
		{"", "has not synced over ActiveSync"},
		{`{"type":"Outlook"}`, "has not said which EAS version"},
		{`{"protocol_version":"14.1"}`, "speaks EAS 14.1; an account-only wipe needs EAS 16.1"},
		{`{"protocol_version":"16.1"}`, ""},
	} {
		if c.state != "" {
			withStore(t, dir, func(ctx context.Context, tx store.Tx, uid int64) error {
				now := time.Now()
				return tx.PutSession(ctx, &store.Session{Key: engine.EASStateKey(uid, "outlook"), UserID: uid, DeviceID: "outlook",
					State: []byte(c.state), Created: now, UpdatedAt: now})
			})
		}
		if c.want == "" {
			break
		}
		if _, stderr, st := cli(t, "", "device", "wipe", "--store", dir, "--user", "demo", "--device", "outlook", "--account-only"); st == 0 || !strings.Contains(stderr, c.want) {
			t.Errorf("account-only wipe with state %s: %d %q, want refused: %q", c.state, st, stderr, c.want)
		}
	}
	out, stderr, st := cli(t, "", "device", "wipe", "--store", dir, "--user", "demo", "--device", "outlook", "--account-only")
	if st != 0 || !strings.Contains(out, "pending") || !strings.Contains(out, "data on the server stays") {
		t.Fatalf("device wipe: %d %q %q", st, out, stderr)
	}
	out, _, _ = cli(t, "", "device", "wipe", "--store", dir, "--user", "demo", "--device", "outlook")
	if !strings.Contains(out, "already pending") {
		t.Errorf("second wipe: %q", out)
	}
	out, _, _ = cli(t, "", "device", "list", "--store", dir)
	if !strings.Contains(out, "WIPE") || !strings.Contains(out, "pending (account only)") {
		t.Errorf("device list after wipe:\n%s", out)
	}
	if _, stderr, st := cli(t, "", "device", "remove", "--store", dir, "--user", "demo", "--device", "outlook"); st != 0 {
		t.Fatalf("device remove: %d %s", st, stderr)
	}
	withStore(t, dir, func(ctx context.Context, tx store.Tx, uid int64) error {
		return tx.PutDevice(ctx, &store.Device{UserID: uid, DeviceID: "outlook", FirstSeen: time.Now()})
	})
	if out, _, _ = cli(t, "", "device", "list", "--store", dir); strings.Contains(out, "pending") {
		t.Errorf("device list after remove and return:\n%s", out)
	}
}
