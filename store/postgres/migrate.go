package postgres

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
)

// migrationFS holds the schema as numbered migrations, NNNN_name.sql,
// applied in order. They carry the numbers of store/sqlite's migrations
// that they port; a released migration is never edited.
//
//go:embed migrations/*.sql
var migrationFS embed.FS

type migration struct {
	version int
	name    string
	sql     string
}

func loadMigrations(fsys fs.FS) ([]migration, error) {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []migration
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
		ms = append(ms, migration{version: v, name: base, sql: string(b)})
	}
	slices.SortFunc(ms, func(a, b migration) int { return a.version - b.version })
	return ms, nil
}

// migrateLock is the advisory lock key that makes nodes starting together
// migrate one after the other ("anchor" in ASCII).
const migrateLock = 0x616e63686f72

// migrate applies, in one transaction, the migrations not yet recorded in
// schema_migrations, and fails on a database whose schema is newer than
// the newest migration (a downgraded binary). It returns how many it
// applied.
func (s *Store) migrate(ctx context.Context) (int, error) {
	ms, err := loadMigrations(migrationFS)
	if err != nil {
		return 0, fmt.Errorf("migrate: %w", err)
	}
	ptx, err := s.pool.Begin(ctx)
	if err != nil {
		return 0, fmt.Errorf("migrate: %w", err)
	}
	defer ptx.Rollback(context.WithoutCancel(ctx))
	for _, q := range []string{
		`SELECT pg_advisory_xact_lock(` + strconv.Itoa(migrateLock) + `)`,
		`CREATE TABLE IF NOT EXISTS schema_migrations (
	version    BIGINT NOT NULL PRIMARY KEY,
	name       TEXT   NOT NULL,
	applied_at BIGINT NOT NULL
)`,
	} {
		if _, err := ptx.Exec(ctx, q); err != nil {
			return 0, fmt.Errorf("migrate: %w", err)
		}
	}
	rows, err := ptx.Query(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return 0, fmt.Errorf("migrate: %w", err)
	}
	applied := map[int]bool{}
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
	if len(ms) > 0 && cur > ms[len(ms)-1].version {
		return 0, fmt.Errorf("migrate: database schema version %d is newer than this program's (%d)", cur, ms[len(ms)-1].version)
	}
	n := 0
	for _, m := range ms {
		if applied[m.version] {
			continue
		}
		if _, err := ptx.Exec(ctx, m.sql); err != nil {
			return 0, fmt.Errorf("migrate: %s: %w", m.name, err)
		}
		if _, err := ptx.Exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
			m.version, m.name, nanos(now())); err != nil {
			return 0, fmt.Errorf("migrate: %s: %w", m.name, err)
		}
		n++
	}
	if err := ptx.Commit(ctx); err != nil {
		return 0, fmt.Errorf("migrate: %w", err)
	}
	return n, nil
}
