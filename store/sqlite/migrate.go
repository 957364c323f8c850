package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"io/fs"

	"anchorage/store/sqlstore"
)

// migrationFS holds the schema as numbered migrations, NNNN_name.sql,
// applied in order. A released migration is never edited: changes go into
// a new file.
//
//go:embed migrations/*.sql
var migrationFS embed.FS

// migrate applies the migrations of fsys that the database lacks
// (sqlstore.Migrate).
func migrate(ctx context.Context, db *sql.DB, fsys fs.FS) (int, error) {
	return sqlstore.Migrate(ctx, db, dialect{}, fsys, `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    INTEGER NOT NULL PRIMARY KEY,
	name       TEXT    NOT NULL,
	applied_at INTEGER NOT NULL
) STRICT`)
}
