package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"anchorage/store"
)

// The archive: point-in-time reads, history and retention.

const day = 24 * time.Hour

// at writes a version of guid at a given time: content "<guid> <label>"
// (summary label) or, with label "", a tombstone.
func at(t *testing.T, s store.Store, user int64, ds, guid, label string, when time.Time) *store.Item {
	t.Helper()
	if label == "" {
		return write(t, s, store.ItemWrite{UserID: user, Datastore: ds, GUID: guid, Delete: true, Origin: "dev", Time: when})
	}
	return write(t, s, store.ItemWrite{UserID: user, Datastore: ds, GUID: guid, ContentType: "text/vcard",
		Data: []byte(guid + " " + label), Summary: label, Origin: "dev", Time: when})
}

// states renders items as "guid:version" with a "-" for tombstones.
func states(its []store.Item) []string {
	out := make([]string, len(its))
	for i, it := range its {
		out[i] = fmt.Sprintf("%s:%d", it.GUID, it.Version)
		if it.Deleted {
			out[i] += "-"
		}
	}
	return out
}

func testAllItems(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := newUser(t, s, "u")
	for _, g := range []string{"d", "b", "a", "c"} {
		put(t, s, u, "contacts", g, "dev")
	}
	del(t, s, u, "contacts", "b", "dev")
	put(t, s, u, "contacts", "c", "dev")
	put(t, s, newUser(t, s, "other"), "contacts", "bb", "dev")
	want := []string{"a:1", "b:2-", "c:2", "d:1"}
	view(t, s, func(tx store.Tx) error {
		all, err := tx.AllItems(ctx, u, "contacts", "", 0)
		if err != nil {
			return err
		}
		if got := states(all); !slices.Equal(got, want) {
			t.Errorf("AllItems = %q, want %q", got, want)
		}
		for _, it := range all {
			if it.Deleted != (len(it.Data) == 0) || it.UserID != u || it.Datastore != "contacts" {
				t.Errorf("AllItems: %s deleted %v data %q", it.GUID, it.Deleted, it.Data)
			}
		}
		var paged []store.Item
		for after := ""; ; {
			page, err := tx.AllItems(ctx, u, "contacts", after, 3)
			if err != nil {
				return err
			}
			if len(page) == 0 {
				break
			}
			paged = append(paged, page...)
			after = page[len(page)-1].GUID
		}
		if got := states(paged); !slices.Equal(got, want) {
			t.Errorf("AllItems paged by 3 = %q, want %q", got, want)
		}
		if its, err := tx.AllItems(ctx, u, "notes", "", 0); err != nil || len(its) != 0 {
			t.Errorf("AllItems(empty datastore) = %q, %v", guids(its), err)
		}
		return nil
	})
}

func testItemsAsOf(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := newUser(t, s, "u")
	T := func(h int) time.Time { return t0.Add(time.Duration(h) * time.Hour) }
	at(t, s, u, "contacts", "a", "a1", T(1))
	at(t, s, u, "contacts", "b", "b1", T(2))
	at(t, s, u, "contacts", "a", "a2", T(3))
	at(t, s, u, "contacts", "b", "", T(4))
	at(t, s, u, "contacts", "c", "c1", T(4))
	at(t, s, u, "contacts", "a", "", T(5))
	at(t, s, u, "contacts", "b", "b3", T(6))
	at(t, s, u, "calendar", "a", "other datastore", T(0))
	at(t, s, newUser(t, s, "v"), "contacts", "a", "other user", T(0))

	view(t, s, func(tx store.Tx) error {
		for _, c := range []struct {
			when time.Time
			want []string
		}{
			{T(0), nil},
			{T(1).Add(-time.Nanosecond), nil},
			{T(1), []string{"a:1"}},
			{T(2), []string{"a:1", "b:1"}},
			{T(3), []string{"a:2", "b:1"}},
			{T(4), []string{"a:2", "b:2-", "c:1"}},
			{T(5).Add(30 * time.Minute), []string{"a:3-", "b:2-", "c:1"}},
			{T(6), []string{"a:3-", "b:3", "c:1"}},
			{T(100), []string{"a:3-", "b:3", "c:1"}},
		} {
			its, err := tx.ItemsAsOf(ctx, u, "contacts", c.when, "", 0)
			if err != nil {
				return err
			}
			if got := states(its); !slices.Equal(got, c.want) {
				t.Errorf("ItemsAsOf(T%+.1fh) = %q, want %q", c.when.Sub(t0).Hours(), got, c.want)
			}
			for _, it := range its {
				label := fmt.Sprintf("%s%d", it.GUID, it.Version)
				if !it.Deleted && (string(it.Data) != it.GUID+" "+label || it.Summary != label) {
					t.Errorf("ItemsAsOf: %s version %d data %q summary %q", it.GUID, it.Version, it.Data, it.Summary)
				}
				if it.Modified.After(c.when) {
					t.Errorf("ItemsAsOf(%v): %s modified %v, later", c.when, it.GUID, it.Modified)
				}
			}
		}
		var paged []string
		for after := ""; ; {
			page, err := tx.ItemsAsOf(ctx, u, "contacts", T(4), after, 1)
			if err != nil {
				return err
			}
			if len(page) == 0 {
				break
			}
			paged = append(paged, states(page)...)
			after = page[len(page)-1].GUID
		}
		if want := []string{"a:2", "b:2-", "c:1"}; !slices.Equal(paged, want) {
			t.Errorf("ItemsAsOf(T4) paged by 1 = %q, want %q", paged, want)
		}
		if its, err := tx.ItemsAsOf(ctx, u, "notes", T(9), "", 0); err != nil || len(its) != 0 {
			t.Errorf("ItemsAsOf(empty datastore) = %q, %v", guids(its), err)
		}
		return nil
	})
}

func testHistory(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := newUser(t, s, "u")
	T := func(h int) time.Time { return t0.Add(time.Duration(h) * time.Hour) }
	at(t, s, u, "contacts", "a", "a1", T(1)) // seq 1
	at(t, s, u, "contacts", "b", "b1", T(2)) // 2
	at(t, s, u, "contacts", "a", "", T(3))   // 3
	at(t, s, u, "contacts", "c", "c1", T(3)) // 4: same instant, later seq
	at(t, s, u, "contacts", "d", "d1", T(2)) // 5: an earlier clock than seq 4
	at(t, s, u, "contacts", "b", "", T(4))   // 6
	at(t, s, u, "calendar", "x", "x1", T(1))

	view(t, s, func(tx store.Tx) error {
		for _, c := range []struct {
			since   time.Time
			deleted bool
			want    []string
		}{
			{time.Time{}, false, []string{"a:1", "b:1", "d:1", "a:2-", "c:1", "b:2-"}},
			{T(3), false, []string{"a:2-", "c:1", "b:2-"}},
			{T(3).Add(time.Second), false, []string{"b:2-"}},
			{time.Time{}, true, []string{"a:2-", "b:2-"}},
			{T(4), true, []string{"b:2-"}},
			{T(5), false, nil},
		} {
			its, err := tx.History(ctx, u, "contacts", c.since, 0, c.deleted, 0)
			if err != nil {
				return err
			}
			if got := states(its); !slices.Equal(got, c.want) {
				t.Errorf("History(since %v, deleted %v) = %q, want %q", c.since, c.deleted, got, c.want)
			}
			for _, it := range its {
				if it.Data != nil || it.Origin != "dev" || it.Modified.Before(c.since) {
					t.Errorf("History: %+v", it)
				}
			}
		}
		var paged []string
		since, afterSeq := time.Time{}, int64(0)
		for range 10 {
			page, err := tx.History(ctx, u, "contacts", since, afterSeq, false, 2)
			if err != nil {
				return err
			}
			if len(page) == 0 {
				break
			}
			paged = append(paged, states(page)...)
			since, afterSeq = page[len(page)-1].Modified, page[len(page)-1].Seq
		}
		if want := []string{"a:1", "b:1", "d:1", "a:2-", "c:1", "b:2-"}; !slices.Equal(paged, want) {
			t.Errorf("History paged by 2 = %q, want %q", paged, want)
		}
		if its, err := tx.History(ctx, u, "notes", time.Time{}, 0, false, 0); err != nil || len(its) != 0 {
			t.Errorf("History(empty datastore) = %q, %v", guids(its), err)
		}
		return nil
	})
}

// pruneFixture writes, for a new user, three items whose versions are
// days old as of now:
//
//	x: 5 versions at -10, -8, -6, -4, -2 days
//	y: content at -10, tombstone (latest) at -9
//	z: content at -10, tombstone at -3, content again at -1
func pruneFixture(t *testing.T, s store.Store, name string, now time.Time) int64 {
	t.Helper()
	u := newUser(t, s, name)
	d := func(n int) time.Time { return now.Add(time.Duration(n) * day) }
	for i, n := range []int{-10, -8, -6, -4, -2} {
		at(t, s, u, "contacts", "x", fmt.Sprint("x", i+1), d(n))
	}
	at(t, s, u, "contacts", "y", "y1", d(-10))
	at(t, s, u, "contacts", "y", "", d(-9))
	at(t, s, u, "contacts", "z", "z1", d(-10))
	at(t, s, u, "contacts", "z", "", d(-3))
	at(t, s, u, "contacts", "z", "z3", d(-1))
	return u
}

func testPruneVersions(t *testing.T, s store.Store) {
	ctx := t.Context()
	now := t0.Add(100 * day)
	for i, c := range []struct {
		keep  store.Retention
		stats store.PruneStats
		left  []string // remaining versions of x, y, z
	}{
		{store.Retention{}, store.PruneStats{}, []string{"x:1", "x:2", "x:3", "x:4", "x:5", "y:1", "y:2-", "z:1", "z:2-", "z:3"}},
		{store.Retention{KeepVersions: 2}, store.PruneStats{Versions: 4, Items: 2, Bytes: 16},
			[]string{"x:4", "x:5", "y:1", "y:2-", "z:2-", "z:3"}},
		{store.Retention{KeepDays: 5}, store.PruneStats{Versions: 3, Items: 2, Bytes: 12},
			[]string{"x:3", "x:4", "x:5", "y:2-", "z:1", "z:2-", "z:3"}},
		{store.Retention{KeepVersions: 2, KeepDays: 5}, store.PruneStats{Versions: 2, Items: 1, Bytes: 8},
			[]string{"x:3", "x:4", "x:5", "y:1", "y:2-", "z:1", "z:2-", "z:3"}},
		{store.Retention{KeepVersions: 1}, store.PruneStats{Versions: 7, Tombstones: 1, Items: 3, Bytes: 24},
			[]string{"x:5", "y:2-", "z:3"}},
	} {
		u := pruneFixture(t, s, fmt.Sprint("u", i), now)
		var before []store.Item
		view(t, s, func(tx store.Tx) error {
			var err error
			before, err = tx.AllItems(ctx, u, "contacts", "", 0)
			if err != nil {
				return err
			}
			// A dry run works in a read-only transaction and removes nothing.
			st, err := tx.PruneVersions(ctx, u, "contacts", c.keep, now, true)
			if err != nil {
				return err
			}
			if st != c.stats {
				t.Errorf("PruneVersions(%+v, dry run) = %+v, want %+v", c.keep, st, c.stats)
			}
			return nil
		})
		update(t, s, func(tx store.Tx) error {
			st, err := tx.PruneVersions(ctx, u, "contacts", c.keep, now, false)
			if err != nil {
				return err
			}
			if st != c.stats {
				t.Errorf("PruneVersions(%+v) = %+v, want %+v", c.keep, st, c.stats)
			}
			again, err := tx.PruneVersions(ctx, u, "contacts", c.keep, now, false)
			if err != nil || again != (store.PruneStats{}) {
				t.Errorf("PruneVersions(%+v) again = %+v, %v; want nothing", c.keep, again, err)
			}
			return nil
		})
		view(t, s, func(tx store.Tx) error {
			var left []string
			for _, g := range []string{"x", "y", "z"} {
				vs, err := tx.Versions(ctx, u, "contacts", g)
				if err != nil {
					return err
				}
				left = append(left, states(vs)...)
			}
			if !slices.Equal(left, c.left) {
				t.Errorf("after PruneVersions(%+v): versions %q, want %q", c.keep, left, c.left)
			}
			// The latest versions, and so the change log, are untouched.
			after, err := tx.AllItems(ctx, u, "contacts", "", 0)
			if err != nil {
				return err
			}
			for i := range after {
				checkItem(t, "latest after prune", &after[i], before[i], true)
			}
			changes, err := tx.Changes(ctx, u, "contacts", 0, 100, "", 0)
			if err != nil || !slices.Equal(states(changes), []string{"x:5", "y:2-", "z:3"}) {
				t.Errorf("Changes after prune = %q, %v", states(changes), err)
			}
			if c.keep.KeepDays > 0 { // the state inside the window is intact
				its, err := tx.ItemsAsOf(ctx, u, "contacts", now.Add(-time.Duration(c.keep.KeepDays)*day), "", 0)
				if err != nil || !slices.Equal(states(its), []string{"x:3", "y:2-", "z:1"}) {
					t.Errorf("ItemsAsOf(cutoff) after prune = %q, %v", states(its), err)
				}
			}
			return nil
		})
		// Writing goes on from the latest version and sequence.
		if it := at(t, s, u, "contacts", "x", "x6", now); it.Version != 6 || it.Seq != 11 {
			t.Errorf("write after prune: version %d seq %d, want 6, 11", it.Version, it.Seq)
		}
	}
	view(t, s, func(tx store.Tx) error {
		st, err := tx.PruneVersions(ctx, 999999, "notes", store.Retention{KeepVersions: 1}, now, true)
		if err != nil || st != (store.PruneStats{}) {
			t.Errorf("PruneVersions(empty datastore) = %+v, %v", st, err)
		}
		return nil
	})
	err := s.Update(ctx, func(tx store.Tx) error {
		_, err := tx.PruneVersions(ctx, 1, "contacts", store.Retention{KeepVersions: -1}, now, false)
		return err
	})
	if err == nil {
		t.Errorf("PruneVersions with a negative policy succeeded")
	}
}

func testRetention(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := newUser(t, s, "u")
	view(t, s, func(tx store.Tx) error {
		_, err := tx.Retention(ctx, 0)
		wantNotFound(t, "Retention(default, unset)", err)
		_, err = tx.Retention(ctx, u)
		wantNotFound(t, "Retention(user, unset)", err)
		return nil
	})
	update(t, s, func(tx store.Tx) error {
		if err := tx.PutRetention(ctx, 0, store.Retention{KeepDays: 365}); err != nil {
			return err
		}
		if err := tx.PutRetention(ctx, u, store.Retention{KeepVersions: 3}); err != nil {
			return err
		}
		return tx.PutRetention(ctx, u, store.Retention{KeepVersions: 5, KeepDays: 30})
	})
	view(t, s, func(tx store.Tx) error {
		for id, want := range map[int64]store.Retention{0: {KeepDays: 365}, u: {KeepVersions: 5, KeepDays: 30}} {
			got, err := tx.Retention(ctx, id)
			if err != nil {
				return err
			}
			if *got != want {
				t.Errorf("Retention(%d) = %+v, want %+v", id, *got, want)
			}
		}
		return nil
	})
	err := s.Update(ctx, func(tx store.Tx) error { return tx.PutRetention(ctx, u, store.Retention{KeepDays: -1}) })
	if err == nil {
		t.Errorf("PutRetention with a negative value succeeded")
	}
}
