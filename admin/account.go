package admin

import (
	"context"
	"errors"
	"fmt"

	"anchorage/protocol/engine"
	"anchorage/store"
)

// ErrLoginRefused is returned by Login for a wrong user name or password,
// or a disabled user; which of them is not told.
var ErrLoginRefused = errors.New("admin: wrong user name or password")

// Login checks a user name and password as a sync login does (bcrypt, with
// the same credential cache) and shares its throttle: failures per user
// and client address delay the refusal, so the web form is no faster a
// way to guess a password than the sync endpoint.
func (e *Admin) Login(ctx context.Context, name, password, remote string) (*store.User, error) {
	var u *store.User
	err := e.core.View(ctx, func(w *engine.Work) error {
		if _, err := w.Login(name, password); err != nil {
			return err
		}
		var err error
		u, err = w.Tx().UserByName(ctx, name)
		return err
	})
	if err != nil && !errors.Is(err, engine.ErrUnauthorized) {
		return nil, fmt.Errorf("admin: login: %w", err)
	}
	if u == nil || password == "" {
		delay := e.core.LoginFailed(name, remote)
		e.core.Logger().Warn("web login failed", "user", name, "remote", remote, "delay", delay)
		engine.Pause(ctx, delay)
		return nil, ErrLoginRefused
	}
	e.core.LoginSucceeded(name, remote)
	return u, nil
}

// User returns a user by name.
func (e *Admin) User(ctx context.Context, name string) (*store.User, error) {
	var u *store.User
	err := e.view(ctx, func(tx store.Tx) error {
		var err error
		u, err = tx.UserByName(ctx, name)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("admin: user %q: %w", name, err)
	}
	return u, nil
}

// SetUserFlags sets a user's admin and disabled flags; a nil flag is left
// as it is. A disabled user can neither sync nor log in to the web; the
// data stays.
func (e *Admin) SetUserFlags(ctx context.Context, name string, admin, disabled *bool) error {
	return e.update(ctx, func(tx store.Tx) error {
		u, err := tx.UserByName(ctx, name)
		if err != nil {
			return fmt.Errorf("admin: user %q: %w", name, err)
		}
		if admin != nil {
			u.Admin = *admin
		}
		if disabled != nil {
			u.Disabled = *disabled
		}
		return tx.UpdateUserFlags(ctx, u)
	})
}

// LiveItems returns the live items of a user's datastore with their
// content, ordered by GUID.
func (e *Admin) LiveItems(ctx context.Context, user, datastore string) ([]store.Item, error) {
	var out []store.Item
	err := e.viewDatastore(ctx, user, datastore, func(tx store.Tx, userID int64, ds string) error {
		after := ""
		for {
			page, err := tx.LiveItems(ctx, userID, ds, after, pageSize)
			if err != nil {
				return fmt.Errorf("admin: live items: %w", err)
			}
			out = append(out, page...)
			if len(page) < pageSize {
				return nil
			}
			after = page[len(page)-1].GUID
		}
	})
	return out, err
}

// ItemVersions returns every version of one item with its content, oldest
// first; ErrNotFound (wrapped) when the datastore holds no such item.
func (e *Admin) ItemVersions(ctx context.Context, user, datastore, guid string) ([]store.Item, error) {
	var out []store.Item
	err := e.viewDatastore(ctx, user, datastore, func(tx store.Tx, userID int64, ds string) error {
		var err error
		out, err = tx.Versions(ctx, userID, ds, guid)
		if err == nil && len(out) == 0 {
			err = store.ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("admin: versions of item %s: %w", guid, err)
		}
		return nil
	})
	return out, err
}
