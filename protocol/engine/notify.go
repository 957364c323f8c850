package engine

import (
	"context"

	"anchorage/hub"
	"anchorage/store"
)

// Every item write of a unit of work (a device's sync of either protocol,
// an import, a restore, a prune through Work.Tx) is noted, and the hub is
// told of each written datastore once the transaction committed, never
// before: a rolled-back write wakes nobody (package hub). Parked EAS
// Pings and hanging Syncs wait on it.

// notingTx is the store transaction of a Work: WriteItem notes which
// user's datastore was written.
type notingTx struct {
	store.Tx
	w *Work
}

// WriteItem writes and notes the datastore written.
func (t notingTx) WriteItem(ctx context.Context, iw *store.ItemWrite) (*store.Item, error) {
	it, err := t.Tx.WriteItem(ctx, iw)
	if err == nil {
		t.w.noteWrite(ctx, iw.UserID, iw.Datastore)
	}
	return it, err
}

// noteWrite records a write of a user's datastore for the hub.
func (w *Work) noteWrite(ctx context.Context, userID int64, datastore string) {
	if w.e.hub == nil {
		return
	}
	if w.userNames == nil {
		w.userNames = map[int64]string{}
		w.written = map[hub.Key]bool{}
	}
	name, ok := w.userNames[userID]
	if !ok {
		u, err := w.tx.UserByID(ctx, userID)
		if err != nil {
			return // the write itself succeeded; only the wake-up is lost
		}
		name = u.Name
		w.userNames[userID] = name
	}
	w.written[hub.Key{User: name, Datastore: datastore}] = true
}

// notify tells the hub of the datastores a committed unit of work wrote.
func (w *Work) notify() {
	for k := range w.written {
		w.e.hub.Notify(k.User, k.Datastore)
	}
	w.written = nil
}

// Hub returns the engine's change hub, nil when it has none.
func (e *Engine) Hub() hub.Hub { return e.hub }
