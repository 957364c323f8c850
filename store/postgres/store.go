// Package postgres implements store.Store on PostgreSQL, for several
// Anchorage servers on one database: a pgxpool of github.com/jackc/pgx/v5
// connections, used through database/sql (pgx's stdlib) by store/sqlstore,
// which holds the queries; this package holds the connection setup, the
// Dialect, the migrations and the health queries.
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
	"database/sql"
	"fmt"
	"runtime"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"anchorage/store"
	"anchorage/store/sqlstore"
)

// Store is a store.Store on one PostgreSQL database. It is safe for
// concurrent use, also by several processes.
type Store struct {
	*sqlstore.Store
	pool *pgxpool.Pool
	db   *sql.DB // database/sql on pool (pgx's stdlib): every transaction
	d    *dialect
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
	db := stdlib.OpenDBFromPool(pool)
	s := &Store{pool: pool, db: db, d: &dialect{}}
	s.Store = sqlstore.New(sqlstore.Config{
		Dialect: s.d,
		Write:   db,
		// Update runs at READ COMMITTED: the datastore row locks
		// serialise writers, and a statement sees the rows committed
		// before the lock was granted.
		WriteTx: &sql.TxOptions{Isolation: sql.LevelReadCommitted},
		// View is a read-only snapshot of the last committed state.
		ReadTx: &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true},
	})
	if _, err := s.migrate(ctx); err != nil {
		db.Close()
		pool.Close()
		return nil, fmt.Errorf("postgres: open %s/%s: %w", cfg.ConnConfig.Host, cfg.ConnConfig.Database, err)
	}
	return s, nil
}

// Close closes every connection. It must not be called while transactions
// run.
func (s *Store) Close() error {
	err := s.Store.Close()
	s.pool.Close()
	if err != nil {
		return fmt.Errorf("postgres: close: %w", err)
	}
	return nil
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
