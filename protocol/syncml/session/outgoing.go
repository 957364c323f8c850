package engine

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"anchorage/protocol/syncml"
	"anchorage/store"
)

// batchSize is how many change rows are read at a time while filling a
// message; messages are bounded by MaxMsgSize, not by this.
const batchSize = 200

// appendServerSync adds the server's Sync for a datastore to the reply,
// with as many changes as fit the device's MaxMsgSize; the rest follows in
// the next messages (the device asks with Alert 222). Fast syncs send the
// changes after the device's acknowledged sequence that it did not make
// itself; slow and refresh-from-server syncs send every live item the
// device did not already prove to have in this session.
func (e *Engine) appendServerSync(ctx context.Context, tx store.Tx, st *sessionState, ds *syncedStore, r *reply) error {
	if !ds.ServerBegun {
		seq, err := tx.LastSeq(ctx, st.UserID, ds.Name)
		if err != nil {
			return fmt.Errorf("engine: last seq: %w", err)
		}
		ds.ServerBegun, ds.TargetSeq, ds.CursorSeq = true, seq, ds.AckSeq
	}
	sync := &syncml.Command{Name: "Sync", Target: syncml.Loc{URI: ds.ClientURI},
		Source: syncml.Loc{URI: ds.ServerURI}, NumberOfChanges: -1}
	r.add(sync)
	first := ds.SentCommands == 0
	if ds.Outgoing != nil {
		if !e.nextChunk(st, ds, r, sync) {
			return nil // the message is full; the object goes on next time
		}
		ds.Outgoing = nil
	}

	var err error
	switch ds.Mode {
	case alertOneWayFromClient, alertRefreshFromClient:
		ds.ServerDone = true // the server sends nothing in these modes
	case alertSlow, alertRefreshFromServer:
		err = e.fillSlow(ctx, tx, st, ds, r, sync)
	default:
		err = e.fillFast(ctx, tx, st, ds, r, sync)
	}
	if err == nil {
		err = e.flushRemembered(ctx, tx, ds)
	}
	if err != nil {
		return err
	}
	if first && ds.ServerDone {
		sync.NumberOfChanges = len(sync.Commands)
	}
	return nil
}

func (e *Engine) fillFast(ctx context.Context, tx store.Tx, st *sessionState, ds *syncedStore, r *reply, sync *syncml.Command) error {
	for {
		changes, err := tx.Changes(ctx, st.UserID, ds.Name, ds.CursorSeq, ds.TargetSeq, st.DeviceID, batchSize)
		if err != nil {
			return fmt.Errorf("engine: changes: %w", err)
		}
		if len(changes) == 0 {
			return e.fillResend(ctx, tx, st, ds, r, sync)
		}
		for _, ch := range changes {
			cmd, sent, it, err := e.serverCommand(ctx, tx, st, ds, ch.GUID)
			if err != nil {
				return err
			}
			if cmd != nil && sent.Op == "Add" {
				if held, err := e.deferAdd(ctx, tx, st, ds, ch.GUID); err != nil {
					return err
				} else if held {
					cmd = nil
				}
			}
			if cmd != nil {
				p := e.place(st, ds, r, sync, cmd, sent)
				e.rememberAdd(st, ds, p, sent, it)
				switch p {
				case noRoom:
					return nil // the rest goes in the next message
				case chunking:
					ds.CursorSeq = ch.Seq
					return nil
				}
			}
			ds.CursorSeq = ch.Seq
		}
	}
}

// fillSlow sends the live items the device did not prove to have in this
// session. The store's anti-join skips those, so each item is read once
// per session (plus one batch's overshoot per message), however many
// messages it takes.
func (e *Engine) fillSlow(ctx context.Context, tx store.Tx, st *sessionState, ds *syncedStore, r *reply, sync *syncml.Command) error {
	for {
		items, err := tx.UnconfirmedItems(ctx, st.UserID, st.DeviceID, ds.Name, st.Key, ds.CursorGUID, batchSize)
		if err != nil {
			return fmt.Errorf("engine: items to send: %w", err)
		}
		if len(items) == 0 {
			return e.fillResend(ctx, tx, st, ds, r, sync)
		}
		for i := range items {
			it := &items[i]
			sent := sentCommand{Op: "Add", GUID: it.GUID}
			p := e.place(st, ds, r, sync, e.itemCommand(st, ds, "Add", it, ""), sent)
			e.rememberAdd(st, ds, p, sent, it)
			switch p {
			case noRoom:
				return nil
			case chunking:
				ds.CursorGUID = it.GUID
				return nil
			}
			ds.CursorGUID = it.GUID
		}
	}
}

// serverCommand builds the command that brings one changed item to the
// device: Replace or Delete when the device has it (mapped), Add when it
// does not; nil when there is nothing to do (deleted and never sent).
func (e *Engine) serverCommand(ctx context.Context, tx store.Tx, st *sessionState, ds *syncedStore, guid string) (*syncml.Command, sentCommand, *store.Item, error) {
	it, err := tx.Item(ctx, st.UserID, ds.Name, guid)
	if err != nil {
		return nil, sentCommand{}, nil, fmt.Errorf("engine: item %s: %w", guid, err)
	}
	m, err := tx.MapByGUID(ctx, st.UserID, st.DeviceID, ds.Name, guid)
	if errors.Is(err, store.ErrNotFound) {
		m = nil
	} else if err != nil {
		return nil, sentCommand{}, nil, fmt.Errorf("engine: map %s: %w", guid, err)
	}
	switch {
	case it.Deleted && m == nil:
		return nil, sentCommand{}, it, nil
	case it.Deleted:
		return &syncml.Command{Name: "Delete", Items: []syncml.Item{{Target: syncml.Loc{URI: m.LUID}}}},
			sentCommand{Op: "Delete", GUID: guid, LUID: m.LUID}, it, nil
	case m != nil:
		return e.itemCommand(st, ds, "Replace", it, m.LUID), sentCommand{Op: "Replace", GUID: guid, LUID: m.LUID}, it, nil
	default:
		return e.itemCommand(st, ds, "Add", it, ""), sentCommand{Op: "Add", GUID: guid}, it, nil
	}
}

// fillResend sends, at the end of a slow sync (or of a fast one's
// changes), the server's state of the items listed in ds.Resend (a Delete
// or a Replace for the device's LUID): items whose state the change log
// does not bring to the device.
func (e *Engine) fillResend(ctx context.Context, tx store.Tx, st *sessionState, ds *syncedStore, r *reply, sync *syncml.Command) error {
	for len(ds.Resend) > 0 {
		cmd, sent, it, err := e.serverCommand(ctx, tx, st, ds, ds.Resend[0])
		if err != nil {
			return err
		}
		if cmd != nil {
			p := e.place(st, ds, r, sync, cmd, sent)
			e.rememberAdd(st, ds, p, sent, it)
			switch p {
			case noRoom:
				return nil
			case chunking:
				ds.Resend = ds.Resend[1:]
				return nil
			}
		}
		ds.Resend = ds.Resend[1:]
	}
	ds.ServerDone = true
	return nil
}

// itemCommand builds an Add (Source = our GUID) or Replace (Target = the
// device's LUID, Source = GUID) carrying the item's content.
func (e *Engine) itemCommand(st *sessionState, ds *syncedStore, op string, it *store.Item, luid string) *syncml.Command {
	ct, data := e.outgoingData(st, ds, it)
	item := syncml.Item{Source: syncml.Loc{URI: it.GUID}, Data: string(data)}
	if luid != "" {
		item.Target = syncml.Loc{URI: luid}
	}
	meta := &syncml.Meta{Type: ct}
	if strings.HasPrefix(strings.ToLower(ct), "text/x-s4j-") {
		// Funambol's SIF clients send and expect SIF base64-encoded.
		item.Data, meta.Format = base64.StdEncoding.EncodeToString(data), "b64"
	}
	return &syncml.Command{Name: op, Meta: meta, Items: []syncml.Item{item}}
}

// placement is what place did with a command.
type placement int

const (
	placed   placement = iota // in this message
	noRoom                    // not placed: resume from the same cursor next message
	chunking                  // a large object started; the message is full
)

// place puts one server command into the reply. A command too big for any
// message becomes a large object, sent in chunks from then on.
func (e *Engine) place(st *sessionState, ds *syncedStore, r *reply, sync, cmd *syncml.Command, sent sentCommand) placement {
	size := syncml.EncodedSize(cmd)
	if r.fits(size) {
		e.recordSent(st, ds, r, sync, cmd, sent, size)
		return placed
	}
	if len(sync.Commands) > 0 {
		return noRoom
	}
	if len(cmd.Items) == 0 || cmd.Items[0].Data == "" {
		e.recordSent(st, ds, r, sync, cmd, sent, size) // nothing to split; send it anyway
		return placed
	}
	if st.ClientMaxObjSize > 0 && int64(len(cmd.Items[0].Data)) > st.ClientMaxObjSize {
		e.log.Warn("item larger than the device's MaxObjSize; not sent", "device", st.DeviceID,
			"guid", sent.GUID, "size", len(cmd.Items[0].Data), "max", st.ClientMaxObjSize)
		ds.Undelivered++
		return placed
	}
	ds.Outgoing = &outgoingObject{Cmd: cmd, Sent: sent}
	if e.nextChunk(st, ds, r, sync) {
		ds.Outgoing = nil
		return placed
	}
	return chunking
}

func (e *Engine) recordSent(st *sessionState, ds *syncedStore, r *reply, sync, cmd *syncml.Command, sent sentCommand, size int) {
	r.addChild(sync, cmd, size)
	if ds.Sent == nil {
		ds.Sent = make(map[string]sentCommand)
	}
	ds.Sent[strconv.Itoa(st.NextMsgID)+"/"+cmd.CmdID] = sent
	ds.SentCommands++
}

// handleStatus records the device's Status for one of our commands. A
// server change counts as delivered only when its 2xx status arrives
// (DESIGN.md); a Delete the device did not find is delivered too.
func (e *Engine) handleStatus(ctx context.Context, tx store.Tx, st *sessionState, c *syncml.Command) error {
	key := c.MsgRef + "/" + c.CmdRef
	for _, ds := range st.Datastores {
		sent, ok := ds.Sent[key]
		if !ok {
			continue
		}
		delete(ds.Sent, key)
		code, _ := strconv.Atoi(c.Data)
		delivered := code >= 200 && code < 300 || code == 418 ||
			sent.Op == "Delete" && (code == 404 || code == 211)
		if !delivered {
			ds.Undelivered++
			e.log.Info("device refused a change", "device", st.DeviceID, "datastore", ds.Name,
				"op", sent.Op, "guid", sent.GUID, "status", code)
			if sent.Op == "Add" {
				return e.forgetAdds(ctx, tx, st, ds, []string{sent.GUID}) // the device does not hold it
			}
			return nil
		}
		if sent.Op == "Delete" && sent.LUID != "" {
			ds.NoTwins = false
			if err := tx.DeleteMapping(ctx, st.UserID, st.DeviceID, ds.Name, sent.LUID); err != nil {
				return fmt.Errorf("engine: unmap %s: %w", sent.LUID, err)
			}
		}
		if sent.Op == "Replace" && sent.LUID != "" {
			return e.confirm(ctx, tx, st, ds, sent.LUID, sent.GUID)
		}
		return nil
	}
	return nil
}

// handleMap stores the device's LUIDs for the items we added (Sync
// Protocol 5.10). A Map may come in a later session than the Adds it
// answers: a device that got no Status for its Map sends it again in its
// next session, possibly before that session's Alert for the datastore.
// Only GUIDs of this user's datastore are accepted (a Map naming any
// other is refused and logged); their existence is checked in one lookup
// per Map, without loading content.
func (e *Engine) handleMap(ctx context.Context, tx store.Tx, st *sessionState, c *syncml.Command) (int, error) {
	ds := st.datastoreByURI(c.Target.URI, c.Source.URI)
	if ds == nil {
		name, ok := ResolveDatastore(c.Target.URI)
		if !ok {
			return 404, nil
		}
		// Not alerted in this session: the mappings only (see forgetAdds).
		ds = &syncedStore{Name: name, Unacked: true}
	}
	guids := make([]string, 0, len(c.MapItems))
	for _, mi := range c.MapItems {
		if mi.Source != "" && mi.Target != "" {
			guids = append(guids, mi.Target)
		}
	}
	known, err := tx.KnownItems(ctx, st.UserID, ds.Name, guids)
	if err != nil {
		return 0, fmt.Errorf("engine: map items: %w", err)
	}
	// A Map may move a LUID off another item, which a slow sync could then
	// have to match again.
	ds.NoTwins = false
	mapped, refused := make([]string, 0, len(guids)), 0
	ms := make([]store.Mapping, 0, len(guids))
	for _, mi := range c.MapItems {
		if mi.Source == "" || mi.Target == "" {
			continue
		}
		if !known[mi.Target] {
			// Not an item of this user's datastore: another user's GUID
			// or a made-up one. Nothing is mapped (user isolation).
			e.log.Warn("map names no item of the user's datastore; refused", "device", st.DeviceID,
				"user", st.UserName, "datastore", ds.Name, "guid", mi.Target, "luid", mi.Source)
			refused++
			continue
		}
		ms = append(ms, store.Mapping{UserID: st.UserID, DeviceID: st.DeviceID, Datastore: ds.Name,
			LUID: mi.Source, GUID: mi.Target, Session: st.Key})
		mapped = append(mapped, mi.Target)
	}
	if err := tx.PutMappings(ctx, ms); err != nil {
		return 0, fmt.Errorf("engine: map: %w", err)
	}
	if err := e.forgetAdds(ctx, tx, st, ds, mapped); err != nil {
		return 0, err
	}
	if len(mapped) == 0 && refused > 0 {
		return 404, nil
	}
	return 200, nil
}
