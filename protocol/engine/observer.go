package engine

import "time"

// Observer is told what the engine does, for monitoring (server/metrics
// implements it with Prometheus). Its methods are called after the
// transaction they describe committed, so a rolled-back attempt is never
// counted; they must be cheap and safe for concurrent use.
type Observer interface {
	// MessageAnswered: one message of protocol was answered (or refused)
	// after d.
	MessageAnswered(protocol string, d time.Duration)
	// SessionActive: a message of the session key was answered and the
	// session goes on.
	SessionActive(protocol, key string)
	// SessionEnded: the session key ended with outcome "ok" (committed)
	// or "failed"; mode is its sync mode (see sessionMode).
	SessionEnded(protocol, key, mode, outcome string)
	// ItemsReceived: n items the device sent with operation op (Add,
	// Replace, Delete) were processed.
	ItemsReceived(protocol, op string, n int)
	// ItemsSent: n items were sent to the device with operation op.
	ItemsSent(protocol, op string, n int)
	// ConflictResolved: a conflict was resolved with outcome (the
	// conflict.Outcome's name).
	ConflictResolved(protocol, outcome string)
	// AuthFailed: a session was refused for missing or wrong credentials.
	AuthFailed(protocol string)
}

// NopObserver observes nothing: the default.
type NopObserver struct{}

func (NopObserver) MessageAnswered(string, time.Duration)       {}
func (NopObserver) SessionActive(string, string)                {}
func (NopObserver) SessionEnded(string, string, string, string) {}
func (NopObserver) ItemsReceived(string, string, int)           {}
func (NopObserver) ItemsSent(string, string, int)               {}
func (NopObserver) ConflictResolved(string, string)             {}
func (NopObserver) AuthFailed(string)                           {}

// protocolSyncML is the protocol label of this engine's sessions.
const protocolSyncML = "syncml"

// observed collects what one message's transaction did; it is handed to
// the Observer only once the transaction committed (flushObserved).
type observed struct {
	received  map[string]int
	sent      map[string]int
	conflicts []string
	completed bool
}

func (o *observed) itemReceived(op string) {
	if o.received == nil {
		o.received = map[string]int{}
	}
	o.received[op]++
}

func (o *observed) itemSent(op string) {
	if o.sent == nil {
		o.sent = map[string]int{}
	}
	o.sent[op]++
}

func (o *observed) conflict(outcome string) { o.conflicts = append(o.conflicts, outcome) }

// flushObserved reports a committed message of st to the Observer.
func (e *Engine) flushObserved(st *sessionState) {
	if st == nil {
		return
	}
	o := &st.obs
	for op, n := range o.received {
		e.obs.ItemsReceived(protocolSyncML, op, n)
	}
	for op, n := range o.sent {
		e.obs.ItemsSent(protocolSyncML, op, n)
	}
	for _, c := range o.conflicts {
		e.obs.ConflictResolved(protocolSyncML, c)
	}
	if o.completed {
		e.obs.SessionEnded(protocolSyncML, st.Key, sessionMode(st), "ok")
	} else if !st.Complete {
		e.obs.SessionActive(protocolSyncML, st.Key)
	}
	*o = observed{}
}

// messageAnswered reports a message's latency; deferred by HandleSyncML.
func (e *Engine) messageAnswered(start time.Time) {
	e.obs.MessageAnswered(protocolSyncML, time.Since(start))
}

// sessionFailed reports a session that ended on an error.
func (e *Engine) sessionFailed(st *sessionState) {
	key, mode := "", "none"
	if st != nil {
		key, mode = st.Key, sessionMode(st)
	}
	e.obs.SessionEnded(protocolSyncML, key, mode, "failed")
}

// sessionMode names a session's sync mode for monitoring: its datastores'
// mode when they agree, else the costliest of them (refresh, then slow,
// then one-way, then two-way); "none" before any datastore was alerted.
func sessionMode(st *sessionState) string {
	best, rank := "none", -1
	for _, ds := range st.Datastores {
		name, r := modeName(ds.Mode)
		if r > rank {
			best, rank = name, r
		}
	}
	return best
}

// modeName names a granted alert code (SyncML Sync Protocol 1.2, 16) and
// ranks it by cost.
func modeName(code int) (string, int) {
	switch code {
	case alertTwoWay:
		return "two-way", 0
	case alertOneWayFromClient:
		return "one-way-from-client", 1
	case alertOneWayFromServer:
		return "one-way-from-server", 1
	case alertSlow:
		return "slow", 2
	case alertRefreshFromClient:
		return "refresh-from-client", 3
	case alertRefreshFromServer:
		return "refresh-from-server", 3
	}
	return "other", 0
}
