package storetest

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"anchorage/store"
)

func testWriteItem(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := newUser(t, s, "u")
	w := store.ItemWrite{UserID: u, Datastore: "contacts", GUID: "g1", ContentType: "text/x-vcard",
		Data: []byte("BEGIN:VCARD\r\nVERSION:2.1\r\nN:Doe;John\r\nEND:VCARD\r\n"), UID: "uid-1",
		MatchKey: "doe john", Summary: "John Doe", Origin: "IMEI:1", Time: t0}
	want := store.Item{UserID: u, Datastore: "contacts", GUID: "g1", Version: 1, Seq: 1, ContentType: w.ContentType,
		Data: w.Data, UID: w.UID, MatchKey: w.MatchKey, Summary: w.Summary, Origin: w.Origin, Modified: t0}
	checkItem(t, "WriteItem(new)", write(t, s, w), want, true)

	w.Data, w.Summary, w.Origin, w.Time = []byte("BEGIN:VCARD\r\nN:Doe;Johnny\r\nEND:VCARD\r\n"), "Johnny Doe", "admin", t0.Add(time.Hour)
	want2 := want
	want2.Version, want2.Seq, want2.Data, want2.Summary, want2.Origin, want2.Modified = 2, 2, w.Data, w.Summary, w.Origin, w.Time
	checkItem(t, "WriteItem(second version)", write(t, s, w), want2, true)

	other := put(t, s, u, "contacts", "g2", "IMEI:1")
	if other.Version != 1 || other.Seq != 3 {
		t.Errorf("WriteItem(g2): version %d seq %d, want 1, 3", other.Version, other.Seq)
	}

	view(t, s, func(tx store.Tx) error {
		it, err := tx.Item(ctx, u, "contacts", "g1")
		if err != nil {
			return err
		}
		checkItem(t, "Item(g1)", it, want2, true)
		_, err = tx.Item(ctx, u, "contacts", "nope")
		wantNotFound(t, "Item(missing guid)", err)
		_, err = tx.Item(ctx, u, "calendar", "g1")
		wantNotFound(t, "Item(datastore never written)", err)
		_, err = tx.Item(ctx, u+1000, "contacts", "g1")
		wantNotFound(t, "Item(unknown user)", err)
		return nil
	})

	// A zero Time stores the current time.
	before := time.Now()
	it := write(t, s, store.ItemWrite{UserID: u, Datastore: "contacts", GUID: "g3", Data: []byte("x")})
	if it.Modified.Before(before.Add(-time.Second)) || it.Modified.After(time.Now().Add(time.Second)) {
		t.Errorf("WriteItem with zero Time: Modified = %v, want about now", it.Modified)
	}

	// The returned item does not alias the caller's buffer.
	buf := []byte("original")
	it = write(t, s, store.ItemWrite{UserID: u, Datastore: "contacts", GUID: "g4", Data: buf, Time: t0})
	copy(buf, "XXXXXXXX")
	view(t, s, func(tx store.Tx) error {
		got, err := tx.Item(ctx, u, "contacts", "g4")
		if err != nil {
			return err
		}
		if string(got.Data) != "original" {
			t.Errorf("Item(g4).Data = %q after the caller reused its buffer, want \"original\"", got.Data)
		}
		return nil
	})

	err := s.Update(ctx, func(tx store.Tx) error {
		_, err := tx.WriteItem(ctx, &store.ItemWrite{UserID: u + 1000, Datastore: "contacts", GUID: "g1", Data: []byte("x")})
		return err
	})
	if err == nil {
		t.Errorf("WriteItem(unknown user) succeeded")
	}
}

func testSequences(t *testing.T, s store.Store) {
	ctx := t.Context()
	u1 := newUser(t, s, "u1")
	u2 := newUser(t, s, "u2")
	view(t, s, func(tx store.Tx) error {
		seq, err := tx.LastSeq(ctx, u1, "contacts")
		if err != nil || seq != 0 {
			t.Errorf("LastSeq(empty) in View = %d, %v; want 0, nil", seq, err)
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error {
		seq, err := tx.LastSeq(ctx, u1, "tasks")
		if err != nil || seq != 0 {
			t.Errorf("LastSeq(empty) in Update = %d, %v; want 0, nil", seq, err)
		}
		return nil
	})

	var got []string
	for _, w := range []struct {
		user int64
		ds   string
	}{{u1, "contacts"}, {u1, "contacts"}, {u1, "calendar"}, {u2, "contacts"}, {u1, "contacts"}, {u2, "contacts"}, {u1, "tasks"}} {
		it := put(t, s, w.user, w.ds, fmt.Sprintf("g%d", len(got)), "dev")
		got = append(got, fmt.Sprintf("%d/%s/%d", w.user-u1+1, w.ds, it.Seq))
	}
	want := []string{"1/contacts/1", "1/contacts/2", "1/calendar/1", "2/contacts/1", "1/contacts/3", "2/contacts/2", "1/tasks/1"}
	if !slices.Equal(got, want) {
		t.Errorf("sequences = %q, want %q", got, want)
	}
	view(t, s, func(tx store.Tx) error {
		for _, c := range []struct {
			user int64
			ds   string
			want int64
		}{{u1, "contacts", 3}, {u1, "calendar", 1}, {u1, "tasks", 1}, {u1, "notes", 0}, {u2, "contacts", 2}, {u2, "calendar", 0}} {
			seq, err := tx.LastSeq(ctx, c.user, c.ds)
			if err != nil {
				return err
			}
			if seq != c.want {
				t.Errorf("LastSeq(user %d, %s) = %d, want %d", c.user-u1+1, c.ds, seq, c.want)
			}
		}
		return nil
	})
}

func testTombstones(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := newUser(t, s, "u")
	put(t, s, u, "contacts", "a", "dev1")
	put(t, s, u, "contacts", "b", "dev1")

	checkItem(t, "delete a", del(t, s, u, "contacts", "a", "dev2"),
		store.Item{UserID: u, Datastore: "contacts", GUID: "a", Version: 2, Seq: 3, Deleted: true, Origin: "dev2", Modified: t0}, false)
	view(t, s, func(tx store.Tx) error {
		it, err := tx.Item(ctx, u, "contacts", "a")
		if err != nil {
			return err
		}
		checkItem(t, "Item(deleted a)", it,
			store.Item{UserID: u, Datastore: "contacts", GUID: "a", Version: 2, Seq: 3, Deleted: true, Origin: "dev2", Modified: t0}, true)
		return nil
	})

	// Deleting what is missing or already deleted writes nothing, and the
	// transaction stays usable.
	update(t, s, func(tx store.Tx) error {
		for _, g := range []string{"a", "never"} {
			_, err := tx.WriteItem(ctx, &store.ItemWrite{UserID: u, Datastore: "contacts", GUID: g, Delete: true, Origin: "dev1"})
			wantNotFound(t, "delete "+g, err)
		}
		_, err := tx.WriteItem(ctx, &store.ItemWrite{UserID: u, Datastore: "calendar", GUID: "x", Delete: true, Origin: "dev1"})
		wantNotFound(t, "delete in an empty datastore", err)
		it, err := tx.WriteItem(ctx, &store.ItemWrite{UserID: u, Datastore: "contacts", GUID: "c", Data: []byte("c")})
		if err != nil {
			return err
		}
		if it.Seq != 4 {
			t.Errorf("write after failed deletes: seq %d, want 4", it.Seq)
		}
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		if seq, err := tx.LastSeq(ctx, u, "contacts"); err != nil || seq != 4 {
			t.Errorf("LastSeq = %d, %v; want 4", seq, err)
		}
		if seq, err := tx.LastSeq(ctx, u, "calendar"); err != nil || seq != 0 {
			t.Errorf("LastSeq(calendar) = %d, %v; want 0", seq, err)
		}
		return nil
	})

	// Writing content again resurrects the item.
	it := put(t, s, u, "contacts", "a", "dev1")
	if it.Version != 3 || it.Deleted || it.Seq != 5 {
		t.Errorf("rewrite of deleted a: version %d seq %d deleted %v, want 3, 5, false", it.Version, it.Seq, it.Deleted)
	}
}

func testLiveItems(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := newUser(t, s, "u")
	var want []string
	for i := 10; i >= 1; i-- { // written out of GUID order
		g := fmt.Sprintf("g%02d", i)
		put(t, s, u, "contacts", g, "dev")
		if i == 3 || i == 7 {
			del(t, s, u, "contacts", g, "dev")
		} else {
			want = append(want, g)
		}
	}
	slices.Sort(want)
	put(t, s, newUser(t, s, "other"), "contacts", "g05b", "dev") // another user's

	view(t, s, func(tx store.Tx) error {
		all, err := tx.LiveItems(ctx, u, "contacts", "", 0)
		if err != nil {
			return err
		}
		if got := guids(all); !slices.Equal(got, want) {
			t.Errorf("LiveItems = %q, want %q", got, want)
		}
		for _, it := range all {
			if it.Deleted || string(it.Data) != "BEGIN:VCARD\r\nFN:"+it.GUID+"\r\nEND:VCARD\r\n" || it.UserID != u || it.Datastore != "contacts" {
				t.Errorf("LiveItems: item %+v", it)
			}
		}
		var paged []string
		after := ""
		for range 10 {
			page, err := tx.LiveItems(ctx, u, "contacts", after, 3)
			if err != nil {
				return err
			}
			if len(page) > 3 {
				t.Fatalf("LiveItems(limit 3) returned %d", len(page))
			}
			if len(page) == 0 {
				break
			}
			paged = append(paged, guids(page)...)
			after = page[len(page)-1].GUID
		}
		if !slices.Equal(paged, want) {
			t.Errorf("LiveItems paged by 3 = %q, want %q", paged, want)
		}
		if page, err := tx.LiveItems(ctx, u, "contacts", "g05", 2); err != nil || !slices.Equal(guids(page), []string{"g06", "g08"}) {
			t.Errorf("LiveItems(after g05, 2) = %q, %v; want g06, g08", guids(page), err)
		}
		if page, err := tx.LiveItems(ctx, u, "calendar", "", 0); err != nil || len(page) != 0 {
			t.Errorf("LiveItems(empty datastore) = %q, %v; want none", guids(page), err)
		}
		return nil
	})
}

func testFindTwins(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := newUser(t, s, "u")
	for _, w := range []struct{ guid, uid, key string }{
		{"a", "U1", "K1"}, {"b", "U2", "K1"}, {"c", "", "K2"}, {"d", "U1", "K3"}, {"e", "", ""}, {"f", "U3", "K4"},
	} {
		write(t, s, store.ItemWrite{UserID: u, Datastore: "contacts", GUID: w.guid, Data: []byte("data " + w.guid),
			UID: w.uid, MatchKey: w.key, Origin: "dev", Time: t0})
	}
	del(t, s, u, "contacts", "d", "dev")
	// f changes its keys: only the latest version counts.
	write(t, s, store.ItemWrite{UserID: u, Datastore: "contacts", GUID: "f", Data: []byte("data f"), UID: "U9", MatchKey: "K9", Time: t0})
	// Another datastore with the same keys.
	write(t, s, store.ItemWrite{UserID: u, Datastore: "calendar", GUID: "z", Data: []byte("z"), UID: "U1", MatchKey: "K1", Time: t0})

	view(t, s, func(tx store.Tx) error {
		for _, c := range []struct {
			uid, key string
			want     []string
		}{
			{"U1", "", []string{"a"}},
			{"", "K1", []string{"a", "b"}},
			{"U2", "K2", []string{"b", "c"}},
			{"U1", "K1", []string{"a", "b"}},
			{"", "", nil},
			{"U3", "K4", nil},
			{"U9", "", []string{"f"}},
			{"nope", "nope", nil},
		} {
			its, err := tx.FindTwins(ctx, u, "contacts", c.uid, c.key)
			if err != nil {
				return err
			}
			if got := sortedGUIDs(its); !slices.Equal(got, c.want) {
				t.Errorf("FindTwins(%q, %q) = %q, want %q", c.uid, c.key, got, c.want)
			}
			for _, it := range its {
				if string(it.Data) != "data "+it.GUID || it.Deleted {
					t.Errorf("FindTwins(%q, %q): %s data %q deleted %v", c.uid, c.key, it.GUID, it.Data, it.Deleted)
				}
			}
		}
		its, err := tx.FindTwins(ctx, u, "notes", "U1", "K1")
		if err != nil || len(its) != 0 {
			t.Errorf("FindTwins(empty datastore) = %q, %v", guids(its), err)
		}
		return nil
	})
}

func testChanges(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := newUser(t, s, "u")
	put(t, s, u, "contacts", "a", "dev1")       // 1
	put(t, s, u, "contacts", "b", "dev2")       // 2
	c := put(t, s, u, "contacts", "c", "admin") // 3
	a := put(t, s, u, "contacts", "a", "dev2")  // 4
	b := del(t, s, u, "contacts", "b", "dev1")  // 5
	d := put(t, s, u, "contacts", "d", "dev1")  // 6
	put(t, s, newUser(t, s, "v"), "contacts", "x", "dev1")
	put(t, s, u, "calendar", "y", "dev1")

	view(t, s, func(tx store.Tx) error {
		all, err := tx.Changes(ctx, u, "contacts", 0, 6, "", 0)
		if err != nil {
			return err
		}
		if got := guids(all); !slices.Equal(got, []string{"c", "a", "b", "d"}) {
			t.Fatalf("Changes(0, 6) = %q, want c a b d (latest change of each item, by seq)", got)
		}
		for i, want := range []*store.Item{c, a, b, d} {
			checkItem(t, "Changes", &all[i], *want, false)
		}
		for _, q := range []struct {
			after, upTo int64
			exclude     string
			limit       int
			want        []string
		}{
			{0, 6, "dev1", 0, []string{"c", "a"}},
			{0, 6, "dev2", 0, []string{"c", "b", "d"}},
			{3, 5, "", 0, []string{"a", "b"}},
			{3, 6, "", 2, []string{"a", "b"}},
			{0, 6, "", 1, []string{"c"}},
			{0, 4, "", 0, []string{"c", "a"}},
			{6, 6, "", 0, nil},
			{6, 100, "", 0, nil},
			{1, 3, "", 0, []string{"c"}}, // b's change 2 was superseded by 5
		} {
			its, err := tx.Changes(ctx, u, "contacts", q.after, q.upTo, q.exclude, q.limit)
			if err != nil {
				return err
			}
			if got := guids(its); !slices.Equal(got, q.want) {
				t.Errorf("Changes(%d, %d, exclude %q, limit %d) = %q, want %q", q.after, q.upTo, q.exclude, q.limit, got, q.want)
			}
		}
		its, err := tx.Changes(ctx, u, "notes", 0, 100, "", 0)
		if err != nil || len(its) != 0 {
			t.Errorf("Changes(empty datastore) = %q, %v", guids(its), err)
		}
		last, err := tx.LastSeq(ctx, u, "contacts")
		if err != nil {
			return err
		}
		if its, err := tx.Changes(ctx, u, "contacts", last, last, "", 0); err != nil || len(its) != 0 {
			t.Errorf("Changes(LastSeq, LastSeq) = %q, %v; want none", guids(its), err)
		}
		return nil
	})
}

func testVersions(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := newUser(t, s, "u")
	var want []*store.Item
	want = append(want, put(t, s, u, "contacts", "a", "dev1"))
	put(t, s, u, "contacts", "other", "dev1")
	want = append(want, write(t, s, store.ItemWrite{UserID: u, Datastore: "contacts", GUID: "a", ContentType: "text/vcard",
		Data: []byte("v2"), Summary: "second", Origin: "admin", Time: t0.Add(time.Minute)}))
	want = append(want, del(t, s, u, "contacts", "a", "dev2"))
	want = append(want, write(t, s, store.ItemWrite{UserID: u, Datastore: "contacts", GUID: "a", ContentType: "text/vcard",
		Data: []byte("v4"), Summary: "restored", Origin: "restore", Time: t0.Add(time.Hour)}))
	put(t, s, u, "calendar", "a", "dev1") // same GUID, another datastore

	view(t, s, func(tx store.Tx) error {
		vs, err := tx.Versions(ctx, u, "contacts", "a")
		if err != nil {
			return err
		}
		if len(vs) != len(want) {
			t.Fatalf("Versions(a) returned %d versions, want %d", len(vs), len(want))
		}
		for i := range vs {
			if vs[i].Version != int64(i+1) {
				t.Errorf("Versions(a)[%d].Version = %d, want %d", i, vs[i].Version, i+1)
			}
			checkItem(t, fmt.Sprintf("Versions(a)[%d]", i), &vs[i], *want[i], true)
		}
		_, err = tx.Versions(ctx, u, "contacts", "never")
		wantNotFound(t, "Versions(missing)", err)
		_, err = tx.Versions(ctx, u, "notes", "a")
		wantNotFound(t, "Versions(empty datastore)", err)
		return nil
	})
}

// errBoom is returned by test transactions that must roll back.
var errBoom = errors.New("boom")
