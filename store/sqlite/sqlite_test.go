package sqlite

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"anchorage/store"
	"anchorage/store/sqlstore"
	"anchorage/store/storetest"
)

func openTest(t testing.TB, path string) *Store {
	t.Helper()
	s, err := Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		return openTest(t, filepath.Join(t.TempDir(), "anchorage.db"))
	})
}

func TestOpenOddPath(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a dir?with#odd%chars")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "x.db")
	openTest(t, path)
	if _, err := os.Stat(path); err != nil {
		t.Errorf("database not created at %q: %v", path, err)
	}
	if _, err := Open(":memory:"); err == nil {
		t.Errorf("Open(:memory:) succeeded")
	}
}

func TestReopenPersists(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "a.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	u := &store.User{Name: "alice", PasswordHash: []byte("h")}
	err = s.Update(ctx, func(tx store.Tx) error {
		if err := tx.CreateUser(ctx, u); err != nil {
			return err
		}
		for i := range 3 {
			if _, err := tx.WriteItem(ctx, &store.ItemWrite{UserID: u.ID, Datastore: "contacts",
				GUID: fmt.Sprint("g", i), Data: []byte("data")}); err != nil {
				return err
			}
		}
		return tx.PutMapping(ctx, &store.Mapping{UserID: u.ID, DeviceID: "d", Datastore: "contacts", LUID: "1", GUID: "g0"})
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	s = openTest(t, path)
	err = s.Update(ctx, func(tx store.Tx) error {
		got, err := tx.UserByName(ctx, "alice")
		if err != nil {
			return err
		}
		if got.ID != u.ID {
			t.Errorf("user id %d after reopen, want %d", got.ID, u.ID)
		}
		if m, err := tx.MapByGUID(ctx, u.ID, "d", "contacts", "g0"); err != nil || m.LUID != "1" {
			t.Errorf("mapping after reopen: %+v, %v", m, err)
		}
		it, err := tx.WriteItem(ctx, &store.ItemWrite{UserID: u.ID, Datastore: "contacts", GUID: "g0", Data: []byte("v2")})
		if err != nil {
			return err
		}
		if it.Seq != 4 || it.Version != 2 {
			t.Errorf("write after reopen: seq %d version %d, want 4, 2", it.Seq, it.Version)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestWAL(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "a.db")
	s := openTest(t, path)
	for _, c := range []struct {
		name   string
		pragma string
		want   string
	}{
		{"write", "journal_mode", "wal"},
		{"write", "foreign_keys", "1"},
		{"write", "synchronous", "1"}, // NORMAL
		{"write", "busy_timeout", "10000"},
		{"read", "journal_mode", "wal"},
		{"read", "foreign_keys", "1"},
		{"read", "query_only", "1"},
		{"read", "busy_timeout", "10000"},
	} {
		db := s.wdb
		if c.name == "read" {
			db = s.rdb
		}
		var got string
		if err := db.QueryRowContext(ctx, "PRAGMA "+c.pragma).Scan(&got); err != nil {
			t.Fatalf("PRAGMA %s: %v", c.pragma, err)
		}
		if got != c.want {
			t.Errorf("%s connection: PRAGMA %s = %q, want %q", c.name, c.pragma, got, c.want)
		}
	}
	if err := s.Update(ctx, func(tx store.Tx) error {
		return tx.CreateUser(ctx, &store.User{Name: "u"})
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + "-wal"); err != nil {
		t.Errorf("no WAL file after a write: %v", err)
	}
}

func TestMigrations(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "a.db")
	embedded, err := sqlstore.LoadMigrations(migrationFS)
	if err != nil {
		t.Fatal(err)
	}
	if len(embedded) == 0 || embedded[0].Version != 1 {
		t.Fatalf("embedded migrations: %+v", embedded)
	}
	versions := func(s *Store) string {
		t.Helper()
		rows, err := s.wdb.QueryContext(ctx, `SELECT version, name FROM schema_migrations ORDER BY version`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var vs []string
		for rows.Next() {
			var v int
			var name string
			if err := rows.Scan(&v, &name); err != nil {
				t.Fatal(err)
			}
			vs = append(vs, fmt.Sprint(v, ":", name))
		}
		return strings.Join(vs, " ")
	}

	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	want := versions(s)
	if n := strings.Count(want, ":"); n != len(embedded) {
		t.Errorf("schema_migrations after first Open: %q, want %d rows", want, len(embedded))
	}
	s.Close()
	s = openTest(t, path) // reopen: nothing to apply
	if got := versions(s); got != want {
		t.Errorf("schema_migrations after reopen: %q, want %q", got, want)
	}
	if n, err := migrate(ctx, s.wdb, migrationFS); err != nil || n != 0 {
		t.Errorf("migrate again = %d, %v; want 0, nil", n, err)
	}

	// A newer migration: only it is applied, once.
	next := fstest.MapFS{}
	for _, m := range embedded {
		next["migrations/"+m.Name] = &fstest.MapFile{Data: []byte(m.SQL)}
	}
	newer := fmt.Sprintf("%04d_extra.sql", embedded[len(embedded)-1].Version+1)
	next["migrations/"+newer] = &fstest.MapFile{Data: []byte(
		"CREATE TABLE extra (id INTEGER PRIMARY KEY);\nINSERT INTO extra (id) VALUES (1);")}
	if n, err := migrate(ctx, s.wdb, next); err != nil || n != 1 {
		t.Fatalf("migrate with a newer migration = %d, %v; want 1, nil", n, err)
	}
	if n, err := migrate(ctx, s.wdb, next); err != nil || n != 0 {
		t.Errorf("migrate again = %d, %v; want 0, nil", n, err)
	}
	var rows int
	if err := s.wdb.QueryRowContext(ctx, `SELECT count(*) FROM extra`).Scan(&rows); err != nil || rows != 1 {
		t.Errorf("extra table: %d rows, %v; want 1 (applied once)", rows, err)
	}

	// A migration numbered below the newest applied one (two branches,
	// merged in the other order) is applied too, once.
	gap := fmt.Sprintf("%04d_gap.sql", embedded[len(embedded)-1].Version+3)
	next["migrations/"+gap] = &fstest.MapFile{Data: []byte("CREATE TABLE gap (id INTEGER);")}
	if _, err := s.wdb.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'later.sql', 0)`,
		embedded[len(embedded)-1].Version+4); err != nil {
		t.Fatal(err)
	}
	next[fmt.Sprintf("migrations/%04d_later.sql", embedded[len(embedded)-1].Version+4)] = &fstest.MapFile{Data: []byte("SELECT 1;")}
	if n, err := migrate(ctx, s.wdb, next); err != nil || n != 1 {
		t.Fatalf("migrate with a missing lower-numbered migration = %d, %v; want 1, nil", n, err)
	}
	if err := s.wdb.QueryRowContext(ctx, `SELECT count(*) FROM gap`).Scan(&rows); err != nil {
		t.Errorf("the gap migration was not applied: %v", err)
	}
	delete(next, "migrations/"+gap)

	// The database is now newer than the embedded migrations: refuse.
	if _, err := migrate(ctx, s.wdb, migrationFS); err == nil {
		t.Errorf("migrate of a newer database with older migrations succeeded")
	}

	// A failing migration leaves nothing behind.
	bad := fstest.MapFS{}
	for name, f := range next {
		bad[name] = f
	}
	bad[fmt.Sprintf("migrations/%04d_bad.sql", embedded[len(embedded)-1].Version+2)] = &fstest.MapFile{Data: []byte(
		"CREATE TABLE half (id INTEGER);\nTHIS IS NOT SQL;")}
	if _, err := migrate(ctx, s.wdb, bad); err == nil {
		t.Errorf("a broken migration succeeded")
	}
	if err := s.wdb.QueryRowContext(ctx, `SELECT count(*) FROM half`).Scan(&rows); err == nil {
		t.Errorf("a failed migration left its table behind")
	}

	for _, names := range [][]string{{"x_init.sql"}, {"0001_a.sql", "0001_b.sql"}, {"0000_zero.sql"}} {
		fsys := fstest.MapFS{}
		for _, n := range names {
			fsys["migrations/"+n] = &fstest.MapFile{Data: []byte("SELECT 1;")}
		}
		if _, err := sqlstore.LoadMigrations(fsys); err == nil {
			t.Errorf("LoadMigrations(%q) succeeded", names)
		}
	}
	var _ fs.FS = migrationFS
}

// TestTwoHandles opens the file twice, as two server processes would, and
// writes from both at once: BEGIN IMMEDIATE and the busy timeout make them
// wait for each other instead of failing with SQLITE_BUSY.
func TestTwoHandles(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "a.db")
	a := openTest(t, path)
	b := openTest(t, path)
	u := &store.User{Name: "u"}
	if err := a.Update(ctx, func(tx store.Tx) error { return tx.CreateUser(ctx, u) }); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for i, s := range []*Store{a, b, a, b} {
		wg.Go(func() {
			for r := range 25 {
				err := s.Update(ctx, func(tx store.Tx) error {
					last, err := tx.LastSeq(ctx, u.ID, "contacts")
					if err != nil {
						return err
					}
					it, err := tx.WriteItem(ctx, &store.ItemWrite{UserID: u.ID, Datastore: "contacts",
						GUID: fmt.Sprint(i, "-", r), Data: []byte("x")})
					if err == nil && it.Seq != last+1 {
						err = fmt.Errorf("seq %d after %d", it.Seq, last)
					}
					return err
				})
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	err := b.View(ctx, func(tx store.Tx) error {
		last, err := tx.LastSeq(ctx, u.ID, "contacts")
		if err == nil && last != 100 {
			err = fmt.Errorf("LastSeq = %d, want 100", last)
		}
		return err
	})
	if err != nil {
		t.Error(err)
	}
}

// TestTombstoneKeepsSummary checks this backend's choice that a tombstone
// inherits the human-readable fields of the version it deletes.
func TestTombstoneKeepsSummary(t *testing.T) {
	ctx := t.Context()
	s := openTest(t, filepath.Join(t.TempDir(), "a.db"))
	err := s.Update(ctx, func(tx store.Tx) error {
		u := &store.User{Name: "u"}
		if err := tx.CreateUser(ctx, u); err != nil {
			return err
		}
		if _, err := tx.WriteItem(ctx, &store.ItemWrite{UserID: u.ID, Datastore: "contacts", GUID: "a",
			ContentType: "text/vcard", Data: []byte("x"), UID: "U", MatchKey: "K", Summary: "John"}); err != nil {
			return err
		}
		it, err := tx.WriteItem(ctx, &store.ItemWrite{UserID: u.ID, Datastore: "contacts", GUID: "a", Delete: true})
		if err != nil {
			return err
		}
		if it.Summary != "John" || it.UID != "U" || it.MatchKey != "K" || it.ContentType != "text/vcard" || it.Data != nil {
			t.Errorf("tombstone = %+v", it)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestQueryPlans checks that the queries of a sync use indexes: their cost
// must not grow with the size of the datastore.
func TestQueryPlans(t *testing.T) {
	ctx := t.Context()
	s := openTest(t, filepath.Join(t.TempDir(), "a.db"))
	for _, c := range sqlstore.HotQueries(dialect{}.NoLimit()) {
		rows, err := s.wdb.QueryContext(ctx, "EXPLAIN QUERY PLAN "+dialect{}.Rebind(c.Query), c.Args...)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		t.Logf("%s: %q", c.Name, plan)
		for _, step := range plan {
			if strings.HasPrefix(step, "SCAN") || strings.Contains(step, "TEMP B-TREE") {
				t.Errorf("%s: plan %q scans or sorts", c.Name, plan)
			}
		}
	}
}
