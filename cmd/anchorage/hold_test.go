package main

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"anchorage/store"
)

// TestHoldCommands: hold list and device list show an open hold; accept
// deletes its items once; errors are plain; user set stores a threshold.
func TestHoldCommands(t *testing.T) {
	dir := dataWithUser(t)
	withStore(t, dir, func(ctx context.Context, tx store.Tx, uid int64) error {
		now := time.Now()
		if err := tx.PutDevice(ctx, &store.Device{UserID: uid, DeviceID: "phone", FirstSeen: now, LastSeen: now}); err != nil {
			return err
		}
		var dels []store.HeldDelete
		for _, g := range []string{"g1", "g2", "g3"} {
			if _, err := tx.WriteItem(ctx, &store.ItemWrite{UserID: uid, Datastore: "contacts", GUID: g, ContentType: "text/vcard",
				Data: []byte("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:" + g + "\r\nEND:VCARD\r\n"), Summary: "Person " + g, Origin: "phone", Time: now}); err != nil {
				return err
			}
			dels = append(dels, store.HeldDelete{GUID: g, LUID: "l" + g})
		}
		return tx.CreateHold(ctx, &store.Hold{UserID: uid, Datastore: "contacts", DeviceID: "phone", Live: 3}, dels[:2])
	})
	out, stderr, st := cli(t, "", "hold", "list", "--data", dir, "--items")
	if st != 0 || !regexp.MustCompile(`(?m)^1\s+demo\s+phone\s+contacts\s+2\s+3\s+open`).MatchString(out) || !strings.Contains(out, "Person g2") {
		t.Errorf("hold list = %d %s\n%s", st, stderr, out)
	}
	if out, _, _ := cli(t, "", "device", "list", "--data", dir); !strings.Contains(out, "HELD: 2 deletes of contacts (hold 1)") {
		t.Errorf("device list does not show the hold:\n%s", out)
	}
	if out, stderr, st := cli(t, "", "hold", "accept", "--data", dir, "1"); st != 0 || !strings.Contains(out, "2 item(s) of demo's contacts deleted") {
		t.Errorf("hold accept = %d %s %s", st, out, stderr)
	}
	if out, _, _ := cli(t, "", "export", "--data", dir, "--user", "demo", "--db", "contacts"); strings.Count(out, "BEGIN:VCARD") != 1 {
		t.Errorf("after accept the export holds %d contacts, want 1", strings.Count(out, "BEGIN:VCARD"))
	}
	for _, c := range []struct {
		args   []string
		status int
		msg    string
	}{
		{[]string{"hold", "accept", "--data", dir, "1"}, 1, "anchorage: hold 1 was decided already"},
		{[]string{"hold", "reject", "--data", dir, "99"}, 1, "anchorage: no hold 99"},
		{[]string{"hold", "reject", "--data", dir, "x"}, 2, "no hold id"},
		{[]string{"user", "set", "--data", dir, "--hold-percent", "101", "demo"}, 1, "percent must be 1..100"},
	} {
		if _, stderr, st := cli(t, "", c.args...); st != c.status || !strings.Contains(stderr, c.msg) {
			t.Errorf("%v = %d %q; want %d %q", c.args, st, stderr, c.status, c.msg)
		}
	}
	if out, _, _ := cli(t, "", "hold", "list", "--data", dir); strings.Contains(out, "open") {
		t.Errorf("hold list shows a decided hold:\n%s", out)
	}
	if out, _, st := cli(t, "", "user", "set", "--data", dir, "--hold-percent", "30", "--hold-min", "5", "demo"); st != 0 || !strings.Contains(out, "more than 30 %") {
		t.Errorf("user set --hold-percent = %d %s", st, out)
	}
	withStore(t, dir, func(ctx context.Context, tx store.Tx, uid int64) error {
		if s, err := tx.HoldSettings(ctx, uid); err != nil || s.Percent != 30 || s.MinItems != 5 {
			t.Errorf("stored threshold = %+v, %v", s, err)
		}
		return nil
	})
}
