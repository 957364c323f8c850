package postgres

import (
	"errors"
	"sync"

	"github.com/jackc/pgx/v5/pgconn"

	"anchorage/store/sqlstore"
)

// dialect is PostgreSQL's sqlstore.Dialect. Several processes write one
// database, so a write transaction locks the rows of the datastores it
// touches; every statement is a round trip to the server.
type dialect struct {
	// queries caches each query text rewritten by Rebind.
	queries sync.Map
}

func (*dialect) Name() string { return "postgres" }

// Rebind turns the placeholders into $n and writes booleans as booleans.
func (d *dialect) Rebind(q string) string {
	if v, ok := d.queries.Load(q); ok {
		return v.(string)
	}
	r := sqlstore.DollarParams(sqlstore.Bools(q, "true", "false"))
	d.queries.Store(q, r)
	return r
}

// NoLimit is LIMIT NULL.
func (*dialect) NoLimit() any { return nil }

func (*dialect) LocksRows() bool   { return true }
func (*dialect) Embedded() bool    { return false }
func (*dialect) ReplaceInto() bool { return false }

// In passes the values as one text[] parameter: one statement text for
// every length, so one prepared statement.
func (*dialect) In(col string, vals []string) (string, []any) {
	return col + " = ANY(?)", []any{vals}
}

// ListChunk is unbounded: an array is one parameter.
func (*dialect) ListChunk() int { return 1 << 30 }

// SQLSTATE codes (PostgreSQL manual, appendix A).
const (
	codeUniqueViolation     = "23505"
	codeForeignKeyViolation = "23503"
)

func (*dialect) IsForeignKeyViolation(err error) bool {
	return isCode(err, codeForeignKeyViolation)
}

func (*dialect) IsUniqueViolation(err error) bool { return isCode(err, codeUniqueViolation) }

func isCode(err error, code string) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == code
}
