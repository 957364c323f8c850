package storetest

import (
	"slices"
	"testing"
	"time"

	"anchorage/store"
)

// testResume: a device's sessions come newest first, only the user's and
// device's own; ResumeSession hands one session's confirmed mappings and
// unacknowledged Adds of one partnership to another session, and nothing
// of other devices, datastores or sessions.
func testResume(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := newUser(t, s, "u")
	v := newUser(t, s, "v")
	for _, g := range []string{"G1", "G2", "G3"} {
		put(t, s, u, "contacts", g, "admin")
	}
	update(t, s, func(tx store.Tx) error {
		for i, x := range []store.Session{
			{Key: "old", UserID: u, DeviceID: "dev", State: []byte("a"), UpdatedAt: t0},
			{Key: "new", UserID: u, DeviceID: "dev", State: []byte("b"), UpdatedAt: t0.Add(time.Minute)},
			{Key: "other-dev", UserID: u, DeviceID: "dev2", State: []byte("c"), UpdatedAt: t0.Add(2 * time.Minute)},
			{Key: "other-user", UserID: v, DeviceID: "dev", State: []byte("d"), UpdatedAt: t0.Add(3 * time.Minute)},
		} {
			x.Created = t0.Add(time.Duration(i) * time.Second)
			if err := tx.PutSession(ctx, &x); err != nil {
				return err
			}
		}
		for _, m := range []store.Mapping{
			{UserID: u, DeviceID: "dev", Datastore: "contacts", LUID: "L1", GUID: "G1", Session: "old"},
			{UserID: u, DeviceID: "dev", Datastore: "contacts", LUID: "L2", GUID: "G2", Session: "earlier"},
			{UserID: u, DeviceID: "dev2", Datastore: "contacts", LUID: "L3", GUID: "G3", Session: "old"},
		} {
			if err := tx.PutMapping(ctx, &m); err != nil {
				return err
			}
		}
		return tx.PutUnackedAdd(ctx, &store.UnackedAdd{UserID: u, DeviceID: "dev", Datastore: "contacts", GUID: "G3",
			Version: 1, Seq: 3, Session: "old", Sent: t0})
	})
	view(t, s, func(tx store.Tx) error {
		got, err := tx.DeviceSessions(ctx, u, "dev", 0)
		if err != nil {
			return err
		}
		var keys []string
		for _, x := range got {
			keys = append(keys, x.Key)
		}
		if want := []string{"new", "old"}; !slices.Equal(keys, want) {
			t.Errorf("DeviceSessions = %q, want %q", keys, want)
		}
		if one, err := tx.DeviceSessions(ctx, u, "dev", 1); err != nil || len(one) != 1 || one[0].Key != "new" || string(one[0].State) != "b" {
			t.Errorf("DeviceSessions(limit 1) = %+v, %v", one, err)
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error {
		n, err := tx.ResumeSession(ctx, u, "dev", "contacts", "old", "new")
		if err != nil {
			return err
		}
		if n != 2 {
			t.Errorf("ResumeSession moved %d rows, want 2 (a mapping and an unacknowledged Add)", n)
		}
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		conf, err := tx.ConfirmedInSession(ctx, u, "dev", "contacts", "new", []string{"G1", "G2"})
		if err != nil {
			return err
		}
		if !conf["G1"] || conf["G2"] {
			t.Errorf("after ResumeSession confirmed in new = %v, want G1 only", conf)
		}
		other, err := tx.ConfirmedInSession(ctx, u, "dev2", "contacts", "old", []string{"G3"})
		if err != nil || !other["G3"] {
			t.Errorf("another device's mapping moved: %v, %v", other, err)
		}
		if n, err := tx.ClearUnackedAdds(ctx, u, "dev", "contacts", "new"); err != nil || n != 0 {
			t.Errorf("the unacknowledged Add was not moved to the new session: cleared %d, %v", n, err)
		}
		return nil
	})
}
