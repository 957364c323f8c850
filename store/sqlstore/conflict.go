package sqlstore

import (
	"context"

	"anchorage/store"
)

// ConflictSettings lists a user's conflict settings, "" (all datastores) first.
func (t *tx) ConflictSettings(ctx context.Context, userID int64) ([]store.ConflictSetting, error) {
	rows, err := t.query(ctx, `SELECT datastore, policy, delete_wins, updated_at
FROM conflict_settings WHERE user_id = ? ORDER BY datastore`, userID)
	if err != nil {
		return nil, t.errorf("conflict settings of user %d: %w", userID, err)
	}
	defer rows.Close()
	var out []store.ConflictSetting
	for rows.Next() {
		s := store.ConflictSetting{UserID: userID}
		var updated int64
		if err := rows.Scan(&s.Datastore, &s.Policy, &s.DeleteWins, &updated); err != nil {
			return nil, t.errorf("conflict settings of user %d: %w", userID, err)
		}
		s.UpdatedAt = fromNanos(updated)
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, t.errorf("conflict settings of user %d: %w", userID, err)
	}
	return out, nil
}

// PutConflictSetting inserts or replaces a setting.
func (t *tx) PutConflictSetting(ctx context.Context, s *store.ConflictSetting) error {
	if s.Policy == "" {
		return t.errorf("conflict setting of user %d: empty policy", s.UserID)
	}
	s.UpdatedAt = now()
	_, err := t.exec(ctx, `INSERT INTO conflict_settings (user_id, datastore, policy, delete_wins, updated_at)
VALUES (?, ?, ?, ?, ?)
ON CONFLICT (user_id, datastore) DO UPDATE SET policy = excluded.policy,
	delete_wins = excluded.delete_wins, updated_at = excluded.updated_at`,
		s.UserID, s.Datastore, s.Policy, s.DeleteWins, nanos(s.UpdatedAt))
	if err != nil {
		return t.errorf("conflict setting of user %d, datastore %q: %w", s.UserID, s.Datastore, err)
	}
	return nil
}

// DeleteConflictSetting removes one setting.
func (t *tx) DeleteConflictSetting(ctx context.Context, userID int64, datastore string) error {
	res, err := t.exec(ctx, `DELETE FROM conflict_settings WHERE user_id = ? AND datastore = ?`, userID, datastore)
	if err != nil {
		return t.errorf("delete conflict setting of user %d, datastore %q: %w", userID, datastore, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return t.errorf("conflict setting of user %d, datastore %q: %w", userID, datastore, store.ErrNotFound)
	}
	return nil
}
