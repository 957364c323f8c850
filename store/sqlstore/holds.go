package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"anchorage/store"
)

// LiveCount counts a datastore's live items.
func (t *tx) LiveCount(ctx context.Context, userID int64, datastore string) (int, error) {
	dsID, err := t.datastoreID(ctx, userID, datastore, false)
	if errors.Is(err, store.ErrNotFound) {
		return 0, nil
	} else if err != nil {
		return 0, t.errorf("live count %d/%s: %w", userID, datastore, err)
	}
	var n int
	if err := t.queryRow(ctx, `SELECT COUNT(*) FROM items WHERE datastore_id = ? AND deleted = {false}`, dsID).Scan(&n); err != nil {
		return 0, t.errorf("live count %d/%s: %w", userID, datastore, err)
	}
	return n, nil
}

// heldPerInsert bounds the rows of one INSERT of held deletes.
const heldPerInsert = 500

// CreateHold stores an open hold and its deletes, a statement per
// heldPerInsert.
func (t *tx) CreateHold(ctx context.Context, h *store.Hold, deletes []store.HeldDelete) error {
	if h.Created.IsZero() {
		h.Created = now()
	}
	h.State, h.Items = store.HoldOpen, len(deletes)
	err := t.queryRow(ctx, `INSERT INTO holds (user_id, datastore, device_id, state, items, live, seq, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		h.UserID, h.Datastore, h.DeviceID, string(h.State), h.Items, h.Live, h.Seq, nanos(h.Created)).Scan(&h.ID)
	if err != nil {
		return t.errorf("create hold %d/%s/%s: %w", h.UserID, h.DeviceID, h.Datastore, t.userFK(err, h.UserID))
	}
	for len(deletes) > 0 {
		chunk := deletes[:min(heldPerInsert, len(deletes))]
		deletes = deletes[len(chunk):]
		args := make([]any, 0, 3*len(chunk))
		for _, d := range chunk {
			args = append(args, h.ID, d.GUID, d.LUID)
		}
		if _, err := t.exec(ctx, `INSERT INTO held_deletes (hold_id, guid, luid) VALUES `+
			strings.TrimSuffix(strings.Repeat("(?, ?, ?), ", len(chunk)), ", "), args...); err != nil {
			return t.errorf("hold %d: %d deletes: %w", h.ID, len(chunk), err)
		}
	}
	return nil
}

const holdColumns = `id, user_id, datastore, device_id, state, items, live, seq, created_at, decided_at`

func scanHold(sc interface{ Scan(...any) error }) (store.Hold, error) {
	var h store.Hold
	var state string
	var created int64
	var decided sql.NullInt64
	err := sc.Scan(&h.ID, &h.UserID, &h.Datastore, &h.DeviceID, &state, &h.Items, &h.Live, &h.Seq, &created, &decided)
	h.State, h.Created, h.Decided = store.HoldState(state), fromNanos(created), fromNullNanos(decided)
	return h, err
}

// Hold returns one hold.
func (t *tx) Hold(ctx context.Context, id int64) (*store.Hold, error) {
	h, err := scanHold(t.queryRow(ctx, `SELECT `+holdColumns+` FROM holds WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, t.errorf("hold %d: %w", id, store.ErrNotFound)
	} else if err != nil {
		return nil, t.errorf("hold %d: %w", id, err)
	}
	return &h, nil
}

// Holds lists holds by user, device and state, oldest first.
func (t *tx) Holds(ctx context.Context, userID int64, deviceID string, states ...store.HoldState) ([]store.Hold, error) {
	var where []string
	var args []any
	if userID != 0 {
		where, args = append(where, "user_id = ?"), append(args, userID)
	}
	if deviceID != "" {
		where, args = append(where, "device_id = ?"), append(args, deviceID)
	}
	if len(states) > 0 {
		where = append(where, "state IN (?"+strings.Repeat(", ?", len(states)-1)+")")
		for _, s := range states {
			args = append(args, string(s))
		}
	}
	q := `SELECT ` + holdColumns + ` FROM holds`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	rows, err := t.query(ctx, q+` ORDER BY id`, args...)
	if err != nil {
		return nil, t.errorf("holds of user %d: %w", userID, err)
	}
	defer rows.Close()
	var out []store.Hold
	for rows.Next() {
		h, err := scanHold(rows)
		if err != nil {
			return nil, t.errorf("holds of user %d: %w", userID, err)
		}
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		return nil, t.errorf("holds of user %d: %w", userID, err)
	}
	return out, nil
}

// HeldDeletes lists a hold's deletes by GUID.
func (t *tx) HeldDeletes(ctx context.Context, holdID int64) ([]store.HeldDelete, error) {
	rows, err := t.query(ctx, `SELECT guid, luid FROM held_deletes WHERE hold_id = ? ORDER BY guid`, holdID)
	if err != nil {
		return nil, t.errorf("held deletes of hold %d: %w", holdID, err)
	}
	defer rows.Close()
	var out []store.HeldDelete
	for rows.Next() {
		var d store.HeldDelete
		if err := rows.Scan(&d.GUID, &d.LUID); err != nil {
			return nil, t.errorf("held deletes of hold %d: %w", holdID, err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, t.errorf("held deletes of hold %d: %w", holdID, err)
	}
	return out, nil
}

// SetHoldState moves a hold to a state.
func (t *tx) SetHoldState(ctx context.Context, id int64, state store.HoldState, at time.Time) error {
	res, err := t.exec(ctx, `UPDATE holds SET state = ?, decided_at = ? WHERE id = ?`, string(state), nullNanos(at), id)
	if err != nil {
		return t.errorf("hold %d to %s: %w", id, state, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return t.errorf("hold %d: %w", id, store.ErrNotFound)
	}
	return nil
}

// HeldGUIDs tells which GUIDs an open hold of the device's datastore holds.
func (t *tx) HeldGUIDs(ctx context.Context, userID int64, deviceID, datastore string, guids []string) (map[string]bool, error) {
	res := make(map[string]bool)
	for len(guids) > 0 {
		chunk := guids[:min(t.s.d.ListChunk(), len(guids))]
		guids = guids[len(chunk):]
		in, args := t.s.d.In("d.guid", chunk)
		q := `SELECT d.guid FROM held_deletes d JOIN holds h ON h.id = d.hold_id
WHERE h.user_id = ? AND h.device_id = ? AND h.datastore = ? AND h.state = ? AND ` + in
		if err := t.scanGUIDs(ctx, res, q, append([]any{userID, deviceID, datastore, string(store.HoldOpen)}, args...)...); err != nil {
			return nil, t.errorf("held guids %d/%s/%s: %w", userID, deviceID, datastore, err)
		}
	}
	return res, nil
}

// HoldSettings returns a user's threshold.
func (t *tx) HoldSettings(ctx context.Context, userID int64) (*store.HoldSettings, error) {
	s := store.HoldSettings{UserID: userID}
	err := t.queryRow(ctx, `SELECT percent, min_items FROM hold_settings WHERE user_id = ?`, userID).Scan(&s.Percent, &s.MinItems)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, t.errorf("hold settings of user %d: %w", userID, store.ErrNotFound)
	} else if err != nil {
		return nil, t.errorf("hold settings of user %d: %w", userID, err)
	}
	return &s, nil
}

// PutHoldSettings stores a user's threshold.
func (t *tx) PutHoldSettings(ctx context.Context, s *store.HoldSettings) error {
	_, err := t.exec(ctx, `INSERT INTO hold_settings (user_id, percent, min_items) VALUES (?, ?, ?)
ON CONFLICT (user_id) DO UPDATE SET percent = excluded.percent, min_items = excluded.min_items`, s.UserID, s.Percent, s.MinItems)
	if err != nil {
		return t.errorf("hold settings of user %d: %w", s.UserID, t.userFK(err, s.UserID))
	}
	return nil
}

// DeleteHoldSettings removes a user's threshold.
func (t *tx) DeleteHoldSettings(ctx context.Context, userID int64) error {
	res, err := t.exec(ctx, `DELETE FROM hold_settings WHERE user_id = ?`, userID)
	if err != nil {
		return t.errorf("delete hold settings of user %d: %w", userID, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return t.errorf("hold settings of user %d: %w", userID, store.ErrNotFound)
	}
	return nil
}
