// Package sqlstore implements store.Store on database/sql, once for every
// SQL database Anchorage runs on. The queries, the row scanning and the
// concurrency contract of store.Store live here; a Dialect (store/sqlite,
// store/postgres) supplies what differs between the databases: placeholder
// syntax, boolean literals, list parameters, row locks and error codes.
// The backends keep what is theirs: opening and configuring connections,
// migrations, backup and health queries.
//
// Concurrency (see store.Store): a write transaction locks the row of every
// datastore it touches before it reads or writes the datastore, when the
// Dialect LocksRows; a database that runs one write transaction at a time
// (SQLite) needs no lock. Either way the transaction reads the datastore's
// last change sequence once, counts the sequences it gives out in memory,
// and stores the last one at commit (seq.go).
//
// A new store method is written once, in the file of its topic: its SQL
// with '?' placeholders (or "?N" only) and {true}/{false} for booleans, run
// through tx's queryRow, query and exec, its errors made with tx's errorf.
// Where the databases need different statements, a Dialect method says
// which (Embedded, ReplaceInto, LocksRows, In).
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"time"

	"anchorage/store"
)

// Config is what a backend opens for a Store.
type Config struct {
	Dialect Dialect
	// Write runs every Update, Read every View; they may be one *sql.DB.
	Write, Read *sql.DB
	// WriteTx and ReadTx are the options of their transactions.
	WriteTx, ReadTx *sql.TxOptions
	// ConnTx, when set, runs each transaction on a connection it holds,
	// begun and ended by its own statements, with the statements run
	// without the caller's cancellation: the context is checked instead
	// when the transaction begins and before it commits, so a cancelled
	// context still fails the transaction and writes nothing, but a
	// statement that runs is not interrupted. For a database whose
	// statements are short and local (SQLite): database/sql's Tx starts a
	// goroutine to watch the context for every transaction, and one for
	// every query's rows in it, and their start and wake-up were most of a
	// small request's scheduling work.
	ConnTx *ConnTx
}

// ConnTx holds the statements that begin a transaction on a held
// connection: a write transaction (Update) and a read one (View).
type ConnTx struct {
	BeginWrite, BeginRead string
}

// Store is a store.Store on one database. It is safe for concurrent use.
type Store struct {
	c Config
	d Dialect
}

var _ store.Store = (*Store)(nil)

// New returns a Store on the opened databases of c; Close closes them.
func New(c Config) *Store {
	if c.Read == nil {
		c.Read = c.Write
	}
	return &Store{c: c, d: c.Dialect}
}

// Update runs fn in a write transaction and commits it if fn returns nil;
// fn's error is returned as is. Two Updates that touch one datastore run
// one after the other; calling Update from inside fn may deadlock.
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) error {
	return s.run(ctx, s.c.Write, s.c.WriteTx, true, fn)
}

// View runs fn in a read-only snapshot of the last committed state, taken
// concurrently with writes.
func (s *Store) View(ctx context.Context, fn func(store.Tx) error) error {
	return s.run(ctx, s.c.Read, s.c.ReadTx, false, fn)
}

func (s *Store) run(ctx context.Context, db *sql.DB, opts *sql.TxOptions, writable bool, fn func(store.Tx) error) error {
	if s.c.ConnTx != nil {
		return s.runOnConn(ctx, db, writable, fn)
	}
	stx, err := db.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("%s: begin: %w", s.d.Name(), err)
	}
	committed := false
	defer func() {
		if !committed {
			// Also on panic: the connection must go back to the pool clean.
			stx.Rollback()
		}
	}()
	t := &tx{q: stx, s: s, writable: writable}
	if err := fn(t); err != nil {
		return err
	}
	if err := t.flushSeqs(ctx); err != nil {
		return err
	}
	committed = true
	if err := stx.Commit(); err != nil {
		return fmt.Errorf("%s: commit: %w", s.d.Name(), err)
	}
	return nil
}

// Close closes the databases. It must not be called while transactions
// run.
func (s *Store) Close() error {
	err := s.c.Write.Close()
	if s.c.Read != s.c.Write {
		err = errors.Join(s.c.Read.Close(), err)
	}
	return err
}

// tx implements store.Tx on one *sql.Tx.
type tx struct {
	q        querier // the *sql.Tx, or the held *sql.Conn under Config.ConnTx
	s        *Store
	writable bool
	// detached is the context, without cancellation, of every statement
	// under Config.ConnTx; nil otherwise.
	detached context.Context
	ds       map[dsKey]int64 // datastore ids known (and, writable, locked) in this transaction
	// seqs holds, per datastore id, the last sequence number this
	// transaction gave out; it is written to datastores.last_seq once, at
	// commit (seq.go).
	seqs map[int64]int64
	// lastSeq holds, in a write transaction, the last_seq of the
	// datastores it touched, as read (with the lock) at the first touch.
	lastSeq map[int64]int64
	// absentKeys holds, per datastore id, the keys a batch's twin
	// searches need not ask for (twinkeys.go).
	absentKeys map[int64]*absentKeys
}

var _ store.Tx = (*tx)(nil)

type dsKey struct {
	userID int64
	name   string
}

func (t *tx) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return t.q.QueryRowContext(t.stmtCtx(ctx), t.s.d.Rebind(q), args...)
}

func (t *tx) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return t.q.QueryContext(t.stmtCtx(ctx), t.s.d.Rebind(q), args...)
}

func (t *tx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return t.q.ExecContext(t.stmtCtx(ctx), t.s.d.Rebind(q), args...)
}

// stmtCtx is the context a statement runs with: ctx, or under
// Config.ConnTx the transaction's, without cancellation.
func (t *tx) stmtCtx(ctx context.Context) context.Context {
	if t.detached != nil {
		return t.detached
	}
	return ctx
}

// errorf is fmt.Errorf with the Dialect's name in front.
func (t *tx) errorf(format string, a ...any) error {
	return fmt.Errorf("%s: %w", t.s.d.Name(), fmt.Errorf(format, a...))
}

// Times are stored as Unix nanoseconds; a nullable column holds NULL for the
// zero time. Values read back are in UTC.

// Times outside the int64 nanosecond range (years 1678 to 2262) are clamped
// to it rather than wrapped around.
var (
	minTime = time.Unix(0, math.MinInt64)
	maxTime = time.Unix(0, math.MaxInt64)
)

func nanos(t time.Time) int64 {
	switch {
	case t.Before(minTime):
		return math.MinInt64
	case t.After(maxTime):
		return math.MaxInt64
	}
	return t.UnixNano()
}

func nullNanos(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return nanos(t)
}

func fromNanos(n int64) time.Time { return time.Unix(0, n).UTC() }

func fromNullNanos(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return fromNanos(n.Int64)
}

// now is the time stored when the caller leaves one zero, truncated to
// microseconds as every backend keeps it.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// limitArg turns the interface's "0 = no limit" into the Dialect's.
func (t *tx) limitArg(limit int) any {
	if limit <= 0 {
		return t.s.d.NoLimit()
	}
	return limit
}

// userFK turns a foreign-key failure on a user_id into ErrNotFound.
func (t *tx) userFK(err error, userID int64) error {
	if err != nil && t.s.d.IsForeignKeyViolation(err) {
		return fmt.Errorf("user %d: %w", userID, store.ErrNotFound)
	}
	return err
}
