// Package engine is where the wire meets the store: it drives SyncML
// sessions (one message in, one message out) on top of the protocol-neutral
// datastore logic (modes, anchors, applying client changes, server changes
// from the change log, twin matching, commit). It is the only package that
// joins store, conflict and pim to the protocol codecs (DESIGN.md, Layers).
package engine

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"anchorage/conflict"
	"anchorage/store"
)

// Options configure an Engine.
type Options struct {
	Store  store.Store
	Logger *slog.Logger
	// MaxMsgSize is the largest message the server accepts and advertises
	// (MetInf MaxMsgSize). 0 means DefaultMaxMsgSize.
	MaxMsgSize int64
	// MaxObjSize is the largest object (item) the server accepts; 0 means
	// DefaultMaxObjSize.
	MaxObjSize int64
	// SessionTTL bounds a session's idle time; older sessions are dropped.
	SessionTTL time.Duration
	// MaxSessionAge bounds a whole session, however active; 0 means
	// DefaultMaxSessionAge.
	MaxSessionAge time.Duration
	// MaxCommands bounds the commands (nested ones included) of one
	// message; 0 means DefaultMaxCommands.
	MaxCommands int
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// Conflict is the server-wide conflict rule: what happens when a
	// device changes an item the server changed too since the device's
	// last sync. A user's or datastore's setting in the store overrides
	// it; an empty Policy means conflict.Default.
	Conflict conflict.Rules
	// Observer is told about sessions, items and conflicts for
	// monitoring; nil means NopObserver.
	Observer Observer
}

// Defaults of the limits that keep one client from holding the server.
const (
	DefaultMaxSessionAge = 2 * time.Hour
	DefaultMaxCommands   = 20000
)

// DefaultMaxMsgSize is the MaxMsgSize the server advertises by default.
const DefaultMaxMsgSize = 1 << 20

// Engine serves sync sessions. It holds no session state in memory: every
// message loads and saves its session through the store, so any process
// sharing the database can take the next message.
type Engine struct {
	store      store.Store
	log        *slog.Logger
	maxMsgSize int64
	maxObjSize int64
	sessionTTL time.Duration
	maxAge     time.Duration
	maxCmds    int
	now        func() time.Time
	basicCache *credentialCache
	conflict   conflict.Rules
	throttle   *loginThrottle
	obs        Observer
}

// New returns an Engine.
func New(opts Options) *Engine {
	e := &Engine{
		store:      opts.Store,
		log:        opts.Logger,
		maxMsgSize: opts.MaxMsgSize,
		maxObjSize: opts.MaxObjSize,
		sessionTTL: opts.SessionTTL,
		maxAge:     opts.MaxSessionAge,
		maxCmds:    opts.MaxCommands,
		now:        opts.Now,
		basicCache: newCredentialCache(10 * time.Minute),
		conflict:   opts.Conflict,
		throttle:   newLoginThrottle(),
	}
	if e.conflict.Policy == "" {
		e.conflict.Policy = conflict.Default
	}
	if e.log == nil {
		e.log = slog.Default()
	}
	if e.obs = opts.Observer; e.obs == nil {
		e.obs = NopObserver{}
	}
	if e.maxMsgSize <= 0 {
		e.maxMsgSize = DefaultMaxMsgSize
	}
	if e.maxObjSize <= 0 {
		e.maxObjSize = DefaultMaxObjSize
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
	if e.now == nil {
		e.now = time.Now
	}
	return e
}

// ExpireSessions drops sessions idle for longer than the session TTL. A
// dropped session never committed its anchors, so the device's next sync
// starts afresh (slow if needed) and loses nothing.
func (e *Engine) ExpireSessions(ctx context.Context) (int, error) {
	var n int
	err := e.store.Update(ctx, func(tx store.Tx) error {
		var err error
		n, err = tx.DeleteSessionsBefore(ctx, e.now().Add(-e.sessionTTL))
		return err
	})
	return n, err
}

// newID returns a random identifier of 20 base32 characters (100 bits), used
// for session keys and item GUIDs: short enough for any device's MaxGUIDSize.
func newID() string {
	var b [13]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("engine: crypto/rand failed: %v", err))
	}
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))[:20]
}

// newGUID returns a new item GUID: 20 characters of base32hex (which sorts
// as its bytes do) for 48 bits of the time in milliseconds and 56 random
// bits. GUIDs made one after another sort one after another, so that the
// indexes keyed by GUID (items, versions, mappings) grow at their end
// during an upload instead of at random pages.
func newGUID(now time.Time) string {
	var b [13]byte
	ms := uint64(now.UnixMilli())
	for i := 5; i >= 0; i-- {
		b[i] = byte(ms)
		ms >>= 8
	}
	if _, err := rand.Read(b[6:]); err != nil {
		panic(fmt.Sprintf("engine: crypto/rand failed: %v", err))
	}
	return strings.ToLower(base32.HexEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))[:20]
}

// credentialCache remembers, for a while, basic-auth credentials that passed
// the bcrypt check, so that a password is not run through the KDF on every
// session of a busy device. Keys are SHA-256 digests keyed with a random
// per-process secret, never the passwords themselves.
type credentialCache struct {
	mu     sync.Mutex
	ttl    time.Duration
	secret [32]byte
	ok     map[[32]byte]time.Time
}

func newCredentialCache(ttl time.Duration) *credentialCache {
	c := &credentialCache{ttl: ttl, ok: make(map[[32]byte]time.Time)}
	if _, err := rand.Read(c.secret[:]); err != nil {
		panic(fmt.Sprintf("engine: crypto/rand failed: %v", err))
	}
	return c
}

// errUnauthorized is returned by authentication when credentials are wrong.
var errUnauthorized = errors.New("engine: invalid credentials")
