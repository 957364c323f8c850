package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"

	"anchorage/store"
)

// querier is what a transaction's statements run on: a *sql.Tx, or a
// *sql.Conn that a Config.ConnTx transaction holds.
type querier interface {
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
}

// runOnConn runs fn in a transaction of Config.ConnTx: on a connection
// taken from db's pool, begun with the ConnTx statement, its statements
// under a context without cancellation. Neither the connection nor the
// rows of a query then have a context to watch, so database/sql starts no
// goroutine for them (it does for every Tx, whose own context it cancels at
// the end).
func (s *Store) runOnConn(ctx context.Context, db *sql.DB, writable bool, fn func(store.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: begin: %w", s.d.Name(), err)
	}
	caller, ctx := ctx, context.WithoutCancel(ctx)
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("%s: begin: %w", s.d.Name(), err)
	}
	defer conn.Close()
	begin := s.c.ConnTx.BeginRead
	if writable {
		begin = s.c.ConnTx.BeginWrite
	}
	if _, err := conn.ExecContext(ctx, begin); err != nil {
		return fmt.Errorf("%s: begin: %w", s.d.Name(), err)
	}
	done := false
	defer func() {
		if !done {
			// Also on panic: the connection must go back to the pool
			// outside any transaction.
			rollbackConn(ctx, conn)
		}
	}()
	t := &tx{q: conn, s: s, writable: writable, detached: ctx}
	if err := fn(t); err != nil {
		return err
	}
	if err := t.flushSeqs(ctx); err != nil {
		return err
	}
	if err := caller.Err(); err != nil {
		return fmt.Errorf("%s: commit: %w", s.d.Name(), err)
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		// A COMMIT that fails may leave the transaction open (SQLite's
		// SQLITE_BUSY); the deferred rollback ends it.
		return fmt.Errorf("%s: commit: %w", s.d.Name(), err)
	}
	done = true
	return nil
}

// rollback ends conn's transaction. A connection whose rollback fails is
// closed rather than put back in the pool, where the next transaction
// would run inside this one.
func rollbackConn(ctx context.Context, conn *sql.Conn) {
	if _, err := conn.ExecContext(ctx, "ROLLBACK"); err == nil {
		return
	}
	// ROLLBACK fails when no transaction is open (a COMMIT that did end
	// it): ask the connection before discarding it.
	if inTx(conn) {
		conn.Raw(func(any) error { return driver.ErrBadConn })
	}
}

// inTx reports whether conn may still be inside a transaction: a
// connection that cannot tell is taken to be.
func inTx(conn *sql.Conn) bool {
	open := true
	conn.Raw(func(dc any) error {
		if ac, ok := dc.(interface{ AutoCommit() bool }); ok {
			open = !ac.AutoCommit()
		}
		return nil
	})
	return open
}
