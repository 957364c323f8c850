package coresession

import (
	"slices"

	"anchorage/protocol/activesync"
	"anchorage/protocol/engine"
)

// Kept Deletes. A device's Delete of an item changed elsewhere loses: the
// server keeps the item, answers status 7 and sends it back as an Add
// (MS-ASCMD 2.2.3.177.5). A device killed after that answer, before it
// stored it, still holds the item with its Delete pending, and sends the
// Delete again, not always in the request that repeats the lost key (a
// request carries at most so many commands, and the device may have
// changed other items since). Until then an Add of the item would be the
// Add of an item the device holds; and the Delete, applied to the item
// the lost answer mapped again, would delete the other device's change it
// lost to. So the lost answer's Add waits (KeptDeletes) until the Delete
// comes again, which gets the same answer, status 7, and the item's
// current state as the Add.

// keepLostDeletes notes, for a request that repeats the key of a lost
// answer with other commands (resend), the Deletes that answer kept: a
// Delete the request carries again is answered as then (keptDelete) and
// the Add goes with the lost changes; for any other, the Add waits. It
// returns the lost changes still to send.
func keepLostDeletes(fs *folderState, last *activesync.SyncResult, req activesync.SyncRequest) []activesync.ServerChange {
	kept := map[string]bool{}
	for _, r := range last.Results {
		if r.Kind == activesync.CmdDelete && r.Outcome == activesync.OutcomeConflict {
			kept[r.ServerID] = true
		}
	}
	again, touched := map[string]bool{}, map[string]bool{}
	for _, c := range req.Commands {
		switch c.Kind {
		case activesync.CmdDelete:
			again[c.ServerID] = kept[c.ServerID]
			touched[c.ServerID] = true
		case activesync.CmdChange:
			touched[c.ServerID] = true
		}
	}
	if len(kept) > 0 && fs.KeptDeletes == nil {
		fs.KeptDeletes = map[string]bool{}
	}
	for id := range kept {
		// The item's Add may not have gone out yet (a later window):
		// the change log then sends it, and it waits too (holdKeptAdds).
		fs.KeptDeletes[id] = false
	}
	var lost []activesync.ServerChange
	for _, ch := range last.Changes {
		switch {
		case kept[ch.ServerID] && ch.Kind == activesync.CmdAdd:
			fs.KeptDeletes[ch.ServerID] = !again[ch.ServerID]
			if again[ch.ServerID] {
				lost = append(lost, ch)
			}
		case !touched[ch.ServerID]:
			// A lost change of an item the device now changes or deletes
			// is not sent again: the device's command was applied after
			// it, and the result (a conflict's outcome included) follows
			// with the changes.
			lost = append(lost, ch)
		}
	}
	return lost
}

// holdKeptAdds takes out of a window of the change log's changes the Adds
// of items whose kept Delete the device is still to send again
// (KeptDeletes): each waits for it.
func holdKeptAdds(fs *folderState, changes []activesync.ServerChange) []activesync.ServerChange {
	if len(fs.KeptDeletes) == 0 {
		return changes
	}
	return slices.DeleteFunc(changes, func(sc activesync.ServerChange) bool {
		if _, ok := fs.KeptDeletes[sc.ServerID]; !ok || sc.Kind != activesync.CmdAdd {
			return false
		}
		fs.KeptDeletes[sc.ServerID] = true
		return true
	})
}

// keptDelete answers a Delete the server kept in an answer the device
// lost (KeptDeletes) as then, without applying it: status 7, and the
// item's current state goes to the device as an Add when it waited for
// the Delete. An item deleted since takes the Delete as any other (false).
func (s *Session) keptDelete(w *engine.Work, fs *folderState, ds *engine.Datastore, class activesync.Class, serverID string) (bool, error) {
	waits, ok := fs.KeptDeletes[serverID]
	if !ok {
		return false, nil
	}
	delete(fs.KeptDeletes, serverID)
	ch, err := w.Fetch(ds, serverID)
	if err != nil || ch == nil {
		return false, err
	}
	if waits {
		fs.Owed = append(fs.Owed, activesync.ServerChange{Kind: activesync.CmdAdd, ServerID: serverID,
			Item: activesync.Item{Class: class, Data: ch.Data}})
	}
	return true, nil
}
