// Package session is the SyncML front end of the sync core: it runs SyncML
// sessions (OMA DS 1.2 Sync Protocol: packages 1..6, one message in, one
// message out), with their command loop, Status codes, MaxMsgSize, large
// objects, DevInf and authentication, on top of protocol/engine, which
// decides what becomes of every item. It never touches the store: the
// session's state is a blob the core keeps (DESIGN.md, Layers).
package session

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"anchorage/protocol/engine"
	"anchorage/protocol/syncml"
)

// Options configure a Handler.
type Options struct {
	Logger *slog.Logger
	// MaxMsgSize is the largest message the server accepts and advertises
	// (MetInf MaxMsgSize). 0 means DefaultMaxMsgSize.
	MaxMsgSize int64
	// SessionTTL bounds a session's idle time; older sessions are dropped.
	SessionTTL time.Duration
	// MaxSessionAge bounds a whole session, however active; 0 means
	// DefaultMaxSessionAge.
	MaxSessionAge time.Duration
	// MaxCommands bounds the commands (nested ones included) of one
	// message; 0 means DefaultMaxCommands.
	MaxCommands int
}

// Defaults of the limits that keep one client from holding the server.
const (
	DefaultMaxSessionAge = 2 * time.Hour
	DefaultMaxCommands   = 20000
)

// DefaultMaxMsgSize is the MaxMsgSize the server advertises by default.
const DefaultMaxMsgSize = 1 << 20

// Handler serves SyncML sessions. It holds no session state in memory:
// every message loads and saves its session through the core, so any
// process sharing the database can take the next message.
type Handler struct {
	core       *engine.Engine
	log        *slog.Logger
	maxMsgSize int64
	maxObjSize int64
	sessionTTL time.Duration
	maxAge     time.Duration
	maxCmds    int
	now        func() time.Time
	obs        engine.Observer
}

// New returns a Handler on the sync core.
func New(core *engine.Engine, opts Options) *Handler {
	e := &Handler{
		core:       core,
		log:        opts.Logger,
		maxMsgSize: opts.MaxMsgSize,
		maxObjSize: core.MaxObjSize(),
		sessionTTL: opts.SessionTTL,
		maxAge:     opts.MaxSessionAge,
		maxCmds:    opts.MaxCommands,
		now:        core.Now,
		obs:        core.Observer(),
	}
	if e.log == nil {
		e.log = core.Logger()
	}
	if e.maxMsgSize <= 0 {
		e.maxMsgSize = DefaultMaxMsgSize
	}
	if e.maxAge <= 0 {
		e.maxAge = DefaultMaxSessionAge
	}
	if e.maxCmds <= 0 {
		e.maxCmds = DefaultMaxCommands
	}
	if e.sessionTTL <= 0 {
		e.sessionTTL = 30 * time.Minute
	}
	return e
}

// Core returns the sync core the handler drives.
func (e *Handler) Core() *engine.Engine { return e.core }

// ExpireSessions drops sessions idle for longer than the session TTL. A
// dropped session never committed its anchors, so the device's next sync
// starts afresh (slow if needed) and loses nothing.
func (e *Handler) ExpireSessions(ctx context.Context) (int, error) {
	return e.core.ExpireSessions(ctx, e.sessionTTL)
}

// syncAlertNames lists the canonical datastores a message alerts for sync:
// the ones its session leases (DESIGN.md: sessions of one datastore are
// serialised).
func syncAlertNames(msg *syncml.Message) []string {
	var names []string
	for _, c := range msg.Commands {
		if c.Name != "Alert" || len(c.Items) == 0 {
			continue
		}
		var code int
		fmt.Sscanf(c.Data, "%d", &code)
		if _, ok := syncml.AlertCode(code).SyncMode(); !ok {
			continue
		}
		if name, ok := engine.ResolveDatastore(c.Items[0].Target.URI); ok {
			names = append(names, name)
		}
	}
	return names
}

// renewLeases extends the session's leases on every message, before it is
// applied, but for the datastores the message itself leased (acquired),
// and none once the session completed (and released them). A session
// whose lease another session took is refused with 409.
func (e *Handler) renewLeases(w *engine.Work, st *sessionState, acquired []string) error {
	if st.Complete || st.Suspended {
		return nil
	}
	var names []string
	for _, ds := range st.Datastores {
		if !slices.Contains(acquired, ds.Name) {
			names = append(names, ds.Name)
		}
	}
	if err := w.RenewLeases(st.partner(), names); errors.Is(err, engine.ErrLeaseLost) {
		// A newer session of the device took over: this one is over.
		return &RequestError{Status: 409, Err: err}
	} else if err != nil {
		return err
	}
	return nil
}
