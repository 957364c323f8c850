package storetest

import (
	"slices"
	"testing"
	"time"

	"anchorage/store"
)

// testHolds covers the mass-deletion guard's holds: creation with their
// deletes, listing by user, device and state, state changes, the open
// holds' GUIDs, live counts and per-user thresholds.
func testHolds(t *testing.T, s store.Store) {
	ctx := t.Context()
	u, other := newUser(t, s, "u"), newUser(t, s, "other")
	for _, g := range []string{"g1", "g2", "g3"} {
		put(t, s, u, "contacts", g, "phone")
	}
	del(t, s, u, "contacts", "g3", "phone")
	created := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	h := &store.Hold{UserID: u, Datastore: "contacts", DeviceID: "phone", Live: 3, Seq: 4, Created: created}
	update(t, s, func(tx store.Tx) error {
		n, err := tx.LiveCount(ctx, u, "contacts")
		if err != nil || n != 2 {
			t.Errorf("LiveCount = %d, %v; want 2", n, err)
		}
		if n, err := tx.LiveCount(ctx, u, "notes"); err != nil || n != 0 {
			t.Errorf("LiveCount(empty) = %d, %v; want 0", n, err)
		}
		if err := tx.CreateHold(ctx, h, []store.HeldDelete{{GUID: "g2", LUID: "l2"}, {GUID: "g1", LUID: "l1"}}); err != nil {
			t.Fatalf("CreateHold: %v", err)
		}
		other := &store.Hold{UserID: other, Datastore: "contacts", DeviceID: "phone"}
		return tx.CreateHold(ctx, other, []store.HeldDelete{{GUID: "x", LUID: "y"}})
	})
	if h.ID == 0 || h.State != store.HoldOpen || h.Items != 2 {
		t.Fatalf("CreateHold set %+v; want an id, open, 2 items", h)
	}
	view(t, s, func(tx store.Tx) error {
		got, err := tx.Hold(ctx, h.ID)
		if err != nil {
			t.Fatalf("Hold: %v", err)
		}
		if got.UserID != u || got.DeviceID != "phone" || got.Datastore != "contacts" || got.State != store.HoldOpen ||
			got.Items != 2 || got.Live != 3 || got.Seq != 4 || !got.Decided.IsZero() {
			t.Errorf("Hold = %+v", got)
		}
		checkTime(t, "Hold.Created", got.Created, created)
		_, err = tx.Hold(ctx, h.ID+100)
		wantNotFound(t, "Hold(unknown)", err)
		ds, err := tx.HeldDeletes(ctx, h.ID)
		if err != nil || !slices.Equal(ds, []store.HeldDelete{{GUID: "g1", LUID: "l1"}, {GUID: "g2", LUID: "l2"}}) {
			t.Errorf("HeldDeletes = %+v, %v", ds, err)
		}
		for _, c := range []struct {
			user   int64
			device string
			states []store.HoldState
			want   int
		}{
			{0, "", nil, 2}, {u, "", nil, 1}, {u, "phone", []store.HoldState{store.HoldOpen}, 1},
			{u, "tablet", nil, 0}, {u, "", []store.HoldState{store.HoldRejected, store.HoldAccepted}, 0},
		} {
			if hs, err := tx.Holds(ctx, c.user, c.device, c.states...); err != nil || len(hs) != c.want {
				t.Errorf("Holds(%d, %q, %v) = %d holds, %v; want %d", c.user, c.device, c.states, len(hs), err, c.want)
			}
		}
		held, err := tx.HeldGUIDs(ctx, u, "phone", "contacts", []string{"g1", "g3", "x"})
		if err != nil || !held["g1"] || held["g3"] || held["x"] || len(held) != 1 {
			t.Errorf("HeldGUIDs = %v, %v; want g1", held, err)
		}
		if held, _ := tx.HeldGUIDs(ctx, u, "tablet", "contacts", []string{"g1"}); len(held) != 0 {
			t.Errorf("HeldGUIDs(other device) = %v; want none", held)
		}
		return nil
	})
	decided := created.Add(time.Hour)
	update(t, s, func(tx store.Tx) error {
		if err := tx.SetHoldState(ctx, h.ID, store.HoldRejected, decided); err != nil {
			t.Fatalf("SetHoldState: %v", err)
		}
		wantNotFound(t, "SetHoldState(unknown)", tx.SetHoldState(ctx, h.ID+100, store.HoldAccepted, decided))
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		got, err := tx.Hold(ctx, h.ID)
		if err != nil || got.State != store.HoldRejected {
			t.Fatalf("Hold after reject = %+v, %v", got, err)
		}
		checkTime(t, "Hold.Decided", got.Decided, decided)
		if held, _ := tx.HeldGUIDs(ctx, u, "phone", "contacts", []string{"g1", "g2"}); len(held) != 0 {
			t.Errorf("HeldGUIDs of a rejected hold = %v; want none", held)
		}
		if hs, _ := tx.Holds(ctx, u, "phone", store.HoldRejected); len(hs) != 1 {
			t.Errorf("Holds(rejected) = %d; want 1", len(hs))
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error {
		_, err := tx.HoldSettings(ctx, u)
		wantNotFound(t, "HoldSettings(unset)", err)
		wantNotFound(t, "DeleteHoldSettings(unset)", tx.DeleteHoldSettings(ctx, u))
		for _, p := range []int{30, 40} {
			if err := tx.PutHoldSettings(ctx, &store.HoldSettings{UserID: u, Percent: p, MinItems: 5}); err != nil {
				t.Fatalf("PutHoldSettings: %v", err)
			}
		}
		got, err := tx.HoldSettings(ctx, u)
		if err != nil || got.Percent != 40 || got.MinItems != 5 {
			t.Errorf("HoldSettings = %+v, %v; want 40 %%, 5", got, err)
		}
		if err := tx.DeleteHoldSettings(ctx, u); err != nil {
			t.Errorf("DeleteHoldSettings: %v", err)
		}
		_, err = tx.HoldSettings(ctx, u)
		wantNotFound(t, "HoldSettings(deleted)", err)
		return nil
	})
}
