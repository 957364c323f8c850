package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"anchorage/store"
)

// pendingIdent is the ident of the one row of an Add recorded with
// IdentsPending. Identifiers are "kind:value" (pim.Identifiers), so it is
// never one.
const pendingIdent = "?pending"

// PutUnackedAdd replaces the GUID's rows with one per identifier (one with
// an empty ident when it has none, one with pendingIdent when they are
// pending).
func (t *tx) PutUnackedAdd(ctx context.Context, a *store.UnackedAdd) error {
	return t.PutUnackedAdds(ctx, []store.UnackedAdd{*a})
}

// unackedCols is the number of columns unackedRows fills per row.
const unackedCols = 10

// unackedRowsPerInsert keeps an INSERT's parameters well below SQLite's
// limit (32766 since 3.32).
const unackedRowsPerInsert = 300

// PutUnackedAdds writes the rows of all the Adds with as few statements as
// their number allows: a refresh from the server records every Add it
// sends, and one INSERT per Add was a fifth of its CPU.
func (t *tx) PutUnackedAdds(ctx context.Context, adds []store.UnackedAdd) error {
	var args []any
	rows := 0
	flush := func() error {
		if rows == 0 {
			return nil
		}
		_, err := t.exec(ctx, `INSERT INTO unacked_adds
(user_id, device_id, datastore, guid, ident, version, seq, session, sent_at, deferred) VALUES `+
			strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?), ", rows), ", ")+
			` ON CONFLICT DO NOTHING`, args...)
		args, rows = args[:0], 0
		return err
	}
	for i := range adds {
		a := &adds[i]
		wrap := func(err error) error {
			return t.errorf("put unacked add %d/%s/%s %s: %w", a.UserID, a.DeviceID, a.Datastore, a.GUID, err)
		}
		if a.GUID == "" || a.DeviceID == "" || a.Datastore == "" {
			return wrap(fmt.Errorf("empty GUID, device or datastore"))
		}
		if !a.New {
			// The rows written so far go first: one of them may be this
			// GUID's, replaced now.
			if err := flush(); err != nil {
				return wrap(t.userFK(err, a.UserID))
			}
			if err := t.DeleteUnackedAdds(ctx, a.UserID, a.DeviceID, a.Datastore, []string{a.GUID}); err != nil {
				return err
			}
		}
		idents := a.Idents
		switch {
		case a.IdentsPending:
			idents = []string{pendingIdent}
		case len(idents) == 0:
			idents = []string{""}
		}
		sent := a.Sent
		if sent.IsZero() {
			sent = now()
		}
		for _, id := range idents {
			args = append(args, a.UserID, a.DeviceID, a.Datastore, a.GUID, id, a.Version, a.Seq, a.Session, nanos(sent), a.Deferred)
			if rows++; rows == unackedRowsPerInsert {
				if err := flush(); err != nil {
					return wrap(t.userFK(err, a.UserID))
				}
			}
		}
	}
	if err := flush(); err != nil {
		return t.errorf("put %d unacked adds: %w", len(adds), t.userFK(err, adds[len(adds)-1].UserID))
	}
	return nil
}

func (t *tx) UnackedAdds(ctx context.Context, userID int64, deviceID, datastore string, idents []string, limit int) ([]store.UnackedAdd, error) {
	q := `SELECT guid, min(version), min(seq), min(session), min(sent_at), max(CASE WHEN deferred = {true} THEN 1 ELSE 0 END) FROM unacked_adds
WHERE user_id = ? AND device_id = ? AND datastore = ?`
	args := []any{userID, deviceID, datastore}
	var ids []string
	for _, id := range idents {
		if id != "" && id != pendingIdent {
			ids = append(ids, id)
		}
	}
	if len(idents) > 0 {
		if len(ids) == 0 {
			return nil, nil
		}
		q += ` AND ident IN (?` + strings.Repeat(", ?", len(ids)-1) + `)`
		for _, id := range ids {
			args = append(args, id)
		}
	}
	q += ` GROUP BY guid ORDER BY guid LIMIT ?`
	args = append(args, t.limitArg(limit))
	out, err := t.queryUnackedAdds(ctx, userID, deviceID, datastore, q, args...)
	if err != nil {
		return nil, t.errorf("unacked adds %d/%s/%s: %w", userID, deviceID, datastore, err)
	}
	return out, nil
}

// queryUnackedAdds runs a query of the partnership's rows that selects
// guid, version, seq, session, sent_at and deferred.
func (t *tx) queryUnackedAdds(ctx context.Context, userID int64, deviceID, datastore, q string, args ...any) ([]store.UnackedAdd, error) {
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.UnackedAdd
	for rows.Next() {
		a := store.UnackedAdd{UserID: userID, DeviceID: deviceID, Datastore: datastore}
		var sent sql.NullInt64
		if err := rows.Scan(&a.GUID, &a.Version, &a.Seq, &a.Session, &sent, &a.Deferred); err != nil {
			return nil, err
		}
		a.Sent = fromNullNanos(sent)
		out = append(out, a)
	}
	return out, rows.Err()
}

func (t *tx) PendingUnackedAdds(ctx context.Context, userID int64, deviceID, datastore string, limit int) ([]store.UnackedAdd, error) {
	out, err := t.queryUnackedAdds(ctx, userID, deviceID, datastore, `SELECT guid, version, seq, session, sent_at, deferred
FROM unacked_adds WHERE user_id = ? AND device_id = ? AND datastore = ? AND ident = ? ORDER BY guid LIMIT ?`,
		userID, deviceID, datastore, pendingIdent, t.limitArg(limit))
	if err != nil {
		return nil, t.errorf("pending unacked adds %d/%s/%s: %w", userID, deviceID, datastore, err)
	}
	for i := range out {
		out[i].IdentsPending = true
	}
	return out, nil
}

func (t *tx) UnackedAdd(ctx context.Context, userID int64, deviceID, datastore, guid string) (*store.UnackedAdd, error) {
	a := store.UnackedAdd{UserID: userID, DeviceID: deviceID, Datastore: datastore, GUID: guid}
	var sent int64
	err := t.queryRow(ctx, `SELECT version, seq, session, sent_at, deferred FROM unacked_adds
WHERE user_id = ? AND device_id = ? AND datastore = ? AND guid = ? LIMIT 1`, userID, deviceID, datastore, guid).
		Scan(&a.Version, &a.Seq, &a.Session, &sent, &a.Deferred)
	if err != nil {
		return nil, t.errorf("unacked add %d/%s/%s %s: %w", userID, deviceID, datastore, guid, notFound(err))
	}
	a.Sent = fromNanos(sent)
	return &a, nil
}

func (t *tx) DeferUnackedAdd(ctx context.Context, userID int64, deviceID, datastore, guid string) error {
	res, err := t.exec(ctx, `UPDATE unacked_adds SET deferred = {true}
WHERE user_id = ? AND device_id = ? AND datastore = ? AND guid = ?`, userID, deviceID, datastore, guid)
	var n int64
	if err == nil {
		n, err = res.RowsAffected()
	}
	if err == nil && n == 0 {
		err = store.ErrNotFound
	}
	if err != nil {
		return t.errorf("defer unacked add %d/%s/%s %s: %w", userID, deviceID, datastore, guid, err)
	}
	return nil
}

func (t *tx) DeleteUnackedAdds(ctx context.Context, userID int64, deviceID, datastore string, guids []string) error {
	for len(guids) > 0 {
		chunk := guids[:min(knownChunk, len(guids))]
		guids = guids[len(chunk):]
		args := []any{userID, deviceID, datastore}
		for _, g := range chunk {
			args = append(args, g)
		}
		if _, err := t.exec(ctx, `DELETE FROM unacked_adds WHERE user_id = ? AND device_id = ? AND datastore = ?
AND guid IN (?`+strings.Repeat(", ?", len(chunk)-1)+`)`, args...); err != nil {
			return t.errorf("delete unacked adds %d/%s/%s: %w", userID, deviceID, datastore, err)
		}
	}
	return nil
}

func (t *tx) ClearUnackedAdds(ctx context.Context, userID int64, deviceID, datastore, keep string) (int, error) {
	q, args := `DELETE FROM unacked_adds WHERE user_id = ? AND device_id = ? AND (? = '' OR session <> ?)`, []any{userID, deviceID, keep, keep}
	if datastore != "" {
		q += ` AND datastore = ?`
		args = append(args, datastore)
	}
	n, err := t.deleteCounted(ctx, q, "count(DISTINCT datastore || ' ' || guid)", args...)
	if err != nil {
		return 0, t.errorf("clear unacked adds %d/%s/%s: %w", userID, deviceID, datastore, err)
	}
	return n, nil
}

// deleteCounted runs a DELETE FROM statement when the SELECT of count
// (an aggregate) over the rows it deletes finds any, and returns that count.
func (t *tx) deleteCounted(ctx context.Context, q, count string, args ...any) (int, error) {
	var n int
	err := t.queryRow(ctx, strings.Replace(q, "DELETE FROM", "SELECT "+count+" FROM", 1), args...).Scan(&n)
	if err == nil && n > 0 {
		_, err = t.exec(ctx, q, args...)
	}
	return n, err
}
