package engine

import (
	"errors"
	"fmt"
	"time"

	"anchorage/store"
)

// Suspend and resume (OMA DS 1.2 Sync Protocol, Alert 224 and 225): a
// device whose session was suspended or broken off starts a new session
// that resumes the datastores where they stopped. The interrupted
// session's state is the front end's stored session blob; the core hands
// over what that session confirmed in the store (mappings, unacknowledged
// Adds, both tagged with the session key), so that what was sent and
// acknowledged before is neither sent nor paired again.

// DeviceSession is one stored session of a device.
type DeviceSession struct {
	Key     string
	Updated time.Time
}

// DeviceSessions lists the partner's device's stored sessions, newest
// first, at most limit.
func (w *Work) DeviceSessions(p Partner, limit int) ([]DeviceSession, error) {
	rows, err := w.tx.DeviceSessions(w.ctx, p.UserID, p.DeviceID, limit)
	if err != nil {
		return nil, fmt.Errorf("engine: sessions of device %s: %w", p.DeviceID, err)
	}
	out := make([]DeviceSession, 0, len(rows))
	for _, r := range rows {
		out = append(out, DeviceSession{Key: r.Key, Updated: r.UpdatedAt})
	}
	return out, nil
}

// Resume hands a datastore of an interrupted session (from) to the
// partner's session p, which resumes it: ds is the datastore's state as
// the interrupted session saved it, prior the partnership's anchors when
// that session opened it. It reports false, and changes nothing, when the
// partnership moved on since (another session of the device completed, or
// it was reset): the device must then slow sync.
func (w *Work) Resume(p Partner, ds *Datastore, from string, prior Anchors) (bool, error) {
	if err := p.check(); err != nil {
		return false, err
	}
	pt, err := w.tx.Partnership(w.ctx, p.UserID, p.DeviceID, ds.Name)
	if errors.Is(err, store.ErrNotFound) {
		pt = &store.Partnership{}
	} else if err != nil {
		return false, fmt.Errorf("engine: resume %s: %w", ds.Name, err)
	}
	if pt.ClientAnchor != prior.Client || pt.ServerAnchor != prior.Server {
		w.e.log.Info("cannot resume: the partnership changed since the session was interrupted",
			"device", p.DeviceID, "datastore", ds.Name, "session", from)
		return false, nil
	}
	moved, err := w.tx.ResumeSession(w.ctx, p.UserID, p.DeviceID, ds.Name, from, p.Session)
	if err != nil {
		return false, fmt.Errorf("engine: resume %s: %w", ds.Name, err)
	}
	ds.Partner = p
	// Others may have written since: the twin search starts afresh.
	ds.NoTwins = false
	w.e.log.Info("datastore resumed", "device", p.DeviceID, "user", p.UserName, "datastore", ds.Name,
		"from", from, "session", p.Session, "mode", int(ds.Mode), "moved", moved, "sent", ds.SentCommands)
	return true, nil
}
