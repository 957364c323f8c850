// Package sqlite implements store.Store on an embedded SQLite database
// (github.com/mattn/go-sqlite3, cgo).
//
// The database runs in WAL mode. Writes go through one connection opened
// with BEGIN IMMEDIATE, so write transactions are serialised in the process
// and never deadlock on a read-to-write lock upgrade; another process on the
// same file waits up to the busy timeout. Reads (View) use a pool of
// query-only connections and see the last committed state without blocking
// the writer. The schema is a set of numbered migrations embedded in the
// binary and applied by Open.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"net/url"
	"runtime"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3"

	"anchorage/store"
)

// BusyTimeout is how long a statement waits for a lock held by another
// connection (another process, or a checkpoint) before failing.
const BusyTimeout = 10 * time.Second

// stmtCacheSize is the number of prepared statements the driver keeps per
// connection; every query of this package is a constant string, so the hot
// ones (Changes, LastSeq, WriteItem's) are prepared once per connection.
const stmtCacheSize = 64

// Store is a store.Store on one SQLite file. It is safe for concurrent use.
type Store struct {
	path string
	wdb  *sql.DB // one connection, BEGIN IMMEDIATE: every Update
	rdb  *sql.DB // query-only pool: every View
}

var _ store.Store = (*Store)(nil)

// Open opens (creating it if needed) the database file at path, switches it
// to WAL mode and applies the embedded migrations it lacks.
func Open(path string) (*Store, error) {
	if path == "" || strings.HasPrefix(path, ":memory:") || strings.HasPrefix(path, "file:") {
		return nil, fmt.Errorf("sqlite: open %q: a file path is required", path)
	}
	common := url.Values{}
	common.Set("_busy_timeout", fmt.Sprint(BusyTimeout.Milliseconds()))
	common.Set("_foreign_keys", "1")
	common.Set("_synchronous", "NORMAL") // durable across process crashes in WAL mode
	common.Set("_stmt_cache_size", fmt.Sprint(stmtCacheSize))

	wq := cloneValues(common)
	wq.Set("_journal_mode", "WAL")
	wq.Set("_txlock", "immediate")
	wdb, err := sql.Open("sqlite3", dsn(path, wq))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	wdb.SetMaxOpenConns(1)
	wdb.SetMaxIdleConns(1)
	wdb.SetConnMaxLifetime(0)
	wdb.SetConnMaxIdleTime(0)

	s := &Store{path: path, wdb: wdb}
	if err := s.init(); err != nil {
		wdb.Close()
		return nil, err
	}

	rq := cloneValues(common)
	rq.Set("_query_only", "1")
	rq.Set("_txlock", "deferred")
	rdb, err := sql.Open("sqlite3", dsn(path, rq))
	if err != nil {
		wdb.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	n := max(4, runtime.GOMAXPROCS(0))
	rdb.SetMaxOpenConns(n)
	rdb.SetMaxIdleConns(n)
	s.rdb = rdb
	return s, nil
}

// init checks the write connection is in WAL mode and migrates the schema.
func (s *Store) init() error {
	ctx := context.Background()
	var mode string
	if err := s.wdb.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return fmt.Errorf("sqlite: open %s: %w", s.path, err)
	}
	if !strings.EqualFold(mode, "wal") {
		return fmt.Errorf("sqlite: open %s: journal mode is %q, not WAL (is the file on a network file system?)", s.path, mode)
	}
	if _, err := migrate(ctx, s.wdb, migrationFS); err != nil {
		return fmt.Errorf("sqlite: open %s: %w", s.path, err)
	}
	return nil
}

// dsn builds a go-sqlite3 URI filename. The path is escaped so that '?' or
// '#' in it cannot be taken for parameters; SQLite ignores the driver's
// own "_" parameters.
func dsn(path string, q url.Values) string {
	r := strings.NewReplacer("%", "%25", "?", "%3F", "#", "%23")
	return "file:" + r.Replace(path) + "?" + q.Encode()
}

func cloneValues(v url.Values) url.Values {
	c := make(url.Values, len(v))
	for k, vs := range v {
		c[k] = append([]string(nil), vs...)
	}
	return c
}

// Update runs fn in a write transaction (BEGIN IMMEDIATE) and commits it if
// fn returns nil; fn's error is returned as is. Write transactions wait for
// each other; calling Update from inside fn deadlocks.
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) error {
	return s.run(ctx, s.wdb, true, fn)
}

// View runs fn in a read-only transaction: a consistent snapshot of the
// last committed state, taken concurrently with writes.
func (s *Store) View(ctx context.Context, fn func(store.Tx) error) error {
	return s.run(ctx, s.rdb, false, fn)
}

func (s *Store) run(ctx context.Context, db *sql.DB, writable bool, fn func(store.Tx) error) (err error) {
	stx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: begin: %w", err)
	}
	committed := false
	defer func() {
		if !committed {
			// Also on panic: the connection must go back to the pool clean.
			stx.Rollback()
		}
	}()
	t := &tx{tx: stx, writable: writable}
	if err := fn(t); err != nil {
		return err
	}
	if err := t.flushSeqs(ctx); err != nil {
		return err
	}
	committed = true
	if err := stx.Commit(); err != nil {
		return fmt.Errorf("sqlite: commit: %w", err)
	}
	return nil
}

// Close closes the database. It must not be called while transactions run.
func (s *Store) Close() error {
	var errs []error
	if s.rdb != nil {
		errs = append(errs, s.rdb.Close())
	}
	errs = append(errs, s.wdb.Close())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("sqlite: close %s: %w", s.path, err)
	}
	return nil
}

// tx implements store.Tx on one *sql.Tx.
type tx struct {
	tx       *sql.Tx
	writable bool
	ds       map[dsKey]int64 // datastore ids known in this transaction
	// seqs holds, per datastore id, the last sequence number this
	// transaction gave out; it is written to datastores.last_seq once, at
	// commit (seq.go).
	seqs map[int64]int64
}

var _ store.Tx = (*tx)(nil)

type dsKey struct {
	userID int64
	name   string
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
// microseconds so that it survives a PostgreSQL backend too.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// limitArg turns the interface's "0 = no limit" into SQLite's LIMIT -1.
func limitArg(limit int) int {
	if limit <= 0 {
		return -1
	}
	return limit
}

func isConstraint(err error, code sqlite3.ErrNoExtended) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && se.ExtendedCode == code
}

// userFK turns a foreign-key failure on a user_id into ErrNotFound.
func userFK(err error, userID int64) error {
	if isConstraint(err, sqlite3.ErrConstraintForeignKey) {
		return fmt.Errorf("user %d: %w", userID, store.ErrNotFound)
	}
	return err
}
