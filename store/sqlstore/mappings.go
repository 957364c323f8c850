package sqlstore

import (
	"context"
	"slices"
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
	m, err := scanMapping(t.queryRow(ctx, `SELECT `+mappingCols+` FROM mappings
WHERE user_id = ? AND device_id = ? AND datastore = ? AND luid = ?`, userID, deviceID, datastore, luid))
	if err != nil {
		return nil, t.errorf("map %d/%s/%s luid %q: %w", userID, deviceID, datastore, luid, err)
	}
	return m, nil
}

func (t *tx) MapByGUID(ctx context.Context, userID int64, deviceID, datastore, guid string) (*store.Mapping, error) {
	m, err := scanMapping(t.queryRow(ctx, `SELECT `+mappingCols+` FROM mappings
WHERE user_id = ? AND device_id = ? AND datastore = ? AND guid = ?`, userID, deviceID, datastore, guid))
	if err != nil {
		return nil, t.errorf("map %d/%s/%s guid %s: %w", userID, deviceID, datastore, guid, err)
	}
	return m, nil
}

// UnmappedLUIDs looks the LUIDs up on the mappings' (…, luid) unique index,
// knownChunk per query.
func (t *tx) UnmappedLUIDs(ctx context.Context, userID int64, deviceID, datastore string, luids []string) (map[string]bool, error) {
	mapped := make(map[string]bool, len(luids))
	if err := inChunks(luids, []any{userID, deviceID, datastore}, func(in string, args []any) error {
		return t.scanGUIDs(ctx, mapped, `SELECT luid FROM mappings WHERE user_id = ? AND device_id = ? AND datastore = ? AND luid`+in, args...)
	}); err != nil {
		return nil, t.errorf("unmapped luids %d/%s/%s: %w", userID, deviceID, datastore, err)
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
// removing the mapping of any other LUID to m.GUID.
func (t *tx) PutMapping(ctx context.Context, m *store.Mapping) error {
	return t.PutMappings(ctx, []store.Mapping{*m})
}

// mappingsPerInsert keeps an INSERT's parameters well below SQLite's
// limit.
const mappingsPerInsert = 500

// PutMappings writes a Map's mappings, as PutMapping each, with one
// statement per mappingsPerInsert where the Dialect has INSERT OR REPLACE
// (rows of one multi-row INSERT OR REPLACE are inserted in order, so a
// later one replaces an earlier one), two otherwise (putPartnershipMappings).
func (t *tx) PutMappings(ctx context.Context, ms []store.Mapping) error {
	for len(ms) > 0 {
		chunk := ms[:min(mappingsPerInsert, len(ms))]
		ms = ms[len(chunk):]
		for i := range chunk {
			if m := &chunk[i]; m.LUID == "" || m.GUID == "" {
				return t.errorf("put map %d/%s/%s %q -> %s: empty LUID or GUID", m.UserID, m.DeviceID, m.Datastore, m.LUID, m.GUID)
			}
		}
		if t.s.d.ReplaceInto() {
			if _, err := t.exec(ctx, `INSERT OR REPLACE INTO mappings (`+mappingCols+`) VALUES `+
				strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?), ", len(chunk)), ", "), mappingArgs(chunk)...); err != nil {
				return t.errorf("put %d mappings of %d/%s/%s: %w", len(chunk), chunk[0].UserID, chunk[0].DeviceID, chunk[0].Datastore, t.userFK(err, chunk[0].UserID))
			}
			continue
		}
		// Partnerships in one chunk are grouped: the engine writes one
		// partnership's Map at a time, but nothing requires it.
		for len(chunk) > 0 {
			first := chunk[0]
			n := 1
			for n < len(chunk) && chunk[n].UserID == first.UserID && chunk[n].DeviceID == first.DeviceID && chunk[n].Datastore == first.Datastore {
				n++
			}
			if err := t.putPartnershipMappings(ctx, chunk[:n]); err != nil {
				return t.errorf("put %d mappings of %d/%s/%s: %w", n, first.UserID, first.DeviceID, first.Datastore, t.userFK(err, first.UserID))
			}
			chunk = chunk[n:]
		}
	}
	return nil
}

func mappingArgs(ms []store.Mapping) []any {
	args := make([]any, 0, 6*len(ms))
	for _, m := range ms {
		args = append(args, m.UserID, m.DeviceID, m.Datastore, m.LUID, m.GUID, m.Session)
	}
	return args
}

// putPartnershipMappings writes mappings of one partnership without INSERT
// OR REPLACE: the mappings are first reduced to what PutMapping each would
// leave (a later mapping replaces an earlier one of its LUID or GUID), then
// the stored rows that conflict on either key are deleted and the rest
// inserted.
func (t *tx) putPartnershipMappings(ctx context.Context, ms []store.Mapping) error {
	var keep []store.Mapping
	for _, m := range ms {
		keep = slices.DeleteFunc(keep, func(k store.Mapping) bool { return k.LUID == m.LUID || k.GUID == m.GUID })
		keep = append(keep, m)
	}
	luids := make([]string, len(keep))
	guids := make([]string, len(keep))
	for i, m := range keep {
		luids[i], guids[i] = m.LUID, m.GUID
	}
	m := keep[0]
	inLUID, luidArgs := t.s.d.In("luid", luids)
	inGUID, guidArgs := t.s.d.In("guid", guids)
	args := append([]any{m.UserID, m.DeviceID, m.Datastore}, luidArgs...)
	if _, err := t.exec(ctx, `DELETE FROM mappings WHERE user_id = ? AND device_id = ? AND datastore = ?
AND (`+inLUID+` OR `+inGUID+`)`, append(args, guidArgs...)...); err != nil {
		return err
	}
	_, err := t.exec(ctx, `INSERT INTO mappings (`+mappingCols+`) VALUES `+
		strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?), ", len(keep)), ", "), mappingArgs(keep)...)
	return err
}

// DeleteMapping deletes the LUID's mapping; deleting a missing one is not an
// error.
func (t *tx) DeleteMapping(ctx context.Context, userID int64, deviceID, datastore, luid string) error {
	if _, err := t.exec(ctx, `DELETE FROM mappings
WHERE user_id = ? AND device_id = ? AND datastore = ? AND luid = ?`, userID, deviceID, datastore, luid); err != nil {
		return t.errorf("delete map %d/%s/%s %q: %w", userID, deviceID, datastore, luid, err)
	}
	return nil
}

// ConfirmedInSession returns a map holding every given GUID: true when its
// mapping was last confirmed by session.
func (t *tx) ConfirmedInSession(ctx context.Context, userID int64, deviceID, datastore, session string, guids []string) (map[string]bool, error) {
	res := make(map[string]bool, len(guids))
	if !t.s.d.Embedded() {
		// One query per list: every statement is a round trip to the server.
		for _, g := range guids {
			res[g] = false
		}
		for len(guids) > 0 {
			chunk := guids[:min(t.s.d.ListChunk(), len(guids))]
			guids = guids[len(chunk):]
			in, args := t.s.d.In("guid", chunk)
			if err := t.scanGUIDs(ctx, res, `SELECT guid FROM mappings
WHERE user_id = ? AND device_id = ? AND datastore = ? AND session = ? AND `+in,
				append([]any{userID, deviceID, datastore, session}, args...)...); err != nil {
				return nil, t.errorf("confirmed in session %d/%s/%s: %w", userID, deviceID, datastore, err)
			}
		}
		return res, nil
	}
	for _, g := range guids {
		// A point lookup per GUID on the (…, guid) unique index: in process
		// this is as cheap as one IN query, with one cached statement.
		var n int
		if err := t.queryRow(ctx, qConfirmed,
			userID, deviceID, datastore, g, session).Scan(&n); err != nil {
			return nil, t.errorf("confirmed in session %d/%s/%s: %w", userID, deviceID, datastore, err)
		}
		res[g] = n > 0
	}
	return res, nil
}

func (t *tx) UnconfirmedMappings(ctx context.Context, userID int64, deviceID, datastore, session string) ([]store.Mapping, error) {
	rows, err := t.query(ctx, `SELECT `+mappingCols+` FROM mappings
WHERE user_id = ? AND device_id = ? AND datastore = ? AND session <> ? ORDER BY guid`, userID, deviceID, datastore, session)
	if err != nil {
		return nil, t.errorf("unconfirmed maps %d/%s/%s: %w", userID, deviceID, datastore, err)
	}
	defer rows.Close()
	var ms []store.Mapping
	for rows.Next() {
		m, err := scanMapping(rows)
		if err != nil {
			return nil, t.errorf("unconfirmed maps %d/%s/%s: %w", userID, deviceID, datastore, err)
		}
		ms = append(ms, *m)
	}
	if err := rows.Err(); err != nil {
		return nil, t.errorf("unconfirmed maps %d/%s/%s: %w", userID, deviceID, datastore, err)
	}
	return ms, nil
}

func (t *tx) PruneUnconfirmedMappings(ctx context.Context, userID int64, deviceID, datastore, session string) (int, error) {
	res, err := t.exec(ctx, `DELETE FROM mappings
WHERE user_id = ? AND device_id = ? AND datastore = ? AND session <> ?`, userID, deviceID, datastore, session)
	var n int64
	if err == nil {
		n, err = res.RowsAffected()
	}
	if err != nil {
		return 0, t.errorf("prune maps %d/%s/%s: %w", userID, deviceID, datastore, err)
	}
	return int(n), nil
}
