package engine

import (
	"errors"
	"fmt"

	"anchorage/store"
)

// HeldWhere returns the mappings of the device's items of the datastore
// for which match (given the item's canonical form) is true: the items
// it holds that an ActiveSync FilterType window no longer covers once
// time moved on. It reads every live item, in batches; a front end runs
// it seldom (once a day per folder).
func (w *Work) HeldWhere(ds *Datastore, match func(contentType string, data []byte) bool) ([]Mapping, error) {
	if err := ds.Partner.check(); err != nil {
		return nil, err
	}
	var out []Mapping
	after := ""
	for {
		items, err := w.tx.LiveItems(w.ctx, ds.UserID, ds.Name, after, batchSize)
		if err != nil {
			return nil, fmt.Errorf("engine: items of %s: %w", ds.Name, err)
		}
		if len(items) == 0 {
			return out, nil
		}
		for i := range items {
			it := &items[i]
			after = it.GUID
			if !match(it.Canon()) {
				continue
			}
			m, err := w.tx.MapByGUID(w.ctx, ds.UserID, ds.DeviceID, ds.Name, it.GUID)
			if errors.Is(err, store.ErrNotFound) {
				continue
			} else if err != nil {
				return nil, fmt.Errorf("engine: map %s: %w", it.GUID, err)
			}
			out = append(out, Mapping{LUID: m.LUID, GUID: m.GUID})
		}
	}
}
