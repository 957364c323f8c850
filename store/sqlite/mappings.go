package sqlite

import (
	"context"
	"fmt"
	"strings"

	"anchorage/store"
)

const mappingCols = `user_id, device_id, datastore, luid, guid, session`

const qConfirmed = `SELECT count(*) FROM mappings
WHERE user_id = ? AND device_id = ? AND datastore = ? AND guid = ? AND session = ?`

func scanMapping(r scanner) (*store.Mapping, error) {
	var m store.Mapping
	if err := r.Scan(&m.UserID, &m.DeviceID, &m.Datastore, &m.LUID, &m.GUID, &m.Session); err != nil {
		return nil, notFound(err)
	}
	return &m, nil
}

func (t *tx) MapByLUID(ctx context.Context, userID int64, deviceID, datastore, luid string) (*store.Mapping, error) {
	m, err := scanMapping(t.tx.QueryRowContext(ctx, `SELECT `+mappingCols+` FROM mappings
WHERE user_id = ? AND device_id = ? AND datastore = ? AND luid = ?`, userID, deviceID, datastore, luid))
	if err != nil {
		return nil, fmt.Errorf("sqlite: map %d/%s/%s luid %q: %w", userID, deviceID, datastore, luid, err)
	}
	return m, nil
}

func (t *tx) MapByGUID(ctx context.Context, userID int64, deviceID, datastore, guid string) (*store.Mapping, error) {
	m, err := scanMapping(t.tx.QueryRowContext(ctx, `SELECT `+mappingCols+` FROM mappings
WHERE user_id = ? AND device_id = ? AND datastore = ? AND guid = ?`, userID, deviceID, datastore, guid))
	if err != nil {
		return nil, fmt.Errorf("sqlite: map %d/%s/%s guid %s: %w", userID, deviceID, datastore, guid, err)
	}
	return m, nil
}

// UnmappedLUIDs looks the LUIDs up on the mappings' (…, luid) unique index,
// knownChunk per query.
func (t *tx) UnmappedLUIDs(ctx context.Context, userID int64, deviceID, datastore string, luids []string) (map[string]bool, error) {
	mapped := make(map[string]bool, len(luids))
	for rest := luids; len(rest) > 0; {
		chunk := rest[:min(knownChunk, len(rest))]
		rest = rest[len(chunk):]
		args := make([]any, 0, len(chunk)+3)
		args = append(args, userID, deviceID, datastore)
		for _, l := range chunk {
			args = append(args, l)
		}
		q := `SELECT luid FROM mappings WHERE user_id = ? AND device_id = ? AND datastore = ? AND luid IN (?` +
			strings.Repeat(", ?", len(chunk)-1) + `)`
		if err := t.scanGUIDs(ctx, mapped, q, args...); err != nil {
			return nil, fmt.Errorf("sqlite: unmapped luids %d/%s/%s: %w", userID, deviceID, datastore, err)
		}
	}
	res := make(map[string]bool, len(luids))
	for _, l := range luids {
		if !mapped[l] {
			res[l] = true
		}
	}
	return res, nil
}

// PutMapping maps m.LUID to m.GUID, replacing the LUID's previous mapping and
// removing the mapping of any other LUID to m.GUID: SQLite's REPLACE deletes
// the rows that conflict on either unique key, in one statement.
func (t *tx) PutMapping(ctx context.Context, m *store.Mapping) error {
	return t.PutMappings(ctx, []store.Mapping{*m})
}

// mappingsPerInsert keeps an INSERT's parameters well below SQLite's
// limit.
const mappingsPerInsert = 500

// PutMappings writes a Map's mappings with one statement per
// mappingsPerInsert: rows of one multi-row INSERT OR REPLACE are inserted in
// order, so a later one replaces an earlier one as with PutMapping each.
func (t *tx) PutMappings(ctx context.Context, ms []store.Mapping) error {
	for len(ms) > 0 {
		chunk := ms[:min(mappingsPerInsert, len(ms))]
		ms = ms[len(chunk):]
		args := make([]any, 0, 6*len(chunk))
		for i := range chunk {
			m := &chunk[i]
			if m.LUID == "" || m.GUID == "" {
				return fmt.Errorf("sqlite: put map %d/%s/%s %q -> %s: empty LUID or GUID", m.UserID, m.DeviceID, m.Datastore, m.LUID, m.GUID)
			}
			args = append(args, m.UserID, m.DeviceID, m.Datastore, m.LUID, m.GUID, m.Session)
		}
		if _, err := t.tx.ExecContext(ctx, `INSERT OR REPLACE INTO mappings (`+mappingCols+`) VALUES `+
			strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?), ", len(chunk)), ", "), args...); err != nil {
			return fmt.Errorf("sqlite: put %d mappings of %d/%s/%s: %w", len(chunk), chunk[0].UserID, chunk[0].DeviceID, chunk[0].Datastore, userFK(err, chunk[0].UserID))
		}
	}
	return nil
}

// DeleteMapping deletes the LUID's mapping; deleting a missing one is not an
// error.
func (t *tx) DeleteMapping(ctx context.Context, userID int64, deviceID, datastore, luid string) error {
	if _, err := t.tx.ExecContext(ctx, `DELETE FROM mappings
WHERE user_id = ? AND device_id = ? AND datastore = ? AND luid = ?`, userID, deviceID, datastore, luid); err != nil {
		return fmt.Errorf("sqlite: delete map %d/%s/%s %q: %w", userID, deviceID, datastore, luid, err)
	}
	return nil
}

// ConfirmedInSession returns a map holding every given GUID: true when its
// mapping was last confirmed by session.
func (t *tx) ConfirmedInSession(ctx context.Context, userID int64, deviceID, datastore, session string, guids []string) (map[string]bool, error) {
	res := make(map[string]bool, len(guids))
	for _, g := range guids {
		// A point lookup per GUID on the (…, guid) unique index: in-process
		// SQLite makes this as cheap as one IN query, with one cached statement.
		var n int
		if err := t.tx.QueryRowContext(ctx, qConfirmed,
			userID, deviceID, datastore, g, session).Scan(&n); err != nil {
			return nil, fmt.Errorf("sqlite: confirmed in session %d/%s/%s: %w", userID, deviceID, datastore, err)
		}
		res[g] = n > 0
	}
	return res, nil
}

func (t *tx) PruneUnconfirmedMappings(ctx context.Context, userID int64, deviceID, datastore, session string) (int, error) {
	res, err := t.tx.ExecContext(ctx, `DELETE FROM mappings
WHERE user_id = ? AND device_id = ? AND datastore = ? AND session <> ?`, userID, deviceID, datastore, session)
	var n int64
	if err == nil {
		n, err = res.RowsAffected()
	}
	if err != nil {
		return 0, fmt.Errorf("sqlite: prune maps %d/%s/%s: %w", userID, deviceID, datastore, err)
	}
	return int(n), nil
}
