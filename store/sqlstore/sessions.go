package sqlstore

import (
	"context"
	"time"

	"anchorage/store"
)

func (t *tx) Session(ctx context.Context, key string) (*store.Session, error) {
	var s store.Session
	var created, updated int64
	err := t.queryRow(ctx, `SELECT key, user_id, device_id, state, last_response, created_at, updated_at
FROM sessions WHERE key = ?`, key).Scan(&s.Key, &s.UserID, &s.DeviceID, &s.State, &s.LastResponse, &created, &updated)
	if err != nil {
		return nil, t.errorf("session %q: %w", key, notFound(err))
	}
	s.Created = fromNanos(created)
	s.UpdatedAt = fromNanos(updated)
	return &s, nil
}

// PutSession inserts s or updates its user, device, state, last response
// and UpdatedAt; the
// creation time of an existing session is kept. A zero Created or UpdatedAt
// stores the current time.
func (t *tx) PutSession(ctx context.Context, s *store.Session) error {
	if s.Key == "" {
		return t.errorf("put session: empty key")
	}
	n := now()
	created, updated := s.Created, s.UpdatedAt
	if created.IsZero() {
		created = n
	}
	if updated.IsZero() {
		updated = n
	}
	state := s.State
	if state == nil {
		state = []byte{}
	}
	if _, err := t.exec(ctx, `INSERT INTO sessions (key, user_id, device_id, state, last_response, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (key) DO UPDATE SET user_id = excluded.user_id, device_id = excluded.device_id,
	state = excluded.state, last_response = excluded.last_response, updated_at = excluded.updated_at`,
		s.Key, s.UserID, s.DeviceID, state, s.LastResponse, nanos(created), nanos(updated)); err != nil {
		return t.errorf("put session %q: %w", s.Key, err)
	}
	return nil
}

// DeleteSessionsBefore deletes the sessions last updated before t and
// returns how many it deleted.
func (t *tx) DeleteSessionsBefore(ctx context.Context, before time.Time) (int, error) {
	res, err := t.exec(ctx, `DELETE FROM sessions WHERE updated_at < ?`, nanos(before))
	var n int64
	if err == nil {
		n, err = res.RowsAffected()
	}
	if err != nil {
		return 0, t.errorf("delete sessions before %s: %w", before.UTC().Format(time.RFC3339), err)
	}
	return int(n), nil
}

// DeleteSession deletes a session; deleting a missing one is not an error.
func (t *tx) DeleteSession(ctx context.Context, key string) error {
	if _, err := t.exec(ctx, `DELETE FROM sessions WHERE key = ?`, key); err != nil {
		return t.errorf("delete session %q: %w", key, err)
	}
	return nil
}
