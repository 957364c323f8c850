package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// AcquireLease takes the lease on a datastore when it is free, expired or
// already the session's, in one statement (the write transaction is
// serialised, so there is no race between the check and the write). Only
// when another session holds it is the holder read in a second one.
func (t *tx) AcquireLease(ctx context.Context, userID int64, datastore, session string, now, until time.Time) (string, bool, error) {
	var holder string
	err := t.queryRow(ctx, `INSERT INTO datastore_leases (user_id, datastore, session_key, expires_at)
VALUES (?, ?, ?, ?)
ON CONFLICT (user_id, datastore) DO UPDATE SET session_key = excluded.session_key, expires_at = excluded.expires_at
WHERE datastore_leases.session_key = excluded.session_key OR datastore_leases.expires_at <= ?
RETURNING session_key`,
		userID, datastore, session, nanos(until), nanos(now)).Scan(&holder)
	if err == nil {
		return holder, holder == session, nil
	}
	if !errors.Is(err, sql.ErrNoRows) { // no row: the lease is another session's
		return "", false, t.errorf("acquire lease %d/%s: %w", userID, datastore, t.userFK(err, userID))
	}
	err = t.queryRow(ctx, `SELECT session_key FROM datastore_leases WHERE user_id = ? AND datastore = ?`,
		userID, datastore).Scan(&holder)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, t.errorf("lease %d/%s vanished", userID, datastore)
	} else if err != nil {
		return "", false, t.errorf("read lease %d/%s: %w", userID, datastore, err)
	}
	return holder, holder == session, nil
}

// ReleaseLeases drops a session's leases.
func (t *tx) ReleaseLeases(ctx context.Context, session string) error {
	if _, err := t.exec(ctx, `DELETE FROM datastore_leases WHERE session_key = ?`, session); err != nil {
		return t.errorf("release leases of %s: %w", session, err)
	}
	return nil
}
