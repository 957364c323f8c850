package coresession

import (
	"context"
	"errors"
	"strconv"

	"anchorage/protocol/activesync"
	"anchorage/protocol/engine"
)

// maxEstimate bounds how many changes an estimate counts.
const maxEstimate = 10000

// Estimate counts the server changes the next Sync with syncKey would send.
// It walks them as a Sync would, in a read-only unit of work: nothing of
// the walk is kept, and it takes no write lock from the devices syncing.
func (s *Session) Estimate(ctx context.Context, folderID, syncKey string) (int, error) {
	name, class, err := folder(folderID)
	if err != nil {
		return 0, err
	}
	n := 0
	err = s.core.View(ctx, func(w *engine.Work) error {
		st, err := s.load(w)
		if err != nil {
			return err
		}
		fs := st.Folders[folderID]
		if fs == nil || fs.Key == 0 || syncKey != strconv.Itoa(fs.Key) {
			if fs != nil && syncKey == strconv.Itoa(fs.LastReq) {
				if err := s.readLast(w, fs, folderID); err != nil {
					return err
				}
			}
			if fs != nil && fs.Last != nil && syncKey == strconv.Itoa(fs.LastReq) {
				n = len(fs.Last.Changes)
				return nil
			}
			return activesync.ErrInvalidSyncKey
		}
		ds, err := s.open(w, fs, name)
		if errors.Is(err, errReset) {
			return activesync.ErrInvalidSyncKey
		} else if err != nil {
			return err
		}
		if !filtersByContent(class, fs.Filter) {
			w.CountOnly(ds)
		}
		n = len(fs.Owed) // loop.go
		for n < maxEstimate {
			ch, err := s.nextToSend(w, fs, ds, class) // filter.go
			if err != nil {
				return err
			}
			if ch == nil {
				break
			}
			w.Advance(ds, ch)
			n++
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// Fetch returns one item of the device's.
func (s *Session) Fetch(ctx context.Context, folderID, serverID string) (activesync.Item, error) {
	name, class, err := folder(folderID)
	if err != nil {
		return activesync.Item{}, err
	}
	var item activesync.Item
	err = s.core.View(ctx, func(w *engine.Work) error {
		ds := &engine.Datastore{Partner: engine.Partner{UserID: s.user.ID, UserName: s.user.Name, DeviceID: s.dev.ID, Session: "fetch"},
			Name: name, ContentType: engine.DefaultContentType(name)}
		ct := engine.DefaultContentType(name)
		ds.SendType, ds.Accepts = ct, []string{ct}
		ch, err := w.Fetch(ds, serverID)
		if err != nil {
			return err
		}
		if ch == nil {
			return activesync.ErrNotFound
		}
		item = activesync.Item{Class: class, Data: ch.Data}
		return nil
	})
	return item, err
}
