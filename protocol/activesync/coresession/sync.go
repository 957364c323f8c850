package coresession

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"

	"anchorage/protocol/activesync"
	"anchorage/protocol/engine"
)

// Sync runs one collection of a Sync request in one unit of work.
//
// SyncKey 0 starts the initial sync: the next request opens the core's
// datastore as a slow sync, so the items the device sends are matched by
// identity and never duplicated. Server changes go out in windows; the
// core's sync completes (its anchors become the new SyncKey) once the
// last window went out. A change counts as delivered when its answer is
// sent: if the answer is lost, the device repeats its key and gets the
// same answer again (Last), and an older key sends it back to SyncKey 0.
func (s *Session) Sync(ctx context.Context, req activesync.SyncRequest) (*activesync.SyncResult, error) {
	name, class, err := folder(req.FolderID)
	if err != nil {
		return nil, err
	}
	var res *activesync.SyncResult
	oldKeyOf := 0 // the current key, when the request's is an old one (shared.go)
	err = s.update(ctx, func(w *engine.Work, st *deviceState) error {
		if req.SyncKey == "0" {
			fs := restart(st.Folders[req.FolderID], req)
			st.Folders[req.FolderID] = fs
			// The new chain starts a new ClientId list: the device
			// sends what it holds as Adds, paired by identity.
			if err := w.ClearClientIDs(s.user.ID, s.dev.ID, req.FolderID); err != nil {
				return err
			}
			res = &activesync.SyncResult{SyncKey: strconv.Itoa(fs.Key)}
			if fs.Restarts >= sharedRestarts {
				return s.noteShared(w, req.FolderID, fmt.Sprintf("SyncKey 0 for the %d. time while in use", fs.Restarts), "new_key", fs.Key)
			}
			return nil
		}
		fs := st.Folders[req.FolderID]
		key, err := strconv.Atoi(req.SyncKey)
		if fs == nil || err != nil || fs.Key == 0 {
			return activesync.ErrInvalidSyncKey
		}
		if key == fs.LastReq {
			if err := s.readLast(w, fs, req.FolderID); err != nil {
				return err
			}
		}
		if key == fs.LastReq && fs.Last != nil && key != fs.Key {
			if fs.LastSum == "" || fs.LastSum == commandsSum(req.Commands) {
				res, err = s.repeated(w, fs, name) // a lost answer, or a loop (loop.go)
				return err
			}
			fs.Repeats = 0 // other commands: not the loop of one answer
			res, err = s.resend(w, fs, name, class, req)
			return err
		}
		if key != fs.Key {
			if oldKey(fs, key) {
				oldKeyOf = fs.Key
			}
			return activesync.ErrInvalidSyncKey
		}
		tookLast(fs) // the device took the last answer (loop.go)
		if filterChanged(fs, req) {
			s.core.Logger().Info("device changed its FilterType: it syncs again from SyncKey 0",
				"user", s.user.Name, "device", s.dev.ID, "folder", req.FolderID, "from", fs.Filter, "to", req.FilterType)
			return errRefilter
		}
		if req.Supported != nil {
			fs.Supported = req.Supported
		}
		res, err = s.sync(w, fs, name, class, req)
		return err
	})
	if errors.Is(err, errReset) || errors.Is(err, errRefilter) {
		// The core has no sync this key builds on (the admin reset the
		// device), or the device changed its FilterType: it starts again
		// at SyncKey 0.
		err = s.update(ctx, func(_ *engine.Work, st *deviceState) error {
			delete(st.Folders, req.FolderID)
			return nil
		})
		if err == nil {
			err = activesync.ErrInvalidSyncKey
		}
	}
	if oldKeyOf != 0 && errors.Is(err, activesync.ErrInvalidSyncKey) {
		if nerr := s.noteOldKey(ctx, req.FolderID, req.SyncKey, oldKeyOf); nerr != nil {
			return nil, nerr
		}
	}
	return res, err
}

// errReset: the core's partnership does not know the folder's key.
var errReset = errors.New("coresession: the device's sync state was reset")

// errRefilter: the device changed the folder's FilterType (filter.go).
var errRefilter = errors.New("coresession: the device changed its FilterType")

// sync applies the device's commands and reads the server's changes for a
// request with the folder's current key.
func (s *Session) sync(w *engine.Work, fs *folderState, name string, class activesync.Class, req activesync.SyncRequest) (*activesync.SyncResult, error) {
	ds, err := s.open(w, fs, name)
	if err != nil {
		return nil, err
	}
	res := &activesync.SyncResult{}
	if err := s.apply(w, fs, req.FolderID, ds, class, req.Commands, res); err != nil {
		return nil, err
	}
	switch {
	case req.GetChanges && fs.Slow && len(req.Commands) > 0:
		// An initial sync's device may hold more items than one request
		// carries: the server's changes wait until a request brings no
		// more, so that each of the device's items is matched by identity
		// before the server's are sent (the order of a SyncML slow sync),
		// never sent as well. MoreAvailable asks the device to come back.
		res.MoreAvailable = true
	case req.GetChanges:
		if err := s.changes(w, fs, ds, class, req.WindowSize, res); err != nil {
			return nil, err
		}
	}
	if ds.Drained {
		next := strconv.Itoa(fs.Key + 1)
		if len(res.Results) == 0 && len(res.Changes) == 0 {
			next = strconv.Itoa(fs.Key)
		}
		if err := w.Complete(ds, engine.Anchors{Client: next, Server: next}); err != nil {
			return nil, err
		}
		if err := w.Finish(ds.Partner); err != nil {
			return nil, err
		}
		fs.Open, fs.Cycle, fs.Slow = nil, "", false
	} else {
		fs.Open = ds
	}
	if len(res.Results) == 0 && len(res.Changes) == 0 {
		res.SyncKey = strconv.Itoa(fs.Key)
		return res, nil
	}
	fs.LastReq, fs.Key = fs.Key, fs.Key+1
	res.SyncKey = strconv.Itoa(fs.Key)
	fs.Last, fs.LastSum = res, commandsSum(req.Commands)
	return res, nil
}

// resend answers a request with the key of an answer the device lost but
// other commands than the lost answer's request: the device changed items
// since, or it was restarted and sends what it still holds as pending.
// Replaying the lost answer would drop those commands, so they are applied
// to the current state (a re-sent Add's ClientId keeps its ServerId, and
// content changed since is applied to that item), and the lost answer's
// server changes go out again with them, under a new key.
func (s *Session) resend(w *engine.Work, fs *folderState, name string, class activesync.Class, req activesync.SyncRequest) (*activesync.SyncResult, error) {
	last, lastReq := fs.Last, fs.LastReq
	lost := keepLostDeletes(fs, last, req) // keptdelete.go
	req.GetChanges = false
	res, err := s.sync(w, fs, name, class, req)
	if err != nil {
		return nil, err
	}
	res.Changes = append(lost, res.Changes...)
	res.MoreAvailable = res.MoreAvailable || last.MoreAvailable
	if fs.Last != res { // nothing to answer but the lost changes
		fs.Key++
	}
	fs.LastReq = lastReq
	res.SyncKey = strconv.Itoa(fs.Key)
	fs.Last, fs.LastSum = res, commandsSum(req.Commands)
	return res, nil
}

// commandsSum is a digest of a request's commands.
func commandsSum(cmds []activesync.ClientCommand) string {
	h := sha256.New()
	for _, c := range cmds {
		fmt.Fprintf(h, "%d\x00%s\x00%s\x00%s\x00%d\x00", c.Kind, c.ClientID, c.ServerID, c.InstanceID, len(c.Item.Data))
		h.Write(c.Item.Data)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// open returns the core's datastore for the request: the one a previous
// request left open (more changes to send), or a new sync, slow after
// SyncKey 0 and two-way after that. A two-way sync whose key is not the
// one the core completed with (the admin reset the device) is
// ErrInvalidSyncKey.
func (s *Session) open(w *engine.Work, fs *folderState, name string) (*engine.Datastore, error) {
	p := engine.Partner{UserID: s.user.ID, UserName: s.user.Name, DeviceID: s.dev.ID, Session: fs.Cycle}
	if fs.Open != nil {
		ds := fs.Open
		ds.Partner = p
		ds.DeviceForm = deviceForm(name)
		if !fs.Slow {
			// The admin may have reset the device since the sync began.
			_, _, forced, err := w.Open(p, name, engine.ModeTwoWay, strconv.Itoa(fs.OpenedKey))
			if err != nil {
				return nil, fmt.Errorf("coresession: open %s: %w", name, err)
			} else if forced {
				return nil, errReset
			}
		}
		return ds, nil
	}
	fs.Cycle, fs.OpenedKey = engine.NewID(), fs.Key
	p.Session = fs.Cycle
	mode := engine.ModeTwoWay
	if fs.Slow {
		mode = engine.ModeSlow
	}
	ds, _, forced, err := w.Open(p, name, mode, strconv.Itoa(fs.Key))
	if err != nil {
		return nil, fmt.Errorf("coresession: open %s: %w", name, err)
	}
	if forced {
		return nil, errReset
	}
	// The device gets the canonical form (vCard 3.0, iCalendar 2.0,
	// text), which the converters read.
	ct := engine.DefaultContentType(name)
	ds.SendType, ds.Accepts = ct, []string{ct}
	ds.CTCaps = ctCaps(name, fs.Supported)
	ds.DeviceForm = deviceForm(name)
	return ds, nil
}

// changes reads up to window server changes into res, the owed ones
// first (loop.go); the last window drains the datastore.
func (s *Session) changes(w *engine.Work, fs *folderState, ds *engine.Datastore, class activesync.Class, window int, res *activesync.SyncResult) error {
	if window <= 0 || window > 512 {
		window = 512 // MS-ASCMD 2.2.3.199: at most 512
	}
	if !fs.Slow {
		if err := s.sweep(w, fs, ds, class); err != nil { // filter.go
			return err
		}
	}
	window = owed(fs, window, res)
	sent := len(res.Changes) // owed: delivered for the core already
	if sent == window {
		return nil
	}
	var maps []engine.Mapping
	now := s.core.Now()
	w.ReadAhead(ds, window-sent+1) // the window, and one to tell MoreAvailable
	for {
		ch, err := w.NextChange(ds)
		if err != nil {
			return err
		}
		if ch == nil {
			break
		}
		if len(res.Changes) == window {
			res.MoreAvailable = true
			break
		}
		if ch.Op != engine.OpDelete && !inWindow(class, fs.Filter, ch.Data, now) {
			if ch.Op == engine.OpAdd {
				w.Skip(ds, ch) // the device does not hold it and is not to
				continue
			}
			// The device holds it: it leaves the device, not the server.
			w.Advance(ds, ch)
			res.Changes = append(res.Changes, activesync.ServerChange{Kind: activesync.CmdSoftDelete, ServerID: ch.LUID})
			continue
		}
		w.Advance(ds, ch)
		sc := activesync.ServerChange{ServerID: ch.LUID, Item: activesync.Item{Class: class, Data: ch.Data}}
		switch ch.Op {
		case engine.OpAdd:
			// The server names the item: its ServerId is the GUID.
			sc.Kind, sc.ServerID = activesync.CmdAdd, ch.GUID
			maps = append(maps, engine.Mapping{LUID: ch.GUID, GUID: ch.GUID})
		case engine.OpReplace:
			sc.Kind = activesync.CmdChange
		case engine.OpDelete:
			sc.Kind, sc.Item = activesync.CmdDelete, activesync.Item{}
		}
		res.Changes = append(res.Changes, sc)
	}
	if err := w.Flush(ds); err != nil {
		return err
	}
	if _, _, err := w.Map(ds, maps); err != nil {
		return err
	}
	res.Changes = append(res.Changes[:sent], holdKeptAdds(fs, res.Changes[sent:])...) // keptdelete.go
	for _, sc := range res.Changes[sent:] {
		if sc.Kind == activesync.CmdAdd {
			continue
		}
		op := engine.OpReplace
		if sc.Kind == activesync.CmdDelete || sc.Kind == activesync.CmdSoftDelete {
			op = engine.OpDelete // the device no longer holds it: unmapped
		}
		guid, err := w.ServerID(ds, sc.ServerID)
		if err != nil {
			return err
		}
		if err := w.Acknowledge(ds, op, guid, sc.ServerID, true); err != nil {
			return err
		}
	}
	return nil
}
