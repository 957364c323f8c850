package coresession

import (
	"context"
	"errors"
	"strconv"

	"anchorage/protocol/activesync"
	"anchorage/protocol/engine"
	"anchorage/protocol/pim"
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
		n = len(fs.Owed) // loop.go
		for n < maxEstimate {
			ch, err := w.NextChange(ds)
			if err != nil {
				return err
			}
			if ch == nil {
				break
			}
			if ch.Op == engine.OpAdd && !inWindow(class, fs.Filter, ch.Data, s.core.Now()) {
				w.Skip(ds, ch) // filter.go: not sent
				continue
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

// ctCaps turns the EAS properties a device declared it holds (Supported)
// into the core's properties per content type, so that the core keeps
// the stored value of every other property (its field preservation)
// instead of reading its absence as a deletion. Each EAS property is
// converted alone to learn the vCard properties it becomes; nil (no
// Supported) leaves the core to what the device sent before.
func ctCaps(datastore string, supported []string) map[string]map[string]int {
	if supported == nil || datastore != engine.Contacts {
		return nil
	}
	base := map[string]bool{}
	empty, _ := pim.EASContactToVCard(nil)
	for _, n := range pim.PropertyNames("text/vcard", empty) {
		base[n] = true
	}
	props := map[string]int{}
	for n := range base {
		props[n] = 0
	}
	for _, name := range supported {
		card, _ := pim.EASContactToVCard([]pim.EASField{{Name: name, Value: "x", Items: []string{"x"}}})
		for _, n := range pim.PropertyNames("text/vcard", card) {
			props[n] = 0
		}
	}
	return map[string]map[string]int{"text/vcard": props}
}
