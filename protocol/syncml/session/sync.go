package session

import (
	"cmp"
	"encoding/base64"
	"strings"

	"anchorage/protocol/engine"
	"anchorage/protocol/syncml"
)

// handleSync applies a device's Sync command: a Status for the Sync, then
// one per item of every Add/Replace/Delete in it. Each change is written
// (durably, in this message's transaction) before its Status goes out.
func (e *Handler) handleSync(w *engine.Work, st *sessionState, r *reply, c *syncml.Command) error {
	ds := st.datastoreByURI(c.Target.URI, c.Source.URI)
	if ds == nil {
		e.log.Info("sync for a datastore that was not alerted", "target", c.Target.URI, "device", st.DeviceID)
		if !c.NoResp {
			r.status(c, 404)
		}
		for _, ch := range c.Commands {
			if !ch.NoResp {
				r.status(ch, 404)
			}
		}
		return nil
	}
	if !c.NoResp {
		r.status(c, 200)
	}
	if err := w.Prepare(&ds.Datastore, itemLUIDs(c.Commands)); err != nil {
		return err
	}
	if err := e.applyCommands(w, st, ds, r, c.Commands, c.Meta); err != nil {
		return err
	}
	return w.Settle(&ds.Datastore)
}

// itemLUIDs lists the LUIDs of the Add and Replace items of a Sync, so
// that the core can find in one query which have no mapping yet.
func itemLUIDs(cmds []*syncml.Command) []string {
	var luids []string
	var collect func(cmds []*syncml.Command)
	collect = func(cmds []*syncml.Command) {
		for _, c := range cmds {
			switch c.Name {
			case "Add", "Replace":
				for i := range c.Items {
					if l := cmp.Or(c.Items[i].Source.URI, c.Items[i].Target.URI); l != "" {
						luids = append(luids, l)
					}
				}
			case "Atomic", "Sequence":
				collect(c.Commands)
			}
		}
	}
	collect(cmds)
	return luids
}

func (e *Handler) applyCommands(w *engine.Work, st *sessionState, ds *syncedStore, r *reply, cmds []*syncml.Command, parentMeta *syncml.Meta) error {
	for _, ch := range cmds {
		switch ch.Name {
		case "Add", "Replace", "Delete":
			for i := range ch.Items {
				it := &ch.Items[i]
				code, err := e.applyItem(w, st, ds, ch, it, parentMeta)
				if err != nil {
					return err
				}
				if !ch.NoResp {
					r.itemStatus(ch, it, code)
				}
			}
		case "Atomic", "Sequence":
			// Our message transaction already applies a message all or
			// nothing; run the nested commands in order.
			if !ch.NoResp {
				r.status(ch, 200)
			}
			if err := e.applyCommands(w, st, ds, r, ch.Commands, parentMeta); err != nil {
				return err
			}
		default:
			if !ch.NoResp {
				r.status(ch, 406)
			}
		}
	}
	return nil
}

// applyItem applies one item of a device's Add/Replace/Delete and returns
// its status code (Sync Protocol 6.x; RepPro status codes). Large objects
// are assembled here; what becomes of the whole item, the core decides.
func (e *Handler) applyItem(w *engine.Work, st *sessionState, ds *syncedStore, c *syncml.Command, it *syncml.Item, parentMeta *syncml.Meta) (int, error) {
	ch := engine.Change{Op: opOf(c.Name), LUID: cmp.Or(it.Source.URI, it.Target.URI)}
	if ds.Mode == engine.ModeRefreshFromServer || ch.LUID == "" || ch.Op == engine.OpDelete {
		o, _, err := w.Apply(&ds.Datastore, ch)
		return int(statusOf(o)), err
	}
	whole, code := e.assembleChunk(st, ds, c, it, ch.LUID, itemMeta(it, c.Meta, parentMeta))
	if whole == nil {
		return code, nil // a chunk accepted (213) or the object refused
	}
	ch.ContentType, ch.Data = itemData(whole, c.Meta, parentMeta)
	o, _, err := w.Apply(&ds.Datastore, ch)
	return int(statusOf(o)), err
}

// itemData extracts an item's content type (from its Meta or its
// command's; empty: the datastore's default) and data, base64-decoded when
// its Format says b64 (nil when that fails: the core refuses it).
func itemData(it *syncml.Item, cmdMeta, parentMeta *syncml.Meta) (string, []byte) {
	mv := itemMeta(it, cmdMeta, parentMeta)
	if strings.EqualFold(mv.format, "b64") {
		dec, err := base64.StdEncoding.DecodeString(strings.TrimSpace(it.Data))
		if err != nil {
			return mv.contentType, nil
		}
		return mv.contentType, dec
	}
	return mv.contentType, []byte(it.Data)
}

// opOf maps a SyncML command name to the core's operation.
func opOf(name string) engine.Op {
	switch name {
	case "Add":
		return engine.OpAdd
	case "Delete":
		return engine.OpDelete
	}
	return engine.OpReplace
}

// statusOf is the SyncML status of a change's outcome (Sync Protocol 6.x;
// RepPro status codes; conflicts as libsynthesis answers them).
func statusOf(o engine.Outcome) syncml.StatusCode {
	switch o {
	case engine.Added, engine.Revived:
		return syncml.StatusItemAdded
	case engine.AlreadyHeld, engine.ClientWon:
		return syncml.StatusConflictClientWon
	case engine.NotFound:
		return syncml.StatusItemNotDeleted
	case engine.Merged:
		return syncml.StatusConflictMerged
	case engine.Duplicated:
		return syncml.StatusConflictDuplicated
	case engine.ServerWon:
		return syncml.StatusConflictServerWon
	case engine.RefusedFormat:
		return syncml.StatusUnsupportedMediaType
	case engine.RefusedData:
		return syncml.StatusBadRequest
	case engine.MissingID:
		return syncml.StatusIncompleteCommand
	case engine.Ignored:
		return syncml.StatusForbidden
	}
	return syncml.StatusOK // replaced, deleted, matched
}
