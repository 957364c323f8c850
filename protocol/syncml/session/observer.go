package session

import (
	"time"

	"anchorage/protocol/engine"
)

// The SyncML front end reports its sessions, messages and refused logins
// to the core's Observer; the core reports items and conflicts itself,
// labelled by the partner's protocol.

// protocolSyncML is the protocol label of this front end's events.
const protocolSyncML = "syncml"

// observed is what one message's transaction did to its session; it is
// handed to the Observer only once the transaction committed
// (flushObserved).
type observed struct {
	completed bool
}

// flushObserved reports a committed message of st to the Observer.
func (e *Handler) flushObserved(st *sessionState) {
	if st == nil {
		return
	}
	if st.obs.completed {
		e.obs.SessionEnded(protocolSyncML, st.Key, sessionMode(st), "ok")
	} else if !st.Complete {
		e.obs.SessionActive(protocolSyncML, st.Key)
	}
	st.obs = observed{}
}

// messageAnswered reports a message's latency; deferred by HandleSyncML.
func (e *Handler) messageAnswered(start time.Time) {
	e.obs.MessageAnswered(protocolSyncML, time.Since(start))
}

// sessionFailed reports a session that ended on an error.
func (e *Handler) sessionFailed(st *sessionState) {
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

// modeName names a granted mode (SyncML Sync Protocol 1.2, 16) and ranks
// it by cost.
func modeName(m engine.Mode) (string, int) {
	switch m {
	case engine.ModeTwoWay:
		return "two-way", 0
	case engine.ModeOneWayFromClient:
		return "one-way-from-client", 1
	case engine.ModeOneWayFromServer:
		return "one-way-from-server", 1
	case engine.ModeSlow:
		return "slow", 2
	case engine.ModeRefreshFromClient:
		return "refresh-from-client", 3
	case engine.ModeRefreshFromServer:
		return "refresh-from-server", 3
	}
	return "other", 0
}
