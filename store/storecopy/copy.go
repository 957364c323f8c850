// Package storecopy copies everything one store holds into another, empty
// one (anchorage store copy): accounts with their admin and disabled flags,
// devices with their remote-wipe state, the full archive of every
// datastore, partnerships with their anchors, maps and unacknowledged Adds,
// resent Adds, ActiveSync ClientIds (an Add re-sent after the move gets
// its ServerId again rather than making a second item), conflict settings, retention, mass-deletion thresholds and holds (open
// or decided, with their held deletes), shared-device records and recent
// client anchors, so that devices continue with fast
// syncs after a move between backends (SQLite to PostgreSQL or back).
//
// It speaks only store.Tx. The destination hands out its own user ids and
// change sequences: every version is written in the source's sequence
// order, and the sequences the copied rows refer to (a partnership's
// AckSeq, an unacknowledged Add's Seq, a hold's Seq) are translated;
// version numbers are kept, so that the changes a device has not
// acknowledged are the same ones. Holds get new ids, in the same order. Protocol
// sessions and leases are not copied: a session in flight restarts. Nor are
// web sessions: a browser logged in to the web interface logs in again.
package storecopy

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"

	"anchorage/store"
)

// Datastores are the datastore names every user may have (besides those a
// partnership names).
var Datastores = []string{"contacts", "calendar", "tasks", "notes"}

// Stats counts what Copy copied.
type Stats struct {
	Users, Devices, Partnerships, Versions, Mappings, UnackedAdds, Holds int
}

// Copy copies src into dst, which must hold no user. Each user is copied
// in one write transaction of dst, so a failed copy leaves whole users.
func Copy(ctx context.Context, src, dst store.Store) (Stats, error) {
	var st Stats
	var users []store.User
	var defaultKeep *store.Retention
	if err := src.View(ctx, func(tx store.Tx) error {
		var err error
		if users, err = tx.ListUsers(ctx); err != nil {
			return err
		}
		defaultKeep, err = retention(ctx, tx, 0)
		return err
	}); err != nil {
		return st, fmt.Errorf("copy: read source: %w", err)
	}
	if err := dst.Update(ctx, func(tx store.Tx) error {
		have, err := tx.ListUsers(ctx)
		if err == nil && len(have) > 0 {
			err = fmt.Errorf("the destination holds %d users already; copy needs an empty one", len(have))
		}
		if err == nil && defaultKeep != nil {
			err = tx.PutRetention(ctx, 0, *defaultKeep)
		}
		return err
	}); err != nil {
		return st, fmt.Errorf("copy: %w", err)
	}
	for _, u := range users {
		var d userData
		if err := src.View(ctx, func(tx store.Tx) error { return d.read(ctx, tx, u) }); err != nil {
			return st, fmt.Errorf("copy: read user %s: %w", u.Name, err)
		}
		if err := dst.Update(ctx, func(tx store.Tx) error { return d.write(ctx, tx, &st) }); err != nil {
			return st, fmt.Errorf("copy: write user %s: %w", u.Name, err)
		}
	}
	return st, nil
}

func retention(ctx context.Context, tx store.Tx, userID int64) (*store.Retention, error) {
	r, err := tx.Retention(ctx, userID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	return r, err
}

// userData is everything of one user, as read from the source.
type userData struct {
	user         store.User
	keep         *store.Retention
	conflicts    []store.ConflictSetting
	devices      []store.Device
	partnerships []store.Partnership
	versions     map[string][]store.Item // by datastore, in sequence order
	mappings     []store.Mapping
	unacked      []store.UnackedAdd
	resent       []store.ResentAdd
	clientIDs    []store.ClientID
	holdSettings *store.HoldSettings
	holds        []heldSession
	shared       sharedData
}

// heldSession is one hold with its deletes.
type heldSession struct {
	hold    store.Hold
	deletes []store.HeldDelete
}

func (d *userData) read(ctx context.Context, tx store.Tx, u store.User) error {
	d.user = u
	var err error
	if d.keep, err = retention(ctx, tx, u.ID); err != nil {
		return err
	}
	if d.conflicts, err = tx.ConflictSettings(ctx, u.ID); err != nil {
		return err
	}
	if d.devices, err = tx.ListDevices(ctx, u.ID); err != nil {
		return err
	}
	if err := d.readHolds(ctx, tx); err != nil {
		return err
	}
	if d.partnerships, err = tx.ListPartnerships(ctx, u.ID, ""); err != nil {
		return err
	}
	if err := d.readShared(ctx, tx); err != nil {
		return err
	}
	for _, dev := range d.devices {
		ids, err := tx.DeviceClientIDs(ctx, u.ID, dev.DeviceID)
		if err != nil {
			return err
		}
		d.clientIDs = append(d.clientIDs, ids...)
	}
	names := slices.Clone(Datastores)
	for _, p := range d.partnerships {
		if !slices.Contains(names, p.Datastore) {
			names = append(names, p.Datastore)
		}
	}
	d.versions = map[string][]store.Item{}
	for _, ds := range names {
		items, err := tx.AllItems(ctx, u.ID, ds, "", 0)
		if err != nil {
			return err
		}
		var vs []store.Item
		for _, it := range items {
			iv, err := tx.Versions(ctx, u.ID, ds, it.GUID)
			if err != nil {
				return err
			}
			vs = append(vs, iv...)
		}
		slices.SortFunc(vs, func(a, b store.Item) int { return cmp.Compare(a.Seq, b.Seq) })
		d.versions[ds] = vs
		for _, dev := range d.devices {
			for _, it := range items {
				m, err := tx.MapByGUID(ctx, u.ID, dev.DeviceID, ds, it.GUID)
				if errors.Is(err, store.ErrNotFound) {
					continue
				} else if err != nil {
					return err
				}
				d.mappings = append(d.mappings, *m)
			}
			adds, err := tx.UnackedAdds(ctx, u.ID, dev.DeviceID, ds, nil, 0)
			if err != nil {
				return err
			}
			d.unacked = append(d.unacked, adds...)
			resent, err := tx.ResentAdds(ctx, u.ID, dev.DeviceID, ds)
			if err != nil {
				return err
			}
			d.resent = append(d.resent, resent...)
		}
	}
	return nil
}

func (d *userData) write(ctx context.Context, tx store.Tx, st *Stats) error {
	u := d.user
	if err := tx.CreateUser(ctx, &u); err != nil {
		return err
	}
	st.Users++
	if d.keep != nil {
		if err := tx.PutRetention(ctx, u.ID, *d.keep); err != nil {
			return err
		}
	}
	for _, c := range d.conflicts {
		c.UserID = u.ID
		if err := tx.PutConflictSetting(ctx, &c); err != nil {
			return err
		}
	}
	for _, dev := range d.devices {
		dev.UserID = u.ID
		if err := tx.PutDevice(ctx, &dev); err != nil {
			return err
		}
		// PutDevice leaves the wipe state as stored (none, in a new row).
		if dev.Wipe != (store.Wipe{}) {
			if err := tx.SetWipe(ctx, u.ID, dev.DeviceID, dev.Wipe); err != nil {
				return err
			}
		}
		st.Devices++
	}
	if err := d.writeShared(ctx, tx, u.ID); err != nil {
		return err
	}
	seqs := map[string]*seqMap{}
	for ds, vs := range d.versions {
		sm := &seqMap{}
		seqs[ds] = sm
		for _, v := range vs {
			it, err := tx.WriteItem(ctx, &store.ItemWrite{UserID: u.ID, Datastore: ds, GUID: v.GUID,
				Delete: v.Deleted, ContentType: v.ContentType, Data: v.Data, UID: v.UID, MatchKey: v.MatchKey,
				Summary: v.Summary, Origin: v.Origin, Time: v.Modified, Version: v.Version,
				CanonicalType: v.CanonicalType, Canonical: v.Canonical})
			if err != nil {
				return fmt.Errorf("%s item %s version %d: %w", ds, v.GUID, v.Version, err)
			}
			sm.src = append(sm.src, v.Seq)
			sm.dst = append(sm.dst, it.Seq)
			st.Versions++
		}
	}
	for _, p := range d.partnerships {
		p.UserID = u.ID
		p.AckSeq = seqs[p.Datastore].at(p.AckSeq)
		if err := tx.PutPartnership(ctx, &p); err != nil {
			return err
		}
		st.Partnerships++
	}
	for i := range d.mappings {
		d.mappings[i].UserID = u.ID
	}
	if err := tx.PutMappings(ctx, d.mappings); err != nil {
		return err
	}
	st.Mappings += len(d.mappings)
	for i := range d.unacked {
		a := &d.unacked[i]
		a.UserID = u.ID
		a.Seq = seqs[a.Datastore].at(a.Seq)
		// Identifiers are not listed by the store: they are computed
		// again when a device's new item needs pairing.
		a.Idents, a.IdentsPending, a.New = nil, true, false
	}
	if err := tx.PutUnackedAdds(ctx, d.unacked); err != nil {
		return err
	}
	st.UnackedAdds += len(d.unacked)
	for i := range d.resent {
		a := &d.resent[i]
		a.UserID = u.ID
		if err := tx.PutResentAdd(ctx, a); err != nil {
			return err
		}
	}
	for i := range d.clientIDs {
		d.clientIDs[i].UserID = u.ID
	}
	if len(d.clientIDs) > 0 {
		if err := tx.PutClientIDs(ctx, d.clientIDs); err != nil {
			return err
		}
	}
	return d.writeHolds(ctx, tx, u.ID, seqs, st)
}

// readHolds reads the user's mass-deletion threshold and holds.
func (d *userData) readHolds(ctx context.Context, tx store.Tx) error {
	hs, err := tx.HoldSettings(ctx, d.user.ID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	d.holdSettings = hs
	holds, err := tx.Holds(ctx, d.user.ID, "")
	if err != nil {
		return err
	}
	for _, h := range holds {
		dels, err := tx.HeldDeletes(ctx, h.ID)
		if err != nil {
			return err
		}
		d.holds = append(d.holds, heldSession{h, dels})
	}
	return nil
}

// writeHolds writes the threshold and the holds, oldest first; a decided
// hold is created open, as CreateHold does, then given its state.
func (d *userData) writeHolds(ctx context.Context, tx store.Tx, userID int64, seqs map[string]*seqMap, st *Stats) error {
	if d.holdSettings != nil {
		s := *d.holdSettings
		s.UserID = userID
		if err := tx.PutHoldSettings(ctx, &s); err != nil {
			return err
		}
	}
	for _, hd := range d.holds {
		h := hd.hold
		h.UserID, h.Seq = userID, seqs[h.Datastore].at(h.Seq)
		if err := tx.CreateHold(ctx, &h, hd.deletes); err != nil {
			return err
		}
		if hd.hold.State != store.HoldOpen {
			if err := tx.SetHoldState(ctx, h.ID, hd.hold.State, hd.hold.Decided); err != nil {
				return err
			}
		}
		st.Holds++
	}
	return nil
}

// seqMap translates a datastore's source sequences to the destination's.
type seqMap struct{ src, dst []int64 } // both ascending, same length

// at returns the destination sequence that covers the same changes as
// source sequence s: that of the last version at or below s (0 if none).
func (m *seqMap) at(s int64) int64 {
	if m == nil {
		return 0
	}
	i := sort.Search(len(m.src), func(i int) bool { return m.src[i] > s })
	if i == 0 {
		return 0
	}
	return m.dst[i-1]
}
