package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"anchorage/protocol/syncml"
)

// Sync modes a simulated device asks for (Alert codes).
const (
	modeTwoWay            = int(syncml.AlertTwoWay)
	modeSlow              = int(syncml.AlertSlowSync)
	modeRefreshFromServer = int(syncml.AlertRefreshFromServer)
)

const contentTypeXML = "application/vnd.syncml+xml"

// maxMessages bounds one session, so that a server that never ends a
// session cannot keep a worker forever.
const maxMessages = 1000

// Client speaks SyncML over HTTP for simulated devices.
type Client struct {
	HTTP *http.Client
	// URL is the sync endpoint, e.g. http://127.0.0.1:8080/sync.
	URL string
	// Auth is "basic" or "md5".
	Auth string
	// Datastore is the server URI alerted (e.g. "contacts"); the device's
	// own URI is "./" + Datastore.
	Datastore string
	// MaxItemsPerMsg caps the items of the device's Sync in one message;
	// a bigger upload spans several messages of one package.
	MaxItemsPerMsg int
	// DevInf sends a Put of the device's DevInf in every first message, as
	// SyncEvolution does.
	DevInf bool
	// MaxMsgSize is what the device advertises (SyncEvolution: 150000).
	MaxMsgSize int64
	// Sources, when set, gives each device its own HTTP client (its own
	// source address); HTTP is used otherwise.
	Sources *sourceClients
}

// Device is one simulated device: its identity and its local datastore.
type Device struct {
	ID       string
	User     string
	Password string

	nonce    []byte // raw NextNonce from the server's last Chal (md5)
	last     string // the Next anchor of the last completed session
	anchor   int
	sessions int
	nextLUID int
	items    []*localItem
	byLUID   map[string]*localItem
	// dirty holds the LUIDs changed locally since the last sync.
	dirty []string
}

type localItem struct {
	luid    string
	data    string
	version int
}

// NewDevice returns a device holding items contacts of its own.
func NewDevice(id, user, password string, items int) *Device {
	d := &Device{ID: id, User: user, Password: password, byLUID: map[string]*localItem{}}
	for i := 0; i < items; i++ {
		d.addLocal(vcard(id, i, 0))
	}
	return d
}

func (d *Device) addLocal(data string) *localItem {
	d.nextLUID++
	it := &localItem{luid: strconv.Itoa(d.nextLUID), data: data}
	d.items = append(d.items, it)
	d.byLUID[it.luid] = it
	return it
}

// Items is the number of items the device holds.
func (d *Device) Items() int { return len(d.items) }

// Synced tells whether the device completed a session at least once.
func (d *Device) Synced() bool { return d.last != "" }

// Touch changes n of the device's own items (one new version each) so that
// its next sync sends them as Replace.
func (d *Device) Touch(n int) {
	for i := 0; i < n && len(d.items) > 0; i++ {
		it := d.items[(d.sessions+i)%len(d.items)]
		it.version++
		it.data = vcard(d.ID, indexOf(it.luid), it.version)
		d.dirty = append(d.dirty, it.luid)
	}
}

func indexOf(luid string) int {
	n, _ := strconv.Atoi(luid)
	return n - 1
}

// vcard is a contact of about 300 bytes, unique per device and index.
func vcard(dev string, i, version int) string {
	return fmt.Sprintf("BEGIN:VCARD\r\nVERSION:3.0\r\nUID:load-%s-%06d\r\nN:Person%d;%s;;;\r\nFN:%s Person%d\r\n"+
		"TEL;TYPE=CELL:+49 170 %07d\r\nTEL;TYPE=WORK:+49 30 %06d\r\nEMAIL;TYPE=INTERNET:p%d@%s.example.com\r\n"+
		"ADR;TYPE=HOME:;;Main Street %d;Berlin;;10115;Germany\r\nORG:Load Test Inc.\r\nNOTE:version %d\r\nEND:VCARD\r\n",
		dev, i, i, dev, dev, i, i, i%1000000, i, dev, i%200+1, version)
}

// Error is a failed session, classified for the report.
type Error struct {
	Kind string // e.g. "http", "http-500", "decode", "auth-401", "alert-503", "status-Add-500"
	Err  error
}

func (e *Error) Error() string { return e.Kind + ": " + e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

func fail(kind string, format string, args ...any) *Error {
	return &Error{Kind: kind, Err: fmt.Errorf(format, args...)}
}

// SessionResult is what one session did.
type SessionResult struct {
	// Latency of each message exchange, in order (msg 1, 2, ...).
	Latency []time.Duration
	// Mode the server granted (200, 201, ...).
	Mode int
	// SlowForced is true when the server answered the Alert with 508.
	SlowForced bool
	// Sent is how many changes the device sent; Received how many the
	// server sent (Add/Replace/Delete).
	Sent, Received int
	// AuthRetries counts first messages re-sent after a 401 with a nonce.
	AuthRetries int
	// Notes are non-fatal anomalies (e.g. "status-Replace-418").
	Notes []string
}

// session is one running sync session of a device.
type session struct {
	c       *Client
	d       *Device
	id      string
	msgID   int
	url     string
	res     *SessionResult
	mapping []syncml.MapItem
}

// Sync runs one complete session of d: mode 200 (two-way), 201 (slow) or
// 205 (refresh from server; the device's items are replaced by the server's).
// It returns when the server's reply holds only Status commands and Final.
// On success the device's anchor advances; on failure it stays, so that the
// next session repeats (as a real client does).
func (c *Client) Sync(ctx context.Context, d *Device, mode int) (*SessionResult, error) {
	d.sessions++
	d.anchor++
	s := &session{c: c, d: d, id: strconv.Itoa(d.sessions), url: c.URL, res: &SessionResult{Mode: mode}}
	next := fmt.Sprintf("%s-%d", time.Now().UTC().Format("20060102T150405Z"), d.anchor)
	if err := s.run(ctx, mode, next); err != nil {
		return s.res, err
	}
	d.last = next
	d.dirty = d.dirty[:0]
	return s.res, nil
}

func (s *session) run(ctx context.Context, mode int, next string) error {
	c, d := s.c, s.d
	ds := c.Datastore
	alert := &syncml.Command{Name: "Alert", Data: strconv.Itoa(mode), NumberOfChanges: -1,
		Items: []syncml.Item{{Target: syncml.Loc{URI: ds}, Source: syncml.Loc{URI: "./" + ds},
			Meta: &syncml.Meta{Anchor: &syncml.Anchor{Last: d.last, Next: next}}}}}
	var cmds []*syncml.Command
	if c.DevInf {
		cmds = append(cmds, devInfPut(d.ID, ds))
	}
	cmds = append(cmds, alert)

	// Message 1: credentials, (DevInf), Alert. An MD5 client whose nonce
	// was stale retries once with the nonce of the 401's Chal.
	var reply, msg *syncml.Message
	for attempt := 0; ; attempt++ {
		msg = s.message(cmds, true)
		msg.Header.Cred = s.cred()
		var err error
		reply, err = s.exchange(ctx, msg)
		if err != nil {
			return err
		}
		hs := headerStatus(reply)
		if hs == nil {
			return fail("protocol", "no Status for SyncHdr in reply 1")
		}
		if hs.Chal != nil && hs.Chal.NextNonce != "" {
			if n, err := base64.StdEncoding.DecodeString(hs.Chal.NextNonce); err == nil {
				d.nonce = n
			}
		}
		code, _ := strconv.Atoi(hs.Data)
		if code == 212 || code == 200 {
			break
		}
		if (code == 401 || code == 407) && c.Auth == "md5" && attempt == 0 && hs.Chal != nil {
			s.res.AuthRetries++
			continue
		}
		return fail("auth-"+hs.Data, "SyncHdr status %s", hs.Data)
	}
	if reply.Header.RespURI != "" {
		s.url = reply.Header.RespURI
	}
	st := statusFor(reply, msg.Header.MsgID, alert)
	if st == nil {
		return fail("protocol", "no Status for the Alert")
	}
	switch st.Data {
	case "200":
	case "508":
		s.res.SlowForced = true
		mode = modeSlow
	default:
		return fail("alert-"+st.Data, "Alert answered %s", st.Data)
	}
	s.res.Mode = mode
	if sa := find(reply.Commands, "Alert"); sa == nil {
		return fail("protocol", "no server Alert in reply 1")
	} else if g, _ := strconv.Atoi(sa.Data); g != 0 {
		s.res.Mode = g
	}

	if s.res.Mode == modeRefreshFromServer {
		// The device's items are about to be replaced by the server's.
		d.items, d.byLUID, d.dirty = nil, map[string]*localItem{}, nil
	}

	// Package 2: the device's changes, in as many messages as it takes.
	changes := s.changes(s.res.Mode)
	s.res.Sent = len(changes)
	per := c.MaxItemsPerMsg
	if per <= 0 {
		per = len(changes) + 1
	}
	for first := true; first || len(changes) > 0; first = false {
		n := min(per, len(changes))
		batch := changes[:n]
		changes = changes[n:]
		last := len(changes) == 0
		sync := &syncml.Command{Name: "Sync", Target: syncml.Loc{URI: ds}, Source: syncml.Loc{URI: "./" + ds},
			NumberOfChanges: -1, Commands: batch}
		if first {
			sync.NumberOfChanges = n + len(changes)
		}
		out := append(s.answer(reply), sync)
		msg := s.message(out, last)
		var err error
		if reply, err = s.exchange(ctx, msg); err != nil {
			return err
		}
		if err := s.check(reply, msg); err != nil {
			return err
		}
	}

	// Then answer the server until it has nothing more to say: statuses,
	// Map for its Adds, Alert 222 while its package is not final.
	for !done(reply) {
		if s.msgID >= maxMessages {
			return fail("too-many-messages", "session not finished after %d messages", s.msgID)
		}
		out := s.answer(reply)
		if len(s.mapping) > 0 {
			out = append(out, &syncml.Command{Name: "Map", Target: syncml.Loc{URI: ds},
				Source: syncml.Loc{URI: "./" + ds}, MapItems: s.mapping, NumberOfChanges: -1})
			s.mapping = nil
		}
		if !reply.Final {
			out = append(out, &syncml.Command{Name: "Alert", Data: strconv.Itoa(int(syncml.AlertNextMessage)),
				NumberOfChanges: -1, Items: []syncml.Item{{Target: syncml.Loc{URI: ds}, Source: syncml.Loc{URI: "./" + ds}}}})
		}
		msg := s.message(out, true)
		var err error
		if reply, err = s.exchange(ctx, msg); err != nil {
			return err
		}
		if err := s.check(reply, msg); err != nil {
			return err
		}
	}
	return nil
}

// done tells whether the server ended the session: its reply holds only
// Status commands and Final.
func done(m *syncml.Message) bool {
	if !m.Final {
		return false
	}
	for _, c := range m.Commands {
		if c.Name != "Status" {
			return false
		}
	}
	return true
}

// changes lists what the device sends: every item as Add on a slow sync
// (as SyncEvolution does), else a Replace per locally changed item.
func (s *session) changes(mode int) []*syncml.Command {
	var out []*syncml.Command
	meta := &syncml.Meta{Type: "text/vcard"}
	if mode == modeSlow {
		for _, it := range s.d.items {
			out = append(out, &syncml.Command{Name: "Add", Meta: meta, NumberOfChanges: -1,
				Items: []syncml.Item{{Source: syncml.Loc{URI: it.luid}, Data: it.data}}})
		}
		return out
	}
	seen := map[string]bool{}
	for _, luid := range s.d.dirty {
		it := s.d.byLUID[luid]
		if it == nil || seen[luid] {
			continue
		}
		seen[luid] = true
		out = append(out, &syncml.Command{Name: "Replace", Meta: meta, NumberOfChanges: -1,
			Items: []syncml.Item{{Source: syncml.Loc{URI: it.luid}, Data: it.data}}})
	}
	return out
}

// message builds the device's next message; CmdIDs are assigned here.
func (s *session) message(cmds []*syncml.Command, final bool) *syncml.Message {
	s.msgID++
	id := 0
	var number func([]*syncml.Command)
	number = func(cs []*syncml.Command) {
		for _, c := range cs {
			id++
			c.CmdID = strconv.Itoa(id)
			number(c.Commands)
		}
	}
	number(cmds)
	return &syncml.Message{
		Header: syncml.Header{VerDTD: "1.2", VerProto: "SyncML/1.2", SessionID: s.id, MsgID: strconv.Itoa(s.msgID),
			Target: syncml.Loc{URI: s.url}, Source: syncml.Loc{URI: s.d.ID, Name: s.d.User},
			MaxMsgSize: s.c.MaxMsgSize, MaxObjSize: 4000000},
		Commands: cmds, Final: final,
	}
}

func (s *session) cred() *syncml.Cred {
	if s.c.Auth == "md5" {
		return &syncml.Cred{Type: syncml.AuthMD5, Format: "b64", Data: syncml.MD5Credentials(s.d.User, s.d.Password, s.d.nonce)}
	}
	return &syncml.Cred{Type: syncml.AuthBasic, Format: "b64", Data: syncml.BasicCredentialsData(s.d.User, s.d.Password)}
}

// answer builds the statuses for a server message: its SyncHdr and every
// command but Status; for each Add it also assigns a LUID, stores the
// item and queues a Map entry.
func (s *session) answer(reply *syncml.Message) []*syncml.Command {
	msgRef := reply.Header.MsgID
	out := []*syncml.Command{syncml.NewHeaderStatus(reply.Header, syncml.StatusOK)}
	var walk func(cs []*syncml.Command)
	walk = func(cs []*syncml.Command) {
		for _, c := range cs {
			switch c.Name {
			case "Status":
				continue
			case "Add", "Replace", "Delete":
				for i := range c.Items {
					out = append(out, s.applyServer(msgRef, c, &c.Items[i]))
				}
				continue
			}
			if !c.NoResp {
				out = append(out, syncml.NewStatus(msgRef, c, syncml.StatusOK))
			}
			walk(c.Commands)
		}
	}
	walk(reply.Commands)
	return out
}

// applyServer applies one item the server sent and returns its Status.
func (s *session) applyServer(msgRef string, c *syncml.Command, it *syncml.Item) *syncml.Command {
	s.res.Received++
	d := s.d
	code := syncml.StatusOK
	switch c.Name {
	case "Add":
		li := d.addLocal(it.Data)
		s.mapping = append(s.mapping, syncml.MapItem{Target: it.Source.URI, Source: li.luid})
		code = syncml.StatusCode(201)
	case "Replace":
		if li := d.byLUID[it.Target.URI]; li != nil {
			li.data = it.Data
		} else {
			li := d.addLocal(it.Data)
			s.mapping = append(s.mapping, syncml.MapItem{Target: it.Source.URI, Source: li.luid})
			code = syncml.StatusCode(201)
		}
	case "Delete":
		if li := d.byLUID[it.Target.URI]; li != nil {
			delete(d.byLUID, li.luid)
			for i, x := range d.items {
				if x == li {
					d.items = append(d.items[:i], d.items[i+1:]...)
					break
				}
			}
		} else {
			code = syncml.StatusCode(211) // item not deleted: not found
		}
	}
	st := &syncml.Command{Name: "Status", MsgRef: msgRef, CmdRef: c.CmdID, Cmd: c.Name,
		Data: strconv.Itoa(int(code)), NumberOfChanges: -1}
	if it.Target.URI != "" {
		st.TargetRefs = []string{it.Target.URI}
	}
	if it.Source.URI != "" {
		st.SourceRefs = []string{it.Source.URI}
	}
	return st
}

// check looks at the server's statuses for what msg sent: the SyncHdr,
// the Sync and each change must succeed.
func (s *session) check(reply *syncml.Message, msg *syncml.Message) error {
	hs := headerStatus(reply)
	if hs == nil {
		return fail("protocol", "no Status for SyncHdr in reply %s", msg.Header.MsgID)
	}
	if code, _ := strconv.Atoi(hs.Data); code < 200 || code >= 300 {
		return fail("hdr-"+hs.Data, "SyncHdr status %s in reply %s", hs.Data, msg.Header.MsgID)
	}
	for _, st := range reply.Commands {
		if st.Name != "Status" || st.CmdRef == "0" || st.MsgRef != msg.Header.MsgID {
			continue
		}
		code, _ := strconv.Atoi(st.Data)
		switch {
		case code >= 200 && code < 300:
		case code == 418: // already exists: fine for a re-sent item
			s.res.Notes = append(s.res.Notes, "status-"+st.Cmd+"-418")
		case code == 419: // conflict, server's version kept and sent back (OMA DS 1.2 RepPro)
			s.res.Notes = append(s.res.Notes, "status-"+st.Cmd+"-419")
		default:
			return fail("status-"+st.Cmd+"-"+st.Data, "%s (CmdRef %s) answered %s", st.Cmd, st.CmdRef, st.Data)
		}
	}
	return nil
}

// exchange posts one message and decodes the reply, timing the round trip.
func (s *session) exchange(ctx context.Context, msg *syncml.Message) (*syncml.Message, error) {
	body, err := syncml.Encode(msg)
	if err != nil {
		return nil, fail("encode", "%v", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url, bytes.NewReader(body))
	if err != nil {
		return nil, fail("request", "%v", err)
	}
	req.Header.Set("Content-Type", contentTypeXML)
	start := time.Now()
	hc := s.c.HTTP
	if s.c.Sources != nil {
		hc = s.c.Sources.For(s.d)
	}
	resp, err := hc.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
			return nil, &Error{Kind: "cancelled", Err: err}
		}
		return nil, &Error{Kind: "http", Err: err}
	}
	data, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	s.res.Latency = append(s.res.Latency, time.Since(start))
	if err != nil {
		return nil, &Error{Kind: "http", Err: err}
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fail("http-"+strconv.Itoa(resp.StatusCode), "POST %s: %s: %.200s", s.url, resp.Status, data)
	}
	reply, err := syncml.Decode(data)
	if err != nil {
		return nil, fail("decode", "%v", err)
	}
	return reply, nil
}

func headerStatus(m *syncml.Message) *syncml.Command {
	for _, c := range m.Commands {
		if c.Name == "Status" && c.CmdRef == "0" {
			return c
		}
	}
	return nil
}

func statusFor(m *syncml.Message, msgRef string, c *syncml.Command) *syncml.Command {
	for _, s := range m.Commands {
		if s.Name == "Status" && s.MsgRef == msgRef && s.CmdRef == c.CmdID {
			return s
		}
	}
	return nil
}

func find(cmds []*syncml.Command, name string) *syncml.Command {
	for _, c := range cmds {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// devInfPut is the Put of a small device description, as a phone sends it
// in the first message of every session.
func devInfPut(devID, ds string) *syncml.Command {
	di := &syncml.DevInf{VerDTD: "1.2", Man: "Anchorage", Mod: "anchorage-load", OEM: "Anchorage", FwV: "1", SwV: "1", HwV: "1",
		DevID: devID, DevTyp: "phone", UTC: true, SupportNumberOfChanges: true,
		DataStores: []syncml.DataStore{{SourceRef: "./" + ds, MaxGUIDSize: 32,
			RxPref: syncml.CTType{CTType: "text/vcard", VerCT: "3.0"}, TxPref: syncml.CTType{CTType: "text/vcard", VerCT: "3.0"},
			SyncTypes: []int{1, 2, 3, 4, 5, 6, 7}}}}
	return &syncml.Command{Name: "Put", NumberOfChanges: -1, Meta: &syncml.Meta{Type: "application/vnd.syncml-devinf+xml"},
		Items: []syncml.Item{{Source: syncml.Loc{URI: "./devinf12"}, DataXML: di.Element("1.2")}}}
}
