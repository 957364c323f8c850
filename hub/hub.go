// Package hub tells parked requests that a datastore of a user changed:
// EAS Ping and hanging Sync wait on it, and every writer (device syncs of
// either protocol, import, restore, prune, admin) notifies it after its
// transaction has committed, never before: a rolled-back write must wake
// nobody.
//
// A notification carries no data and may be coalesced or, in a
// cross-process implementation, arrive late or spuriously. A waiter
// therefore treats it as "look again": after waking it re-reads the state
// it waits for (e.g. the datastore's change sequence against the device's
// acknowledged one) and parks again when nothing is new.
package hub

import "sync"

// Key names one datastore of one user.
type Key struct {
	User      string
	Datastore string
}

// Hub delivers change notifications. It is safe for concurrent use.
type Hub interface {
	// Watch subscribes to the given datastores. The channel receives a
	// value (at most one buffered) after any of them changed; cancel ends
	// the subscription and must be called exactly once. Watch before
	// reading the state, so that a change between the read and the wait
	// is not missed.
	Watch(keys ...Key) (wake <-chan struct{}, cancel func())
	// Notify wakes the watchers of one datastore. Call it after the
	// write's commit.
	Notify(user, datastore string)
}

// Local is the in-process Hub. A parked watcher costs one small struct,
// one map entry per key and a channel; no goroutine of its own, no timer,
// no database connection.
type Local struct {
	mu       sync.Mutex
	watchers map[Key]map[*watcher]struct{}
}

type watcher struct {
	ch chan struct{}
}

// NewLocal returns an empty in-process hub.
func NewLocal() *Local {
	return &Local{watchers: map[Key]map[*watcher]struct{}{}}
}

// Watch implements Hub.
func (h *Local) Watch(keys ...Key) (<-chan struct{}, func()) {
	w := &watcher{ch: make(chan struct{}, 1)}
	h.mu.Lock()
	for _, k := range keys {
		set := h.watchers[k]
		if set == nil {
			set = map[*watcher]struct{}{}
			h.watchers[k] = set
		}
		set[w] = struct{}{}
	}
	h.mu.Unlock()
	var once sync.Once
	return w.ch, func() {
		once.Do(func() {
			h.mu.Lock()
			defer h.mu.Unlock()
			for _, k := range keys {
				set := h.watchers[k]
				delete(set, w)
				if len(set) == 0 {
					delete(h.watchers, k)
				}
			}
		})
	}
}

// Notify implements Hub. It never blocks: a watcher already holding a
// notification keeps that one (coalescing).
func (h *Local) Notify(user, datastore string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	wake(h.watchers[Key{user, datastore}])
}

// wake gives each watcher of set a notification unless it holds one.
func wake(set map[*watcher]struct{}) {
	for w := range set {
		select {
		case w.ch <- struct{}{}:
		default:
		}
	}
}

// Watching counts the subscriptions of a datastore (for tests and
// metrics).
func (h *Local) Watching(user, datastore string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.watchers[Key{user, datastore}])
}

// NotifyAll wakes every watcher of every datastore, for a cross-process
// hub that may have missed notifications (a dropped connection): each
// waiter re-reads its state and parks again when nothing is new.
func (h *Local) NotifyAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, set := range h.watchers {
		wake(set)
	}
}
