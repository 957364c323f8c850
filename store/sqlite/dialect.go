package sqlite

import (
	"errors"

	"github.com/mattn/go-sqlite3"

	"anchorage/store/sqlstore"
)

// dialect is SQLite's sqlstore.Dialect. SQLite runs one write transaction
// at a time (one write connection, BEGIN IMMEDIATE, which also excludes
// other processes on the file), so no row needs a lock.
type dialect struct{}

func (dialect) Name() string { return "sqlite" }

// Rebind keeps the placeholders ('?' and '?N' are SQLite's own) and writes
// booleans as the integers the schema stores: a partial index on
// "deleted = 1" serves only a query that says so.
func (dialect) Rebind(q string) string { return sqlstore.Bools(q, "1", "0") }

// NoLimit is SQLite's LIMIT -1.
func (dialect) NoLimit() any { return -1 }

func (dialect) LocksRows() bool   { return false }
func (dialect) Embedded() bool    { return true }
func (dialect) ReplaceInto() bool { return true }

func (dialect) In(col string, vals []string) (string, []any) { return sqlstore.InList(col, vals) }

// ListChunk keeps a statement's parameters well below SQLite's limit
// (32766 since 3.32), and the statement small.
func (dialect) ListChunk() int { return 500 }

func (dialect) IsForeignKeyViolation(err error) bool {
	return isConstraint(err, sqlite3.ErrConstraintForeignKey)
}

func (dialect) IsUniqueViolation(err error) bool {
	return isConstraint(err, sqlite3.ErrConstraintUnique) || isConstraint(err, sqlite3.ErrConstraintPrimaryKey)
}

func isConstraint(err error, code sqlite3.ErrNoExtended) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && se.ExtendedCode == code
}
