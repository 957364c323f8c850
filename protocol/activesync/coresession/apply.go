package coresession

import (
	"anchorage/protocol/activesync"
	"anchorage/protocol/engine"
)

// apply applies the device's commands in order, one result each. An Add's
// ServerId is a new id of the device's item in the core's mappings (its
// LUID); the same ClientId again gets the same ServerId and changes
// nothing.
func (s *Session) apply(w *engine.Work, fs *folderState, ds *engine.Datastore, class activesync.Class, cmds []activesync.ClientCommand, res *activesync.SyncResult) error {
	if len(cmds) == 0 {
		return nil
	}
	if fs.ClientIDs == nil {
		fs.ClientIDs = map[string]string{}
	}
	luids := make([]string, len(cmds))
	var batch []string
	for i, c := range cmds {
		switch c.Kind {
		case activesync.CmdAdd:
			if _, seen := fs.ClientIDs[c.ClientID]; !seen {
				luids[i] = engine.NewGUID(s.core.Now())
				batch = append(batch, luids[i])
			}
		case activesync.CmdChange:
			luids[i] = c.ServerID
			batch = append(batch, c.ServerID)
		default:
			luids[i] = c.ServerID
		}
	}
	if err := w.Prepare(ds, batch); err != nil {
		return err
	}
	ct := engine.DefaultContentType(ds.Name)
	for i, c := range cmds {
		r := activesync.CommandResult{Kind: c.Kind, ClientID: c.ClientID, ServerID: c.ServerID}
		switch c.Kind {
		case activesync.CmdAdd:
			if id, seen := fs.ClientIDs[c.ClientID]; seen {
				r.ServerID, r.Outcome = id, activesync.OutcomeDuplicate
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
					fs.ClientIDs[c.ClientID] = luids[i]
				}
			}
		case activesync.CmdChange, activesync.CmdDelete:
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
	return w.Settle(ds)
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
