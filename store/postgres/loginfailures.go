package postgres

import (
	"context"
	"fmt"
	"time"
)

// LoginFailures counts failed logins in the database (login_failures), so
// that every node on it throttles the same guesses (engine.LoginFailures).
type LoginFailures struct{ s *Store }

// LoginFailures returns the store's shared failed-login counter.
func (s *Store) LoginFailures() *LoginFailures { return &LoginFailures{s: s} }

// Fail counts a failure of key in one statement, so that two nodes
// counting at once both count: the row lock of the upsert orders them.
// A failure that starts a new count also drops the rows whose window has
// passed, so that guesses at many keys do not pile up.
func (f *LoginFailures) Fail(ctx context.Context, key string, now time.Time, window time.Duration) (int, error) {
	var n int
	err := f.s.pool.QueryRow(ctx, `INSERT INTO login_failures (key, count, last_at) VALUES ($1, 1, $2)
ON CONFLICT (key) DO UPDATE SET
	count = CASE WHEN login_failures.last_at < excluded.last_at - $3 THEN 1 ELSE login_failures.count + 1 END,
	last_at = excluded.last_at
RETURNING count`, []byte(key), now.UnixNano(), int64(window)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("postgres: count failed login: %w", err)
	}
	if n == 1 {
		if _, err := f.s.pool.Exec(ctx, `DELETE FROM login_failures WHERE last_at < $1`,
			now.UnixNano()-int64(window)); err != nil {
			return n, fmt.Errorf("postgres: forget old failed logins: %w", err)
		}
	}
	return n, nil
}

// Clear forgets key's failures (a successful login).
func (f *LoginFailures) Clear(ctx context.Context, key string) error {
	if _, err := f.s.pool.Exec(ctx, `DELETE FROM login_failures WHERE key = $1`, []byte(key)); err != nil {
		return fmt.Errorf("postgres: clear failed logins: %w", err)
	}
	return nil
}
