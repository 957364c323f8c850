package activesync

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"strconv"
	"sync"

	"github.com/beevik/etree"

	"anchorage/hub"
)

// memBackend is an in-memory Backend for wire-level tests of this package.
// It is not the sync core: it keeps just enough state (items per folder,
// one SyncKey chain per device and folder, the last answer, ClientId ->
// ServerId) to exercise the front end. The real implementation is the
// core's.
type memBackend struct {
	mu       sync.Mutex
	user     string
	pass     string
	folders  []Folder
	items    map[string]map[string]Item // folder -> ServerId -> item
	nextID   int
	devices  map[string]*memDevice
	infos    []DeviceInfo
	policies map[string]uint32
	pings    map[string]PingParams // device -> last Ping parameters
	wipes    map[string]Wipe
	lastSync SyncRequest // the last Sync request, as the front end read it
	hub      *hub.Local
}

type memDevice struct {
	states map[string]*memState // folder -> state
}

// memState is one device's state for one folder.
type memState struct {
	key      int               // current SyncKey
	sent     map[string]bool   // ServerIds the device holds
	clientID map[string]string // ClientId -> ServerId
	lastReq  int               // key of the request last answered
	last     *SyncResult       // its answer
}

func newMemBackend() *memBackend {
	return &memBackend{
		user: "testuser", pass: "secret",
		folders: []Folder{
			{ServerID: "contacts", DisplayName: "Contacts", Type: FolderContacts, Class: ClassContacts},
			{ServerID: "calendar", DisplayName: "Calendar", Type: FolderCalendar, Class: ClassCalendar},
			{ServerID: "tasks", DisplayName: "Tasks", Type: FolderTasks, Class: ClassTasks},
			{ServerID: "notes", DisplayName: "Notes", Type: FolderNotes, Class: ClassNotes},
		},
		items:    map[string]map[string]Item{"contacts": {}, "calendar": {}, "tasks": {}, "notes": {}},
		devices:  map[string]*memDevice{},
		policies: map[string]uint32{},
		pings:    map[string]PingParams{},
		wipes:    map[string]Wipe{},
		hub:      hub.NewLocal(),
	}
}

func (b *memBackend) Login(_ context.Context, user, pass string, dev Device) (Session, error) {
	if user != b.user || pass != b.pass {
		return nil, ErrAuthFailed
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.devices[dev.ID] == nil {
		b.devices[dev.ID] = &memDevice{states: map[string]*memState{}}
	}
	return &memSession{b: b, dev: dev.ID}, nil
}

type memSession struct {
	b   *memBackend
	dev string
}

func (s *memSession) PolicyKey(context.Context) (uint32, error) {
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	return s.b.policies[s.dev], nil
}

func (s *memSession) SetPolicyKey(_ context.Context, k uint32) error {
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	s.b.policies[s.dev] = k
	return nil
}

func (s *memSession) SetDeviceInfo(_ context.Context, info DeviceInfo) error {
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	s.b.infos = append(s.b.infos, info)
	return nil
}

func (s *memSession) Folders(context.Context) ([]Folder, error) { return s.b.folders, nil }

func (s *memSession) Close() error { return nil }

func (s *memSession) Fetch(_ context.Context, folder, id string) (Item, error) {
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	items, ok := s.b.items[folder]
	if !ok {
		return Item{}, ErrNoFolder
	}
	it, ok := items[id]
	if !ok {
		return Item{}, ErrNotFound
	}
	return it, nil
}

func (s *memSession) Estimate(_ context.Context, folder, key string) (int, error) {
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	st, err := s.state(folder, key)
	if err != nil {
		return 0, err
	}
	return len(s.pending(folder, st)), nil
}

// state finds the device's state for a SyncKey that is the current one or
// the one before it.
func (s *memSession) state(folder, key string) (*memState, error) {
	if _, ok := s.b.items[folder]; !ok {
		return nil, ErrNoFolder
	}
	st := s.b.devices[s.dev].states[folder]
	k, err := strconv.Atoi(key)
	if st == nil || err != nil || (k != st.key && k != st.lastReq) {
		return nil, ErrInvalidSyncKey
	}
	return st, nil
}

// pending lists the ServerIds the device lacks or holds in vain, sorted:
// "+id" to add, "-id" to delete.
func (s *memSession) pending(folder string, st *memState) []string {
	var out []string
	for id := range s.b.items[folder] {
		if !st.sent[id] {
			out = append(out, "+"+id)
		}
	}
	for id := range st.sent {
		if _, ok := s.b.items[folder][id]; !ok {
			out = append(out, "-"+id)
		}
	}
	sort.Strings(out)
	return out
}

func (s *memSession) Sync(_ context.Context, req SyncRequest) (*SyncResult, error) {
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	s.b.lastSync = req
	if _, ok := s.b.items[req.FolderID]; !ok {
		return nil, ErrNoFolder
	}
	dev := s.b.devices[s.dev]
	if req.SyncKey == "0" {
		dev.states[req.FolderID] = &memState{key: 1, sent: map[string]bool{}, clientID: map[string]string{}}
		return &SyncResult{SyncKey: "1"}, nil
	}
	st, err := s.state(req.FolderID, req.SyncKey)
	if err != nil {
		return nil, err
	}
	if k, _ := strconv.Atoi(req.SyncKey); k == st.lastReq && st.last != nil {
		return st.last, nil // the answer was lost: the same answer again
	}
	res := &SyncResult{}
	items := s.b.items[req.FolderID]
	for _, cmd := range req.Commands {
		r := CommandResult{Kind: cmd.Kind, ClientID: cmd.ClientID, ServerID: cmd.ServerID}
		switch cmd.Kind {
		case CmdAdd:
			if id, ok := st.clientID[cmd.ClientID]; ok {
				r.ServerID, r.Outcome = id, OutcomeDuplicate
				break
			}
			s.b.nextID++
			r.ServerID = fmt.Sprintf("%s-%d", req.FolderID, s.b.nextID)
			items[r.ServerID] = cmd.Item
			st.sent[r.ServerID] = true
			st.clientID[cmd.ClientID] = r.ServerID
		case CmdChange:
			if _, ok := items[cmd.ServerID]; !ok {
				r.Outcome = OutcomeNotFound
				break
			}
			items[cmd.ServerID] = cmd.Item
		case CmdDelete:
			if _, ok := items[cmd.ServerID]; !ok {
				r.Outcome = OutcomeNotFound
				break
			}
			delete(items, cmd.ServerID)
			delete(st.sent, cmd.ServerID)
		case CmdFetch:
			it, ok := items[cmd.ServerID]
			if !ok {
				r.Outcome = OutcomeNotFound
				break
			}
			r.Item = &it
		}
		res.Results = append(res.Results, r)
	}
	if req.GetChanges {
		for _, p := range s.pending(req.FolderID, st) {
			if len(res.Changes) == req.WindowSize {
				res.MoreAvailable = true
				break
			}
			id := p[1:]
			if p[0] == '+' {
				res.Changes = append(res.Changes, ServerChange{Kind: CmdAdd, ServerID: id, Item: items[id]})
				st.sent[id] = true
			} else {
				res.Changes = append(res.Changes, ServerChange{Kind: CmdDelete, ServerID: id})
				delete(st.sent, id)
			}
		}
	}
	if len(res.Changes) > 0 || len(res.Results) > 0 {
		st.lastReq = st.key
		st.key++
	}
	res.SyncKey = strconv.Itoa(st.key)
	st.last = res
	for _, cmd := range req.Commands {
		if cmd.Kind != CmdFetch {
			// The write is complete (this backend's "commit").
			s.b.hub.Notify(s.b.user, req.FolderID)
			break
		}
	}
	return res, nil
}

// put stores an item as another client or the admin would, and wakes the
// watchers of its folder after the write.
func (b *memBackend) put(folder, id string, it Item) {
	b.mu.Lock()
	b.items[folder][id] = it
	b.mu.Unlock()
	b.hub.Notify(b.user, folder)
}

func (s *memSession) Changed(_ context.Context, folders []string) ([]string, error) {
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	var out []string
	for _, f := range folders {
		if _, ok := s.b.items[f]; !ok {
			return nil, ErrNoFolder
		}
		if st := s.b.devices[s.dev].states[f]; st != nil && len(s.pending(f, st)) > 0 {
			out = append(out, f)
		}
	}
	return out, nil
}

func (s *memSession) Watch(folders []string) (<-chan struct{}, func()) {
	keys := make([]hub.Key, len(folders))
	for i, f := range folders {
		keys[i] = hub.Key{User: s.b.user, Datastore: f}
	}
	return s.b.hub.Watch(keys...)
}

func (s *memSession) PingParams(context.Context) (PingParams, error) {
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	return s.b.pings[s.dev], nil
}

func (s *memSession) SetPingParams(_ context.Context, p PingParams) error {
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	s.b.pings[s.dev] = p
	return nil
}

// rawConverter keeps ApplicationData as its XML text: a test stand-in for
// the pim converters, so that wire tests see exactly what went through.
type rawConverter struct{}

func (rawConverter) ToItem(class Class, ad *etree.Element, _ string) (Item, error) {
	doc := etree.NewDocument()
	doc.SetRoot(ad.Copy())
	b, err := doc.WriteToBytes()
	if bytes.Contains(b, []byte("<Invalid")) {
		return Item{}, fmt.Errorf("test item marked invalid")
	}
	return Item{Class: class, Data: b}, err
}

func (rawConverter) FromItem(it Item, ad *etree.Element, _ string) error {
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(it.Data); err != nil {
		return err
	}
	for _, c := range doc.Root().ChildElements() {
		ad.AddChild(c.Copy())
	}
	return nil
}

func (s *memSession) WipeState(context.Context) (Wipe, error) {
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	return s.b.wipes[s.dev], nil
}

func (s *memSession) AckWipe(_ context.Context, to WipeState) error {
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	w := s.b.wipes[s.dev]
	if to <= w.State {
		return fmt.Errorf("wipe of %s: %d to %d is no step forward", s.dev, w.State, to)
	}
	w.State = to
	s.b.wipes[s.dev] = w
	return nil
}

// remove is `device remove`: the device's state and its wipe go.
func (b *memBackend) remove(dev string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.devices, dev)
	delete(b.wipes, dev)
	delete(b.policies, dev)
	delete(b.pings, dev)
}
