package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// Backup writes a consistent snapshot of the database to the new file to,
// while other connections and processes go on reading and writing. It uses
// SQLite's VACUUM INTO (https://sqlite.org/lang_vacuum.html#vacuuminto),
// which reads the database in one read transaction: the copy is the state
// of the last commit before it started, compacted, and never holds a
// half-written transaction. The leases of sessions in flight are dropped
// from the copy (dropLeases). The copy is written beside to and renamed
// into place, so a failed backup leaves no partial file under that name.
func (s *Store) Backup(ctx context.Context, to string) error {
	if _, err := os.Stat(to); err == nil {
		return fmt.Errorf("sqlite: backup to %s: the file exists", to)
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("sqlite: backup to %s: %w", to, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(to), "."+filepath.Base(to)+".*.tmp")
	if err != nil {
		return fmt.Errorf("sqlite: backup to %s: %w", to, err)
	}
	tmpName := tmp.Name()
	tmp.Close()
	os.Remove(tmpName) // VACUUM INTO wants a file that does not exist
	defer os.Remove(tmpName)

	// A connection of its own: the read pool is query-only, which refuses
	// VACUUM, and the write connection would hold up every Update.
	db, err := sql.Open("sqlite3", dsn(s.path, url.Values{"_busy_timeout": {fmt.Sprint(BusyTimeout.Milliseconds())}}))
	if err != nil {
		return fmt.Errorf("sqlite: backup %s: %w", s.path, err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", tmpName); err != nil {
		return fmt.Errorf("sqlite: backup %s to %s: %w", s.path, to, err)
	}
	if err := dropLeases(ctx, tmpName); err != nil {
		return fmt.Errorf("sqlite: backup to %s: %w", to, err)
	}
	if err := os.Rename(tmpName, to); err != nil {
		return fmt.Errorf("sqlite: backup to %s: %w", to, err)
	}
	return nil
}

// dropLeases empties datastore_leases in the copy at path. A lease belongs
// to a session of the running server; a server started on the copy has no
// such session, and would keep the datastore busy (503) until the lease
// expired. The sessions themselves stay: a device whose session was cut by
// the restore starts again as after a server crash.
func dropLeases(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite3", dsn(path, url.Values{}))
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "DELETE FROM datastore_leases"); err != nil {
		return fmt.Errorf("drop leases: %w", err)
	}
	return db.Close()
}

// Counts are the number of rows a backup holds, as Verify reports them.
type Counts struct {
	Users, Devices, Items, Versions int64
	// Migrations is the number of schema migrations applied to the file.
	Migrations int64
}

// Verify opens the database file at path read-only, runs SQLite's
// integrity check (PRAGMA integrity_check) and counts its users, devices,
// items and item versions. It changes nothing in the file.
func Verify(ctx context.Context, path string) (Counts, error) {
	var c Counts
	if _, err := os.Stat(path); err != nil {
		return c, fmt.Errorf("sqlite: verify: %w", err)
	}
	db, err := sql.Open("sqlite3", dsn(path, url.Values{"mode": {"ro"}, "_query_only": {"1"}}))
	if err != nil {
		return c, fmt.Errorf("sqlite: verify %s: %w", path, err)
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		return c, fmt.Errorf("sqlite: verify %s: %w", path, err)
	}
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			rows.Close()
			return c, fmt.Errorf("sqlite: verify %s: %w", path, err)
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return c, fmt.Errorf("sqlite: verify %s: %w", path, err)
	}
	if len(problems) > 0 {
		return c, fmt.Errorf("sqlite: verify %s: integrity check failed: %s", path, strings.Join(problems, "; "))
	}
	for _, q := range []struct {
		table string
		n     *int64
	}{
		{"users", &c.Users}, {"devices", &c.Devices}, {"items", &c.Items},
		{"item_versions", &c.Versions}, {"schema_migrations", &c.Migrations},
	} {
		if err := db.QueryRowContext(ctx, "SELECT count(*) FROM "+q.table).Scan(q.n); err != nil {
			return c, fmt.Errorf("sqlite: verify %s: not an Anchorage database (%s): %w", path, q.table, err)
		}
	}
	return c, nil
}
