package sqlstore

import (
	"context"
	"strings"

	"anchorage/store"
)

// ActiveSync ClientIds (store.ClientID): one row each, looked up by the
// ClientIds a request carries, knownChunk per query.

func (t *tx) ClientIDs(ctx context.Context, userID int64, deviceID, folder string, clientIDs []string) (map[string]store.ClientID, error) {
	res := make(map[string]store.ClientID, len(clientIDs))
	if err := inChunks(clientIDs, []any{userID, deviceID, folder}, func(in string, args []any) error {
		return t.scanClientIDs(ctx, res, `SELECT folder, client_id, server_id, sum FROM eas_client_ids
WHERE user_id = ? AND device_id = ? AND folder = ? AND client_id`+in, args...)
	}); err != nil {
		return nil, t.errorf("client ids %d/%s/%s: %w", userID, deviceID, folder, err)
	}
	for k, c := range res {
		c.UserID, c.DeviceID = userID, deviceID
		res[k] = c
	}
	return res, nil
}

func (t *tx) DeviceClientIDs(ctx context.Context, userID int64, deviceID string) ([]store.ClientID, error) {
	rows, err := t.query(ctx, `SELECT folder, client_id, server_id, sum FROM eas_client_ids
WHERE user_id = ? AND device_id = ? ORDER BY folder, client_id`, userID, deviceID)
	if err != nil {
		return nil, t.errorf("client ids %d/%s: %w", userID, deviceID, err)
	}
	defer rows.Close()
	var out []store.ClientID
	for rows.Next() {
		c := store.ClientID{UserID: userID, DeviceID: deviceID}
		if err := rows.Scan(&c.Folder, &c.ClientID, &c.ServerID, &c.Sum); err != nil {
			return nil, t.errorf("client ids %d/%s: %w", userID, deviceID, err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, t.errorf("client ids %d/%s: %w", userID, deviceID, err)
	}
	return out, nil
}

// scanClientIDs runs q and adds the rows it returns to res by ClientId.
func (t *tx) scanClientIDs(ctx context.Context, res map[string]store.ClientID, q string, args ...any) error {
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var c store.ClientID
		if err := rows.Scan(&c.Folder, &c.ClientID, &c.ServerID, &c.Sum); err != nil {
			return err
		}
		res[c.ClientID] = c
	}
	return rows.Err()
}

// clientIDsPerInsert keeps an INSERT's parameters well below SQLite's
// limit.
const clientIDsPerInsert = 500

// PutClientIDs upserts the rows, clientIDsPerInsert per statement. A
// ClientId given twice keeps its last record: one statement may not touch
// a row twice (PostgreSQL's ON CONFLICT DO UPDATE refuses it).
func (t *tx) PutClientIDs(ctx context.Context, ids []store.ClientID) error {
	type key struct {
		user                     int64
		device, folder, clientID string
	}
	last := make(map[key]int, len(ids))
	for i, c := range ids {
		if c.DeviceID == "" || c.Folder == "" || c.ClientID == "" || c.ServerID == "" {
			return t.errorf("put client id %d/%s/%s %q -> %q: empty device, folder, ClientId or ServerId",
				c.UserID, c.DeviceID, c.Folder, c.ClientID, c.ServerID)
		}
		last[key{c.UserID, c.DeviceID, c.Folder, c.ClientID}] = i
	}
	args := make([]any, 0, 6*min(clientIDsPerInsert, len(ids)))
	rows := 0
	flush := func() error {
		if rows == 0 {
			return nil
		}
		_, err := t.exec(ctx, `INSERT INTO eas_client_ids (user_id, device_id, folder, client_id, server_id, sum) VALUES `+
			strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?), ", rows), ", ")+
			` ON CONFLICT (user_id, device_id, folder, client_id) DO UPDATE SET server_id = excluded.server_id, sum = excluded.sum`, args...)
		args, rows = args[:0], 0
		return err
	}
	for i, c := range ids {
		if last[key{c.UserID, c.DeviceID, c.Folder, c.ClientID}] != i {
			continue
		}
		args = append(args, c.UserID, c.DeviceID, c.Folder, c.ClientID, c.ServerID, c.Sum)
		if rows++; rows == clientIDsPerInsert {
			if err := flush(); err != nil {
				return t.errorf("put client ids of %d/%s: %w", c.UserID, c.DeviceID, t.userFK(err, c.UserID))
			}
		}
	}
	if err := flush(); err != nil {
		return t.errorf("put client ids of %d/%s: %w", ids[0].UserID, ids[0].DeviceID, t.userFK(err, ids[0].UserID))
	}
	return nil
}

func (t *tx) ClearClientIDs(ctx context.Context, userID int64, deviceID, folder string) (int, error) {
	q, args := `DELETE FROM eas_client_ids WHERE user_id = ? AND device_id = ?`, []any{userID, deviceID}
	if folder != "" {
		q += ` AND folder = ?`
		args = append(args, folder)
	}
	n, err := t.deleteCounted(ctx, q, "count(*)", args...)
	if err != nil {
		return 0, t.errorf("clear client ids %d/%s/%s: %w", userID, deviceID, folder, err)
	}
	return n, nil
}
