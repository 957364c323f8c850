package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/jackc/pgx/v5"
)

// dbCounters are PostgreSQL's cumulative counters of one database, read
// before and after a phase (--pg-stats): the difference divided by the
// phase's sessions is what one session costs the database.
type dbCounters struct {
	Statements int64 // pg_stat_statements calls; -1 without the extension
	Commits    int64 // pg_stat_database xact_commit
	Rollbacks  int64
	Returned   int64 // tup_returned: rows scanned
	Fetched    int64 // tup_fetched: rows fetched by index
	Inserted   int64
	Updated    int64
	Deleted    int64
}

// readDBCounters reads the counters of the database dsn names. The
// statements of this reader are not counted (they are excluded by text).
// Backends publish pg_stat_database at most once a second, so a reader
// waits that long after a phase before reading.
func readDBCounters(ctx context.Context, dsn string) (dbCounters, error) {
	var c dbCounters
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return c, fmt.Errorf("connect for statistics: %w", err)
	}
	defer conn.Close(ctx)
	err = conn.QueryRow(ctx, `SELECT xact_commit, xact_rollback, tup_returned, tup_fetched,
		tup_inserted, tup_updated, tup_deleted FROM pg_stat_database WHERE datname = current_database()`).
		Scan(&c.Commits, &c.Rollbacks, &c.Returned, &c.Fetched, &c.Inserted, &c.Updated, &c.Deleted)
	if err != nil {
		return c, fmt.Errorf("read pg_stat_database: %w", err)
	}
	c.Statements = -1
	_ = conn.QueryRow(ctx, `SELECT coalesce(sum(calls), 0)::bigint FROM pg_stat_statements
		WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
		AND query NOT LIKE '%pg_stat_%'`).Scan(&c.Statements) // absent extension: stays -1
	return c, nil
}

// sub is the change from before to c.
func (c dbCounters) sub(before dbCounters) dbCounters {
	d := dbCounters{Statements: -1, Commits: c.Commits - before.Commits, Rollbacks: c.Rollbacks - before.Rollbacks,
		Returned: c.Returned - before.Returned, Fetched: c.Fetched - before.Fetched,
		Inserted: c.Inserted - before.Inserted, Updated: c.Updated - before.Updated, Deleted: c.Deleted - before.Deleted}
	if c.Statements >= 0 && before.Statements >= 0 {
		d.Statements = c.Statements - before.Statements
	}
	return d
}

// print reports the change per session.
func (c dbCounters) print(w io.Writer, sessions int) {
	per := func(n int64) string { return fmt.Sprintf("%.1f", float64(n)/float64(max(1, sessions))) }
	stmts := "unknown (no pg_stat_statements)"
	if c.Statements >= 0 {
		stmts = per(c.Statements)
	}
	fmt.Fprintf(w, "   database per session: statements %s, commits %s, rollbacks %s, rows returned %s fetched %s inserted %s updated %s deleted %s\n",
		stmts, per(c.Commits), per(c.Rollbacks), per(c.Returned), per(c.Fetched), per(c.Inserted), per(c.Updated), per(c.Deleted))
}

// statsSettle is how long to wait after a phase for the backends'
// pg_stat_database counters to be published.
const statsSettle = 2 * time.Second
