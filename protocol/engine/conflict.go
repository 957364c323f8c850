package engine

import (
	"context"
	"errors"
	"fmt"

	"anchorage/conflict"
	"anchorage/protocol/pim"
	"anchorage/store"
)

// Origins of the versions a conflict resolution writes (DESIGN.md,
// Archive): the loser is archived under OriginConflict just before the
// winner, so `anchorage history` lists it; a merged version, a re-sent
// server version and a duplicate's copy have their own origins, which are
// not the device's, so this session sends them back to it.
const (
	OriginConflict  = "conflict"
	OriginMerge     = "merge"
	OriginServer    = "server"
	OriginDuplicate = "duplicate"
)

// resolveConflict applies the conflict policy when a device changed (ci)
// or deleted (ci nil) an item that another device or the admin changed
// after the device's last acknowledged change, and returns the status of
// the device's command.
func (e *Engine) resolveConflict(ctx context.Context, tx store.SyncTx, st *sessionState, ds *syncedStore, cur *store.Item, ci *clientItem, luid string) (Outcome, error) {
	base, err := e.conflictBase(ctx, tx, st, ds, cur)
	if err != nil {
		return 0, err
	}
	return e.resolveWithBase(ctx, tx, st, ds, cur, ci, luid, base)
}

// resolveWithBase is resolveConflict with the base given.
func (e *Engine) resolveWithBase(ctx context.Context, tx store.SyncTx, st *sessionState, ds *syncedStore, cur *store.Item, ci *clientItem, luid string, base *conflict.Version) (Outcome, error) {
	ds.NoTwins = false // an outcome may leave live items the session did not confirm
	server := conflict.Version{Deleted: cur.Deleted, Modified: cur.Modified}
	server.ContentType, server.Data = cur.Canon()
	client := conflict.Version{Deleted: ci == nil, Modified: e.now()}
	if ci != nil {
		client.ContentType, client.Data = ci.contentType, ci.data
	}
	res := conflict.Resolve(ds.Conflict, base, server, client)
	st.w.obs.conflicts = append(st.w.obs.conflicts, [2]string{st.Protocol, res.Outcome.String()})
	e.log.Info("conflict", "device", st.DeviceID, "datastore", ds.Name, "guid", cur.GUID, "policy", ds.Conflict.Policy,
		"client_deleted", ci == nil, "server_deleted", cur.Deleted, "outcome", res.Outcome, "status", res.Status)

	// archiveServer keeps the server's version, tagged, before it is replaced.
	archiveServer := func() error {
		if cur.Deleted {
			return nil
		}
		_, err := e.writeContent(ctx, tx, st, ds, cur.GUID, cur.ContentType, cur.Data, OriginConflict)
		return err
	}
	switch res.Outcome {
	case conflict.TakeClient:
		if err := archiveServer(); err != nil {
			return 0, err
		}
		if ci == nil {
			if _, err := tx.WriteItem(ctx, &store.ItemWrite{UserID: st.UserID, Datastore: ds.Name, GUID: cur.GUID,
				Delete: true, Origin: st.DeviceID, Time: e.now()}); err != nil {
				return 0, fmt.Errorf("engine: delete %s: %w", cur.GUID, err)
			}
			return outcomeOf(res), e.unmap(ctx, tx, st, ds, luid)
		}
		if _, err := e.write(ctx, tx, st, ds, cur.GUID, ci); err != nil {
			return 0, err
		}
		ds.Replaced++
	case conflict.KeepServer:
		if ci == nil {
			// The device's deletion loses: unmapped, the item goes back
			// to it as an Add; a new version puts it in the device's
			// change window when nothing else did (read-only), or when
			// the server's changes of this sync already went past it (an
			// EAS device may send commands between windows).
			if !changedSince(cur, ds, st) || ds.ServerBegun && cur.Seq <= ds.CursorSeq {
				if _, err := e.writeContent(ctx, tx, st, ds, cur.GUID, cur.ContentType, cur.Data, OriginServer); err != nil {
					return 0, err
				}
			}
			return outcomeOf(res), e.unmap(ctx, tx, st, ds, luid)
		}
		if _, err := e.writeContent(ctx, tx, st, ds, cur.GUID, ci.contentType, ci.data, OriginConflict); err != nil {
			return 0, err
		}
		if cur.Deleted {
			if _, err := tx.WriteItem(ctx, &store.ItemWrite{UserID: st.UserID, Datastore: ds.Name, GUID: cur.GUID,
				Delete: true, Origin: OriginServer, Time: e.now()}); err != nil {
				return 0, fmt.Errorf("engine: delete %s: %w", cur.GUID, err)
			}
		} else if _, err := e.writeContent(ctx, tx, st, ds, cur.GUID, cur.ContentType, cur.Data, OriginServer); err != nil {
			return 0, err
		}
	case conflict.TakeMerged:
		if _, err := e.writeContent(ctx, tx, st, ds, cur.GUID, ci.contentType, ci.data, OriginConflict); err != nil {
			return 0, err
		}
		if _, err := e.writeContent(ctx, tx, st, ds, cur.GUID, res.ContentType, res.Data, OriginMerge); err != nil {
			return 0, err
		}
		ds.Replaced++
	case conflict.MakeCopy:
		if _, err := e.writeContent(ctx, tx, st, ds, newGUID(e.now()), res.ContentType, res.Data, OriginDuplicate); err != nil {
			return 0, err
		}
		ds.Added++
	}
	if err := e.confirm(ctx, tx, st, ds, luid, cur.GUID); err != nil {
		return 0, err
	}
	if (res.Outcome == conflict.KeepServer || res.Outcome == conflict.TakeMerged) && ds.Mode == ModeSlow {
		// A slow sync sends only what the device did not send; the
		// server's or the merged version goes after (fillResend).
		ds.Resend = append(ds.Resend, cur.GUID)
	}
	return outcomeOf(res), nil
}

// conflictBase returns the version the device and the server last agreed
// on: the latest content version the device acknowledged (Seq <= AckSeq)
// or wrote itself, whichever is newer; nil when there is none.
func (e *Engine) conflictBase(ctx context.Context, tx store.SyncTx, st *sessionState, ds *syncedStore, cur *store.Item) (*conflict.Version, error) {
	vs, err := ds.memo.versionsOf(ctx, tx, st.UserID, ds.Name, cur)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("engine: versions %s: %w", cur.GUID, err)
	}
	for i := len(vs) - 1; i >= 0; i-- {
		v := vs[i]
		if v.Origin == OriginConflict || v.Seq > ds.AckSeq && v.Origin != st.DeviceID {
			continue
		}
		if v.Deleted {
			return nil, nil
		}
		ct, data := v.Canon()
		return &conflict.Version{ContentType: ct, Data: data, Modified: v.Modified}, nil
	}
	return nil, nil
}

// refuseAdd keeps a new item a device sent to a read-only datastore in the
// archive only: its content as a conflict version, then a tombstone the
// device receives as a Delete in this session, so that the device ends up
// equal to the server and an admin can still restore what it sent.
func (e *Engine) refuseAdd(ctx context.Context, tx store.SyncTx, st *sessionState, ds *syncedStore, ci *clientItem, luid string) (Outcome, error) {
	guid := newGUID(e.now())
	if _, err := e.writeContent(ctx, tx, st, ds, guid, ci.contentType, ci.data, OriginConflict); err != nil {
		return 0, err
	}
	if _, err := tx.WriteItem(ctx, &store.ItemWrite{UserID: st.UserID, Datastore: ds.Name, GUID: guid,
		Delete: true, Origin: OriginServer, Time: e.now()}); err != nil {
		return 0, fmt.Errorf("engine: refuse %s: %w", guid, err)
	}
	if err := e.confirm(ctx, tx, st, ds, luid, guid); err != nil {
		return 0, err
	}
	if ds.Mode == ModeSlow {
		ds.Resend = append(ds.Resend, guid)
	}
	e.log.Info("read-only datastore: device's new item refused", "device", st.DeviceID, "datastore", ds.Name, "guid", guid)
	ds.Rejected++
	return ServerWon, nil
}

// ConflictRules returns the rule in force for a user's datastore.
func (w *Work) ConflictRules(userID int64, datastore string) (conflict.Rules, error) {
	return w.e.conflictRules(w.ctx, w.tx, userID, datastore)
}

// conflictRules returns the rule for a user's datastore: the datastore's
// own setting, else the user's, else the server's.
func (e *Engine) conflictRules(ctx context.Context, tx store.PartnerTx, userID int64, datastore string) (conflict.Rules, error) {
	settings, err := tx.ConflictSettings(ctx, userID)
	if err != nil {
		return conflict.Rules{}, fmt.Errorf("engine: conflict settings: %w", err)
	}
	rules := e.conflict
	for _, s := range settings { // "" (every datastore) comes first
		if s.Datastore != "" && s.Datastore != datastore {
			continue
		}
		p, err := conflict.ParsePolicy(s.Policy)
		if err != nil {
			return conflict.Rules{}, fmt.Errorf("engine: stored setting of %q: %w", datastore, err)
		}
		rules = conflict.Rules{Policy: p, DeleteWins: s.DeleteWins}
	}
	return rules, nil
}

func (e *Engine) unmap(ctx context.Context, tx store.SyncTx, st *sessionState, ds *syncedStore, luid string) error {
	if err := tx.DeleteMapping(ctx, st.UserID, st.DeviceID, ds.Name, luid); err != nil {
		return fmt.Errorf("engine: unmap %s: %w", luid, err)
	}
	ds.Deleted++
	return nil
}

// writeContent stores a new version of an item with the given origin.
func (e *Engine) writeContent(ctx context.Context, tx store.SyncTx, st *sessionState, ds *syncedStore, guid, ct string, data []byte, origin string) (*store.Item, error) {
	info := pim.Describe(ct, data)
	it, err := tx.WriteItem(ctx, withCanonical(&store.ItemWrite{
		UserID: st.UserID, Datastore: ds.Name, GUID: guid, ContentType: ct, Data: data,
		UID: info.UID, MatchKey: info.MatchKey, Summary: info.Summary,
		Origin: origin, Time: e.now(),
	}))
	if err != nil {
		return nil, fmt.Errorf("engine: write %s: %w", guid, err)
	}
	return it, nil
}
