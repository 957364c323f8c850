package simclient

import (
	"cmp"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"maps"
	"strconv"

	"anchorage/protocol/syncml"
)

// maxMessages bounds a session, so that a server that never ends one does
// not hang a test.
const maxMessages = 5000

// session is one SyncML session of a device.
type session struct {
	d      *Device
	ctx    context.Context
	faults Faults
	rep    *Report
	id     string
	msgID  int
	url    string
	nonce  []byte // the nonce in use; newNonce from the server's Chal
	newNon []byte
	// serverMax is the server's MaxMsgSize (from its SyncHdr Meta).
	serverMax int64
	stores    []*sessStore
	// statuses answer the last server message; maps wait for a message.
	statuses []*syncml.Command
	// sent names our item and Map commands by "msgID/cmdID".
	sent        map[string]sentCmd
	packageSent bool // the device's package (its Sync commands) is fully sent
	last        *syncml.Message
	// resuming: message 1 alerts 225 for every datastore (Device.Resume);
	// suspended: the session ended with Alert 224.
	resuming, suspended bool
}

type sessStore struct {
	ls       *localStore
	rep      *StoreReport
	alertCmd string
	// alertMsg is the MsgID of the message that carried the Alert.
	alertMsg string
	next     string
	ok       bool
	queue    []*syncml.Command // item commands still to send
	syncSent bool              // at least one Sync sent (an empty one too)
	maps     []syncml.MapItem
	chunk    *chunk
}

type chunk struct {
	cmd  *syncml.Command
	data string
	// delivered is how much of data the server got 213 statuses for.
	delivered int
}

type sentCmd struct {
	st      *sessStore
	op      string // Add, Replace, Delete, Map
	luid    string
	content string
	acked   bool
	oldMap  bool // a Map of an earlier session (Options.ResendMaps)
}

// Sync runs one session with the given mode for every datastore. It returns
// ErrAbandoned (and a report) when a fault killed the device, and commits
// the device's anchors and change tracking only when the session ended.
func (d *Device) Sync(ctx context.Context, mode int) (*Report, error) {
	d.nSess++
	s := &session{d: d, ctx: ctx, faults: d.Faults, id: strconv.Itoa(d.nSess), url: d.opts.URL,
		nonce: d.nonce, sent: map[string]sentCmd{}, serverMax: 1 << 20}
	d.Faults = Faults{}
	d.interrupted = nil
	s.rep = &Report{SessionID: s.id, Stores: map[string]*StoreReport{}}
	for _, name := range d.order {
		ls := d.stores[name]
		ls.nNext++
		st := &sessStore{ls: ls, rep: &StoreReport{Requested: mode, Statuses: map[int]int{}},
			next: fmt.Sprintf("%s-%d-%d", cmp.Or(d.opts.AnchorPrefix, d.opts.DeviceID), d.nSess, ls.nNext)}
		s.rep.Stores[name] = st.rep
		s.stores = append(s.stores, st)
	}
	return s.end(s.run(mode))
}

// end finishes a session that run returned from: it commits a successful
// one, keeps an interrupted one for Resume.
func (s *session) end(err error) (*Report, error) {
	d := s.d
	if errors.Is(err, ErrSuspended) || errors.Is(err, ErrAbandoned) {
		for _, st := range s.stores {
			st.rep.ChunkPending = st.chunk != nil
		}
	}
	if errors.Is(err, ErrSuspended) {
		s.rep.Suspended = true
		d.interrupted = s
		return s.rep, err
	}
	if errors.Is(err, ErrAbandoned) {
		s.rep.Abandoned = true
		if d.opts.ResendMaps {
			s.keepMaps()
		}
		d.interrupted = s
		return s.rep, err
	}
	if err != nil {
		return s.rep, err
	}
	s.commit()
	s.rep.Complete = true
	var failed []string
	for _, st := range s.stores {
		if !st.ok {
			failed = append(failed, fmt.Sprintf("%s (status %d)", st.ls.cfg.Name, st.rep.AlertStatus))
		}
	}
	if len(failed) > 0 {
		return s.rep, fmt.Errorf("simclient: datastores not synced: %v", failed)
	}
	return s.rep, nil
}

func (s *session) run(mode int) error {
	resp, err := s.start(mode)
	if err != nil {
		return err
	}
	if err := s.handle(resp); err != nil {
		return err
	}
	if s.faults.AbandonAfter == s.n() {
		return ErrAbandoned
	}
	s.followRespURI(resp)
	for n := 0; !resp.Final; n++ {
		// The server's package 2 goes on in further messages.
		if n == maxMessages {
			return fmt.Errorf("simclient: the server's answer to message 1 not over after %d messages", maxMessages)
		}
		if resp, err = s.exchange(s.askNext()); err != nil {
			return err
		}
		if err := s.handle(resp); err != nil {
			return err
		}
		if s.faults.AbandonAfter == s.n() {
			return ErrAbandoned
		}
	}
	s.followRespURI(resp)
	if s.faults.SuspendAfter == s.n() {
		return s.suspend()
	}
	s.followRespURI(resp)
	anyOK := false
	var codes []int
	for _, st := range s.stores {
		codes = append(codes, st.rep.AlertStatus)
		if st.ok {
			anyOK = true
			if s.resuming && st.rep.AlertStatus == 200 {
				st.rep.Resumed = true // its queue goes on where it stopped
				continue
			}
			st.queue, st.chunk = nil, nil
			s.prepare(st)
		}
	}
	if !anyOK {
		return fmt.Errorf("simclient: the server accepted no datastore (Alert statuses %v)", codes)
	}
	for n := 0; n < maxMessages; n++ {
		msg := s.next()
		resp, err := s.exchange(msg)
		if err != nil {
			return err
		}
		onlyStatuses := true
		for _, c := range resp.Commands {
			if c.Name != "Status" {
				onlyStatuses = false
			}
		}
		if err := s.handle(resp); err != nil {
			return err
		}
		if s.faults.AbandonAfter == s.n() {
			return ErrAbandoned
		}
		if resp.Final && onlyStatuses && s.packageSent {
			return nil // the client's next message would carry nothing
		}
		if s.faults.SuspendAfter == s.n() {
			return s.suspend()
		}
	}
	return fmt.Errorf("simclient: session not over after %d messages", maxMessages)
}

// followRespURI sends the session's next messages to the address the
// server gave in its answer's RespURI.
func (s *session) followRespURI(resp *syncml.Message) {
	if resp.Header.RespURI != "" {
		s.url = resp.Header.RespURI
		s.rep.RespURI = resp.Header.RespURI
	}
}

// n is the number of the current message for Faults: its MsgID less the
// auth retries.
func (s *session) n() int { return s.msgID - s.rep.AuthRetries }

// start sends message 1 and retries it (up to 3 times, new MsgID, as
// SyncEvolution does) when the server asks for credentials again.
func (s *session) start(mode int) (*syncml.Message, error) {
	for try := 0; ; try++ {
		resp, err := s.exchange(s.first(mode))
		if err != nil {
			return nil, err
		}
		code := 0
		var chal *syncml.Meta
		for _, c := range resp.Commands {
			if c.Name == "Status" && c.Cmd == "SyncHdr" {
				code, _ = strconv.Atoi(c.Data)
				chal = c.Chal
			}
		}
		if chal != nil && chal.NextNonce != "" {
			n, err := base64.StdEncoding.DecodeString(chal.NextNonce)
			if err != nil {
				return nil, fmt.Errorf("simclient: bad NextNonce %q", chal.NextNonce)
			}
			s.newNon = n
		}
		switch code {
		case 200, 212:
			return resp, nil
		case 401, 407:
			if try >= 3 || chal == nil {
				return nil, fmt.Errorf("simclient: authentication failed (%d)", code)
			}
			s.rep.AuthRetries++
			s.nonce = s.newNon
		default:
			return nil, fmt.Errorf("simclient: SyncHdr status %d", code)
		}
	}
}

// prepare queues a datastore's changes for the granted mode.
func (s *session) prepare(st *sessStore) {
	ls := st.ls
	switch st.rep.Mode {
	case TwoWay, OneWayFromClient:
		added, modified, deleted := ls.changes()
		if s.d.AddsFirst {
			for _, luid := range added {
				st.queue = append(st.queue, s.itemCmd("Add", st, luid, ls.items[luid]))
			}
			added = nil
		}
		for _, luid := range deleted {
			st.queue = append(st.queue, s.itemCmd("Delete", st, luid, ""))
		}
		for _, luid := range modified {
			st.queue = append(st.queue, s.itemCmd("Replace", st, luid, ls.items[luid]))
		}
		for _, luid := range added {
			st.queue = append(st.queue, s.itemCmd("Add", st, luid, ls.items[luid]))
		}
	case Slow, RefreshFromClient:
		for _, luid := range sortedKeys(ls.items) {
			st.queue = append(st.queue, s.itemCmd("Add", st, luid, ls.items[luid]))
		}
	case RefreshFromServer:
		// The device is about to be overwritten: it forgets its items and
		// its sync state.
		clear(ls.items)
		clear(ls.base)
		clear(ls.known)
		ls.last = ""
	}
}

// keepMaps keeps, when the device dies, the Map items it did not send,
// for its next session; their items count as synced from now on.
func (s *session) keepMaps() {
	for _, st := range s.stores {
		ls := st.ls
		for _, mi := range st.maps {
			if c, ok := ls.items[mi.Source]; ok {
				ls.base[mi.Source] = c
			}
			ls.pendingMaps = append(ls.pendingMaps, mi)
		}
		st.maps = nil
	}
}

// commit saves what a successful session establishes: anchors, the nonce
// and the change-tracking base. Changes the server did not acknowledge stay
// pending; after a one-way-from-server sync nothing is marked as synced (so
// received items go back as changes, as SyncEvolution does).
func (s *session) commit() {
	if s.newNon != nil {
		s.d.nonce = s.newNon
	}
	for _, st := range s.stores {
		if !st.ok {
			continue
		}
		ls := st.ls
		ls.last = st.next
		if st.rep.Mode == OneWayFromServer {
			continue
		}
		base := maps.Clone(ls.items)
		for _, sc := range s.sent {
			if sc.st != st || sc.acked || sc.op == "Map" {
				continue
			}
			if old, ok := ls.base[sc.luid]; ok {
				base[sc.luid] = old
			} else {
				delete(base, sc.luid)
			}
		}
		ls.base = base
		clear(ls.known)
		for _, sc := range s.sent {
			if sc.st == st && !sc.acked && (sc.op == "Add" || sc.op == "Replace") {
				ls.known[sc.luid] = true
			}
		}
	}
}
