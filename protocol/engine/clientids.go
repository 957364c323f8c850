package engine

import (
	"fmt"

	"anchorage/store"
)

// An ActiveSync device's Adds carry ClientIds (MS-ASCMD 2.2.3.28.2); the
// front end keeps the ServerId each got, so that an Add re-sent after a
// lost answer gets the same one and makes no second item. They are rows
// of the store, one per ClientId, so that a request reads only those it
// carries.

// ClientID is the ServerId a device's Add with a ClientId got, and a
// digest of the content it carried.
type ClientID struct {
	ServerID, Sum string
}

// ClientIDs returns, by ClientId, those of the given ClientIds recorded
// for the device's folder.
func (w *Work) ClientIDs(userID int64, deviceID, folder string, clientIDs []string) (map[string]ClientID, error) {
	if len(clientIDs) == 0 {
		return map[string]ClientID{}, nil
	}
	got, err := w.tx.ClientIDs(w.ctx, userID, deviceID, folder, clientIDs)
	if err != nil {
		return nil, fmt.Errorf("engine: look up ClientIds: %w", err)
	}
	out := make(map[string]ClientID, len(got))
	for k, c := range got {
		out[k] = ClientID{ServerID: c.ServerID, Sum: c.Sum}
	}
	return out, nil
}

// PutClientIDs records the ClientIds of the device's folder, each
// replacing its earlier record.
func (w *Work) PutClientIDs(userID int64, deviceID, folder string, ids map[string]ClientID) error {
	if len(ids) == 0 {
		return nil
	}
	rows := make([]store.ClientID, 0, len(ids))
	for cid, c := range ids {
		rows = append(rows, store.ClientID{UserID: userID, DeviceID: deviceID, Folder: folder, ClientID: cid, ServerID: c.ServerID, Sum: c.Sum})
	}
	if err := w.tx.PutClientIDs(w.ctx, rows); err != nil {
		return fmt.Errorf("engine: record ClientIds: %w", err)
	}
	return nil
}

// ClearClientIDs forgets the ClientIds of the device's folder (a folder
// that starts again at SyncKey 0 starts a new list).
func (w *Work) ClearClientIDs(userID int64, deviceID, folder string) error {
	if _, err := w.tx.ClearClientIDs(w.ctx, userID, deviceID, folder); err != nil {
		return fmt.Errorf("engine: clear ClientIds: %w", err)
	}
	return nil
}
