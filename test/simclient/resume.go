package simclient

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"anchorage/protocol/syncml"
)

// takeStatuses moves the statuses answering the server's last message into
// m and returns their encoded size. The server now has the 213s of the
// chunks received so far.
func (s *session) takeStatuses(m *syncml.Message, nextID func() string) int {
	size := 0
	for _, c := range s.statuses {
		c.CmdID = nextID()
		m.Commands = append(m.Commands, c)
		size += syncml.EncodedSize(c)
	}
	s.statuses = nil
	for _, st := range s.stores {
		if st.chunk != nil {
			st.chunk.delivered = len(st.chunk.data)
		}
	}
	return size
}

// suspend sends the statuses for the server's last message with Alert 224
// (OMA DS 1.2 Sync Protocol, suspend) and ends the session: Resume goes
// on with it.
func (s *session) suspend() error {
	s.msgID++
	m := &syncml.Message{Header: s.header(), Final: true}
	id := 0
	nextID := func() string { id++; return strconv.Itoa(id) }
	s.takeStatuses(m, nextID)
	alert := nextID()
	m.Commands = append(m.Commands, &syncml.Command{Name: "Alert", CmdID: alert, NumberOfChanges: -1,
		Data: strconv.Itoa(int(syncml.AlertSuspend)), Items: []syncml.Item{{
			Target: syncml.Loc{URI: s.d.opts.URL}, Source: syncml.Loc{URI: s.d.opts.DeviceID}}}})
	resp, err := s.exchange(m)
	if err != nil {
		return err
	}
	for _, c := range resp.Commands {
		if c.Name == "Status" && c.Cmd == "Alert" && c.CmdRef == alert && strings.TrimSpace(c.Data) != "200" {
			return fmt.Errorf("simclient: the server answered the suspend with %s", c.Data)
		}
		if c.Name != "Status" {
			return fmt.Errorf("simclient: the server answered the suspend with a %s", c.Name)
		}
	}
	s.suspended = true
	return ErrSuspended
}

// Resume runs a session that resumes the device's last one, suspended
// (Faults.SuspendAfter) or abandoned (Faults.AbandonAfter): message 1
// alerts every datastore with 225 and the anchors of the interrupted
// session. A datastore the server resumes (200) goes on where it stopped:
// the device sends its changes that got no Status and those it had not
// sent, its Map items not sent, and a large object it was receiving
// continues after the chunks it acknowledged. A datastore the server
// answers with 508 runs a slow sync.
func (d *Device) Resume(ctx context.Context) (*Report, error) {
	old := d.interrupted
	if old == nil {
		return nil, errors.New("simclient: no interrupted session to resume")
	}
	d.interrupted = nil
	d.nSess++
	s := &session{d: d, ctx: ctx, faults: d.Faults, id: strconv.Itoa(d.nSess), url: d.opts.URL,
		nonce: d.nonce, sent: map[string]sentCmd{}, serverMax: 1 << 20, resuming: true}
	if old.newNon != nil {
		s.nonce = old.newNon // the interrupted session's Chal
	}
	d.Faults = Faults{}
	s.rep = &Report{SessionID: s.id, Stores: map[string]*StoreReport{}}
	keys := make([]string, 0, len(old.sent))
	for k := range old.sent {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, ost := range old.stores {
		st := &sessStore{ls: ost.ls, rep: &StoreReport{Requested: int(syncml.AlertResume), Statuses: map[int]int{}},
			next: ost.next, maps: ost.maps, chunk: ost.chunk}
		if st.chunk != nil && !old.suspended {
			// The statuses of the last chunk were lost with the session.
			st.chunk.data = st.chunk.data[:st.chunk.delivered]
		}
		for _, k := range keys {
			sc := old.sent[k]
			if sc.st == ost && !sc.acked && sc.op != "Map" {
				st.queue = append(st.queue, s.itemCmd(sc.op, st, sc.luid, sc.content))
			}
		}
		st.queue = append(st.queue, ost.queue...)
		s.rep.Stores[ost.ls.cfg.Name] = st.rep
		s.stores = append(s.stores, st)
	}
	return s.end(s.run(int(syncml.AlertResume)))
}
