package admin

import (
	"context"
	"errors"
	"fmt"

	"anchorage/protocol/engine"
	"anchorage/store"
)

// HoldReport is one hold of the mass-deletion guard as the owner sees it.
type HoldReport struct {
	User string
	store.Hold
}

// Holds lists the holds of a user ("" every user): only the open ones
// unless all is set. Oldest first.
func (e *Admin) Holds(ctx context.Context, user string, all bool) ([]HoldReport, error) {
	var states []store.HoldState
	if !all {
		states = []store.HoldState{store.HoldOpen}
	}
	var out []HoldReport
	err := e.view(ctx, func(tx store.Tx) error {
		names, userID, err := userNames(ctx, tx, user)
		if err != nil {
			return err
		}
		hs, err := tx.Holds(ctx, userID, "", states...)
		if err != nil {
			return fmt.Errorf("admin: holds: %w", err)
		}
		for _, h := range hs {
			out = append(out, HoldReport{User: names[h.UserID], Hold: h})
		}
		return nil
	})
	return out, err
}

// userNames maps user ids to names, and names the id of user ("" for 0).
func userNames(ctx context.Context, tx store.Tx, user string) (map[int64]string, int64, error) {
	users, err := tx.ListUsers(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("admin: users: %w", err)
	}
	names := make(map[int64]string, len(users))
	var id int64
	for _, u := range users {
		names[u.ID] = u.Name
		if u.Name == user {
			id = u.ID
		}
	}
	if user != "" && id == 0 {
		return nil, 0, plainf("no user %q", user)
	}
	return names, id, nil
}

// HeldItems lists what a hold would delete: each item's GUID and summary.
func (e *Admin) HeldItems(ctx context.Context, id int64) ([]store.Item, error) {
	var out []store.Item
	err := e.view(ctx, func(tx store.Tx) error {
		h, err := tx.Hold(ctx, id)
		if err != nil {
			return noHold(id, err)
		}
		dels, err := tx.HeldDeletes(ctx, id)
		if err != nil {
			return fmt.Errorf("admin: held deletes: %w", err)
		}
		for _, d := range dels {
			it, err := tx.Item(ctx, h.UserID, h.Datastore, d.GUID)
			if err != nil {
				return fmt.Errorf("admin: held item %s: %w", d.GUID, err)
			}
			it.Data, it.Canonical = nil, nil
			out = append(out, *it)
		}
		return nil
	})
	return out, err
}

// AcceptHold applies a hold's deletes through the sync core, as the
// device's, so that they reach the user's other devices. It returns how
// many items were deleted (those deleted since the hold are not).
func (e *Admin) AcceptHold(ctx context.Context, id int64) (HoldReport, int, error) {
	var rep HoldReport
	var n int
	err := e.core.Update(ctx, func(w *engine.Work) error {
		h, deleted, err := w.AcceptHold(id)
		if err != nil {
			return holdErr(id, err)
		}
		rep, n = HoldReport{Hold: *h}, deleted
		return nil
	})
	if err == nil {
		rep.User = e.userName(ctx, rep.UserID)
	}
	return rep, n, err
}

// RejectHold discards a hold's deletes: the items stay, and the device
// gets them again at its next sync.
func (e *Admin) RejectHold(ctx context.Context, id int64) (HoldReport, error) {
	var rep HoldReport
	err := e.core.Update(ctx, func(w *engine.Work) error {
		h, err := w.RejectHold(id)
		if err != nil {
			return holdErr(id, err)
		}
		rep = HoldReport{Hold: *h}
		return nil
	})
	if err == nil {
		rep.User = e.userName(ctx, rep.UserID)
	}
	return rep, err
}

// SetHoldRule stores a user's mass-deletion threshold; percent 0 removes
// it, so the server's applies. It returns false when there was none to
// remove.
func (e *Admin) SetHoldRule(ctx context.Context, user string, percent, minItems int) (bool, error) {
	if percent < 0 || percent > 100 || minItems < 0 {
		return false, plainf("hold threshold: percent must be 1..100 (100: never hold) and the minimum not negative")
	}
	found := true
	err := e.update(ctx, func(tx store.Tx) error {
		u, err := adminUser(ctx, tx, user)
		if err != nil {
			return err
		}
		if percent == 0 {
			err = tx.DeleteHoldSettings(ctx, u.ID)
			if errors.Is(err, store.ErrNotFound) {
				found, err = false, nil
			}
			return err
		}
		return tx.PutHoldSettings(ctx, &store.HoldSettings{UserID: u.ID, Percent: percent, MinItems: minItems})
	})
	return found, err
}

func (e *Admin) userName(ctx context.Context, id int64) string {
	var name string
	_ = e.view(ctx, func(tx store.Tx) error {
		u, err := tx.UserByID(ctx, id)
		if err == nil {
			name = u.Name
		}
		return nil
	})
	return name
}

func noHold(id int64, err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return &PlainError{Msg: fmt.Sprintf("no hold %d", id), Err: fmt.Errorf("admin: hold %d: %w", id, err)}
	}
	return fmt.Errorf("admin: hold %d: %w", id, err)
}

func holdErr(id int64, err error) error {
	if errors.Is(err, engine.ErrHoldDecided) {
		return &PlainError{Msg: fmt.Sprintf("hold %d was decided already", id), Err: err}
	}
	return noHold(id, err)
}
