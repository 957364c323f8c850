package coresession

import (
	"fmt"
	"slices"

	"anchorage/protocol/activesync"
	"anchorage/protocol/engine"
)

// Loop detection. A device that asks again with the SyncKey of an answer
// it already got has lost that answer, and gets it again (MS-ASCMD
// 2.2.3.166.4). One that keeps doing so never accepts it: most often one
// item in it makes the device fail. MS-ASCMD leaves this to the server;
// as Z-Push does, each further repeat halves the answer's server changes
// (the rest are owed and go out first in the next windows, under the
// same smaller window), down to one change; when the device refuses that
// one too, it goes again once after an answer without it (Spared): a
// device that lost that answer several times takes it then; one that
// refuses it again has its item set aside (engine.SetAside: not sent to
// it again, kept on the server, reported in the log and `device list`).

// loopAfter is the repeat of one SyncKey from which the answer shrinks:
// the first repeat is a lost answer.
const loopAfter = 2

// setAsideAfter is the repeat from which an answer of one change, not
// made smaller first, has its item set aside: a device can lose one answer
// twice (lost on the way, then killed before it stored the copy sent
// again), and a lost answer costs nothing, a set-aside item the device.
const setAsideAfter = loopAfter + 1

// tookLast notes that the device took the last answer (it sent the key
// that answer gave): a change spared once that went out in it was taken.
func tookLast(fs *folderState) {
	fs.Repeats = 0
	if len(fs.Spared) == 0 || fs.Last == nil {
		return
	}
	fs.Spared = slices.DeleteFunc(fs.Spared, func(id string) bool {
		return slices.ContainsFunc(fs.Last.Changes, func(sc activesync.ServerChange) bool { return sc.ServerID == id })
	})
}

// repeated answers a request with the key of the last answer again.
func (s *Session) repeated(w *engine.Work, fs *folderState, name string) (*activesync.SyncResult, error) {
	fs.Repeats++
	last := fs.Last
	if fs.Repeats < loopAfter || len(last.Changes) == 0 || len(last.Changes) == 1 && fs.Repeats < setAsideAfter {
		return last, nil // a lost answer: the same again, nothing applied
	}
	smaller := *last
	log := s.core.Logger()
	if n := len(last.Changes); n > 1 {
		keep := n / 2
		fs.Owed = append(slices.Clone(last.Changes[keep:]), fs.Owed...)
		smaller.Changes = slices.Clone(last.Changes[:keep])
		smaller.MoreAvailable = true
		fs.Window = keep
		log.Info("device asks again with the same SyncKey: its window shrinks",
			"user", s.user.Name, "device", s.dev.ID, "datastore", name, "sync_key", fs.LastReq, "repeats", fs.Repeats, "window", keep)
	} else {
		if sc := last.Changes[0]; !slices.Contains(fs.Spared, sc.ServerID) {
			// Once, the change goes again after an answer without it:
			// repeats of a key are also answers lost on the way and
			// devices killed before they stored one, which a device
			// that took the next answer took too.
			fs.Spared = append(fs.Spared, sc.ServerID)
			fs.Owed = append(fs.Owed, sc)
			log.Info("device asks again with the same SyncKey for one change: it goes again after an answer without it",
				"user", s.user.Name, "device", s.dev.ID, "datastore", name, "sync_key", fs.LastReq, "server_id", sc.ServerID)
		} else {
			fs.Spared = slices.DeleteFunc(fs.Spared, func(id string) bool { return id == sc.ServerID })
			if err := s.setAside(w, fs, name, sc); err != nil {
				return nil, err
			}
		}
		smaller.Changes = nil
		smaller.MoreAvailable = last.MoreAvailable || len(fs.Owed) > 0
		fs.Repeats = 0
	}
	fs.Last = &smaller
	return &smaller, nil
}

// setAside sets aside the item of a server change the device refused at
// a window of one. A Delete has no item to keep: it is dropped (the
// device keeps its copy; the server's deletion stands).
func (s *Session) setAside(w *engine.Work, fs *folderState, name string, sc activesync.ServerChange) error {
	ds := fs.Open // an open sync skips the item from now on
	if ds == nil {
		ds = &engine.Datastore{Name: name}
	}
	ds.Partner = engine.Partner{UserID: s.user.ID, UserName: s.user.Name, DeviceID: s.dev.ID, Session: "set-aside"}
	if fs.Cycle != "" {
		ds.Partner.Session = fs.Cycle
	}
	if sc.Kind == activesync.CmdDelete || sc.Kind == activesync.CmdSoftDelete {
		s.core.Logger().Warn("device keeps refusing a Delete; it is dropped from its answer",
			"user", s.user.Name, "device", s.dev.ID, "datastore", name, "server_id", sc.ServerID)
		return nil
	}
	guid := sc.ServerID
	if sc.Kind != activesync.CmdAdd {
		g, err := w.ServerID(ds, sc.ServerID)
		if err != nil {
			return err
		}
		if g != "" {
			guid = g
		}
	}
	reason := fmt.Sprintf("EAS device refused this %s %d times (SyncKey %d)", kindName(sc.Kind), fs.Repeats+1, fs.LastReq)
	return w.SetAside(ds, guid, reason, sc.Kind == activesync.CmdChange)
}

// kindName names a server change for the set-aside reason.
func kindName(k activesync.CommandKind) string {
	if k == activesync.CmdAdd {
		return "Add"
	}
	return "Change"
}

// owed moves owed changes into res, up to the window (capped while a
// loop is being narrowed): they went out in an answer the device never
// accepted, and go before the core's next ones. It returns the window.
func owed(fs *folderState, window int, res *activesync.SyncResult) int {
	if len(fs.Owed) == 0 {
		fs.Window = 0 // the device took every change of the shrunk answers
		return window
	}
	if fs.Window > 0 && window > fs.Window {
		window = fs.Window
	}
	n := min(window, len(fs.Owed))
	res.Changes = append(res.Changes, fs.Owed[:n]...)
	fs.Owed = fs.Owed[n:]
	if len(fs.Owed) > 0 || n == window {
		res.MoreAvailable = true
	}
	return window
}
