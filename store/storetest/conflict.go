package storetest

import (
	"testing"

	"anchorage/store"
)

func testConflictSettings(t *testing.T, s store.Store) {
	ctx := t.Context()
	u, other := newUser(t, s, "u"), newUser(t, s, "other")
	view(t, s, func(tx store.Tx) error {
		got, err := tx.ConflictSettings(ctx, u)
		if err != nil || len(got) != 0 {
			t.Errorf("ConflictSettings(unset) = %+v, %v; want none", got, err)
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error {
		wantNotFound(t, "DeleteConflictSetting(unset)", tx.DeleteConflictSetting(ctx, u, "contacts"))
		return nil
	})
	update(t, s, func(tx store.Tx) error {
		for _, cs := range []store.ConflictSetting{
			{UserID: u, Datastore: "contacts", Policy: "server-wins"},
			{UserID: u, Policy: "newer-wins"},
			{UserID: u, Datastore: "contacts", Policy: "duplicate", DeleteWins: true}, // replaces the first
			{UserID: other, Datastore: "notes", Policy: "read-only"},
		} {
			if err := tx.PutConflictSetting(ctx, &cs); err != nil {
				return err
			}
		}
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		got, err := tx.ConflictSettings(ctx, u)
		if err != nil {
			return err
		}
		if len(got) != 2 || got[0].Datastore != "" || got[0].Policy != "newer-wins" ||
			got[1].Datastore != "contacts" || got[1].Policy != "duplicate" || !got[1].DeleteWins || got[1].UpdatedAt.IsZero() {
			t.Errorf("ConflictSettings(u) = %+v", got)
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error { return tx.DeleteConflictSetting(ctx, u, "contacts") })
	view(t, s, func(tx store.Tx) error {
		got, err := tx.ConflictSettings(ctx, u)
		if err != nil || len(got) != 1 || got[0].Policy != "newer-wins" {
			t.Errorf("after delete: %+v, %v", got, err)
		}
		got, err = tx.ConflictSettings(ctx, other)
		if err != nil || len(got) != 1 || got[0].Policy != "read-only" {
			t.Errorf("other user's settings: %+v, %v", got, err)
		}
		return nil
	})
}
