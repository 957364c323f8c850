package coresession

import (
	"context"
	"errors"

	"anchorage/hub"
	"anchorage/protocol/activesync"
	"anchorage/protocol/engine"
)

// WipeState returns the device's remote-wipe state (activesync.Wiper).
func (s *Session) WipeState(ctx context.Context) (activesync.Wipe, error) {
	if wp, ok := s.prefetchedWipe(); ok {
		return wp, nil
	}
	var wp activesync.Wipe
	err := s.core.View(ctx, func(w *engine.Work) error {
		var err error
		wp, err = readWipe(w, s.user.ID, s.dev.ID)
		return err
	})
	return wp, err
}

// AckWipe moves the device's wipe forward.
func (s *Session) AckWipe(ctx context.Context, to activesync.WipeState) error {
	st := engine.WipeAcknowledged
	if to == activesync.WipeDone {
		st = engine.WipeDone
	}
	return s.write(ctx, func(w *engine.Work) error { return w.SetWipe(s.user.ID, s.dev.ID, st) })
}

// Changed returns the folders with server changes the device has not
// received (activesync.Pusher): the core's next change for the folder's
// current SyncKey, which leaves out the device's own writes. It only
// reads (a parked Ping asks on every wake-up), so it takes no write lock.
func (s *Session) Changed(ctx context.Context, folderIDs []string) ([]string, error) {
	var out []string
	err := s.core.View(ctx, func(w *engine.Work) error {
		st, err := s.load(w)
		if err != nil {
			return err
		}
		for _, id := range folderIDs {
			name, class, err := folder(id)
			fs := st.Folders[id]
			if err != nil || fs == nil || fs.Key == 0 {
				continue // not synced yet: no changes
			}
			if fs.Open != nil && !fs.Open.Drained && fs.Open.ServerBegun || len(fs.Owed) > 0 {
				out = append(out, id) // MoreAvailable
				continue
			}
			ds, err := s.open(w, fs, name)
			if errors.Is(err, errReset) {
				out = append(out, id) // the next Sync sends it back to SyncKey 0
				continue
			} else if err != nil {
				return err
			}
			ch, err := s.nextToSend(w, fs, ds, class)
			if err != nil {
				return err
			}
			if ch != nil {
				out = append(out, id)
			}
		}
		return nil
	})
	return out, err
}

// Watch subscribes to the hub for the folders' datastores of the user.
func (s *Session) Watch(folderIDs []string) (<-chan struct{}, func()) {
	h := s.core.Hub()
	if h == nil {
		return nil, func() {}
	}
	var keys []hub.Key
	for _, id := range folderIDs {
		if name, _, err := folder(id); err == nil {
			keys = append(keys, hub.Key{User: s.user.Name, Datastore: name})
		}
	}
	return h.Watch(keys...)
}

// PingParams returns the device's last Ping parameters.
func (s *Session) PingParams(ctx context.Context) (activesync.PingParams, error) {
	var p activesync.PingParams
	err := s.core.View(ctx, func(w *engine.Work) error {
		st, err := s.load(w)
		if err == nil && st.Ping != nil {
			p = *st.Ping
		}
		return err
	})
	return p, err
}

// SetPingParams stores the parameters of a Ping that carried some.
func (s *Session) SetPingParams(ctx context.Context, p activesync.PingParams) error {
	return s.update(ctx, func(_ *engine.Work, st *deviceState) error {
		st.Ping = &p
		return nil
	})
}
