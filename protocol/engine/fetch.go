package engine

import (
	"errors"
	"fmt"

	"anchorage/store"
)

// Fetch returns the live item a device knows by luid, in a format the
// device takes (as a server change would carry it), nil when the device
// has no such item or it was deleted. ActiveSync's Fetch and
// ItemOperations read one item this way (MS-ASCMD 2.2.3.67).
func (w *Work) Fetch(ds *Datastore, luid string) (*ServerChange, error) {
	if err := ds.Partner.check(); err != nil {
		return nil, err
	}
	m, err := w.tx.MapByLUID(w.ctx, ds.UserID, ds.DeviceID, ds.Name, luid)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("engine: map %s: %w", luid, err)
	}
	it, err := w.tx.Item(w.ctx, ds.UserID, ds.Name, m.GUID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("engine: item %s: %w", m.GUID, err)
	}
	if it.Deleted {
		return nil, nil
	}
	ch := &ServerChange{Op: OpReplace, GUID: it.GUID, LUID: luid, item: it}
	ch.ContentType, ch.Data = w.e.outgoingData(w.as(ds.Partner), ds, it)
	return ch, nil
}
