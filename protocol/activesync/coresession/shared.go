package coresession

import (
	"context"
	"fmt"

	"anchorage/protocol/activesync"
	"anchorage/protocol/engine"
)

// Shared device ids (issue 17). Two EAS clients that present one DeviceId
// share one SyncKey chain per folder: each one's sync moves the keys on,
// so the other comes back with a key the server issued earlier, gets
// status 3 and starts again at SyncKey 0, which sends the first one back
// to 0 in turn. The data stays safe (every re-sync pairs items by
// identity), but the device id is recorded as shared for `device list`
// and logged, so the admin can give the clients their own ids.

// sharedWindow is how many keys before a folder's current one count as
// issued to a client that is still using them. A single client only ever
// repeats the key of its last request (a lost answer, answered again).
const sharedWindow = 16

// sharedRestarts is how many times a folder in steady use may be sent
// back to SyncKey 0, each before its keys moved sharedWindow on, before
// the device id counts as shared: a single client that lost its state
// does it once.
const sharedRestarts = 2

// restart is the folder's state for SyncKey 0. Its keys continue after
// the replaced chain's, so that a key issued before is never taken for
// one of the new chain (another client's request answered as if it were
// this one's), and remains recognisable as an old one.
func restart(old *folderState, req activesync.SyncRequest) *folderState {
	fs := &folderState{Key: 1, Slow: true, Supported: req.Supported, Filter: req.FilterType}
	if old == nil || old.Key == 0 {
		return fs
	}
	fs.Key, fs.Began = old.Key+1, old.Key+1
	switch {
	case old.Slow && old.LastReq == 0 && old.Open == nil:
		// A repeated SyncKey 0 (its answer was lost): the same answer.
		fs.Key, fs.Began, fs.Restarts = old.Key, old.Began, old.Restarts
	case old.Slow: // sent back to 0 before its initial sync completed
		fs.Restarts = old.Restarts
	case old.Key-old.Began < sharedWindow:
		// The replaced chain was in use (its initial sync done) and
		// had not moved far since its own start.
		fs.Restarts = old.Restarts + 1
	}
	return fs
}

// oldKey tells whether key is one the folder issued earlier than the key
// its last answer was for: another client's, not a lost answer's.
func oldKey(fs *folderState, key int) bool {
	return key > 0 && key < fs.Key && key != fs.LastReq && key >= fs.Key-sharedWindow
}

// noteShared logs and records that the device id is used by several
// clients, as seen on folder.
func (s *Session) noteShared(w *engine.Work, folder, detail string, keys ...any) error {
	args := append([]any{"user", s.user.Name, "device", s.dev.ID, "folder", folder}, keys...)
	s.core.Logger().Warn("EAS device id used by several clients: "+detail, args...)
	return w.NoteSharedDevice(s.user.ID, s.dev.ID, 2, fmt.Sprintf("several EAS clients use this DeviceId (%s: %s); "+
		"each re-syncs from SyncKey 0 in turn: give them their own ids", folder, detail), nil)
}

// noteOldKey records a request with an old key (oldKey) in its own unit
// of work: the request's own is rolled back with its status 3.
func (s *Session) noteOldKey(ctx context.Context, folder, key string, current int) error {
	return s.write(ctx, func(w *engine.Work) error {
		return s.noteShared(w, folder, fmt.Sprintf("SyncKey %s sent after %d was issued", key, current),
			"sync_key", key, "current_key", current)
	})
}
