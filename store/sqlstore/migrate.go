package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
)

// Migration is one numbered schema migration, migrations/NNNN_name.sql of a
// backend's embedded files. A released migration is never edited: changes
// go into a new file.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// LoadMigrations reads migrations/*.sql from fsys, ordered by version.
func LoadMigrations(fsys fs.FS) ([]Migration, error) {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []Migration
	for _, name := range names {
		base := path.Base(name)
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name is not NNNN_name.sql", base)
		}
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		ms = append(ms, Migration{Version: v, Name: base, SQL: string(b)})
	}
	slices.SortFunc(ms, func(a, b Migration) int { return a.Version - b.Version })
	for i := 1; i < len(ms); i++ {
		if ms[i].Version == ms[i-1].Version {
			return nil, fmt.Errorf("migrations %s and %s have the same number", ms[i-1].Name, ms[i].Name)
		}
	}
	return ms, nil
}

// Migrate applies, in one transaction, the migrations of fsys not yet
// recorded in schema_migrations, recording each. It runs the setup
// statements first: they create schema_migrations if needed, and may take
// a lock so that processes starting together migrate once. It returns how
// many it applied, and fails on a database whose schema is newer than the
// newest migration (a downgraded binary).
func Migrate(ctx context.Context, db *sql.DB, d Dialect, fsys fs.FS, setup ...string) (int, error) {
	ms, err := LoadMigrations(fsys)
	if err != nil {
		return 0, fmt.Errorf("migrate: %w", err)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("migrate: %w", err)
	}
	defer tx.Rollback()
	for _, q := range setup {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return 0, fmt.Errorf("migrate: %w", err)
		}
	}
	// Every migration not recorded is applied, in order, not only those
	// above the highest recorded: branches that each added one may land
	// in either order.
	applied := map[int]bool{}
	rows, err := tx.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return 0, fmt.Errorf("migrate: %w", err)
	}
	cur := 0
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return 0, fmt.Errorf("migrate: %w", err)
		}
		applied[v], cur = true, max(cur, v)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("migrate: %w", err)
	}
	if len(ms) > 0 && cur > ms[len(ms)-1].Version {
		return 0, fmt.Errorf("migrate: database schema version %d is newer than this program's (%d)", cur, ms[len(ms)-1].Version)
	}
	n := 0
	for _, m := range ms {
		if applied[m.Version] {
			continue
		}
		if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
			return 0, fmt.Errorf("migrate: %s: %w", m.Name, err)
		}
		if _, err := tx.ExecContext(ctx, d.Rebind(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`),
			m.Version, m.Name, nanos(now())); err != nil {
			return 0, fmt.Errorf("migrate: %s: %w", m.Name, err)
		}
		n++
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("migrate: %w", err)
	}
	return n, nil
}
