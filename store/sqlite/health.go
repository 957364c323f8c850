package sqlite

import (
	"anchorage/store/sqlstore"

	"context"
	"fmt"
	"os"
)

// Ready checks that the database answers a query and that every migration
// this program embeds is applied: what GET /readyz reports.
func (s *Store) Ready(ctx context.Context) error {
	ms, err := sqlstore.LoadMigrations(migrationFS)
	if err != nil {
		return fmt.Errorf("sqlite: ready: %w", err)
	}
	var applied int
	if err := s.rdb.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&applied); err != nil {
		return fmt.Errorf("sqlite: ready: %w", err)
	}
	if applied < len(ms) {
		return fmt.Errorf("sqlite: ready: %d of %d migrations applied", applied, len(ms))
	}
	return nil
}

// Size is the database's size on disk: the file and its write-ahead log.
func (s *Store) Size() (int64, error) {
	fi, err := os.Stat(s.path)
	if err != nil {
		return 0, fmt.Errorf("sqlite: size: %w", err)
	}
	n := fi.Size()
	if wal, err := os.Stat(s.path + "-wal"); err == nil {
		n += wal.Size()
	}
	return n, nil
}
