package storetest

import (
	"fmt"
	"slices"
	"testing"

	"anchorage/store"
)

// testUnackedAdds: unacknowledged Adds are kept per partnership, found by
// any of their identifiers, replaced per GUID, deleted by GUID, cleared
// but for one session, and go with a reset or a removed device.
func testUnackedAdds(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := newUser(t, s, "u")
	other := newUser(t, s, "v")
	put := func(user int64, dev, ds, guid, session string, version int64, idents ...string) {
		update(t, s, func(tx store.Tx) error {
			return tx.PutUnackedAdd(ctx, &store.UnackedAdd{UserID: user, DeviceID: dev, Datastore: ds, GUID: guid,
				Version: version, Seq: 10 * version, Session: session, Sent: t0, Idents: idents})
		})
	}
	guids := func(user int64, dev, ds string, idents ...string) []string {
		t.Helper()
		var out []string
		view(t, s, func(tx store.Tx) error {
			as, err := tx.UnackedAdds(ctx, user, dev, ds, idents, 0)
			for _, a := range as {
				out = append(out, a.GUID)
			}
			return err
		})
		return out
	}
	check := func(what string, got []string, want ...string) {
		t.Helper()
		if !slices.Equal(got, want) {
			t.Errorf("%s = %q, want %q", what, got, want)
		}
	}
	put(u, "dev", "contacts", "g1", "s1", 1, "email:a@x", "tel:+1")
	put(u, "dev", "contacts", "g2", "s1", 1, "email:b@x", "tel:+1")
	put(u, "dev", "contacts", "g3", "s2", 1)
	put(u, "dev", "calendar", "g4", "s1", 1, "email:a@x")
	put(u, "other", "contacts", "g5", "s1", 1, "email:a@x")
	put(other, "dev", "contacts", "g6", "s1", 1, "email:a@x")
	put(u, "dev", "contacts", "g1", "s2", 3, "email:a@x", "email:c@x") // sent again, newer

	check("all", guids(u, "dev", "contacts"), "g1", "g2", "g3")
	check("by a@x", guids(u, "dev", "contacts", "email:a@x"), "g1")
	check("by +1", guids(u, "dev", "contacts", "tel:+1"), "g2") // g1's +1 went with its replacement
	check("by a@x or b@x", guids(u, "dev", "contacts", "email:b@x", "email:a@x"), "g1", "g2")
	check("by nothing known", guids(u, "dev", "contacts", "email:zz"))
	check("by an empty ident", guids(u, "dev", "contacts", ""))
	view(t, s, func(tx store.Tx) error {
		as, err := tx.UnackedAdds(ctx, u, "dev", "contacts", []string{"email:c@x"}, 0)
		if err != nil || len(as) != 1 || as[0].Version != 3 || as[0].Seq != 30 || as[0].Session != "s2" {
			t.Errorf("UnackedAdds(c@x) = %+v, %v; want g1 version 3, seq 30, session s2", as, err)
		} else {
			checkTime(t, "Sent", as[0].Sent, t0)
		}
		return nil
	})

	view(t, s, func(tx store.Tx) error {
		if a, err := tx.UnackedAdd(ctx, u, "dev", "contacts", "g1"); err != nil || a.Version != 3 || a.Session != "s2" {
			t.Errorf("UnackedAdd(g1) = %+v, %v; want version 3 of s2", a, err)
		}
		_, err := tx.UnackedAdd(ctx, u, "dev", "contacts", "g4")
		wantNotFound(t, "UnackedAdd(other datastore)", err)
		return nil
	})
	update(t, s, func(tx store.Tx) error {
		if err := tx.DeferUnackedAdd(ctx, u, "dev", "contacts", "g1"); err != nil {
			return err
		}
		wantNotFound(t, "DeferUnackedAdd(none)", tx.DeferUnackedAdd(ctx, u, "dev", "contacts", "nope"))
		a, err := tx.UnackedAdd(ctx, u, "dev", "contacts", "g1")
		if err != nil || !a.Deferred {
			t.Errorf("UnackedAdd(g1) after DeferUnackedAdd = %+v, %v; want Deferred", a, err)
		}
		as, err := tx.UnackedAdds(ctx, u, "dev", "contacts", []string{"email:a@x"}, 0)
		if err != nil || len(as) != 1 || !as[0].Deferred {
			t.Errorf("UnackedAdds(a@x) after DeferUnackedAdd = %+v, %v; want g1 Deferred", as, err)
		}
		return nil
	})
	// An Add recorded with its identifiers pending is found by GUID and
	// among all, not by identifier, until they are stored.
	update(t, s, func(tx store.Tx) error {
		return tx.PutUnackedAdd(ctx, &store.UnackedAdd{UserID: u, DeviceID: "dev", Datastore: "contacts", GUID: "g7",
			Version: 2, Seq: 20, Session: "s2", Sent: t0, IdentsPending: true, New: true})
	})
	pending := func() (out []store.UnackedAdd) {
		t.Helper()
		view(t, s, func(tx store.Tx) (err error) {
			out, err = tx.PendingUnackedAdds(ctx, u, "dev", "contacts", 0)
			return err
		})
		return out
	}
	check("with g7 pending", guids(u, "dev", "contacts"), "g1", "g2", "g3", "g7")
	check("by the pending marker", guids(u, "dev", "contacts", "?pending"))
	p := pending()
	if len(p) != 1 || p[0].GUID != "g7" || p[0].Version != 2 || p[0].Seq != 20 || p[0].Session != "s2" || !p[0].IdentsPending {
		t.Fatalf("PendingUnackedAdds = %+v, want g7 version 2, seq 20, session s2", p)
	}
	checkTime(t, "pending Sent", p[0].Sent, t0)
	update(t, s, func(tx store.Tx) error {
		a := p[0]
		a.IdentsPending, a.Idents = false, []string{"email:g@x"}
		return tx.PutUnackedAdd(ctx, &a)
	})
	if p := pending(); len(p) != 0 {
		t.Errorf("PendingUnackedAdds after its identifiers were stored = %+v, want none", p)
	}
	check("g7 by its identifier", guids(u, "dev", "contacts", "email:g@x"), "g7")
	update(t, s, func(tx store.Tx) error {
		return tx.DeleteUnackedAdds(ctx, u, "dev", "contacts", []string{"g7"})
	})

	// PutUnackedAdds in one call: more rows than one INSERT takes, and a
	// GUID recorded twice, the second time replacing the first.
	update(t, s, func(tx store.Tx) error {
		var adds []store.UnackedAdd
		for i := range 400 {
			adds = append(adds, store.UnackedAdd{UserID: u, DeviceID: "dev", Datastore: "tasks", GUID: fmt.Sprintf("t%03d", i),
				Version: 1, Seq: int64(i), Session: "s3", Sent: t0, Idents: []string{fmt.Sprintf("uid:%d", i)}, New: true})
		}
		adds = append(adds, store.UnackedAdd{UserID: u, DeviceID: "dev", Datastore: "tasks", GUID: "t007",
			Version: 2, Seq: 500, Session: "s3", Sent: t0, Idents: []string{"uid:new"}})
		return tx.PutUnackedAdds(ctx, adds)
	})
	if got := guids(u, "dev", "tasks"); len(got) != 400 {
		t.Errorf("PutUnackedAdds of 400 GUIDs: %d recorded", len(got))
	}
	check("tasks by uid:399", guids(u, "dev", "tasks", "uid:399"), "t399")
	check("tasks by t007's old identifier", guids(u, "dev", "tasks", "uid:7"))
	check("tasks by t007's new identifier", guids(u, "dev", "tasks", "uid:new"), "t007")
	update(t, s, func(tx store.Tx) error {
		_, err := tx.ClearUnackedAdds(ctx, u, "dev", "tasks", "")
		return err
	})

	update(t, s, func(tx store.Tx) error {
		return tx.DeleteUnackedAdds(ctx, u, "dev", "contacts", []string{"g2", "nope"})
	})
	check("after delete", guids(u, "dev", "contacts"), "g1", "g3")
	update(t, s, func(tx store.Tx) error {
		n, err := tx.ClearUnackedAdds(ctx, u, "dev", "contacts", "s2")
		if n != 0 {
			t.Errorf("ClearUnackedAdds(keep s2) = %d, want 0", n)
		}
		return err
	})
	check("after clear keeping s2", guids(u, "dev", "contacts"), "g1", "g3")
	update(t, s, func(tx store.Tx) error {
		n, err := tx.ClearUnackedAdds(ctx, u, "dev", "contacts", "s1")
		if n != 2 {
			t.Errorf("ClearUnackedAdds(keep s1) = %d, want 2", n)
		}
		return err
	})
	check("after clear", guids(u, "dev", "contacts"))
	check("other datastore", guids(u, "dev", "calendar"), "g4")
	check("other device", guids(u, "other", "contacts"), "g5")
	check("other user", guids(other, "dev", "contacts"), "g6")

	update(t, s, func(tx store.Tx) error {
		if err := tx.PutDevice(ctx, &store.Device{UserID: u, DeviceID: "dev"}); err != nil {
			return err
		}
		if err := tx.PutDevice(ctx, &store.Device{UserID: u, DeviceID: "other"}); err != nil {
			return err
		}
		_, err := tx.DeletePartnerships(ctx, u, "dev", "")
		return err
	})
	check("after reset", guids(u, "dev", "calendar"))
	update(t, s, func(tx store.Tx) error { return tx.DeleteDevice(ctx, u, "other") })
	check("after remove", guids(u, "other", "contacts"))
	check("other user after all", guids(other, "dev", "contacts"), "g6")
}
