package storetest

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"anchorage/store"
)

// testClientIDs: ActiveSync ClientIds are kept per device and folder, are
// looked up by a list of ClientIds (more than one IN list's worth), are
// replaced by ClientId, cleared per folder or device, and go with a
// removed device.
func testClientIDs(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := newUser(t, s, "u")
	other := newUser(t, s, "v")
	update(t, s, func(tx store.Tx) error {
		for _, d := range []store.Device{{UserID: u, DeviceID: "dev"}, {UserID: u, DeviceID: "dev2"}, {UserID: other, DeviceID: "dev"}} {
			if err := tx.PutDevice(ctx, &d); err != nil {
				return err
			}
		}
		// 1,200 ClientIds of one folder, in three statements' worth.
		var ids []store.ClientID
		for i := range 1200 {
			ids = append(ids, store.ClientID{UserID: u, DeviceID: "dev", Folder: "contacts",
				ClientID: fmt.Sprint(i), ServerID: fmt.Sprintf("s%d", i), Sum: fmt.Sprintf("d%d", i)})
		}
		// The same ClientId in other folders, devices and users, and
		// twice in one call (the last wins).
		ids = append(ids,
			store.ClientID{UserID: u, DeviceID: "dev", Folder: "calendar", ClientID: "1", ServerID: "cal1"},
			store.ClientID{UserID: u, DeviceID: "dev2", Folder: "contacts", ClientID: "1", ServerID: "dev2-1"},
			store.ClientID{UserID: other, DeviceID: "dev", Folder: "contacts", ClientID: "1", ServerID: "v1"},
			store.ClientID{UserID: u, DeviceID: "dev", Folder: "contacts", ClientID: "7", ServerID: "s7", Sum: "changed"})
		return tx.PutClientIDs(ctx, ids)
	})
	lookup := func(user int64, dev, folder string, cids ...string) string {
		t.Helper()
		var out []string
		view(t, s, func(tx store.Tx) error {
			got, err := tx.ClientIDs(ctx, user, dev, folder, cids)
			for k, c := range got {
				if k != c.ClientID || c.UserID != user || c.DeviceID != dev || c.Folder != folder {
					t.Errorf("ClientIDs(%d, %s, %s)[%s] = %+v", user, dev, folder, k, c)
				}
				out = append(out, c.ClientID+">"+c.ServerID+"/"+c.Sum)
			}
			return err
		})
		sort.Strings(out)
		return strings.Join(out, " ")
	}
	if got, want := lookup(u, "dev", "contacts", "1", "7", "nope", "1199"), "1199>s1199/d1199 1>s1/d1 7>s7/changed"; got != want {
		t.Errorf("contacts of dev: %q, want %q", got, want)
	}
	if got, want := lookup(u, "dev", "calendar", "1", "2"), "1>cal1/"; got != want {
		t.Errorf("calendar of dev: %q, want %q", got, want)
	}
	if got, want := lookup(other, "dev", "contacts", "1"), "1>v1/"; got != want {
		t.Errorf("contacts of the other user's dev: %q, want %q", got, want)
	}
	if got := lookup(u, "dev", "contacts"); got != "" {
		t.Errorf("no ClientIds asked: %q", got)
	}
	all := make([]string, 1300)
	for i := range all {
		all[i] = fmt.Sprint(i)
	}
	if got := strings.Count(lookup(u, "dev", "contacts", all...), ">"); got != 1200 {
		t.Errorf("1,300 ClientIds asked: %d found, want 1200", got)
	}
	// A later Put replaces the ServerId and the digest.
	update(t, s, func(tx store.Tx) error {
		return tx.PutClientIDs(ctx, []store.ClientID{{UserID: u, DeviceID: "dev", Folder: "contacts", ClientID: "1", ServerID: "s1", Sum: "d1b"}})
	})
	if got, want := lookup(u, "dev", "contacts", "1"), "1>s1/d1b"; got != want {
		t.Errorf("after a replacement: %q, want %q", got, want)
	}
	view(t, s, func(tx store.Tx) error {
		ids, err := tx.DeviceClientIDs(ctx, u, "dev")
		if err != nil {
			return err
		}
		if len(ids) != 1201 || ids[0].Folder != "calendar" || ids[1].ClientID != "0" || ids[1].UserID != u || ids[1].DeviceID != "dev" {
			t.Errorf("DeviceClientIDs(dev): %d rows, first %+v", len(ids), ids[:min(2, len(ids))])
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error {
		n, err := tx.ClearClientIDs(ctx, u, "dev", "contacts")
		if err == nil && n != 1200 {
			t.Errorf("ClearClientIDs(dev, contacts) = %d, want 1200", n)
		}
		return err
	})
	if got := lookup(u, "dev", "contacts", "1", "7"); got != "" {
		t.Errorf("contacts of dev after clearing them: %q", got)
	}
	if got, want := lookup(u, "dev", "calendar", "1"), "1>cal1/"; got != want {
		t.Errorf("calendar of dev after clearing contacts: %q, want %q", got, want)
	}
	update(t, s, func(tx store.Tx) error { return tx.DeleteDevice(ctx, u, "dev") })
	if got := lookup(u, "dev", "calendar", "1"); got != "" {
		t.Errorf("calendar of a removed device: %q", got)
	}
	if got, want := lookup(u, "dev2", "contacts", "1"), "1>dev2-1/"; got != want {
		t.Errorf("another device's after a removal: %q, want %q", got, want)
	}
	update(t, s, func(tx store.Tx) error {
		n, err := tx.ClearClientIDs(ctx, u, "dev2", "")
		if err == nil && n != 1 {
			t.Errorf("ClearClientIDs(dev2, all) = %d, want 1", n)
		}
		return err
	})
	if got, want := lookup(other, "dev", "contacts", "1"), "1>v1/"; got != want {
		t.Errorf("the other user's after clearing: %q, want %q", got, want)
	}
	if err := s.Update(ctx, func(tx store.Tx) error {
		return tx.PutClientIDs(ctx, []store.ClientID{{UserID: u, DeviceID: "dev", Folder: "contacts", ClientID: "x"}})
	}); err == nil {
		t.Error("PutClientIDs without a ServerId succeeded")
	}
}
