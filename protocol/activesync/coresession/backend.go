// Package coresession implements the EAS front end's Backend and Session
// (protocol/activesync) on the sync core (protocol/engine): every request
// is one unit of work, and a device's EAS state (SyncKeys, the last answer
// per folder, policy key, device information) is a session blob the core
// stores; the last answers and the ClientId -> ServerId lists are rows of
// their own (lastanswer.go, clients.go).
package coresession

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"anchorage/protocol/activesync"
	"anchorage/protocol/engine"
)

// Backend is activesync.Backend on the core.
type Backend struct {
	core *engine.Engine
}

// New returns a Backend on core.
func New(core *engine.Engine) *Backend { return &Backend{core: core} }

// Login checks the account (the core caches the password check, so a
// long-lived device does not pay bcrypt per request). It only reads: the
// device is recorded as seen by the request's first write (update), or by
// Close when the request wrote nothing, so that a request commits one
// write transaction rather than two.
func (b *Backend) Login(ctx context.Context, user, password string, dev activesync.Device) (activesync.Session, error) {
	if dev.ID == "" {
		return nil, fmt.Errorf("coresession: request without a DeviceId")
	}
	var s *Session
	err := b.core.View(ctx, func(w *engine.Work) error {
		u, err := w.Login(user, password)
		if err != nil {
			return err
		}
		s = &Session{core: b.core, user: u, dev: dev}
		return s.prefetch(w) // prefetch.go
	})
	if errors.Is(err, engine.ErrUnauthorized) {
		return nil, activesync.ErrAuthFailed
	} else if err != nil {
		return nil, fmt.Errorf("coresession: login: %w", err)
	}
	return s, nil
}

// Session is one request of one device.
type Session struct {
	core *engine.Engine
	user *engine.User
	dev  activesync.Device
	// touched is set once a committed unit of work of the request
	// recorded the device as seen.
	touched bool
	// pre is what Login read for the request's first questions, until
	// it writes (prefetch.go).
	pre *prefetched
	// seen is when the device was last seen, as Login read it.
	seen time.Time
}

// Close ends the request; everything was committed by then but the
// device's time last seen when the request wrote nothing else, and that
// only when Login did not find it fresh (a write transaction saved for
// each request of a device's run of them).
func (s *Session) Close() error {
	if s.touched || s.core.SeenFresh(s.seen, seenFresh) {
		return nil
	}
	return s.core.Update(context.Background(), func(w *engine.Work) error { return s.touch(w) })
}

// touch records the device as seen, once per request: the first unit of
// work that writes calls it and sets touched when it commits. A device
// seen less than seenFresh ago is not written again.
func (s *Session) touch(w *engine.Work) error {
	if s.touched || s.core.SeenFresh(s.seen, seenFresh) {
		return nil
	}
	return w.SeeDevice(engine.Partner{UserID: s.user.ID, UserName: s.user.Name, DeviceID: s.dev.ID}, seenFresh)
}

// seenFresh is how old a device's time last seen may grow before a request
// writes it again: the admin shows it by the hour.
const seenFresh = time.Minute

// stateKey is the key of the device's EAS state among the core's session
// blobs: one per user and device.
func stateKey(userID int64, deviceID string) string { return engine.EASStateKey(userID, deviceID) }

// deviceState is what is kept of one EAS device between requests.
type deviceState struct {
	engine.EASDevice                         // type, user agent, protocol version: what admin reads
	PolicyKey        uint32                  `json:"policy_key,omitempty"`
	Info             *activesync.DeviceInfo  `json:"info,omitempty"`
	Folders          map[string]*folderState `json:"folders,omitempty"`
	Ping             *activesync.PingParams  `json:"ping,omitempty"`
	// stored is the state as it was read: an unchanged state is not
	// written again.
	stored []byte
}

// folderState is one folder's SyncKey chain (MS-ASCMD 2.2.3.166.4).
type folderState struct {
	Key int `json:"key"` // the current SyncKey; 0: none (the device must start at 0)
	// LastReq is the key of the request Last answers: a request with it
	// again means the answer was lost, and gets Last again.
	LastReq int                    `json:"last_req,omitempty"`
	Last    *activesync.SyncResult `json:"last,omitempty"`
	// LastKept is set when Last is stored in its own row, read when a
	// request repeats LastReq (lastanswer.go); lastRead is set once it
	// was read, lastSaved is Last as stored.
	LastKept  bool `json:"last_kept,omitempty"`
	lastRead  bool
	lastSaved *activesync.SyncResult
	// LastSum is the digest of the commands of the request Last answers:
	// the same key with other commands is not a plain repeat.
	LastSum string `json:"last_sum,omitempty"`
	// OldIDs, OldSums and OldClients are the ClientIds of the device's
	// Adds as a state written before they had rows of their own held
	// them (ClientId -> ServerId and digest, as JSON objects or packed):
	// read, moved to the rows by the next write, never written (clients.go).
	OldIDs     map[string]string `json:"client_ids,omitempty"`
	OldSums    map[string]string `json:"client_sums,omitempty"`
	OldClients []byte            `json:"clients,omitempty"`
	// Slow is set from SyncKey 0 until the initial sync completes: the
	// device's items are matched by identity (engine.ModeSlow).
	Slow bool `json:"slow,omitempty"`
	// Supported lists the properties the device declared it holds
	// (MS-ASCMD 2.2.3.164), nil when it declared none.
	Supported []string `json:"supported,omitempty"`
	// Filter is the FilterType the folder syncs under; Swept the day
	// (UTC) its window was last looked over for items time left behind
	// (filter.go).
	Filter int    `json:"filter,omitempty"`
	Swept  string `json:"swept,omitempty"`
	// Cycle is the core's session key of the sync in progress; Open is
	// the core's datastore while server changes remain (MoreAvailable).
	Cycle string `json:"cycle,omitempty"`
	// OpenedKey is the key the sync in progress began with: the core's
	// anchors until it completes.
	OpenedKey int               `json:"opened_key,omitempty"`
	Open      *engine.Datastore `json:"open,omitempty"`
	// Repeats counts the requests with LastReq since Last was answered;
	// Owed are the server changes cut from an answer the device kept
	// asking again for, and Window the smaller window they go out in
	// (loop.go).
	Repeats int                       `json:"repeats,omitempty"`
	Owed    []activesync.ServerChange `json:"owed,omitempty"`
	Window  int                       `json:"window,omitempty"`
	// Spared are the ServerIds of changes the device asked again for
	// alone, sent once more after an answer without them (loop.go).
	Spared []string `json:"spared,omitempty"`
	// Began is the first key of the chain a SyncKey 0 replaced an older
	// one with; Restarts counts such replacements of a chain in use
	// (shared.go).
	Began    int `json:"began,omitempty"`
	Restarts int `json:"restarts,omitempty"`
	// KeptDeletes are the ServerIds whose Delete an answer the device
	// lost kept (status 7): the Delete comes again and gets that answer;
	// true while the item's Add waits for it (keptdelete.go).
	KeptDeletes map[string]bool `json:"kept_deletes,omitempty"`
}

// load reads the device's state; a device never seen has an empty one.
func (s *Session) load(w *engine.Work) (*deviceState, error) {
	row, err := w.Session(stateKey(s.user.ID, s.dev.ID))
	if err != nil {
		return nil, err
	}
	st := &deviceState{}
	if row != nil {
		st.stored = row.State
		err = json.Unmarshal(row.State, st)
		if err == nil {
			loadedLasts(st)
		}
		if err != nil {
			return nil, fmt.Errorf("coresession: read state of %s: %w", s.dev.ID, err)
		}
	}
	if st.Folders == nil {
		st.Folders = map[string]*folderState{}
	}
	return st, nil
}

// save stores the device's state, with what this request said of the
// device.
func (s *Session) save(w *engine.Work, st *deviceState) error {
	if s.dev.Type != "" {
		st.Type = s.dev.Type
	}
	if s.dev.UserAgent != "" {
		st.UserAgent = s.dev.UserAgent
	}
	if s.dev.ProtocolVersion != "" {
		st.ProtocolVersion = s.dev.ProtocolVersion
	}
	restoreLasts, err := s.saveLasts(w, st)
	if err != nil {
		return err
	}
	b, err := json.Marshal(st)
	restoreLasts()
	if err != nil {
		return fmt.Errorf("coresession: write state of %s: %w", s.dev.ID, err)
	}
	if bytes.Equal(b, st.stored) {
		return nil
	}
	return w.PutDeviceState(stateKey(s.user.ID, s.dev.ID), &engine.SessionRow{UserID: s.user.ID, DeviceID: s.dev.ID, State: b})
}

// update runs fn on the device's state in one unit of work and saves it.
func (s *Session) update(ctx context.Context, fn func(w *engine.Work, st *deviceState) error) error {
	return s.write(ctx, func(w *engine.Work) error {
		st, err := s.load(w)
		if err != nil {
			return err
		}
		if err := s.moveClients(w, st); err != nil {
			return err
		}
		if err := fn(w, st); err != nil {
			return err
		}
		return s.save(w, st)
	})
}

// write runs fn in one unit of work that also records the device as seen
// if the request has not yet.
func (s *Session) write(ctx context.Context, fn func(w *engine.Work) error) error {
	err := s.core.Update(ctx, func(w *engine.Work) error {
		if err := s.touch(w); err != nil {
			return err
		}
		return fn(w)
	})
	if err == nil {
		s.touched = true
	}
	s.pre = nil // read again what the request may have changed
	return err
}

// PolicyKey returns the policy key the device acknowledged.
func (s *Session) PolicyKey(ctx context.Context) (uint32, error) {
	if key, ok, err := s.prefetchedPolicyKey(); ok {
		return key, err
	}
	var key uint32
	err := s.core.View(ctx, func(w *engine.Work) error {
		st, err := s.load(w)
		if err == nil {
			key = st.PolicyKey
		}
		return err
	})
	return key, err
}

// SetPolicyKey records the policy key the device acknowledged.
func (s *Session) SetPolicyKey(ctx context.Context, key uint32) error {
	return s.update(ctx, func(_ *engine.Work, st *deviceState) error {
		st.PolicyKey = key
		return nil
	})
}

// SetDeviceInfo records Settings DeviceInformation.
func (s *Session) SetDeviceInfo(ctx context.Context, info activesync.DeviceInfo) error {
	return s.update(ctx, func(_ *engine.Work, st *deviceState) error {
		st.Info = &info
		return nil
	})
}

// folders are the device's folders: one per datastore of the core.
var folders = []struct {
	f         activesync.Folder
	datastore string
}{
	{activesync.Folder{ServerID: "contacts", ParentID: "0", DisplayName: "Contacts", Type: activesync.FolderContacts, Class: activesync.ClassContacts}, engine.Contacts},
	{activesync.Folder{ServerID: "calendar", ParentID: "0", DisplayName: "Calendar", Type: activesync.FolderCalendar, Class: activesync.ClassCalendar}, engine.Calendar},
	{activesync.Folder{ServerID: "tasks", ParentID: "0", DisplayName: "Tasks", Type: activesync.FolderTasks, Class: activesync.ClassTasks}, engine.Tasks},
	{activesync.Folder{ServerID: "notes", ParentID: "0", DisplayName: "Notes", Type: activesync.FolderNotes, Class: activesync.ClassNotes}, engine.Notes},
}

// Folders lists one folder per datastore.
func (s *Session) Folders(context.Context) ([]activesync.Folder, error) {
	out := make([]activesync.Folder, 0, len(folders))
	for _, f := range folders {
		out = append(out, f.f)
	}
	return out, nil
}

// folder returns a folder's datastore and class.
func folder(id string) (datastore string, class activesync.Class, err error) {
	for _, f := range folders {
		if f.f.ServerID == id {
			return f.datastore, f.f.Class, nil
		}
	}
	return "", "", activesync.ErrNoFolder
}
