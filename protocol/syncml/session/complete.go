package session

import "anchorage/protocol/engine"

// complete commits a finished session (Sync Protocol: after package 6):
// every datastore's anchors and acknowledged changes, then the leases are
// released. Nothing of this is written before, so an abandoned session
// leaves the partnerships as they were and the next sync repeats what was
// missed.
func (e *Handler) complete(w *engine.Work, st *sessionState) error {
	for _, ds := range st.Datastores {
		// A command still awaiting its Status was not delivered either.
		unanswered := len(ds.Sent)
		ds.Undelivered += unanswered
		err := w.Complete(&ds.Datastore, engine.Anchors{Client: ds.ClientNext, Server: ds.ServerNext})
		ds.Undelivered -= unanswered
		if err != nil {
			return err
		}
	}
	st.Complete, st.obs.completed = true, true
	return w.Finish(st.partner())
}
