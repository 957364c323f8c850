package storetest

import (
	"bytes"
	"fmt"
	"testing"
	"time"

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

// testCanonical: a version's canonical form is stored with it and read
// back wherever its content is (Item, LiveItems, Versions, ItemsAsOf);
// a later version without one has none.
func testCanonical(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := newUser(t, s, "u")
	raw := []byte("BEGIN:VCARD\r\nVERSION:2.1\r\nN:Doe;John\r\nEND:VCARD\r\n")
	canon := []byte("BEGIN:VCARD\r\nVERSION:3.0\r\nN:Doe;John;;;\r\nFN:John Doe\r\nEND:VCARD\r\n")
	write(t, s, store.ItemWrite{UserID: u, Datastore: "contacts", GUID: "g1", ContentType: "text/x-vcard", Data: raw,
		CanonicalType: "text/vcard", Canonical: canon, Origin: "IMEI:1", Time: t0})
	check := func(what string, it store.Item) {
		t.Helper()
		ct, data := it.Canon()
		if ct != "text/vcard" || !bytes.Equal(data, canon) || !bytes.Equal(it.Data, raw) {
			t.Errorf("%s: canonical %q %q, data %q", what, ct, data, it.Data)
		}
	}
	view(t, s, func(tx store.Tx) error {
		it, err := tx.Item(ctx, u, "contacts", "g1")
		if err != nil {
			return err
		}
		check("Item", *it)
		live, err := tx.LiveItems(ctx, u, "contacts", "", 0)
		if err != nil || len(live) != 1 {
			return fmt.Errorf("LiveItems: %v, %v", live, err)
		}
		check("LiveItems", live[0])
		asOf, err := tx.ItemsAsOf(ctx, u, "contacts", t0.Add(time.Minute), "", 0)
		if err != nil || len(asOf) != 1 {
			return fmt.Errorf("ItemsAsOf: %v, %v", asOf, err)
		}
		check("ItemsAsOf", asOf[0])
		return nil
	})
	plain := []byte("BEGIN:VCARD\r\nVERSION:3.0\r\nN:Doe;Jo;;;\r\nFN:Jo Doe\r\nEND:VCARD\r\n")
	write(t, s, store.ItemWrite{UserID: u, Datastore: "contacts", GUID: "g1", ContentType: "text/vcard", Data: plain,
		Origin: "IMEI:2", Time: t0.Add(time.Hour)})
	view(t, s, func(tx store.Tx) error {
		vs, err := tx.Versions(ctx, u, "contacts", "g1")
		if err != nil || len(vs) != 2 {
			return fmt.Errorf("Versions: %v, %v", vs, err)
		}
		check("Versions[0]", vs[0])
		if ct, data := vs[1].Canon(); ct != "text/vcard" || !bytes.Equal(data, plain) || len(vs[1].Canonical) != 0 {
			t.Errorf("a version written without a canonical form: %q %q", ct, data)
		}
		return nil
	})
}

// testFindVersionTwins: earlier versions are found by UID and match key,
// of live and deleted items alike; tombstones themselves are not.
func testFindVersionTwins(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := newUser(t, s, "u")
	w := func(guid, uid, key string, del bool) {
		write(t, s, store.ItemWrite{UserID: u, Datastore: "contacts", GUID: guid, ContentType: "text/vcard",
			Data: []byte(guid + ":" + key), UID: uid, MatchKey: key, Delete: del, Origin: "d", Time: t0})
	}
	w("g1", "uid-1", "k1", false)
	w("g1", "uid-1", "k2", false)
	w("g1", "", "", true)
	w("g2", "", "k1", false)
	view(t, s, func(tx store.Tx) error {
		for _, c := range []struct {
			uid, key string
			want     []string
		}{
			{"uid-1", "", []string{"g1:k1", "g1:k2"}},
			{"", "k1", []string{"g1:k1", "g2:k1"}},
			{"uid-1", "k1", []string{"g1:k1", "g1:k2", "g2:k1"}},
			{"", "nope", nil},
		} {
			its, err := tx.FindVersionTwins(ctx, u, "contacts", c.uid, c.key, 0)
			if err != nil {
				return err
			}
			var got []string
			for _, it := range its {
				got = append(got, string(it.Data))
			}
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("FindVersionTwins(%q, %q) = %v, want %v", c.uid, c.key, got, c.want)
			}
		}
		return nil
	})
}

// testWriteNew: New skips nothing a caller could see, and writing New to
// an existing GUID fails instead of forking the item.
func testWriteNew(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := newUser(t, s, "u")
	w := store.ItemWrite{UserID: u, Datastore: "contacts", GUID: "n1", ContentType: "text/vcard",
		Data: []byte("BEGIN:VCARD\r\nFN:N\r\nEND:VCARD\r\n"), Origin: "d", Time: t0, New: true}
	it := write(t, s, w)
	if it.Version != 1 || it.Seq != 1 {
		t.Errorf("WriteItem(New) = version %d seq %d, want 1, 1", it.Version, it.Seq)
	}
	err := s.Update(ctx, func(tx store.Tx) error {
		_, err := tx.WriteItem(ctx, &w)
		return err
	})
	if err == nil {
		t.Error("WriteItem(New) of an existing GUID succeeded")
	}
	view(t, s, func(tx store.Tx) error {
		vs, err := tx.Versions(ctx, u, "contacts", "n1")
		if err != nil || len(vs) != 1 {
			t.Errorf("versions after the failed write: %d, %v", len(vs), err)
		}
		return nil
	})
}
