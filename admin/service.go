// Package admin holds the operations of the server's owner and users
// beside syncing: accounts, devices, conflict settings, history, restore,
// import, export and retention. The CLI (cmd/anchorage) calls it, and a web
// interface will too. It works in the sync core's transactions (and takes
// its outcomes: origins, canonical forms, identity), like any device.
package admin

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/crypto/bcrypt"

	"anchorage/protocol/engine"
	"anchorage/protocol/syncml"
	"anchorage/store"
)

// Admin runs the admin operations on a sync core.
type Admin struct {
	core       *engine.Engine
	now        func() time.Time
	maxObjSize int64
}

// New returns the admin operations of a sync core.
func New(core *engine.Engine) *Admin {
	return &Admin{core: core, now: core.Now, maxObjSize: core.MaxObjSize()}
}

// update runs fn in one of the core's write transactions.
func (e *Admin) update(ctx context.Context, fn func(tx store.Tx) error) error {
	return e.core.Update(ctx, func(w *engine.Work) error { return fn(w.Tx()) })
}

// view runs fn in one of the core's read transactions.
func (e *Admin) view(ctx context.Context, fn func(tx store.Tx) error) error {
	return e.core.View(ctx, func(w *engine.Work) error { return fn(w.Tx()) })
}

// HashPassword returns the bcrypt hash and the MD5 secret for a new
// password; the MD5 secret (what syncml:auth-md5 is checked against) is
// empty when md5 is false.
func HashPassword(name, password string, md5 bool) (hash []byte, md5Secret string, err error) {
	hash, err = bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return nil, "", fmt.Errorf("admin: hash password: %w", err)
	}
	if md5 {
		md5Secret = syncml.MD5Secret(name, password)
	}
	return hash, md5Secret, nil
}
