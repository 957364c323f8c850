package storetest

import (
	"bytes"
	"fmt"
	"slices"
	"testing"
	"time"

	"anchorage/store"
)

func testMappings(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := newUser(t, s, "u")
	m := func(dev, ds, luid, guid string) *store.Mapping {
		return &store.Mapping{UserID: u, DeviceID: dev, Datastore: ds, LUID: luid, GUID: guid, Session: "s1"}
	}
	putMaps := func(ms ...*store.Mapping) {
		t.Helper()
		update(t, s, func(tx store.Tx) error {
			for _, m := range ms {
				if err := tx.PutMapping(ctx, m); err != nil {
					return err
				}
			}
			return nil
		})
	}
	// expect checks the LUID -> GUID map of (dev, contacts) for the given
	// LUIDs and GUIDs; "" means unmapped.
	expect := func(dev string, byLUID map[string]string, byGUID map[string]string) {
		t.Helper()
		view(t, s, func(tx store.Tx) error {
			for luid, guid := range byLUID {
				got, err := tx.MapByLUID(ctx, u, dev, "contacts", luid)
				if guid == "" {
					wantNotFound(t, "MapByLUID("+luid+")", err)
					continue
				}
				if err != nil {
					t.Errorf("MapByLUID(%s): %v", luid, err)
				} else if *got != *m(dev, "contacts", luid, guid) {
					t.Errorf("MapByLUID(%s) = %+v, want GUID %s", luid, got, guid)
				}
			}
			for guid, luid := range byGUID {
				got, err := tx.MapByGUID(ctx, u, dev, "contacts", guid)
				if luid == "" {
					wantNotFound(t, "MapByGUID("+guid+")", err)
					continue
				}
				if err != nil {
					t.Errorf("MapByGUID(%s): %v", guid, err)
				} else if *got != *m(dev, "contacts", luid, guid) {
					t.Errorf("MapByGUID(%s) = %+v, want LUID %s", guid, got, luid)
				}
			}
			return nil
		})
	}

	expect("dev", map[string]string{"L1": ""}, map[string]string{"G1": ""})
	putMaps(m("dev", "contacts", "L1", "G1"), m("dev2", "contacts", "L1", "G9"), m("dev", "calendar", "L1", "G8"))
	expect("dev", map[string]string{"L1": "G1"}, map[string]string{"G1": "L1", "G9": "", "G8": ""})
	expect("dev2", map[string]string{"L1": "G9"}, map[string]string{"G9": "L1", "G1": ""})
	view(t, s, func(tx store.Tx) error {
		got, err := tx.UnmappedLUIDs(ctx, u, "dev", "contacts", []string{"L1", "L7", "L8", "L7"})
		if err != nil {
			t.Errorf("UnmappedLUIDs: %v", err)
		} else if len(got) != 2 || !got["L7"] || !got["L8"] {
			t.Errorf("UnmappedLUIDs(L1 L7 L8) = %v, want L7 and L8 (L1 is mapped in contacts of dev)", got)
		}
		return nil
	})

	// Replace by LUID: L1 now means G2, G1 is unmapped.
	putMaps(m("dev", "contacts", "L1", "G2"))
	expect("dev", map[string]string{"L1": "G2"}, map[string]string{"G1": "", "G2": "L1"})

	// A GUID maps to one LUID: mapping G2 to L2 drops L1.
	putMaps(m("dev", "contacts", "L2", "G2"))
	expect("dev", map[string]string{"L1": "", "L2": "G2"}, map[string]string{"G2": "L2"})

	// Put twice in one transaction, then delete.
	putMaps(m("dev", "contacts", "L3", "G3"), m("dev", "contacts", "L3", "G3"))
	update(t, s, func(tx store.Tx) error {
		if err := tx.DeleteMapping(ctx, u, "dev", "contacts", "L2"); err != nil {
			return err
		}
		return tx.DeleteMapping(ctx, u, "dev", "contacts", "missing") // not an error
	})
	expect("dev", map[string]string{"L2": "", "L3": "G3"}, map[string]string{"G2": "", "G3": "L3"})

	// PutMappings applies its mappings in order, as PutMapping each: L4
	// first means G4 then G5, and G6 moves from L6 to L7 within one call;
	// a chunk boundary (more than 500) changes nothing.
	update(t, s, func(tx store.Tx) error {
		ms := []store.Mapping{*m("dev", "contacts", "L4", "G4"), *m("dev", "contacts", "L4", "G5"),
			*m("dev", "contacts", "L6", "G6"), *m("dev", "contacts", "L7", "G6")}
		for i := range 600 {
			ms = append(ms, *m("dev", "contacts", fmt.Sprintf("B%d", i), fmt.Sprintf("GB%d", i)))
		}
		ms = append(ms, *m("dev", "contacts", "B0", "GB599"))
		return tx.PutMappings(ctx, ms)
	})
	expect("dev", map[string]string{"L4": "G5", "L6": "", "L7": "G6", "B0": "GB599", "B1": "GB1", "B599": ""},
		map[string]string{"G4": "", "G5": "L4", "G6": "L7", "GB0": "", "GB599": "B0"})
	update(t, s, func(tx store.Tx) error {
		if err := tx.PutMappings(ctx, nil); err != nil {
			t.Errorf("PutMappings(none): %v", err)
		}
		return nil
	})
}

func testConfirmAndPrune(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := newUser(t, s, "u")
	m := func(dev, luid, guid, session string) *store.Mapping {
		return &store.Mapping{UserID: u, DeviceID: dev, Datastore: "contacts", LUID: luid, GUID: guid, Session: session}
	}
	update(t, s, func(tx store.Tx) error {
		for _, m := range []*store.Mapping{m("dev", "L1", "G1", "s1"), m("dev", "L2", "G2", "s0"),
			m("dev", "L3", "G3", "s1"), m("dev", "L4", "G4", "s0"), m("dev2", "L2", "G2", "s1")} {
			if err := tx.PutMapping(ctx, m); err != nil {
				return err
			}
		}
		return nil
	})
	confirmed := func(want ...string) {
		t.Helper()
		view(t, s, func(tx store.Tx) error {
			got, err := tx.ConfirmedInSession(ctx, u, "dev", "contacts", "s1", []string{"G1", "G2", "G3", "G4", "G5"})
			if err != nil {
				return err
			}
			var yes []string
			for g, ok := range got {
				if ok {
					yes = append(yes, g)
				}
			}
			slices.Sort(yes)
			if !slices.Equal(yes, want) {
				t.Errorf("ConfirmedInSession(s1) = %q, want %q", yes, want)
			}
			return nil
		})
	}
	confirmed("G1", "G3")
	view(t, s, func(tx store.Tx) error {
		got, err := tx.ConfirmedInSession(ctx, u, "dev", "contacts", "s1", nil)
		if err != nil || len(got) != 0 {
			t.Errorf("ConfirmedInSession(no GUIDs) = %v, %v", got, err)
		}
		return nil
	})

	// Re-confirming moves a mapping to the session.
	update(t, s, func(tx store.Tx) error { return tx.PutMapping(ctx, m("dev", "L2", "G2", "s1")) })
	confirmed("G1", "G2", "G3")

	view(t, s, func(tx store.Tx) error {
		ms, err := tx.UnconfirmedMappings(ctx, u, "dev", "contacts", "s1")
		if err != nil || len(ms) != 1 || ms[0].LUID != "L4" || ms[0].GUID != "G4" || ms[0].Session != "s0" {
			t.Errorf("UnconfirmedMappings(s1) = %+v, %v; want L4 only", ms, err)
		}
		return nil
	})

	var n int
	update(t, s, func(tx store.Tx) error {
		var err error
		n, err = tx.PruneUnconfirmedMappings(ctx, u, "dev", "contacts", "s1")
		return err
	})
	if n != 1 {
		t.Errorf("PruneUnconfirmedMappings = %d, want 1 (L4)", n)
	}
	view(t, s, func(tx store.Tx) error {
		_, err := tx.MapByLUID(ctx, u, "dev", "contacts", "L4")
		wantNotFound(t, "pruned L4", err)
		for _, l := range []string{"L1", "L2", "L3"} {
			if _, err := tx.MapByLUID(ctx, u, "dev", "contacts", l); err != nil {
				t.Errorf("confirmed %s pruned: %v", l, err)
			}
		}
		if _, err := tx.MapByLUID(ctx, u, "dev2", "contacts", "L2"); err != nil {
			t.Errorf("another device's mapping pruned: %v", err)
		}
		return nil
	})
}

func testSessions(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := newUser(t, s, "u")
	view(t, s, func(tx store.Tx) error {
		_, err := tx.Session(ctx, "missing")
		wantNotFound(t, "Session(missing)", err)
		return nil
	})
	s1 := &store.Session{Key: "k1", DeviceID: "dev", State: []byte{0, 1, 2, 0xff}, Created: t0, UpdatedAt: t0}
	s2 := &store.Session{Key: "k2", UserID: u, DeviceID: "dev", State: []byte("old"), Created: t0.Add(-2 * time.Hour), UpdatedAt: t0.Add(-2 * time.Hour)}
	s3 := &store.Session{Key: "k3", UserID: u, DeviceID: "dev", State: []byte("new"), LastResponse: []byte("<SyncML/>"),
		Created: t0, UpdatedAt: t0.Add(time.Hour)}
	update(t, s, func(tx store.Tx) error {
		for _, x := range []*store.Session{s1, s2, s3} {
			if err := tx.PutSession(ctx, x); err != nil {
				return err
			}
		}
		return nil
	})
	check := func(want *store.Session) {
		t.Helper()
		view(t, s, func(tx store.Tx) error {
			got, err := tx.Session(ctx, want.Key)
			if err != nil {
				return err
			}
			if got.Key != want.Key || got.UserID != want.UserID || got.DeviceID != want.DeviceID ||
				!bytes.Equal(got.State, want.State) || !bytes.Equal(got.LastResponse, want.LastResponse) || !sameTime(got.Created, want.Created) || !sameTime(got.UpdatedAt, want.UpdatedAt) {
				t.Errorf("Session(%s) = %+v, want %+v", want.Key, got, want)
			}
			return nil
		})
	}
	check(s1)

	// Authenticated: user set, state, last response and time updated.
	s1.UserID, s1.State, s1.UpdatedAt = u, []byte("state 2"), t0.Add(10*time.Minute)
	s1.LastResponse = bytes.Repeat([]byte{0, 0xff, 'x'}, 50000)
	update(t, s, func(tx store.Tx) error { return tx.PutSession(ctx, s1) })
	check(s1)
	s1.LastResponse = []byte("reply 2")
	update(t, s, func(tx store.Tx) error { return tx.PutSession(ctx, s1) })
	check(s1)

	var n int
	update(t, s, func(tx store.Tx) error {
		var err error
		n, err = tx.DeleteSessionsBefore(ctx, t0.Add(30*time.Minute))
		return err
	})
	if n != 2 {
		t.Errorf("DeleteSessionsBefore = %d, want 2", n)
	}
	check(s3)
	update(t, s, func(tx store.Tx) error {
		if err := tx.DeleteSession(ctx, "k3"); err != nil {
			return err
		}
		return tx.DeleteSession(ctx, "k3") // again: not an error
	})
	view(t, s, func(tx store.Tx) error {
		for _, k := range []string{"k1", "k2", "k3"} {
			_, err := tx.Session(ctx, k)
			wantNotFound(t, "Session("+k+") after delete", err)
		}
		return nil
	})
}
