package activesync

import (
	"errors"
	"fmt"
	"time"

	"github.com/beevik/etree"
)

// Sync (MS-ASCMD 2.2.1.21). The front end reads each Collection into a
// SyncRequest, converts ApplicationData with the Converter, and writes the
// core's SyncResult back; SyncKey bookkeeping, the replay of a lost answer
// and conflicts are the core's (backend.go).

const (
	defaultWindow = 100 // MS-ASCMD 2.2.3.199.2
	maxWindow     = 512
)

func (c *conn) sync(in *etree.Element) (*etree.Element, error) {
	out := newRoot("Sync", "AirSync:")
	if in == nil {
		// An empty request repeats the previous one (14.0+); this server
		// keeps no copy, so the client has to send it in full (status 13).
		addInt(out, "Status", SyncIncomplete)
		return out, nil
	}
	if in.Tag != "Sync" {
		return nil, badRequest("Sync: root element is <%s>", in.Tag)
	}
	cols := in.FindElements("Collections/Collection")
	if len(cols) == 0 {
		addInt(out, "Status", SyncIncomplete)
		return out, nil
	}
	window := num(in, "WindowSize", defaultWindow)
	hb, limit, bad := c.syncWait(in)
	if bad {
		addInt(out, "Status", SyncBadWait)
		addInt(out, "Limit", limit)
		return out, nil
	}
	for {
		res := newRoot("Sync", "AirSync:")
		outCols := add(res, "Collections", "")
		var ids []string
		for _, col := range cols {
			ids = append(ids, text(col, "CollectionId"))
			if err := c.syncCollection(col, window, add(outCols, "Collection", "")); err != nil {
				return nil, err
			}
		}
		// A hanging Sync (MS-ASCMD 3.1.5.9: Wait or HeartbeatInterval)
		// with nothing to say parks until a folder changes, then runs
		// again; the device's own commands are never run twice.
		p, push := c.sess.(Pusher)
		if hb == 0 || !push || hasCommands(cols) || !quiet(cols, res) {
			return res, nil
		}
		_, why, err := c.waitChanges(p, withoutInbox(ids), hb)
		if err != nil {
			return nil, err
		}
		if why != waitChanged {
			return res, nil
		}
	}
}

// syncWait reads Wait (minutes) or HeartbeatInterval (seconds); bad
// reports a value outside the server's bounds, limit the bound to send in
// the unit of the request (MS-ASCMD 2.2.3.101 Limit).
func (c *conn) syncWait(in *etree.Element) (time.Duration, int, bool) {
	unit, v := time.Second, -1
	if e := in.FindElement("HeartbeatInterval"); e != nil {
		v = num(in, "HeartbeatInterval", 0)
	} else if e := in.FindElement("Wait"); e != nil {
		unit, v = time.Minute, num(in, "Wait", 0)
	}
	if v < 0 {
		return 0, 0, false
	}
	hb := time.Duration(v) * unit
	if limit, bad := c.heartbeatLimit(hb); bad {
		return 0, int(limit / unit), true
	}
	return hb, 0, false
}

// hasCommands tells whether any collection carries client commands.
func hasCommands(cols []*etree.Element) bool {
	for _, col := range cols {
		if col.FindElement("Commands") != nil {
			return true
		}
	}
	return false
}

// quiet tells whether a Sync answer has nothing for the device: every
// collection is status 1 without commands or responses and keeps the
// SyncKey of the request.
func quiet(cols []*etree.Element, res *etree.Element) bool {
	for i, col := range res.FindElements("Collections/Collection") {
		if text(col, "Status") != "1" || col.FindElement("Commands") != nil ||
			col.FindElement("Responses") != nil || text(col, "SyncKey") != text(cols[i], "SyncKey") {
			return false
		}
	}
	return true
}

// syncCollection answers one Collection into res.
func (c *conn) syncCollection(col *etree.Element, window int, res *etree.Element) error {
	v := c.req.ProtocolVersion
	id, key := text(col, "CollectionId"), text(col, "SyncKey")
	f, ok, err := c.folder(id)
	if err != nil {
		return err
	}
	if v == "2.5" && ok {
		add(res, "Class", string(f.Class))
	}
	status := func(s SyncStatus, k string) {
		add(res, "SyncKey", k)
		add(res, "CollectionId", id)
		addInt(res, "Status", s)
	}
	switch {
	case !ok:
		status(SyncHierarchyChange, key)
		return nil
	case key == "":
		status(SyncProtocolError, "0")
		return nil
	case f.ServerID == inboxID:
		if key == "0" {
			key = "1"
		}
		status(SyncOK, key)
		return nil
	}
	req := SyncRequest{
		FolderID: id, SyncKey: key,
		WindowSize: clampWindow(num(col, "WindowSize", window)),
		FilterType: num(col, "Options/FilterType", 0),
		FilterSet:  col.FindElement("Options/FilterType") != nil,
	}
	// GetChanges: absent means yes, except on the initial sync (MS-ASCMD
	// 2.2.3.84); present and empty or 1 means yes.
	if g := col.FindElement("GetChanges"); g != nil {
		req.GetChanges = g.Text() != "0"
	} else {
		req.GetChanges = key != "0"
	}
	if key == "0" {
		req.GetChanges = false
	}
	for _, bp := range col.FindElements("Options/BodyPreference") {
		req.BodyPreferences = append(req.BodyPreferences, BodyPreference{
			Type: num(bp, "Type", 1), TruncationSize: num(bp, "TruncationSize", 0),
			AllOrNone: text(bp, "AllOrNone") == "1",
		})
	}
	if s := col.FindElement("Supported"); s != nil {
		req.Supported = []string{}
		for _, e := range s.ChildElements() {
			req.Supported = append(req.Supported, e.Tag)
		}
	}
	// Commands the Converter refuses are answered here with status 6; the
	// others go to the core, in order.
	type pending struct {
		cmd ClientCommand
		bad bool
	}
	var cmds []pending
	if cs := col.FindElement("Commands"); cs != nil {
		if key == "0" {
			status(SyncProtocolError, "0")
			return nil
		}
		for _, e := range cs.ChildElements() {
			cmd := ClientCommand{ClientID: text(e, "ClientId"), ServerID: text(e, "ServerId"), InstanceID: text(e, "InstanceId")}
			switch e.Tag {
			case "Add":
				cmd.Kind = CmdAdd
			case "Change":
				cmd.Kind = CmdChange
			case "Delete":
				cmd.Kind = CmdDelete
			case "Fetch":
				cmd.Kind = CmdFetch
			default:
				continue
			}
			bad := false
			if ad := e.FindElement("ApplicationData"); ad != nil && (cmd.Kind == CmdAdd || cmd.Kind == CmdChange) {
				item, err := c.srv.opts.Converter.ToItem(f.Class, ad, v)
				if err != nil {
					c.srv.log.Warn("activesync: item refused", "device", c.req.DeviceID, "folder", id,
						"clientId", cmd.ClientID, "serverId", cmd.ServerID, "err", err)
					bad = true
				}
				item.Class, item.Supported = f.Class, req.Supported
				cmd.Item = item
			} else if cmd.Kind == CmdAdd || cmd.Kind == CmdChange {
				bad = true
			}
			cmds = append(cmds, pending{cmd, bad})
			if !bad {
				req.Commands = append(req.Commands, cmd)
			}
		}
	}
	r, err := c.sess.Sync(c.r.Context(), req)
	switch {
	case errors.Is(err, ErrInvalidSyncKey):
		status(SyncInvalidKey, "0")
		return nil
	case errors.Is(err, ErrNoFolder):
		status(SyncHierarchyChange, key)
		return nil
	case err != nil:
		return fmt.Errorf("folder %s: %w", id, err)
	case len(r.Results) != len(req.Commands):
		return fmt.Errorf("folder %s: %d results for %d commands", id, len(r.Results), len(req.Commands))
	}
	status(SyncOK, r.SyncKey)
	// MoreAvailable also without Commands: the core may hold its changes
	// back while an initial sync's device still sends its items.
	if r.MoreAvailable {
		add(res, "MoreAvailable", "")
	}
	if len(r.Changes) > 0 {
		if err := c.writeChanges(add(res, "Commands", ""), f, r.Changes); err != nil {
			return fmt.Errorf("folder %s: %w", id, err)
		}
	}
	var resp *etree.Element
	next := 0
	for _, p := range cmds {
		cr := CommandResult{Kind: p.cmd.Kind, ClientID: p.cmd.ClientID, ServerID: p.cmd.ServerID, Outcome: OutcomeInvalid}
		if !p.bad {
			cr = r.Results[next]
			next++
		}
		if cr.Kind != CmdAdd && cr.Kind != CmdFetch && cr.Outcome == OutcomeOK {
			continue // Change and Delete are answered only when they fail
		}
		if resp == nil {
			resp = add(res, "Responses", "")
		}
		if err := c.writeResult(resp, f, cr); err != nil {
			return err
		}
	}
	return nil
}

// writeChanges writes the server's changes as Commands.
func (c *conn) writeChanges(cmds *etree.Element, f Folder, changes []ServerChange) error {
	for _, ch := range changes {
		var e *etree.Element
		switch ch.Kind {
		case CmdAdd:
			e = add(cmds, "Add", "")
		case CmdChange:
			e = add(cmds, "Change", "")
		case CmdDelete:
			e = add(cmds, "Delete", "")
		case CmdSoftDelete:
			e = add(cmds, "SoftDelete", "")
		default:
			return fmt.Errorf("server change of kind %d", ch.Kind)
		}
		add(e, "ServerId", ch.ServerID)
		if ch.InstanceID != "" && ch.Kind == CmdDelete && atLeast(c.req.ProtocolVersion, 16.0) {
			addNS(e, "InstanceId", "AirSyncBase:", ch.InstanceID)
		}
		if ch.Kind == CmdAdd || ch.Kind == CmdChange {
			ch.Item.Class = f.Class
			if err := c.srv.opts.Converter.FromItem(ch.Item, add(e, "ApplicationData", ""), c.req.ProtocolVersion); err != nil {
				return fmt.Errorf("item %s: %w", ch.ServerID, err)
			}
		}
	}
	return nil
}

// writeResult writes one element of Responses.
func (c *conn) writeResult(resp *etree.Element, f Folder, cr CommandResult) error {
	st := outcomeStatus(cr.Outcome)
	switch cr.Kind {
	case CmdAdd:
		e := add(resp, "Add", "")
		add(e, "ClientId", cr.ClientID)
		if st == SyncOK {
			add(e, "ServerId", cr.ServerID)
		}
		addInt(e, "Status", st)
	case CmdChange, CmdDelete:
		name := map[CommandKind]string{CmdChange: "Change", CmdDelete: "Delete"}[cr.Kind]
		e := add(resp, name, "")
		add(e, "ServerId", cr.ServerID)
		addInt(e, "Status", st)
	case CmdFetch:
		e := add(resp, "Fetch", "")
		add(e, "ServerId", cr.ServerID)
		if cr.Item == nil && st == SyncOK {
			st = SyncNotFound
		}
		addInt(e, "Status", st)
		if st == SyncOK {
			it := *cr.Item
			it.Class = f.Class
			if err := c.srv.opts.Converter.FromItem(it, add(e, "ApplicationData", ""), c.req.ProtocolVersion); err != nil {
				return fmt.Errorf("item %s: %w", cr.ServerID, err)
			}
		}
	}
	return nil
}

// outcomeStatus maps the core's outcome to a Sync status (MS-ASCMD
// 2.2.3.177.16).
func outcomeStatus(o Outcome) SyncStatus {
	switch o {
	case OutcomeOK, OutcomeDuplicate:
		return SyncOK
	case OutcomeConflict:
		return SyncConflict
	case OutcomeNotFound:
		return SyncNotFound
	case OutcomeInvalid:
		return SyncClientError
	default:
		return SyncServerError
	}
}

func clampWindow(n int) int {
	switch {
	case n < 1:
		return defaultWindow
	case n > maxWindow:
		return maxWindow
	}
	return n
}
