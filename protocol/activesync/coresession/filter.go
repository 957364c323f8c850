package coresession

import (
	"time"

	"anchorage/protocol/activesync"
	"anchorage/protocol/engine"
	"anchorage/protocol/pim"
)

// FilterType (MS-ASCMD 2.2.3.70.2): a device may ask for the calendar
// items of a time window only (those that end after some point in the
// past; future ones are always in it), or for the incomplete tasks only.
// An item outside the window is not sent; one the device holds that
// leaves the window, through a change or as time moves on (looked for
// once a day), goes to it as a SoftDelete (it stays on the server). A device that changes its FilterType gets status
// 3 and syncs again from SyncKey 0 under the new one, its items paired by
// identity (no duplicates, nothing lost).

// filterAges are the calendar windows: how far back an event may end.
var filterAges = map[int]func(time.Time) time.Time{
	1: func(t time.Time) time.Time { return t.AddDate(0, 0, -1) },
	2: func(t time.Time) time.Time { return t.AddDate(0, 0, -3) },
	3: func(t time.Time) time.Time { return t.AddDate(0, 0, -7) },
	4: func(t time.Time) time.Time { return t.AddDate(0, 0, -14) },
	5: func(t time.Time) time.Time { return t.AddDate(0, -1, 0) },
	6: func(t time.Time) time.Time { return t.AddDate(0, -3, 0) },
	7: func(t time.Time) time.Time { return t.AddDate(0, -6, 0) },
}

// incompleteTasks is the FilterType of the tasks not yet complete.
const incompleteTasks = 8

// inWindow tells whether an item of the class is in the window of the
// folder's FilterType at now. Other classes and filters keep everything.
func inWindow(class activesync.Class, filter int, data []byte, now time.Time) bool {
	switch {
	case !filtersByContent(class, filter):
		return true
	case class == activesync.ClassCalendar:
		return pim.EventEndsAfter(data, filterAges[filter](now))
	default:
		return pim.TaskIncomplete(data)
	}
}

// filtersByContent tells whether inWindow reads the content of an item of
// the class under the filter.
func filtersByContent(class activesync.Class, filter int) bool {
	return class == activesync.ClassCalendar && filterAges[filter] != nil ||
		class == activesync.ClassTasks && filter == incompleteTasks
}

// filterChanged tells whether a request changes the folder's FilterType
// once the folder's initial sync began sending under the old one. Before
// (clients such as TbSync send no Options with SyncKey 0), the request's
// FilterType becomes the folder's.
func filterChanged(fs *folderState, req activesync.SyncRequest) bool {
	if !req.FilterSet || req.FilterType == fs.Filter {
		return false
	}
	if fs.Slow && (fs.Open == nil || !fs.Open.ServerBegun) {
		fs.Filter = req.FilterType
		return false
	}
	return true
}

// sweep queues, once a day, a SoftDelete for each calendar item the
// device holds that the window left behind as time moved on; they go out
// first, as owed changes (loop.go), and the device's mapping of each goes
// now.
func (s *Session) sweep(w *engine.Work, fs *folderState, ds *engine.Datastore, class activesync.Class) error {
	now := s.core.Now()
	day := now.UTC().Format(time.DateOnly)
	if class != activesync.ClassCalendar || filterAges[fs.Filter] == nil || fs.Swept == day {
		return nil
	}
	fs.Swept = day
	gone, err := w.HeldWhere(ds, func(_ string, data []byte) bool { return !inWindow(class, fs.Filter, data, now) })
	if err != nil {
		return err
	}
	for _, m := range gone {
		if err := w.Acknowledge(ds, engine.OpDelete, m.GUID, m.LUID, true); err != nil {
			return err
		}
		fs.Owed = append(fs.Owed, activesync.ServerChange{Kind: activesync.CmdSoftDelete, ServerID: m.LUID})
	}
	if len(gone) > 0 {
		s.core.Logger().Info("calendar items left the device's FilterType window", "user", s.user.Name,
			"device", s.dev.ID, "filter", fs.Filter, "items", len(gone))
	}
	return nil
}

// nextToSend is the core's next change that a Sync would send the device:
// Adds outside the folder's window are skipped.
func (s *Session) nextToSend(w *engine.Work, fs *folderState, ds *engine.Datastore, class activesync.Class) (*engine.ServerChange, error) {
	for {
		ch, err := w.NextChange(ds)
		if err != nil || ch == nil {
			return nil, err
		}
		if ch.Op != engine.OpAdd || inWindow(class, fs.Filter, ch.Data, s.core.Now()) {
			return ch, nil
		}
		w.Skip(ds, ch)
	}
}
