package session

import (
	"encoding/base64"
	"strconv"
	"strings"

	"anchorage/protocol/engine"
	"anchorage/protocol/syncml"
)

// appendServerSync adds the server's Sync for a datastore to the reply,
// with as many changes as fit the device's MaxMsgSize; the rest follows in
// the next messages (the device asks with Alert 222). Which changes, the
// core says (Work.NextChange).
func (e *Handler) appendServerSync(w *engine.Work, st *sessionState, ds *syncedStore, r *reply) error {
	sync := &syncml.Command{Name: "Sync", Target: syncml.Loc{URI: ds.ClientURI},
		Source: syncml.Loc{URI: ds.ServerURI}, NumberOfChanges: -1}
	if !r.addIfFits(sync) {
		return nil // not even an empty Sync fits; it opens the next message
	}
	first := ds.SentCommands == 0
	if ds.Outgoing != nil {
		if !e.nextChunk(st, ds, r, sync) {
			return nil // the message is full; the object goes on next time
		}
		ds.Outgoing = nil
	}
	if err := e.fill(w, st, ds, r, sync); err != nil {
		return err
	}
	if err := w.Flush(&ds.Datastore); err != nil {
		return err
	}
	if first && ds.ServerDone {
		sync.NumberOfChanges = len(sync.Commands)
	}
	return nil
}

// fill places server changes into sync until the message is full or none
// is left (then the server's part of the datastore is done).
func (e *Handler) fill(w *engine.Work, st *sessionState, ds *syncedStore, r *reply, sync *syncml.Command) error {
	for {
		ch, err := w.NextChange(&ds.Datastore)
		if err != nil {
			return err
		}
		if ch == nil {
			ds.ServerDone = true
			return nil
		}
		cmd, sent := changeCommand(ch)
		p := e.place(st, ds, r, sync, cmd, sent)
		if p == noRoom {
			return nil // the rest goes in the next message
		}
		w.Advance(&ds.Datastore, ch)
		if p == chunking {
			return nil
		}
	}
}

// changeCommand builds the command that brings a server change to the
// device: an Add (Source = our GUID), a Replace (Target = the device's
// LUID, Source = GUID) carrying the item, or a Delete of the LUID.
func changeCommand(ch *engine.ServerChange) (*syncml.Command, sentCommand) {
	sent := sentCommand{Op: ch.Op.String(), GUID: ch.GUID, LUID: ch.LUID}
	if ch.Op == engine.OpDelete {
		return &syncml.Command{Name: "Delete", Items: []syncml.Item{{Target: syncml.Loc{URI: ch.LUID}}}}, sent
	}
	item := syncml.Item{Source: syncml.Loc{URI: ch.GUID}, Data: string(ch.Data)}
	if ch.LUID != "" {
		item.Target = syncml.Loc{URI: ch.LUID}
	}
	meta := &syncml.Meta{Type: ch.ContentType}
	if strings.HasPrefix(strings.ToLower(ch.ContentType), "text/x-s4j-") {
		// Funambol's SIF clients send and expect SIF base64-encoded.
		item.Data, meta.Format = base64.StdEncoding.EncodeToString(ch.Data), "b64"
	}
	return &syncml.Command{Name: sent.Op, Meta: meta, Items: []syncml.Item{item}}, sent
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
func (e *Handler) place(st *sessionState, ds *syncedStore, r *reply, sync, cmd *syncml.Command, sent sentCommand) placement {
	cmd.CmdID = strconv.Itoa(r.nextID) // measured as it will be numbered
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

func (e *Handler) recordSent(st *sessionState, ds *syncedStore, r *reply, sync, cmd *syncml.Command, sent sentCommand, size int) {
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
func (e *Handler) handleStatus(w *engine.Work, st *sessionState, c *syncml.Command) error {
	if c.Cmd == "Alert" {
		e.alertStatus(st, c)
		return nil
	}
	key := c.MsgRef + "/" + c.CmdRef
	if e.chunkStatus(st, key, atoi(c.Data)) {
		return nil
	}
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
			e.log.Info("device refused a change", "device", st.DeviceID, "datastore", ds.Name,
				"op", sent.Op, "guid", sent.GUID, "status", code)
		}
		return w.Acknowledge(&ds.Datastore, opOf(sent.Op), sent.GUID, sent.LUID, delivered)
	}
	return nil
}

// handleMap stores the device's LUIDs for the items we added (Sync
// Protocol 5.10). A Map may come in a later session than the Adds it
// answers: a device that got no Status for its Map sends it again in its
// next session, possibly before that session's Alert for the datastore.
// Only GUIDs of this user's datastore are accepted (the core refuses and
// logs the others).
func (e *Handler) handleMap(w *engine.Work, st *sessionState, r *reply, c *syncml.Command) error {
	var ds *engine.Datastore
	if s := st.datastoreByURI(c.Target.URI, c.Source.URI); s != nil {
		ds = &s.Datastore
	} else {
		name, ok := engine.ResolveDatastore(c.Target.URI)
		if !ok {
			return syncml.Errorf(syncml.StatusNotFound, "map for unknown datastore %q", c.Target.URI)
		}
		// Not alerted in this session: the mappings only.
		ds = &engine.Datastore{Partner: st.partner(), Name: name, Unacked: true}
	}
	maps := make([]engine.Mapping, 0, len(c.MapItems))
	for _, mi := range c.MapItems {
		if mi.Source != "" && mi.Target != "" {
			maps = append(maps, engine.Mapping{LUID: mi.Source, GUID: mi.Target})
		}
	}
	mapped, refused, err := w.Map(ds, maps)
	if err != nil {
		return err
	}
	if mapped == 0 && refused > 0 {
		return &syncml.Error{Code: syncml.StatusNotFound} // the core logged each
	}
	if !c.NoResp {
		r.status(c, int(syncml.StatusOK))
	}
	return nil
}

// alertStatus turns a two-way sync into a slow one when the device answers
// our Alert with 508 (Sync Protocol 5.6: the server's Last anchor is not
// the one the device saved). The device then sends every item it holds,
// as Replaces, and they must be paired like a slow sync's, not applied as
// changes: a second client sharing the device id (its client anchors equal
// to the stored ones by chance, as SyncEvolution's are timestamps to the
// second) would otherwise add its items again under LUIDs the server no
// longer maps, and replace items mapped to the other client's LUIDs.
func (e *Handler) alertStatus(st *sessionState, c *syncml.Command) {
	code, _ := strconv.Atoi(strings.TrimSpace(c.Data))
	if code != int(syncml.StatusRefreshRequired) {
		return
	}
	uris := append(append([]string(nil), c.TargetRefs...), c.SourceRefs...)
	ds := st.datastoreByURI(uris...)
	if ds == nil || ds.Mode != engine.ModeTwoWay || ds.ClientDone || ds.ServerBegun {
		return
	}
	e.log.Info("device refused the server anchor: slow sync", "device", st.DeviceID, "datastore", ds.Name,
		"server_last", ds.ServerLast)
	ds.Mode = engine.ModeSlow
}
