package sqlstore

import (
	"strconv"
	"strings"
)

// Dialect is what differs between the databases this package runs on. The
// queries of this package are written once, with '?' placeholders ("?N" for
// a parameter used twice) and the literals {true} and {false}; a Dialect
// rewrites them, and answers the few questions where the two databases
// need different statements.
type Dialect interface {
	// Name prefixes error messages ("sqlite", "postgres").
	Name() string
	// Rebind rewrites one of this package's queries for the database (see
	// Bools and DollarParams). It is called for every statement: a Dialect
	// whose rewriting costs more than a scan of q caches it.
	Rebind(q string) string
	// NoLimit is the LIMIT argument meaning "every row".
	NoLimit() any
	// LocksRows tells whether a write transaction must lock the row of
	// every datastore it touches (SELECT ... FOR UPDATE) to serialise
	// writers of one datastore. A database that runs one write
	// transaction at a time (SQLite) serialises them already.
	LocksRows() bool
	// Embedded tells whether statements run in process: then a point
	// lookup per key on a cached statement costs less than one query with
	// a list, whose text changes with its length. A server (PostgreSQL)
	// wants one round trip instead.
	Embedded() bool
	// In returns the condition "col is one of vals" and its arguments, for
	// at most ListChunk() values.
	In(col string, vals []string) (cond string, args []any)
	// ListChunk bounds the values of one In condition.
	ListChunk() int
	// ReplaceInto tells whether "INSERT OR REPLACE" is available: it
	// deletes the rows conflicting on any unique key, in one statement.
	ReplaceInto() bool
	// IsForeignKeyViolation tells whether err is a foreign-key failure.
	IsForeignKeyViolation(err error) bool
	// IsUniqueViolation tells whether err is a unique or primary key
	// failure.
	IsUniqueViolation(err error) bool
}

// Bools replaces the {true} and {false} literals of q.
func Bools(q, t, f string) string {
	if !strings.Contains(q, "{") {
		return q
	}
	return strings.NewReplacer("{true}", t, "{false}", f).Replace(q)
}

// DollarParams turns q's placeholders into PostgreSQL's, numbered as
// SQLite numbers them: "?N" is $N, and "?" is one above the largest number
// so far. No query of this package has a '?' in a literal.
func DollarParams(q string) string {
	var b strings.Builder
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] != '?' {
			b.WriteByte(q[i])
			continue
		}
		j := i + 1
		for j < len(q) && q[j] >= '0' && q[j] <= '9' {
			j++
		}
		if j > i+1 {
			k, _ := strconv.Atoi(q[i+1 : j])
			n = max(n, k)
			b.WriteString("$" + q[i+1:j])
		} else {
			n++
			b.WriteString("$" + strconv.Itoa(n))
		}
		i = j - 1
	}
	return b.String()
}

// InList is the In of a database without array parameters: col IN (?, ...).
func InList(col string, vals []string) (string, []any) {
	args := make([]any, len(vals))
	for i, v := range vals {
		args[i] = v
	}
	return col + " IN (?" + strings.Repeat(", ?", len(vals)-1) + ")", args
}
