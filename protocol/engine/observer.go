package engine

import "time"

// Observer is told what the engine and its front ends do, for monitoring
// (server/metrics implements it with Prometheus): the core reports items
// and conflicts, a front end its sessions, messages and refused logins,
// each labelled with its protocol ("syncml", "activesync"). Its methods
// are called after the transaction they describe committed, so a
// rolled-back attempt is never counted; they must be cheap and safe for
// concurrent use.
type Observer interface {
	// MessageAnswered: one message of protocol was answered (or refused)
	// after d.
	MessageAnswered(protocol string, d time.Duration)
	// SessionActive: a message of the session key was answered and the
	// session goes on.
	SessionActive(protocol, key string)
	// SessionEnded: the session key ended with outcome "ok" (committed)
	// or "failed"; mode is its sync mode (two-way, slow, ...).
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

// observed collects what one unit of work did to items; it is handed to
// the Observer only once the transaction committed (Update), labelled with
// the protocol of the partner (Partner.Protocol).
type observed struct {
	received  map[[2]string]int // protocol, op
	sent      map[[2]string]int
	conflicts [][2]string // protocol, outcome
	holds     []heldEvent // guard.go
}

func count(m *map[[2]string]int, protocol, op string) {
	if *m == nil {
		*m = map[[2]string]int{}
	}
	(*m)[[2]string{protocol, op}]++
}

// flush reports committed work to o.
func (ob *observed) flush(o Observer) {
	for k, n := range ob.received {
		o.ItemsReceived(k[0], k[1], n)
	}
	for k, n := range ob.sent {
		o.ItemsSent(k[0], k[1], n)
	}
	for _, c := range ob.conflicts {
		o.ConflictResolved(c[0], c[1])
	}
	if ho, ok := o.(HoldObserver); ok {
		for _, h := range ob.holds {
			ho.DeletesHeld(h.protocol, h.hold)
		}
	}
	*ob = observed{}
}

// Observer returns the engine's Observer, for the front ends' session and
// message events.
func (e *Engine) Observer() Observer { return e.obs }
