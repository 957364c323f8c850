package admin

import (
	"context"
	"errors"
	"fmt"
	"time"

	"anchorage/protocol/engine"
	"anchorage/store"
)

// The archive (DESIGN.md "Archive"): every version of every item stays in
// the store, so the admin can list them, restore one item or a whole
// datastore as of a time, and prune old versions by a retention policy.
// Restoring never rewrites history: it writes new versions with origin
// OriginRestore, which fast syncs carry to every device like any change.

// Origins of writes that do not come from a device.
const (
	OriginRestore = "restore"
	OriginImport  = "import"
)

// pageSize is how many items the archive reads per query.
const pageSize = 500

// HistoryQuery selects the versions History lists.
type HistoryQuery struct {
	GUID        string    // only this item's versions; "" for the whole datastore
	DeletedOnly bool      // only tombstones (deletes)
	Since       time.Time // only versions written at or after; zero for all
}

// HistoryEntry is one version of an item as the admin sees it.
type HistoryEntry struct {
	Time    time.Time
	GUID    string
	Version int64
	Seq     int64
	// Op is "add" (first version, or content after a tombstone), "update"
	// or "delete" (a tombstone). A version listed without its predecessor
	// (filtered out by Since or DeletedOnly) counts as an update.
	Op      string
	Origin  string // device id, "admin", "restore", "import", ...
	Summary string // FN, SUMMARY or a note's first line
}

// History lists versions of a user's datastore, oldest first.
func (e *Admin) History(ctx context.Context, user, datastore string, q HistoryQuery) ([]HistoryEntry, error) {
	var out []HistoryEntry
	err := e.viewDatastore(ctx, user, datastore, func(tx store.Tx, userID int64, ds string) error {
		var its []store.Item
		if q.GUID != "" {
			var err error
			if its, err = tx.Versions(ctx, userID, ds, q.GUID); err != nil {
				return noItem(user, ds, q.GUID, err)
			}
		} else {
			since, afterSeq := q.Since, int64(0)
			for {
				page, err := tx.History(ctx, userID, ds, since, afterSeq, q.DeletedOnly, pageSize)
				if err != nil {
					return fmt.Errorf("admin: history: %w", err)
				}
				its = append(its, page...)
				if len(page) < pageSize {
					break
				}
				since, afterSeq = page[len(page)-1].Modified, page[len(page)-1].Seq
			}
		}
		deleted := map[string]bool{} // the previous listed version was a tombstone
		for _, it := range its {
			op := "update"
			switch {
			case it.Deleted:
				op = "delete"
			case it.Version == 1 || deleted[it.GUID]:
				op = "add"
			}
			deleted[it.GUID] = it.Deleted
			if (q.DeletedOnly && !it.Deleted) || it.Modified.Before(q.Since) {
				continue // only when listing one item's versions
			}
			out = append(out, HistoryEntry{Time: it.Modified, GUID: it.GUID, Version: it.Version, Seq: it.Seq,
				Op: op, Origin: it.Origin, Summary: it.Summary})
		}
		return nil
	})
	return out, err
}

// RestoreChange is one write a restore made, or would make in a dry run.
type RestoreChange struct {
	// Op is "add" (a deleted item comes back), "update" (its content goes
	// back to an older version) or "delete" (it did not exist then).
	Op      string
	GUID    string
	Summary string // of the version written back; of the item deleted
	// From is the version whose content is written again (0 for deletes);
	// Version is the new version (0 in a dry run).
	From, Version int64
}

// RestoreReport tells what a restore did.
type RestoreReport struct {
	DryRun    bool
	Changes   []RestoreChange
	Unchanged int // items already as wanted
	// Pruned counts items left as they are because their versions of the
	// restore time were removed by retention.
	Pruned int
}

// Count returns how many changes have the given Op.
func (r *RestoreReport) Count(op string) int {
	n := 0
	for _, c := range r.Changes {
		if c.Op == op {
			n++
		}
	}
	return n
}

// restorePlan is a change to make: target is the version to write again,
// or nil to delete cur.
type restorePlan struct {
	change RestoreChange
	target *store.Item
}

// RestoreItem writes an older version of one item again. version 0 means
// the latest non-deleted version before the current one: it undoes the last
// delete or overwrite. Restoring a tombstone deletes the item. With dryRun
// nothing is written and the report tells what would be.
func (e *Admin) RestoreItem(ctx context.Context, user, datastore, guid string, version int64, dryRun bool) (*RestoreReport, error) {
	return e.restore(ctx, user, datastore, dryRun, func(tx store.ArchiveTx, userID int64, ds string, rep *RestoreReport) ([]restorePlan, error) {
		vs, err := tx.Versions(ctx, userID, ds, guid)
		if err != nil {
			return nil, noItem(user, ds, guid, err)
		}
		cur := vs[len(vs)-1]
		var target *store.Item
		for i := len(vs) - 1; i >= 0 && target == nil; i-- {
			v := &vs[i]
			if (version == 0 && v.Version < cur.Version && !v.Deleted) || (version != 0 && v.Version == version) {
				target = v
			}
		}
		switch {
		case target == nil && version == 0:
			return nil, fmt.Errorf("admin: item %s has no earlier version with content to restore", guid)
		case target == nil:
			return nil, fmt.Errorf("admin: item %s has no version %d (versions %d to %d are kept): %w",
				guid, version, vs[0].Version, cur.Version, store.ErrNotFound)
		}
		if p, ok := planRestore(target, &cur); ok {
			return []restorePlan{p}, nil
		}
		rep.Unchanged++
		return nil, nil
	})
}

// RestoreAsOf brings a whole datastore back to its state at time at: items
// live then but deleted or changed since get their version of then written
// again, items created (or brought back) since are deleted. Items whose
// versions of then were pruned cannot be restored and are left as they are.
func (e *Admin) RestoreAsOf(ctx context.Context, user, datastore string, at time.Time, dryRun bool) (*RestoreReport, error) {
	if at.IsZero() {
		return nil, errors.New("admin: restore as of the zero time")
	}
	return e.restore(ctx, user, datastore, dryRun, func(tx store.ArchiveTx, userID int64, ds string, rep *RestoreReport) ([]restorePlan, error) {
		// Merge the current items and the items of then, both by GUID; every
		// item of then is an item now (its versions are never all removed).
		var plans []restorePlan
		then := &itemPager{next: func(after string) ([]store.Item, error) {
			return tx.ItemsAsOf(ctx, userID, ds, at, after, pageSize)
		}}
		now := &itemPager{next: func(after string) ([]store.Item, error) {
			return tx.AllItems(ctx, userID, ds, after, pageSize)
		}}
		for {
			cur, err := now.peek()
			if err != nil || cur == nil {
				return plans, err
			}
			old, err := then.peek()
			for err == nil && old != nil && old.GUID < cur.GUID {
				then.pop() // cannot happen; never let it stall the merge
				old, err = then.peek()
			}
			if err != nil {
				return nil, err
			}
			now.pop()
			var target *store.Item
			if old != nil && old.GUID == cur.GUID {
				then.pop()
				target = old
			}
			p, ok := planRestore(target, cur)
			if ok && target == nil {
				// Not there at the time, or its history from then was
				// pruned: only an item whose first version is kept was
				// surely created later.
				vs, err := tx.Versions(ctx, userID, ds, cur.GUID)
				if err != nil {
					return nil, fmt.Errorf("admin: versions of %s: %w", cur.GUID, err)
				}
				if vs[0].Version > 1 {
					rep.Pruned++
					continue
				}
			}
			if ok {
				plans = append(plans, p)
			} else {
				rep.Unchanged++
			}
		}
	})
}

// planRestore decides what brings an item from its current version cur
// back to target (nil or a tombstone: the item must not exist). ok is false
// when nothing needs to be written.
func planRestore(target, cur *store.Item) (restorePlan, bool) {
	wantLive := target != nil && !target.Deleted
	switch {
	case !wantLive && cur.Deleted:
		return restorePlan{}, false
	case !wantLive:
		return restorePlan{change: RestoreChange{Op: "delete", GUID: cur.GUID, Summary: cur.Summary}}, true
	case !cur.Deleted && (cur.Version == target.Version ||
		engine.Equivalent(cur, target.ContentType, target.Data)):
		return restorePlan{}, false
	}
	op := "update"
	if cur.Deleted {
		op = "add"
	}
	return restorePlan{change: RestoreChange{Op: op, GUID: cur.GUID, Summary: target.Summary, From: target.Version},
		target: target}, true
}

// restore runs plan in a read-only transaction for a dry run, else in one
// write transaction that also applies it, so a restore is all or nothing.
func (e *Admin) restore(ctx context.Context, user, datastore string, dryRun bool,
	plan func(tx store.ArchiveTx, userID int64, ds string, rep *RestoreReport) ([]restorePlan, error)) (*RestoreReport, error) {
	rep := &RestoreReport{DryRun: dryRun}
	run := e.updateDatastore
	if dryRun {
		run = e.viewDatastore
	}
	err := run(ctx, user, datastore, func(tx store.Tx, userID int64, ds string) error {
		plans, err := plan(tx, userID, ds, rep)
		if err != nil {
			return err
		}
		now := e.now()
		for _, p := range plans {
			if !dryRun {
				w := &store.ItemWrite{UserID: userID, Datastore: ds, GUID: p.change.GUID, Delete: p.target == nil,
					Origin: OriginRestore, Time: now}
				if t := p.target; t != nil {
					w.ContentType, w.Data, w.UID, w.MatchKey, w.Summary = t.ContentType, t.Data, t.UID, t.MatchKey, t.Summary
					w.CanonicalType, w.Canonical = t.CanonicalType, t.Canonical
				}
				it, err := tx.WriteItem(ctx, w)
				if err != nil {
					return fmt.Errorf("admin: restore %s: %w", p.change.GUID, err)
				}
				p.change.Version = it.Version
			}
			rep.Changes = append(rep.Changes, p.change)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return rep, nil
}

// itemPager walks a GUID-ordered listing page by page.
type itemPager struct {
	next func(after string) ([]store.Item, error)
	buf  []store.Item
	last string
	done bool
}

// peek returns the next item without consuming it; nil at the end.
func (p *itemPager) peek() (*store.Item, error) {
	if len(p.buf) == 0 && !p.done {
		page, err := p.next(p.last)
		if err != nil {
			return nil, err
		}
		if len(page) < pageSize {
			p.done = true
		}
		if len(page) > 0 {
			p.last = page[len(page)-1].GUID
		}
		p.buf = page
	}
	if len(p.buf) == 0 {
		return nil, nil
	}
	return &p.buf[0], nil
}

func (p *itemPager) pop() { p.buf = p.buf[1:] }

// viewDatastore runs fn in a read-only transaction with the user's id and
// the canonical datastore name.
func (e *Admin) viewDatastore(ctx context.Context, user, datastore string, fn func(tx store.Tx, userID int64, ds string) error) error {
	return e.onDatastore(ctx, e.view, user, datastore, fn)
}

// updateDatastore is viewDatastore in a write transaction.
func (e *Admin) updateDatastore(ctx context.Context, user, datastore string, fn func(tx store.Tx, userID int64, ds string) error) error {
	return e.onDatastore(ctx, e.update, user, datastore, fn)
}

func (e *Admin) onDatastore(ctx context.Context, run func(context.Context, func(store.Tx) error) error,
	user, datastore string, fn func(tx store.Tx, userID int64, ds string) error) error {
	name, ok := engine.ResolveDatastore(datastore)
	if !ok {
		return unknownDatastore(datastore)
	}
	return run(ctx, func(tx store.Tx) error {
		u, err := adminUser(ctx, tx, user)
		if err != nil {
			return err
		}
		return fn(tx, u.ID, name)
	})
}

// PruneOptions tell Prune which retention policy to apply.
type PruneOptions struct {
	// Policy, when set, is applied instead of the stored policies (its
	// zero fields set no limit).
	Policy *store.Retention
	// Save stores Policy as the user's policy, or as the server-wide
	// default when pruning every user, before pruning. Not in a dry run.
	Save   bool
	DryRun bool
}

// PruneResult is what pruning one datastore of one user removed (or, in a
// dry run, would remove).
type PruneResult struct {
	User      string
	Datastore string
	Policy    store.Retention
	// Source tells where Policy came from: "given" (PruneOptions.Policy),
	// "user" (the user's stored policy), "default" (the stored server-wide
	// default) or "none" (nothing stored: everything is kept).
	Source string
	store.PruneStats
}

// Prune removes the versions the retention policy does not keep from every
// datastore of one user, or of every user when user is "". It never
// removes an item's latest version, so devices' fast syncs and the current
// state are unaffected (see store.Retention).
func (e *Admin) Prune(ctx context.Context, user string, opts PruneOptions) ([]PruneResult, error) {
	if opts.Save && opts.Policy == nil {
		return nil, errors.New("admin: prune: nothing to save (give a policy)")
	}
	var users []store.User
	err := e.view(ctx, func(tx store.Tx) error {
		all, err := tx.ListUsers(ctx)
		for _, u := range all {
			if user == "" || u.Name == user {
				users = append(users, u)
			}
		}
		if err == nil && user != "" && len(users) == 0 {
			err = &PlainError{Msg: fmt.Sprintf("no user %q", user), Err: fmt.Errorf("user %q: %w", user, store.ErrNotFound)}
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("admin: prune: %w", err)
	}
	if opts.Save && !opts.DryRun {
		var id int64 // the server-wide default
		if user != "" {
			id = users[0].ID
		}
		if err := e.update(ctx, func(tx store.Tx) error { return tx.PutRetention(ctx, id, *opts.Policy) }); err != nil {
			return nil, fmt.Errorf("admin: save retention: %w", err)
		}
	}
	run := e.update
	if opts.DryRun {
		run = e.view
	}
	var out []PruneResult
	for _, u := range users {
		// One transaction per user: a user's datastores are pruned together.
		err := run(ctx, func(tx store.Tx) error {
			policy, source, err := retentionOf(ctx, tx, u.ID, opts.Policy)
			if err != nil {
				return err
			}
			now := e.now()
			for _, ds := range engine.Datastores {
				st, err := tx.PruneVersions(ctx, u.ID, ds, policy, now, opts.DryRun)
				if err != nil {
					return err
				}
				out = append(out, PruneResult{User: u.Name, Datastore: ds, Policy: policy, Source: source, PruneStats: st})
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("admin: prune %q: %w", u.Name, err)
		}
	}
	return out, nil
}

// retentionOf resolves the policy that applies to a user: the given one,
// else the user's stored one, else the stored default, else none.
func retentionOf(ctx context.Context, tx store.ArchiveTx, userID int64, given *store.Retention) (store.Retention, string, error) {
	if given != nil {
		return *given, "given", nil
	}
	for _, c := range []struct {
		id     int64
		source string
	}{{userID, "user"}, {0, "default"}} {
		r, err := tx.Retention(ctx, c.id)
		if err == nil {
			return *r, c.source, nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return store.Retention{}, "", err
		}
	}
	return store.Retention{}, "none", nil
}
