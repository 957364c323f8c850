package sqlstore

import (
	"context"
	"time"

	"anchorage/store"
)

// PutWebSession inserts a web session.
func (t *tx) PutWebSession(ctx context.Context, s *store.WebSession) error {
	// ON CONFLICT: a taken id inserts nothing and leaves the transaction
	// usable, as a failed statement would not on PostgreSQL.
	res, err := t.exec(ctx,
		`INSERT INTO web_sessions (id_hash, user_id, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (id_hash) DO NOTHING`,
		s.IDHash, s.UserID, s.CSRF, nanos(s.Created), nanos(s.Expires))
	if err != nil {
		return t.errorf("put web session: %w", t.userFK(err, s.UserID))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return t.errorf("put web session: %w", store.ErrExists)
	}
	return nil
}

// WebSession returns the web session whose id hashes to idHash.
func (t *tx) WebSession(ctx context.Context, idHash []byte) (*store.WebSession, error) {
	s := store.WebSession{IDHash: idHash}
	var created, expires int64
	err := t.queryRow(ctx,
		`SELECT user_id, csrf, created_at, expires_at FROM web_sessions WHERE id_hash = ?`, idHash).
		Scan(&s.UserID, &s.CSRF, &created, &expires)
	if err != nil {
		return nil, t.errorf("web session: %w", notFound(err))
	}
	s.Created, s.Expires = fromNanos(created), fromNanos(expires)
	return &s, nil
}

// DeleteWebSession deletes one web session; deleting a missing one is no
// error (logging out twice).
func (t *tx) DeleteWebSession(ctx context.Context, idHash []byte) error {
	if _, err := t.exec(ctx, `DELETE FROM web_sessions WHERE id_hash = ?`, idHash); err != nil {
		return t.errorf("delete web session: %w", err)
	}
	return nil
}

// DeleteWebSessionsBefore deletes the web sessions expiring before before.
func (t *tx) DeleteWebSessionsBefore(ctx context.Context, before time.Time) (int, error) {
	res, err := t.exec(ctx, `DELETE FROM web_sessions WHERE expires_at < ?`, nanos(before))
	var n int64
	if err == nil {
		n, err = res.RowsAffected()
	}
	if err != nil {
		return 0, t.errorf("delete web sessions: %w", err)
	}
	return int(n), nil
}

// CountWebSessionsSince counts the web sessions created at or after since.
func (t *tx) CountWebSessionsSince(ctx context.Context, since time.Time) (int, error) {
	var n int
	err := t.queryRow(ctx, `SELECT count(*) FROM web_sessions WHERE created_at >= ?`, nanos(since)).Scan(&n)
	if err != nil {
		return 0, t.errorf("count web sessions: %w", err)
	}
	return n, nil
}
