package postgres

import (
	"anchorage/store/sqlstore"

	"context"
	"fmt"
	"time"
)

// Ready checks that the database answers a query and that every migration
// this program embeds is applied: what GET /readyz reports.
func (s *Store) Ready(ctx context.Context) error {
	ms, err := sqlstore.LoadMigrations(migrationFS)
	if err != nil {
		return fmt.Errorf("postgres: ready: %w", err)
	}
	var applied int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&applied); err != nil {
		return fmt.Errorf("postgres: ready: %w", err)
	}
	if applied < len(ms) {
		return fmt.Errorf("postgres: ready: %d of %d migrations applied", applied, len(ms))
	}
	return nil
}

// sizeTimeout bounds Size, which the metrics gauge calls without a context.
const sizeTimeout = 5 * time.Second

// Size is the database's size on disk (pg_database_size), for the metrics
// gauge.
func (s *Store) Size() (int64, error) {
	ctx, cancel := context.WithTimeout(context.Background(), sizeTimeout)
	defer cancel()
	var n int64
	if err := s.pool.QueryRow(ctx, `SELECT pg_database_size(current_database())`).Scan(&n); err != nil {
		return 0, fmt.Errorf("postgres: size: %w", err)
	}
	return n, nil
}
