package coresession

import (
	"encoding/json"
	"fmt"

	"anchorage/protocol/activesync"
	"anchorage/protocol/engine"
)

// A folder's last answer (folderState.Last), kept for a device that lost
// it, is as large as a window of items (50 contacts are some 25 KB): it is
// stored in a row of its own, read only by a request that repeats the key
// it answered and written only when it changes, so that every other
// request reads and writes a device state of a few hundred bytes.

// lastKey is the key of a folder's last answer among the core's session
// blobs; it is the device's (user and device id), so it goes with the
// device.
func lastKey(userID int64, deviceID, folderID string) string {
	return stateKey(userID, deviceID) + "/last/" + folderID
}

// readLast reads the folder's last answer into fs.Last, once per unit of
// work; Last stays nil when there is none.
func (s *Session) readLast(w *engine.Work, fs *folderState, folderID string) error {
	if !fs.LastKept || fs.lastRead {
		return nil
	}
	row, err := w.Session(lastKey(s.user.ID, s.dev.ID, folderID))
	if err != nil {
		return err
	}
	fs.lastRead = true
	if row == nil {
		return nil
	}
	last := &activesync.SyncResult{}
	if err := json.Unmarshal(row.State, last); err != nil {
		return fmt.Errorf("coresession: read last answer of %s/%s: %w", s.dev.ID, folderID, err)
	}
	fs.Last, fs.lastSaved = last, last
	return nil
}

// saveLasts writes the last answers that changed in this unit of work and
// takes them out of the state for its encoding: restore puts them back.
func (s *Session) saveLasts(w *engine.Work, st *deviceState) (restore func(), err error) {
	var kept []*folderState
	restore = func() {
		for _, fs := range kept {
			fs.Last = fs.lastSaved
		}
	}
	for id, fs := range st.Folders {
		switch {
		case fs == nil:
			continue
		case fs.Last == fs.lastSaved:
			// Unchanged, or never read (nil) and not replaced.
		case fs.Last == nil:
			fs.LastKept = false // read, then dropped
		default:
			b, err := json.Marshal(fs.Last)
			if err != nil {
				restore()
				return nil, fmt.Errorf("coresession: write last answer of %s/%s: %w", s.dev.ID, id, err)
			}
			row := &engine.SessionRow{UserID: s.user.ID, DeviceID: s.dev.ID, State: b}
			if err := w.PutDeviceState(lastKey(s.user.ID, s.dev.ID, id), row); err != nil {
				restore()
				return nil, err
			}
			fs.LastKept, fs.lastRead, fs.lastSaved = true, true, fs.Last
		}
		if fs.Last != nil {
			kept = append(kept, fs)
			fs.Last = nil
		}
	}
	return restore, nil
}

// loadedLasts notes the last answers a state kept in its encoding (as
// it was stored before they had rows of their own): they are written to
// their rows when the state is next saved.
func loadedLasts(st *deviceState) {
	for _, fs := range st.Folders {
		if fs != nil && fs.Last != nil {
			fs.lastRead, fs.lastSaved = true, nil
		}
	}
}
