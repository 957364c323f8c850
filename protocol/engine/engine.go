// Package engine is the protocol-neutral sync core (DESIGN.md, Layers):
// datastores, devices, modes, the change log and its acknowledgement,
// identity matching, preservation, conflict resolution and archive writes.
// Front ends (protocol/syncml/session; ActiveSync) drive it through a Work,
// one store transaction, and map its outcomes to their protocol's
// statuses; it knows no wire format.
package engine

import (
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"anchorage/conflict"
	"anchorage/hub"
	"anchorage/store"
)

// Options configure an Engine.
type Options struct {
	Store  store.Store
	Logger *slog.Logger
	// MaxObjSize is the largest object (item) the server accepts; 0 means
	// DefaultMaxObjSize.
	MaxObjSize int64
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
	// Hub, when set, is told of every datastore a committed unit of work
	// wrote (notify.go), for parked EAS Pings and hanging Syncs.
	Hub hub.Hub
	// LoginFailures, when set, counts failed logins for every node of a
	// deployment (store/postgres); nil counts them in this process.
	LoginFailures LoginFailures
	// Hold is the server's mass-deletion threshold (guard.go); a user's
	// setting in the store overrides it. Zero means DefaultHoldRule.
	Hold HoldRule
}

// DefaultMaxObjSize is the largest object the server accepts by default.
const DefaultMaxObjSize = 8 << 20

// Engine is the sync core. It holds no session state in memory: front ends
// keep theirs in the store (Work.PutSession), so any process sharing the
// database can take a device's next request.
type Engine struct {
	store      store.Store
	log        *slog.Logger
	maxObjSize int64
	now        func() time.Time
	basicCache *credentialCache
	conflict   conflict.Rules
	throttle   *loginThrottle
	obs        Observer
	hub        hub.Hub
	hold       HoldRule
}

// New returns an Engine.
func New(opts Options) *Engine {
	e := &Engine{
		store:      opts.Store,
		log:        opts.Logger,
		maxObjSize: opts.MaxObjSize,
		now:        opts.Now,
		basicCache: newCredentialCache(10 * time.Minute),
		conflict:   opts.Conflict,
		hub:        opts.Hub,
		hold:       opts.Hold,
	}
	if e.hold == (HoldRule{}) {
		e.hold = DefaultHoldRule
	}
	if e.conflict.Policy == "" {
		e.conflict.Policy = conflict.Default
	}
	if e.log == nil {
		e.log = slog.Default()
	}
	e.throttle = newLoginThrottle(opts.LoginFailures, e.log)
	if e.obs = opts.Observer; e.obs == nil {
		e.obs = NopObserver{}
	}
	if e.maxObjSize <= 0 {
		e.maxObjSize = DefaultMaxObjSize
	}
	if e.now == nil {
		e.now = time.Now
	}
	return e
}

// Now returns the engine's current time.
func (e *Engine) Now() time.Time { return e.now() }

// Logger returns the engine's logger.
func (e *Engine) Logger() *slog.Logger { return e.log }

// MaxObjSize is the largest item the server accepts.
func (e *Engine) MaxObjSize() int64 { return e.maxObjSize }

// Store is the engine's store, for the admin operations.
func (e *Engine) Store() store.Store { return e.store }

// NewID returns a random identifier of 20 base32 characters (100 bits), for
// session keys and challenges.
func NewID() string { return newID() }

// NewGUID returns a new item GUID (see newGUID).
func NewGUID(now time.Time) string { return newGUID(now) }

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
