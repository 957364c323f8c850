package storetest

import (
	"slices"
	"testing"

	"anchorage/store"
)

// testUnconfirmedItems: what a slow sync still has to send (and could
// match) is every live item without a mapping of the device confirmed by
// the session; other devices', other sessions' and other datastores'
// mappings do not count.
func testUnconfirmedItems(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := newUser(t, s, "u")
	for _, g := range []string{"G1", "G2", "G3", "G4", "G5", "G6"} {
		put(t, s, u, "contacts", g, "admin")
	}
	del(t, s, u, "contacts", "G6", "admin")
	put(t, s, u, "calendar", "G1", "admin")
	m := func(dev, ds, luid, guid, session string) *store.Mapping {
		return &store.Mapping{UserID: u, DeviceID: dev, Datastore: ds, LUID: luid, GUID: guid, Session: session}
	}
	update(t, s, func(tx store.Tx) error {
		for _, m := range []*store.Mapping{m("dev", "contacts", "L1", "G1", "s1"), m("dev", "contacts", "L3", "G3", "s0"),
			m("dev2", "contacts", "L4", "G4", "s1"), m("dev", "calendar", "L5", "G5", "s1"), m("dev", "contacts", "L6", "G6", "s1")} {
			if err := tx.PutMapping(ctx, m); err != nil {
				return err
			}
		}
		return nil
	})
	list := func(after string, limit int) []string {
		t.Helper()
		var its []store.Item
		view(t, s, func(tx store.Tx) error {
			var err error
			its, err = tx.UnconfirmedItems(ctx, u, "dev", "contacts", "s1", after, limit)
			return err
		})
		for i := range its {
			if len(its[i].Data) == 0 || its[i].Datastore != "contacts" || its[i].Deleted {
				t.Errorf("UnconfirmedItems: item %+v lacks content or is not a live contact", its[i])
			}
		}
		return guids(its)
	}
	var heads []store.Item
	view(t, s, func(tx store.Tx) error {
		var err error
		heads, err = tx.UnconfirmedHeads(ctx, u, "dev", "contacts", "s1", "", 0)
		return err
	})
	if got, want := guids(heads), []string{"G2", "G3", "G4", "G5"}; !slices.Equal(got, want) {
		t.Errorf("UnconfirmedHeads = %q, want %q", got, want)
	}
	for _, h := range heads {
		if h.Data != nil || h.Version == 0 || h.ContentType == "" {
			t.Errorf("UnconfirmedHeads: item %+v has content or lacks its version and type", h)
		}
	}
	if got, want := list("", 0), []string{"G2", "G3", "G4", "G5"}; !slices.Equal(got, want) {
		t.Errorf("UnconfirmedItems = %q, want %q", got, want)
	}
	if got, want := list("G2", 2), []string{"G3", "G4"}; !slices.Equal(got, want) {
		t.Errorf("UnconfirmedItems(after G2, 2) = %q, want %q", got, want)
	}
	view(t, s, func(tx store.Tx) error {
		its, err := tx.UnconfirmedItems(ctx, u, "dev", "notes", "s1", "", 0)
		if err != nil || len(its) != 0 {
			t.Errorf("UnconfirmedItems(empty datastore) = %v, %v", its, err)
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error { return tx.PutMapping(ctx, m("dev", "contacts", "L3", "G3", "s1")) })
	if got, want := list("", 0), []string{"G2", "G4", "G5"}; !slices.Equal(got, want) {
		t.Errorf("UnconfirmedItems after confirming G3 = %q, want %q", got, want)
	}
}

// testKnownItems: which GUIDs name an item, tombstones included.
func testKnownItems(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := newUser(t, s, "u")
	put(t, s, u, "contacts", "G1", "admin")
	put(t, s, u, "contacts", "G2", "admin")
	del(t, s, u, "contacts", "G2", "admin")
	put(t, s, u, "calendar", "G3", "admin")
	ask := []string{"G1", "G2", "G3", "nope"}
	for i := 0; i < 1200; i++ { // more than one query's worth
		ask = append(ask, "x"+string(rune('a'+i%26))+string(rune('a'+i/26)))
	}
	view(t, s, func(tx store.Tx) error {
		got, err := tx.KnownItems(ctx, u, "contacts", ask)
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
		if want := []string{"G1", "G2"}; !slices.Equal(yes, want) {
			t.Errorf("KnownItems = %q, want %q", yes, want)
		}
		for _, ds := range []string{"notes", "contacts"} {
			if got, err := tx.KnownItems(ctx, u, ds, nil); err != nil || len(got) != 0 {
				t.Errorf("KnownItems(%s, none) = %v, %v", ds, got, err)
			}
		}
		if got, err := tx.KnownItems(ctx, u, "notes", ask); err != nil || len(got) != 0 && got["G1"] {
			t.Errorf("KnownItems(empty datastore) = %v, %v", got, err)
		}
		return nil
	})
}
