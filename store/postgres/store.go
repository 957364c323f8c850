// Package postgres implements store.Store on PostgreSQL
// (github.com/jackc/pgx/v5, pgxpool), for several Anchorage servers on one
// database.
//
// Concurrency (see store.Store): a write transaction (Update) runs at READ
// COMMITTED and locks the row of every datastore it touches (FOR UPDATE on
// datastores) before it reads or writes the datastore, so writers of one
// datastore run one at a time, across processes, and writers of different
// datastores never wait for each other. The row holds the datastore's last
// change sequence, so sequences are allocated under that lock. A read
// transaction (View) is a read-only REPEATABLE READ snapshot and waits for
// nobody. The schema is a set of numbered migrations embedded in the binary
// and applied by Open under an advisory lock, so nodes starting together
// migrate once.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"anchorage/store"
)

// Store is a store.Store on one PostgreSQL database. It is safe for
// concurrent use, also by several processes.
type Store struct {
	pool *pgxpool.Pool
	// queries caches each query string of this package rewritten from '?'
	// placeholders to PostgreSQL's $n (see rebind).
	queries sync.Map
}

var _ store.Store = (*Store)(nil)

// IsURL tells whether a --store value names a PostgreSQL database.
func IsURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// Open connects to the database at url (postgres://user@host/db?...) and
// applies the embedded migrations it lacks. The URL may set pgxpool's
// pool_max_conns; the default is 16 or 4 per CPU, whichever is more.
func Open(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	if !strings.Contains(url, "pool_max_conns") {
		// pgxpool's default (the number of CPUs, at least 4) is sized for
		// CPU-bound work; a sync server's transactions mostly wait (for
		// the network, for a datastore lock), so allow more of them.
		cfg.MaxConns = int32(max(16, 4*runtime.GOMAXPROCS(0)))
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: open %s: %w", cfg.ConnConfig.Host, err)
	}
	s := &Store{pool: pool}
	if _, err := s.migrate(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: open %s/%s: %w", cfg.ConnConfig.Host, cfg.ConnConfig.Database, err)
	}
	return s, nil
}

// Update runs fn in a write transaction and commits it if fn returns nil;
// fn's error is returned as is. Two Updates that touch one datastore run
// one after the other; calling Update from inside fn may deadlock.
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) error {
	return s.run(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted}, true, fn)
}

// View runs fn in a read-only snapshot of the last committed state.
func (s *Store) View(ctx context.Context, fn func(store.Tx) error) error {
	return s.run(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, false, fn)
}

func (s *Store) run(ctx context.Context, opts pgx.TxOptions, writable bool, fn func(store.Tx) error) (err error) {
	ptx, err := s.pool.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("postgres: begin: %w", err)
	}
	committed := false
	defer func() {
		if !committed {
			// Also on panic; a cancelled ctx must not keep the rollback
			// from returning the connection clean.
			ptx.Rollback(context.WithoutCancel(ctx))
		}
	}()
	t := &tx{tx: &conn{tx: ptx, s: s}, writable: writable}
	if err := fn(t); err != nil {
		return err
	}
	if err := t.flushSeqs(ctx); err != nil {
		return err
	}
	committed = true
	if err := ptx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: commit: %w", err)
	}
	return nil
}

// Close closes every connection. It must not be called while transactions
// run.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// conn runs this package's queries, written with '?' placeholders as
// store/sqlite's, on one transaction.
type conn struct {
	tx pgx.Tx
	s  *Store
}

func (c *conn) QueryRow(ctx context.Context, q string, args ...any) pgx.Row {
	return c.tx.QueryRow(ctx, c.s.rebind(q), args...)
}

func (c *conn) Query(ctx context.Context, q string, args ...any) (pgx.Rows, error) {
	return c.tx.Query(ctx, c.s.rebind(q), args...)
}

func (c *conn) Exec(ctx context.Context, q string, args ...any) (result, error) {
	tag, err := c.tx.Exec(ctx, c.s.rebind(q), args...)
	return result(tag.RowsAffected()), err
}

// result is the number of rows a statement changed.
type result int64

func (r result) RowsAffected() (int64, error) { return int64(r), nil }

// rebind turns q's placeholders into PostgreSQL's: "?" is the next $n,
// "?N" is $N. No query of this package has a '?' in a literal.
func (s *Store) rebind(q string) string {
	if v, ok := s.queries.Load(q); ok {
		return v.(string)
	}
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
			b.WriteString("$" + q[i+1:j])
		} else {
			n++
			b.WriteString("$" + strconv.Itoa(n))
		}
		i = j - 1
	}
	r := b.String()
	s.queries.Store(q, r)
	return r
}

// tx implements store.Tx on one PostgreSQL transaction.
type tx struct {
	tx       *conn
	writable bool
	ds       map[dsKey]int64 // datastore ids known (and, writable, locked) in this transaction
	// seqs holds, per datastore id, the last sequence number this
	// transaction gave out; it is written to datastores.last_seq once, at
	// commit (seq.go).
	seqs map[int64]int64
	// lastSeq holds the locked datastores' last_seq as read with the lock.
	lastSeq map[int64]int64
}

var _ store.Tx = (*tx)(nil)

type dsKey struct {
	userID int64
	name   string
}

// Times are stored as Unix nanoseconds, as store/sqlite stores them; a
// nullable column holds NULL for the zero time. Values read back are UTC.
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

func fromNullNanos(n *int64) time.Time {
	if n == nil {
		return time.Time{}
	}
	return fromNanos(*n)
}

// now is the time stored when the caller leaves one zero, in microseconds
// as every backend keeps it.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// limitArg turns the interface's "0 = no limit" into LIMIT NULL.
func limitArg(limit int) any {
	if limit <= 0 {
		return nil
	}
	return limit
}

// SQLSTATE codes (PostgreSQL manual, appendix A).
const (
	codeUniqueViolation     = "23505"
	codeForeignKeyViolation = "23503"
)

func isConstraint(err error, code string) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == code
}

// userFK turns a foreign-key failure on a user_id into ErrNotFound.
func userFK(err error, userID int64) error {
	if isConstraint(err, codeForeignKeyViolation) {
		return fmt.Errorf("user %d: %w", userID, store.ErrNotFound)
	}
	return err
}

// LockWaiters returns how many connections to the database wait for a
// lock (another transaction's datastore row, mostly): for monitoring, and
// for tests that show writers queueing.
func (s *Store) LockWaiters(ctx context.Context) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("postgres: lock waiters: %w", err)
	}
	return n, nil
}
