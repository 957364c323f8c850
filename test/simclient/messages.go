package simclient

import (
	"bytes"
	"cmp"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"

	"anchorage/protocol/syncml"
)

const devInfType = "application/vnd.syncml-devinf+xml"

func (s *session) header() syncml.Header {
	o := &s.d.opts
	h := syncml.Header{VerDTD: o.VerDTD, VerProto: "SyncML/" + o.VerDTD, SessionID: s.id,
		MsgID:  strconv.Itoa(s.msgID),
		Target: syncml.Loc{URI: s.url}, Source: syncml.Loc{URI: o.DeviceID, Name: o.User},
		MaxMsgSize: o.MaxMsgSize, MaxObjSize: o.MaxObjSize}
	return h
}

// first builds message 1: credentials, Put and Get of DevInf, one Alert per
// datastore with the anchors, Final.
func (s *session) first(mode int) *syncml.Message {
	o := &s.d.opts
	s.msgID++
	h := s.header()
	h.Target = syncml.Loc{URI: o.URL}
	if o.Auth == AuthBasic {
		h.Cred = &syncml.Cred{Type: syncml.AuthBasic, Format: "b64", Data: syncml.BasicCredentialsData(o.User, o.Password)}
	} else {
		h.Cred = &syncml.Cred{Type: syncml.AuthMD5, Format: "b64", Data: syncml.MD5Credentials(o.User, o.Password, s.nonce)}
	}
	devinfURI := "./devinf12"
	if o.VerDTD == "1.1" {
		devinfURI = "./devinf11"
	}
	di := &syncml.DevInf{VerDTD: o.VerDTD, Man: cmp.Or(o.Man, "Anchorage"), Mod: cmp.Or(o.Mod, "simclient"), FwV: "1",
		SwV: cmp.Or(o.SwV, "1"), HwV: "1",
		DevID: o.DeviceID, DevTyp: "workstation", UTC: true, SupportLargeObjs: true, SupportNumberOfChanges: true}
	for _, name := range s.d.order {
		c := s.d.stores[name].cfg
		ver := c.VerCT
		if ver == "" {
			ver = "3.0"
		}
		ds := syncml.DataStore{SourceRef: c.Local, MaxGUIDSize: 64,
			RxPref: syncml.CTType{CTType: c.Type, VerCT: ver}, TxPref: syncml.CTType{CTType: c.Type, VerCT: ver},
			SyncTypes: []int{1, 2, 3, 4, 5, 6, 7}}
		if len(c.CTCap) > 0 {
			ds.CTCaps = []syncml.CTCap{{CTType: c.Type, VerCT: ver, Properties: c.CTCap}}
		}
		di.DataStores = append(di.DataStores, ds)
	}
	m := &syncml.Message{Header: h, Final: true}
	id := 0
	nextID := func() string { id++; return strconv.Itoa(id) }
	if !o.DevInfOnce || s.d.nSess == 1 {
		m.Commands = devInfCommands(o, devinfURI, di, nextID)
	}
	for _, st := range s.stores {
		code := mode
		if st.ls.last == "" && mode == TwoWay {
			code = Slow // no anchor yet: SyncEvolution asks for a slow sync itself
		}
		st.rep.Requested = code
		st.alertCmd, st.alertMsg = nextID(), strconv.Itoa(s.msgID)
		m.Commands = append(m.Commands, &syncml.Command{Name: "Alert", CmdID: st.alertCmd, Data: strconv.Itoa(code),
			NumberOfChanges: -1, Items: []syncml.Item{{
				Target: syncml.Loc{URI: st.ls.cfg.Remote}, Source: syncml.Loc{URI: st.ls.cfg.Local},
				Meta: &syncml.Meta{Anchor: &syncml.Anchor{Last: st.ls.last, Next: st.next}, MaxObjSize: o.MaxObjSize}}}})
	}
	return m
}

// askNext builds a message of package 3's first half that only asks for
// the next message of the server's package 2 (Alert 222): a server's
// answer to message 1 may span messages when it does not fit the device's
// MaxMsgSize (OMA DS 1.2 Protocol, Multiple Messages in Package).
func (s *session) askNext() *syncml.Message {
	s.msgID++
	m := &syncml.Message{Header: s.header()}
	id := 0
	nextID := func() string { id++; return strconv.Itoa(id) }
	for _, c := range s.statuses {
		c.CmdID = nextID()
		m.Commands = append(m.Commands, c)
	}
	s.statuses = nil
	if len(s.stores) > 0 {
		st := s.stores[0]
		m.Commands = append(m.Commands, &syncml.Command{Name: "Alert", CmdID: nextID(), NumberOfChanges: -1,
			Data: strconv.Itoa(int(syncml.AlertNextMessage)), Items: []syncml.Item{{
				Target: syncml.Loc{URI: st.ls.cfg.Remote}, Source: syncml.Loc{URI: st.ls.cfg.Local}}}})
	}
	return m
}

// itemCmd builds one of the device's Add/Replace/Delete commands.
func (s *session) itemCmd(op string, st *sessStore, luid, content string) *syncml.Command {
	it := syncml.Item{Source: syncml.Loc{URI: luid}, Data: content}
	meta := &syncml.Meta{Type: st.ls.cfg.Type}
	if st.ls.cfg.B64 && content != "" {
		it.Data, meta.Format = base64.StdEncoding.EncodeToString([]byte(content)), "b64"
	}
	return &syncml.Command{Name: op, NumberOfChanges: -1, Meta: meta, Items: []syncml.Item{it}}
}

// next builds the next message: statuses for the server's last message,
// then the rest of the device's package (its Sync commands, as many as fit
// the server's MaxMsgSize), or Map items and, while the server's package
// is not over, Alert 222.
func (s *session) next() *syncml.Message {
	s.msgID++
	msgID := strconv.Itoa(s.msgID)
	m := &syncml.Message{Header: s.header()}
	id := 0
	nextID := func() string { id++; return strconv.Itoa(id) }
	size := syncml.HeaderSize(m.Header) + 64
	for _, c := range s.statuses {
		c.CmdID = nextID()
		m.Commands = append(m.Commands, c)
		size += syncml.EncodedSize(c)
	}
	s.statuses = nil

	if !s.packageSent {
		for _, st := range s.stores {
			if !st.ok || st.syncSent || len(st.ls.pendingMaps) == 0 {
				continue
			}
			// A Map of an earlier session goes first.
			c := &syncml.Command{Name: "Map", CmdID: nextID(), NumberOfChanges: -1,
				Target: syncml.Loc{URI: st.ls.cfg.Remote}, Source: syncml.Loc{URI: st.ls.cfg.Local}, MapItems: st.ls.pendingMaps}
			st.rep.MapsSent += len(c.MapItems)
			s.sent[msgID+"/"+c.CmdID] = sentCmd{st: st, op: "Map", oldMap: true}
			m.Commands = append(m.Commands, c)
			size += syncml.EncodedSize(c)
		}
		full := false
		for _, st := range s.stores {
			if !st.ok || (st.syncSent && len(st.queue) == 0) {
				continue
			}
			if full {
				break
			}
			sync := &syncml.Command{Name: "Sync", CmdID: nextID(), NumberOfChanges: -1,
				Target: syncml.Loc{URI: st.ls.cfg.Remote}, Source: syncml.Loc{URI: st.ls.cfg.Local}}
			size += syncml.EncodedSize(sync)
			for len(st.queue) > 0 {
				c := st.queue[0]
				n := syncml.EncodedSize(c) + 8
				if size+n > int(s.serverMax) && len(sync.Commands) > 0 {
					full = true
					break
				}
				c.CmdID = nextID()
				size += n
				sync.Commands = append(sync.Commands, c)
				st.queue = st.queue[1:]
				it := c.Items[0]
				s.sent[msgID+"/"+c.CmdID] = sentCmd{st: st, op: c.Name, luid: it.Source.URI, content: it.Data}
				switch c.Name {
				case "Add":
					st.rep.SentAdds++
					st.ls.known[it.Source.URI] = true
				case "Replace":
					st.rep.SentReplaces++
					st.ls.known[it.Source.URI] = true
				case "Delete":
					st.rep.SentDeletes++
				}
			}
			st.syncSent = true
			m.Commands = append(m.Commands, sync)
		}
		s.packageSent = !full
		m.Final = s.packageSent
		return m
	}

	for _, st := range s.stores {
		if len(st.maps) == 0 {
			continue
		}
		c := &syncml.Command{Name: "Map", CmdID: nextID(), NumberOfChanges: -1,
			Target: syncml.Loc{URI: st.ls.cfg.Remote}, Source: syncml.Loc{URI: st.ls.cfg.Local}, MapItems: st.maps}
		st.rep.MapsSent += len(st.maps)
		s.sent[msgID+"/"+c.CmdID] = sentCmd{st: st, op: "Map"}
		st.maps = nil
		m.Commands = append(m.Commands, c)
	}
	if s.last != nil && !s.last.Final {
		// The server's package goes on: ask for its next message.
		for _, st := range s.stores {
			if st.ok {
				m.Commands = append(m.Commands, &syncml.Command{Name: "Alert", CmdID: nextID(), NumberOfChanges: -1,
					Data: strconv.Itoa(int(syncml.AlertNextMessage)), Items: []syncml.Item{{
						Target: syncml.Loc{URI: st.ls.cfg.Remote}, Source: syncml.Loc{URI: st.ls.cfg.Local}}}})
				break
			}
		}
		return m
	}
	m.Final = true
	return m
}

// exchange sends a message and returns the server's answer, playing the
// faults: a lost response makes the device send the same bytes again.
func (s *session) exchange(m *syncml.Message) (*syncml.Message, error) {
	body, err := syncml.Encode(m)
	if err != nil {
		return nil, fmt.Errorf("simclient: encode message %s: %w", m.Header.MsgID, err)
	}
	n := s.n()
	if s.faults.BeforeSend != nil {
		s.faults.BeforeSend(n)
	}
	resp, err := s.post(body)
	if err != nil {
		return nil, err
	}
	if slices.Contains(s.faults.DropResponse, n) && (n > 1 || s.rep.AuthRetries == 0) {
		again, err := s.post(body)
		if err != nil {
			return nil, fmt.Errorf("simclient: resend of message %d: %w", s.msgID, err)
		}
		s.rep.Resent = append(s.rep.Resent, Resend{MsgID: s.msgID, First: resp, Again: again, Identical: bytes.Equal(resp, again)})
		resp = again
	}
	if s.faults.AbandonAfter == n && s.faults.Unread {
		return nil, ErrAbandoned
	}
	out, err := syncml.Decode(resp)
	if err != nil {
		return nil, fmt.Errorf("simclient: response to message %d: %w", s.msgID, err)
	}
	if out.Header.MaxMsgSize > 0 {
		s.serverMax = out.Header.MaxMsgSize
	}
	return out, nil
}

func (s *session) post(body []byte) ([]byte, error) {
	s.rep.Messages++
	req, err := http.NewRequestWithContext(s.ctx, http.MethodPost, s.url, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("simclient: %w", err)
	}
	req.Header.Set("Content-Type", "application/vnd.syncml+xml")
	resp, err := s.d.opts.HTTPClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("simclient: message %d: %w", s.msgID, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("simclient: message %d: read response: %w", s.msgID, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("simclient: message %d: HTTP %d: %s", s.msgID, resp.StatusCode, bytes.TrimSpace(b))
	}
	return b, nil
}

// devInfCommands are the Put of the device's DevInf and the Get of the
// server's.
func devInfCommands(o *Options, devinfURI string, di *syncml.DevInf, nextID func() string) []*syncml.Command {
	return []*syncml.Command{
		{Name: "Put", CmdID: nextID(), NumberOfChanges: -1, Meta: &syncml.Meta{Type: devInfType},
			Items: []syncml.Item{{Source: syncml.Loc{URI: devinfURI}, DataXML: di.Element(o.VerDTD)}}},
		{Name: "Get", CmdID: nextID(), NumberOfChanges: -1, Meta: &syncml.Meta{Type: devInfType},
			Items: []syncml.Item{{Target: syncml.Loc{URI: devinfURI}}}},
	}
}
