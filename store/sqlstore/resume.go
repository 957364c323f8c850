package sqlstore

import (
	"context"

	"anchorage/store"
)

// DeviceSessions returns a device's sessions, newest first.
func (t *tx) DeviceSessions(ctx context.Context, userID int64, deviceID string, limit int) ([]store.Session, error) {
	q := `SELECT key, user_id, device_id, state, last_response, created_at, updated_at
FROM sessions WHERE user_id = ? AND device_id = ? ORDER BY updated_at DESC, key`
	args := []any{userID, deviceID}
	if limit > 0 {
		q += ` LIMIT ?`
		args = append(args, limit)
	}
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return nil, t.errorf("sessions of %d/%s: %w", userID, deviceID, err)
	}
	defer rows.Close()
	var out []store.Session
	for rows.Next() {
		var s store.Session
		var created, updated int64
		if err := rows.Scan(&s.Key, &s.UserID, &s.DeviceID, &s.State, &s.LastResponse, &created, &updated); err != nil {
			return nil, t.errorf("sessions of %d/%s: %w", userID, deviceID, err)
		}
		s.Created, s.UpdatedAt = fromNanos(created), fromNanos(updated)
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, t.errorf("sessions of %d/%s: %w", userID, deviceID, err)
	}
	return out, nil
}

// ResumeSession moves a session's confirmed mappings and unacknowledged
// Adds of a partnership to the session that resumes it.
func (t *tx) ResumeSession(ctx context.Context, userID int64, deviceID, datastore, from, to string) (int, error) {
	moved := 0
	for _, q := range []string{
		`UPDATE mappings SET session = ? WHERE user_id = ? AND device_id = ? AND datastore = ? AND session = ?`,
		`UPDATE unacked_adds SET session = ? WHERE user_id = ? AND device_id = ? AND datastore = ? AND session = ?`,
	} {
		res, err := t.exec(ctx, q, to, userID, deviceID, datastore, from)
		if err != nil {
			return moved, t.errorf("resume session %s of %d/%s/%s: %w", from, userID, deviceID, datastore, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return moved, t.errorf("resume session %s: %w", from, err)
		}
		moved += int(n)
	}
	return moved, nil
}
