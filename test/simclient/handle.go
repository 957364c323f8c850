package simclient

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"anchorage/protocol/syncml"
)

// handle processes one server message: statuses for the device's commands,
// the server's Alerts (granted modes) and Syncs (applied at once), and
// queues the statuses that answer it.
func (s *session) handle(m *syncml.Message) error {
	s.last = m
	s.statuses = append(s.statuses, syncml.NewHeaderStatus(m.Header, syncml.StatusOK))
	for _, c := range m.Commands {
		switch c.Name {
		case "Status":
			if err := s.handleStatus(c); err != nil {
				return err
			}
		case "Alert":
			s.handleAlert(m, c)
		case "Sync":
			s.handleSync(m, c)
		case "Results", "Put":
			s.answer(m, c, 200)
		default:
			s.answer(m, c, 406)
		}
	}
	return nil
}

func (s *session) answer(m *syncml.Message, c *syncml.Command, code int) *syncml.Command {
	if c.NoResp {
		return nil
	}
	st := syncml.NewStatus(m.Header.MsgID, c, syncml.StatusCode(code))
	s.statuses = append(s.statuses, st)
	return st
}

func (s *session) handleStatus(c *syncml.Command) error {
	code, _ := strconv.Atoi(strings.TrimSpace(c.Data))
	switch c.Cmd {
	case "SyncHdr":
		if code != 200 && code != 212 {
			return fmt.Errorf("simclient: SyncHdr status %d for message %s", code, c.MsgRef)
		}
		return nil
	case "Alert":
		// The Alerts of message 1 (or of its retry after a 401).
		for _, st := range s.stores {
			if st.alertCmd == c.CmdRef && c.MsgRef == st.alertMsg && st.rep.AlertStatus == 0 {
				st.rep.AlertStatus = code
			}
		}
		return nil
	}
	key := c.MsgRef + "/" + c.CmdRef
	sc, ok := s.sent[key]
	if !ok {
		return nil // Sync, Put, Get, Alert 222...
	}
	if sc.op == "Map" {
		if code != 200 {
			return fmt.Errorf("simclient: Map status %d", code)
		}
		if sc.oldMap {
			sc.st.ls.pendingMaps = nil
		}
		return nil
	}
	sc.st.rep.Statuses[code]++
	if code >= 200 && code < 300 || code == 419 {
		sc.acked = true
		if sc.op != "Delete" && code != 419 {
			sc.st.rep.Acked = append(sc.st.rep.Acked, sc.content)
		}
	}
	s.sent[key] = sc
	return nil
}

// handleAlert reads the mode the server grants a datastore.
func (s *session) handleAlert(m *syncml.Message, c *syncml.Command) {
	code, _ := strconv.Atoi(strings.TrimSpace(c.Data))
	if code == int(syncml.AlertNextMessage) {
		s.answer(m, c, 200)
		return
	}
	for _, it := range c.Items {
		for _, st := range s.stores {
			if it.Target.URI == st.ls.cfg.Local && (st.rep.AlertStatus == 200 || st.rep.AlertStatus == 508) {
				st.rep.Mode = code
				st.ok = true
			}
		}
	}
	s.answer(m, c, 200)
}

// handleSync applies the server's changes to a datastore.
func (s *session) handleSync(m *syncml.Message, c *syncml.Command) {
	var st *sessStore
	for _, x := range s.stores {
		if x.ok && (c.Target.URI == x.ls.cfg.Local || c.Source.URI == x.ls.cfg.Remote) {
			st = x
		}
	}
	if st == nil {
		s.answer(m, c, 404)
		for _, ch := range c.Commands {
			s.answer(m, ch, 404)
		}
		return
	}
	s.answer(m, c, 200)
	for _, ch := range c.Commands {
		switch ch.Name {
		case "Add", "Replace", "Delete":
			for i := range ch.Items {
				code := s.apply(st, ch, &ch.Items[i])
				if !ch.NoResp {
					s.statuses = append(s.statuses, &syncml.Command{Name: "Status", MsgRef: m.Header.MsgID,
						CmdRef: ch.CmdID, Cmd: ch.Name, Data: strconv.Itoa(code), NumberOfChanges: -1,
						TargetRefs: nonEmpty(ch.Items[i].Target.URI), SourceRefs: nonEmpty(ch.Items[i].Source.URI)})
				}
			}
		default:
			s.answer(m, ch, 406)
		}
	}
}

// apply carries out one item of a server command and returns its status.
func (s *session) apply(st *sessStore, c *syncml.Command, it *syncml.Item) int {
	ls := st.ls
	if c.Name == "Delete" {
		st.rep.RecvDeletes++
		luid := it.Target.URI
		if _, ok := ls.items[luid]; !ok {
			return 211
		}
		delete(ls.items, luid)
		return 200
	}
	data := it.Data
	if st.chunk != nil || it.MoreData {
		if st.chunk == nil {
			st.chunk = &chunk{cmd: c}
		}
		st.chunk.data += it.Data
		if it.MoreData {
			st.rep.Chunks++
			return 213
		}
		data, st.chunk = st.chunk.data, nil
	}
	if format(it, c) == "b64" {
		dec, err := base64.StdEncoding.DecodeString(strings.TrimSpace(data))
		if err != nil {
			return 400
		}
		data = string(dec)
	}
	luid := it.Target.URI
	if c.Name == "Add" || luid == "" {
		st.rep.RecvAdds++
		luid = s.d.newLUID()
		ls.items[luid] = data
		ls.known[luid] = true
		st.maps = append(st.maps, syncml.MapItem{Target: it.Source.URI, Source: luid})
		return 201
	}
	st.rep.RecvReplaces++
	ls.items[luid] = data
	ls.known[luid] = true
	return 200
}

func format(it *syncml.Item, c *syncml.Command) string {
	if it.Meta != nil && it.Meta.Format != "" {
		return it.Meta.Format
	}
	if c.Meta != nil {
		return c.Meta.Format
	}
	return ""
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}
