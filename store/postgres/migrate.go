package postgres

import (
	"context"
	"embed"
	"strconv"

	"anchorage/store/sqlstore"
)

// migrationFS holds the schema as numbered migrations, NNNN_name.sql,
// applied in order. They carry the numbers of store/sqlite's migrations
// that they port; a released migration is never edited.
//
//go:embed migrations/*.sql
var migrationFS embed.FS

// migrateLock is the advisory lock key that makes nodes starting together
// migrate one after the other ("anchor" in ASCII).
const migrateLock = 0x616e63686f72

// migrate applies the migrations the database lacks (sqlstore.Migrate),
// under the advisory lock.
func (s *Store) migrate(ctx context.Context) (int, error) {
	return sqlstore.Migrate(ctx, s.db, s.d, migrationFS,
		`SELECT pg_advisory_xact_lock(`+strconv.Itoa(migrateLock)+`)`,
		`CREATE TABLE IF NOT EXISTS schema_migrations (
	version    BIGINT NOT NULL PRIMARY KEY,
	name       TEXT   NOT NULL,
	applied_at BIGINT NOT NULL
)`)
}
