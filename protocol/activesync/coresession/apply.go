package coresession

import (
	"crypto/sha256"
	"encoding/hex"

	"anchorage/protocol/activesync"
	"anchorage/protocol/engine"
)

// apply applies the device's commands in order, one result each. An Add's
// ServerId is a new id of the device's item in the core's mappings (its
// LUID); the same ClientId again gets the same ServerId and changes
// nothing. The ClientIds of the commands' Adds are looked up at once, and
// the new ones recorded in the same unit of work (clients.go).
func (s *Session) apply(w *engine.Work, fs *folderState, folderID string, ds *engine.Datastore, class activesync.Class, cmds []activesync.ClientCommand, res *activesync.SyncResult) error {
	if len(cmds) == 0 {
		return nil
	}
	known, err := w.ClientIDs(s.user.ID, s.dev.ID, folderID, addClientIDs(cmds))
	if err != nil {
		return err
	}
	fresh := map[string]engine.ClientID{} // recorded or changed by this request
	ct := engine.DefaultContentType(ds.Name)
	luids := make([]string, len(cmds))
	var batch []engine.Change // decoded and looked up at once (PrepareItems)
	for i, c := range cmds {
		switch c.Kind {
		case activesync.CmdAdd:
			if id, seen := known[c.ClientID]; !seen {
				luids[i] = engine.NewGUID(s.core.Now())
				batch = append(batch, engine.Change{Op: engine.OpAdd, LUID: luids[i], ContentType: ct, Data: c.Item.Data})
			} else if changedSince(id, c) {
				batch = append(batch, engine.Change{Op: engine.OpReplace, LUID: id.ServerID, ContentType: ct, Data: c.Item.Data})
			}
		case activesync.CmdChange:
			luids[i] = c.ServerID
			batch = append(batch, engine.Change{Op: engine.OpReplace, LUID: c.ServerID, ContentType: ct, Data: c.Item.Data})
		default:
			luids[i] = c.ServerID
		}
	}
	if err := w.PrepareItems(ds, batch); err != nil {
		return err
	}
	for i, c := range cmds {
		r := activesync.CommandResult{Kind: c.Kind, ClientID: c.ClientID, ServerID: c.ServerID}
		switch c.Kind {
		case activesync.CmdAdd:
			if id, seen := known[c.ClientID]; seen {
				r.ServerID, r.Outcome = id.ServerID, activesync.OutcomeDuplicate
				if changedSince(id, c) {
					// The device changed the item after it sent the Add
					// whose answer it never stored: the content it sends
					// now is a change of that item.
					changed, err := s.changeAdded(w, ds, c, id.ServerID, ct)
					if err != nil {
						return err
					} else if changed {
						id.Sum = itemSum(c.Item.Data)
						known[c.ClientID], fresh[c.ClientID] = id, id
					}
				}
				break
			}
			// After SyncKey 0 the device's Adds are what it holds, re-sent
			// without its sync state (a status 3 re-sync, MS-ASCMD
			// 2.2.3.166.4): a copy paired with the server's is merged, so
			// that a property it left out is never read as deleted.
			ds.MergePairs = fs.Slow
			o, _, err := w.Apply(ds, engine.Change{Op: engine.OpAdd, LUID: luids[i], ContentType: ct, Data: c.Item.Data})
			ds.MergePairs = false
			if err != nil {
				return err
			}
			r.Outcome = outcome(o)
			if r.Outcome == activesync.OutcomeOK {
				r.ServerID = luids[i]
				if c.ClientID != "" {
					id := engine.ClientID{ServerID: luids[i], Sum: itemSum(c.Item.Data)}
					known[c.ClientID], fresh[c.ClientID] = id, id
				}
			}
		case activesync.CmdChange, activesync.CmdDelete:
			if c.Kind == activesync.CmdDelete {
				if kept, err := s.keptDelete(w, fs, ds, class, c.ServerID); err != nil {
					return err
				} else if kept {
					r.Outcome = activesync.OutcomeConflict
					break
				}
			}
			guid, err := w.ServerID(ds, c.ServerID)
			if err != nil {
				return err
			}
			if guid == "" {
				r.Outcome = activesync.OutcomeNotFound
				break
			}
			ch := engine.Change{Op: engine.OpDelete, LUID: c.ServerID}
			if c.Kind == activesync.CmdChange {
				ch = engine.Change{Op: engine.OpReplace, LUID: c.ServerID, ContentType: ct, Data: c.Item.Data}
			}
			o, _, err := w.Apply(ds, ch)
			if err != nil {
				return err
			}
			r.Outcome = outcome(o)
		case activesync.CmdFetch:
			ch, err := w.Fetch(ds, c.ServerID)
			if err != nil {
				return err
			}
			if ch == nil {
				r.Outcome = activesync.OutcomeNotFound
				break
			}
			r.Item = &activesync.Item{Class: class, Data: ch.Data}
		}
		res.Results = append(res.Results, r)
	}
	if err := w.PutClientIDs(s.user.ID, s.dev.ID, folderID, fresh); err != nil {
		return err
	}
	return w.Settle(ds)
}

// changedSince tells whether a re-sent Add carries other content than
// when its ClientId was first answered.
func changedSince(id engine.ClientID, c activesync.ClientCommand) bool {
	return id.Sum != "" && id.Sum != itemSum(c.Item.Data)
}

// changeAdded applies a re-sent Add's new content to the item its
// ClientId made, and tells whether it did: an item deleted since stays
// deleted (the device gets the Delete with the server's changes).
func (s *Session) changeAdded(w *engine.Work, ds *engine.Datastore, c activesync.ClientCommand, luid, ct string) (bool, error) {
	guid, err := w.ServerID(ds, luid)
	if err != nil || guid == "" {
		return false, err
	}
	if _, _, err := w.Apply(ds, engine.Change{Op: engine.OpReplace, LUID: luid, ContentType: ct, Data: c.Item.Data}); err != nil {
		return false, err
	}
	return true, nil
}

// itemSum is a digest of an item's content.
func itemSum(data []byte) string {
	h := sha256.Sum256(data)
	return hex.EncodeToString(h[:])
}

// outcome is the EAS result of the core's outcome of a device's change.
func outcome(o engine.Outcome) activesync.Outcome {
	switch o {
	case engine.ServerWon:
		return activesync.OutcomeConflict // the server's version goes back to the device
	case engine.NotFound:
		return activesync.OutcomeNotFound
	case engine.RefusedFormat, engine.RefusedData, engine.MissingID:
		return activesync.OutcomeInvalid
	case engine.Ignored:
		return activesync.OutcomeRejected
	}
	return activesync.OutcomeOK
}
