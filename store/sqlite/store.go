// Package sqlite implements store.Store on an embedded SQLite database
// (github.com/mattn/go-sqlite3, cgo): store/sqlstore holds the queries;
// this package holds the connections and their pragmas, the Dialect, the
// migrations, backup and health.
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
	"fmt"
	"net/url"
	"runtime"
	"strings"
	"time"

	"anchorage/store"
	"anchorage/store/sqlstore"
)

// BusyTimeout is how long a statement waits for a lock held by another
// connection (another process, or a checkpoint) before failing.
const BusyTimeout = 10 * time.Second

// stmtCacheSize is the number of prepared statements the driver keeps per
// connection; every query of store/sqlstore is a constant string, so the hot
// ones (Changes, LastSeq, WriteItem's) are prepared once per connection.
const stmtCacheSize = 64

// Store is a store.Store on one SQLite file. It is safe for concurrent use.
type Store struct {
	*sqlstore.Store
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
	wdb := sql.OpenDB(newConnector(dsn(path, wq)))
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
	rdb := sql.OpenDB(newConnector(dsn(path, rq)))
	n := max(4, runtime.GOMAXPROCS(0))
	rdb.SetMaxOpenConns(n)
	rdb.SetMaxIdleConns(n)
	s.rdb = rdb
	// The writer's transactions take the write lock when they begin, so
	// two never fail each other half-way; the readers are _query_only.
	s.Store = sqlstore.New(sqlstore.Config{Dialect: dialect{}, Write: wdb, Read: rdb,
		ConnTx: &sqlstore.ConnTx{BeginWrite: "BEGIN IMMEDIATE", BeginRead: "BEGIN DEFERRED"}})
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

// Close closes the database. It must not be called while transactions run.
func (s *Store) Close() error {
	if err := s.Store.Close(); err != nil {
		return fmt.Errorf("sqlite: close %s: %w", s.path, err)
	}
	return nil
}
