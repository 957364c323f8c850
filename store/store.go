// Package store defines the persistence interfaces of Anchorage and the types
// they speak. It imports no database driver: store/sqlite and store/postgres
// implement it, and store/storetest holds the conformance
// suite every backend runs.
//
// Data model, in short (see DESIGN.md "Change tracking" and "Archive"):
//   - every user has four datastores (contacts, calendar, tasks, notes), each
//     with its own monotonically increasing change sequence;
//   - every write to an item appends a Version (content or tombstone) with the
//     next sequence number; versions are never updated or deleted except by
//     retention pruning, so the version table is both the archive and the
//     change log;
//   - a Partnership is one device's view of one datastore: anchors, the last
//     change sequence it acknowledged and its LUID<->GUID map.
package store

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned (wrapped) when a looked-up row does not exist.
var ErrNotFound = errors.New("store: not found")

// ErrExists is returned (wrapped) when creating a row whose key is taken.
var ErrExists = errors.New("store: already exists")

// Store is a database holding every user's data. It is safe for concurrent
// use, and a backend shared by several server processes (store/postgres)
// keeps the same contract across them.
//
// Concurrency contract: write transactions are serialised per datastore.
// An Update that touches a datastore (reads or writes its items, or asks
// its LastSeq) holds the datastore's lock from that first touch to commit;
// another Update touching the same datastore, in any process, waits, and
// Updates of different datastores (so sessions of different users) need
// not wait for each other. Change sequences are allocated under that lock,
// inside the transaction. Admin writes (import, restore, prune, device
// reset) are Updates like a session's and take the same locks. Sessions
// are also serialised per datastore by leases (AcquireLease) that expire,
// so a lease of a process that died is taken over by another. A backend
// may serialise more (store/sqlite runs one write transaction at a time).
type Store interface {
	// Update runs fn in a read-write transaction and commits it when fn
	// returns nil; see the concurrency contract above. Calling Update from
	// inside fn may deadlock.
	Update(ctx context.Context, fn func(Tx) error) error
	// View runs fn in a read-only transaction.
	View(ctx context.Context, fn func(Tx) error) error
	Close() error
}

// Tx is one transaction: every role's methods. Its methods must not be used
// after Update/View returns. Callers that need one role take the narrower
// interface (SyncTx, ArchiveTx, AccountTx).
type Tx interface {
	SyncTx
	ArchiveTx
	AccountTx
}

// ItemTx reads and writes items: what every role needs.
type ItemTx interface {
	// WriteItem appends a version and returns it with Seq and Version
	// set; the datastore's sequence is advanced in the same transaction.
	WriteItem(ctx context.Context, w *ItemWrite) (*Item, error)
	Item(ctx context.Context, userID int64, datastore, guid string) (*Item, error) // latest version, tombstones included
	// KnownItems tells which of the given GUIDs name an item of the
	// datastore (tombstones included), without loading content.
	KnownItems(ctx context.Context, userID int64, datastore string, guids []string) (map[string]bool, error)
	// LiveItems returns the live (not deleted) items ordered by GUID, those
	// with GUID > after, at most limit (0 = no limit).
	LiveItems(ctx context.Context, userID int64, datastore, after string, limit int) ([]Item, error)
	// LastSeq is the datastore's latest change sequence (0 when empty).
	LastSeq(ctx context.Context, userID int64, datastore string) (int64, error)
	// Versions lists every version of one item, oldest first.
	Versions(ctx context.Context, userID int64, datastore, guid string) ([]Item, error)
}

// SyncTx is the sync path: items, the change log, twin lookups, LUID<->GUID
// maps, unacknowledged Adds, protocol sessions and datastore leases, plus
// what a session reads and commits of its device (PartnerTx).
type SyncTx interface {
	ItemTx
	PartnerTx
	HoldTx
	SetAsideTx
	SharedTx
	ResumeTx
	ClientIDTx
	// FindTwins returns live items whose UID or match key equals the given
	// (non-empty) value.
	FindTwins(ctx context.Context, userID int64, datastore, uid, matchKey string) ([]Item, error)
	// FindVersionTwins returns the versions with content, of any item (live
	// or deleted), whose UID or match key equals the given (non-empty)
	// value, ordered by GUID and version, at most limit (0 = no limit).
	FindVersionTwins(ctx context.Context, userID int64, datastore, uid, matchKey string, limit int) ([]Item, error)
	// PrefetchTwinKeys looks a batch's UIDs and match keys up at once:
	// FindTwins and FindVersionTwins then answer those that no version of
	// any item has (nor an item written since in this transaction)
	// without a query of their own. It changes no answer.
	PrefetchTwinKeys(ctx context.Context, userID int64, datastore string, uids, matchKeys []string) error
	// Changes returns the latest state of every item whose latest change has
	// a sequence in (after, upTo], excluding items whose latest change came
	// from excludeOrigin, ordered by sequence, at most limit (0 = no limit).
	// Content is not loaded (Item.Data is nil); use Item for that.
	Changes(ctx context.Context, userID int64, datastore string, after, upTo int64, excludeOrigin string, limit int) ([]Item, error)

	// LUID <-> GUID maps of a partnership.
	MapByLUID(ctx context.Context, userID int64, deviceID, datastore, luid string) (*Mapping, error)
	MapByGUID(ctx context.Context, userID int64, deviceID, datastore, guid string) (*Mapping, error)
	// UnmappedLUIDs returns those of the given LUIDs that have no mapping:
	// one query for a message's items instead of a MapByLUID each.
	UnmappedLUIDs(ctx context.Context, userID int64, deviceID, datastore string, luids []string) (map[string]bool, error)
	PutMapping(ctx context.Context, m *Mapping) error // insert or replace by LUID; a GUID maps to one LUID
	// PutMappings stores several mappings, as PutMapping each, in order.
	PutMappings(ctx context.Context, ms []Mapping) error
	DeleteMapping(ctx context.Context, userID int64, deviceID, datastore, luid string) error
	// ConfirmedInSession tells which of the given GUIDs have a mapping
	// confirmed by the session (see Mapping.Session).
	ConfirmedInSession(ctx context.Context, userID int64, deviceID, datastore, session string, guids []string) (map[string]bool, error)
	// UnconfirmedItems returns the live items, with content, that have no
	// mapping of the device confirmed by the session: what a slow or
	// refresh sync still has to send, and the only possible twins of a
	// slow sync's client items. Ordered by GUID, those with GUID > after,
	// at most limit (0 = no limit). Its cost is in the rows it passes,
	// not a query per item.
	UnconfirmedItems(ctx context.Context, userID int64, deviceID, datastore, session, after string, limit int) ([]Item, error)
	// UnconfirmedHeads is UnconfirmedItems without the content (no Data,
	// CanonicalType or Canonical), for callers that need only which items.
	UnconfirmedHeads(ctx context.Context, userID int64, deviceID, datastore, session, after string, limit int) ([]Item, error)
	// UnconfirmedMappings returns the partnership's mappings not confirmed
	// by the session, ordered by GUID: during a slow sync, the items the
	// device held before it that it has not sent again (yet).
	UnconfirmedMappings(ctx context.Context, userID int64, deviceID, datastore, session string) ([]Mapping, error)
	// PruneUnconfirmedMappings deletes the partnership's mappings not
	// confirmed by the session (after a slow or refresh sync every item the
	// device still has was confirmed). It returns how many were deleted.
	PruneUnconfirmedMappings(ctx context.Context, userID int64, deviceID, datastore, session string) (int, error)

	// Unacknowledged Adds (see UnackedAdd): the server's Adds a device has
	// not mapped yet, kept beyond the session that sent them.

	// PutUnackedAdd records (or replaces) the unacknowledged Add of a GUID.
	PutUnackedAdd(ctx context.Context, a *UnackedAdd) error
	// PutUnackedAdds records several, as PutUnackedAdd each, in order.
	PutUnackedAdds(ctx context.Context, adds []UnackedAdd) error
	// UnackedAdds returns the partnership's unacknowledged Adds that share
	// one of the identifiers (none: every one), ordered by GUID, at most
	// limit (0 = no limit). Idents is not loaded.
	UnackedAdds(ctx context.Context, userID int64, deviceID, datastore string, idents []string, limit int) ([]UnackedAdd, error)
	// PendingUnackedAdds returns, ordered by GUID and at most limit (0 = no
	// limit), the partnership's unacknowledged Adds recorded with
	// IdentsPending, whose identifiers are still to be computed.
	PendingUnackedAdds(ctx context.Context, userID int64, deviceID, datastore string, limit int) ([]UnackedAdd, error)
	// UnackedAdd returns the unacknowledged Add of one GUID (Idents not
	// loaded); ErrNotFound when there is none.
	UnackedAdd(ctx context.Context, userID int64, deviceID, datastore, guid string) (*UnackedAdd, error)
	// DeferUnackedAdd sets Deferred on the unacknowledged Add of a GUID;
	// ErrNotFound when there is none.
	DeferUnackedAdd(ctx context.Context, userID int64, deviceID, datastore, guid string) error
	// DeleteUnackedAdds forgets the unacknowledged Adds of the given GUIDs
	// (mapped by the device now, or refused by it).
	DeleteUnackedAdds(ctx context.Context, userID int64, deviceID, datastore string, guids []string) error
	// ClearUnackedAdds forgets every unacknowledged Add of the partnership
	// (of every datastore of the device when datastore is "") except those
	// recorded by session keep. It returns how many it forgot.
	ClearUnackedAdds(ctx context.Context, userID int64, deviceID, datastore, keep string) (int, error)

	// Resent Adds (see ResentAdd), kept until the device sends its older
	// copy or a slow or refresh sync, a reset or removal of the device
	// clears them.

	// PutResentAdd records the resent Add of a GUID (PendingLUIDs given
	// are added to a record already there, a PendingNewerLUID given is
	// set on it); a record of the GUID there is already otherwise stays as
	// it is (its Version is the first sent).
	PutResentAdd(ctx context.Context, a *ResentAdd) error
	// ResentAdds returns the partnership's resent Adds, ordered by GUID.
	ResentAdds(ctx context.Context, userID int64, deviceID, datastore string) ([]ResentAdd, error)
	// DeleteResentAdd forgets the resent Add of a GUID (none: nothing).
	DeleteResentAdd(ctx context.Context, userID int64, deviceID, datastore, guid string) error
	// ClearResentAdds forgets every resent Add of the partnership (of every
	// datastore of the device when datastore is ""). It returns how many.
	ClearResentAdds(ctx context.Context, userID int64, deviceID, datastore string) (int, error)

	// Sessions: protocol session state, so that any server process can take
	// the next message of a session.
	Session(ctx context.Context, key string) (*Session, error)
	PutSession(ctx context.Context, s *Session) error // insert or update
	DeleteSession(ctx context.Context, key string) error
	DeleteSessionsBefore(ctx context.Context, t time.Time) (int, error) // by UpdatedAt

	// Leases serialise sessions per user datastore (DESIGN.md: concurrent
	// sessions of one user's database never interleave half-way).
	// AcquireLease takes or renews the lease on a datastore for a session
	// until the given time; when another session holds an unexpired lease
	// it returns that session's key and ok false.
	AcquireLease(ctx context.Context, userID int64, datastore, session string, now, until time.Time) (holder string, ok bool, err error)
	// ReleaseLeases drops every lease a session holds.
	ReleaseLeases(ctx context.Context, session string) error
}

// ArchiveTx is the archive (DESIGN.md "Archive"): point-in-time reads,
// history and retention.
type ArchiveTx interface {
	ItemTx
	// AllItems returns the latest version of every item with its content,
	// tombstones included (they have none), ordered by GUID, those with
	// GUID > after, at most limit (0 = no limit).
	AllItems(ctx context.Context, userID int64, datastore, after string, limit int) ([]Item, error)
	// ItemsAsOf returns, for every item that existed at t, its latest
	// version with Modified <= t (a tombstone if it was deleted then; content
	// otherwise), ordered by GUID, those with GUID > after, at most limit
	// (0 = no limit). Versions removed by PruneVersions are not seen.
	ItemsAsOf(ctx context.Context, userID int64, datastore string, t time.Time, after string, limit int) ([]Item, error)
	// History returns versions (content not loaded) ordered by Modified,
	// then Seq: those with (Modified, Seq) > (since, afterSeq), i.e. with
	// afterSeq 0 every version at or after since. To page, pass the last
	// returned version's Modified and Seq. With deletedOnly only tombstones
	// are returned. At most limit (0 = no limit).
	History(ctx context.Context, userID int64, datastore string, since time.Time, afterSeq int64, deletedOnly bool, limit int) ([]Item, error)
	// PruneVersions removes the versions that the retention policy does not
	// keep (see Retention), never an item's latest version, so the change
	// log and every item's current state stay intact. With dryRun nothing
	// is removed and the stats tell what would be. now is the time the
	// policy's age is measured from.
	PruneVersions(ctx context.Context, userID int64, datastore string, keep Retention, now time.Time, dryRun bool) (PruneStats, error)
	// Retention returns the retention policy stored for a user, or the
	// server-wide default for userID 0; ErrNotFound when none is stored.
	Retention(ctx context.Context, userID int64) (*Retention, error)
	// PutRetention stores the retention policy of a user (userID 0: the
	// server-wide default), replacing any previous one.
	PutRetention(ctx context.Context, userID int64, keep Retention) error
}

// PartnerTx is what a sync session reads and commits of its device: the
// user, the device row, the partnership and the conflict settings.
type PartnerTx interface {
	UserByName(ctx context.Context, name string) (*User, error)
	Device(ctx context.Context, userID int64, deviceID string) (*Device, error) // one row per user and device id
	PutDevice(ctx context.Context, d *Device) error                             // insert or update; leaves Wipe as stored
	// Partnership is one row per user, device and datastore.
	Partnership(ctx context.Context, userID int64, deviceID, datastore string) (*Partnership, error)
	PutPartnership(ctx context.Context, p *Partnership) error                      // insert or update
	ConflictSettings(ctx context.Context, userID int64) ([]ConflictSetting, error) // ordered by datastore; "" first
}

// AccountTx holds accounts and devices: users, web logins, devices,
// partnerships and conflict settings (see ConflictSetting).
type AccountTx interface {
	PartnerTx
	CreateUser(ctx context.Context, u *User) error // sets u.ID; ErrExists if the name is taken
	UserByID(ctx context.Context, id int64) (*User, error)
	ListUsers(ctx context.Context) ([]User, error)
	UpdateUserFlags(ctx context.Context, u *User) error // Admin and Disabled

	// Web sessions: a browser logged in to the web interface, kept in the
	// store so that any server process can serve it.
	PutWebSession(ctx context.Context, s *WebSession) error // insert; ErrExists if the id is taken
	WebSession(ctx context.Context, idHash []byte) (*WebSession, error)
	DeleteWebSession(ctx context.Context, idHash []byte) error
	// DeleteWebSessionsBefore deletes the web sessions that expire before t.
	DeleteWebSessionsBefore(ctx context.Context, t time.Time) (int, error)
	// CountWebSessionsSince counts the web sessions created at or after t.
	CountWebSessionsSince(ctx context.Context, t time.Time) (int, error)
	ListDevices(ctx context.Context, userID int64) ([]Device, error) // userID 0: all users
	ListPartnerships(ctx context.Context, userID int64, deviceID string) ([]Partnership, error)
	// DeletePartnerships forgets a device's sync state (anchors,
	// acknowledgements and unacknowledged Adds) for one datastore, or all
	// when datastore is "", so that its next sync is slow. Its mappings
	// stay, so the slow sync matches by LUID. It returns how many
	// partnerships were deleted.
	DeletePartnerships(ctx context.Context, userID int64, deviceID, datastore string) (int, error)
	// DeleteDevice forgets a device: its row, partnerships, mappings,
	// unacknowledged Adds and sessions. Items are untouched. ErrNotFound if there is no such device.
	DeleteDevice(ctx context.Context, userID int64, deviceID string) error
	// SetWipe records the remote-wipe state of a device (Device.Wipe);
	// ErrNotFound if there is no such device. A wipe is undone only by
	// DeleteDevice.
	SetWipe(ctx context.Context, userID int64, deviceID string, w Wipe) error
	PutConflictSetting(ctx context.Context, s *ConflictSetting) error // insert or replace by user and datastore
	// DeleteConflictSetting removes one setting, so the next broader one
	// applies; ErrNotFound when there is none.
	DeleteConflictSetting(ctx context.Context, userID int64, datastore string) error
}

// User is an account. Name is unique.
type User struct {
	ID           int64
	Name         string
	PasswordHash []byte // bcrypt
	// MD5Secret is b64(md5("name:password")), the password-equivalent that
	// syncml:auth-md5 needs (OMA DS 1.2 Sync Protocol, 6.2). Empty when MD5
	// authentication is disabled for the user.
	MD5Secret string
	Created   time.Time
	// Admin grants the web interface's admin pages.
	Admin bool
	// Disabled refuses the user's sync and web logins; data stays.
	Disabled bool
}

// WebSession is a browser logged in to the web interface. The cookie holds
// a random id; the store keeps only its hash.
type WebSession struct {
	IDHash  []byte
	UserID  int64
	CSRF    string // the token every form of the session carries
	Created time.Time
	Expires time.Time
}

// Device is one client device of a user.
type Device struct {
	UserID   int64
	DeviceID string
	DevInf   []byte // the device's last DevInf (XML), as Put by it
	// Nonce is the MD5 nonce the server last gave this device (raw bytes,
	// not base64); the device uses it in its next session's credentials.
	Nonce     string
	FirstSeen time.Time
	LastSeen  time.Time
	// LastError is the error that ended the device's last failed session.
	LastError string
	// Charset is the charset of 8-bit item data the device sends without
	// declaring one ("": UTF-8 when valid, else windows-1252).
	Charset string
	// Wipe is the device's remote-wipe state, set by SetWipe only.
	Wipe Wipe
}

// WipeState is where a remote wipe of a device stands (MS-ASPROV 3.2.5.1.2).
type WipeState string

const (
	WipeNone         WipeState = ""
	WipePending      WipeState = "pending"      // asked for; sent with Provision until acknowledged
	WipeAcknowledged WipeState = "acknowledged" // the device reported the wipe
	WipeDone         WipeState = "done"         // the wiped device came back and was refused
)

// Wipe is a device's remote-wipe state. A wiped device (acknowledged or
// done) is refused until it is removed; the user's data stays.
type Wipe struct {
	State WipeState
	// AccountOnly removes only this account from the device
	// (AccountOnlyRemoteWipe, EAS 16.1) instead of a factory reset.
	AccountOnly bool
	Requested   time.Time // when the admin asked
	Changed     time.Time // when State last changed
}

// Partnership is a device's sync state for one datastore.
type Partnership struct {
	UserID    int64
	DeviceID  string
	Datastore string
	// ClientAnchor is the device's Next anchor of its last completed
	// session; the device's next Last anchor must equal it for a fast sync.
	ClientAnchor string
	ServerAnchor string
	// AckSeq is the datastore change sequence up to which the device has
	// acknowledged the server's changes.
	AckSeq       int64
	LastSync     time.Time // zero if never completed
	LastSyncMode int       // SyncML alert code of the last completed sync
}

// Item is one version of one item (the latest, unless listed by Versions).
type Item struct {
	UserID      int64
	Datastore   string
	GUID        string
	Version     int64 // 1, 2, ... per item
	Seq         int64 // datastore change sequence of this version
	Deleted     bool  // a tombstone
	ContentType string
	Data        []byte
	UID         string // UID inside the content, if any
	MatchKey    string // pim match key of the content, for twin matching
	Summary     string // one line for humans (FN / SUMMARY)
	Origin      string // device id, or "admin", "restore", ...
	Modified    time.Time
	// CanonicalType and Canonical are the content's canonical form (vCard
	// 3.0, iCalendar 2.0, UTF-8 text) when it differs from Data; empty
	// when Data is canonical already. Loaded with Data. See Canon.
	CanonicalType string
	Canonical     []byte
}

// Canon returns the item's canonical form: Canonical when stored, else
// the content as received.
func (it *Item) Canon() (contentType string, data []byte) {
	if len(it.Canonical) > 0 {
		return it.CanonicalType, it.Canonical
	}
	return it.ContentType, it.Data
}

// ItemWrite is one write to an item: content when Delete is false, else a
// tombstone. A GUID that does not exist yet creates the item.
type ItemWrite struct {
	UserID      int64
	Datastore   string
	GUID        string
	Delete      bool
	ContentType string
	Data        []byte
	UID         string
	MatchKey    string
	Summary     string
	Origin      string
	Time        time.Time
	// New says the GUID was just made: no version of it exists, so the
	// store need not look for one. Writing New to an existing GUID fails.
	New bool
	// CanonicalType and Canonical: the content's canonical form when it
	// differs from Data (see Item.Canonical); ignored for a tombstone.
	CanonicalType string
	Canonical     []byte
	// Version, when set, is the version number to write instead of the
	// next one; it must be above the item's latest. Copying a store sets
	// it, so that an item whose older versions were pruned keeps its
	// numbers, and a tombstone may then be the first version written.
	Version int64
}

// Mapping maps a device's local id (LUID) to a server item (GUID).
type Mapping struct {
	UserID    int64
	DeviceID  string
	Datastore string
	LUID      string
	GUID      string
	// Session is the key of the session that last confirmed the mapping
	// (slow and refresh syncs re-confirm every item the device still has).
	Session string
}

// UnackedAdd is an Add the server sent a device that the device has not
// mapped (no Map for the GUID arrived): it may hold the item under a LUID
// the server does not know, e.g. when it was killed before its Map (OMA DS
// 1.2 Sync Protocol 5.10), and later send it back as a new item, edited.
type UnackedAdd struct {
	UserID    int64
	DeviceID  string
	Datastore string
	GUID      string
	Version   int64  // the item version that was sent
	Seq       int64  // its change sequence
	Session   string // the session that sent it
	Sent      time.Time
	// Deferred is set when a sync in which the device sends nothing
	// (one-way from the server) did not send the Add again, as the device
	// may hold it already; the next such sync sends it.
	Deferred bool
	// Idents are the sent version's strong identifiers
	// (pim.Identifiers), by which a device's new item is paired with it.
	Idents []string
	// IdentsPending records the Add without identifiers, to be computed
	// (and stored with PutUnackedAdd) only if a device's new item needs to
	// be paired: nearly every Add gets mapped, and computing them means
	// parsing every item sent. UnackedAdds by identifier does not find it
	// until then; PendingUnackedAdds does.
	IdentsPending bool
	// New tells PutUnackedAdd that the device datastore held no such rows
	// when the session began, so that no earlier row of the GUID need be
	// deleted first (one statement less per Add of a refresh).
	New bool
}

// ResentAdd is an Add that a one-way sync from the server sent again
// after holding it back once (UnackedAdd.Deferred): a device killed
// before its Map may hold the item twice, its older copy under a LUID the
// server never learned, which it sends as new in its next sync that sends
// its changes.
type ResentAdd struct {
	UserID    int64
	DeviceID  string
	Datastore string
	GUID      string
	Version   int64 // the item version first sent: the older copy's
	// PendingLUIDs are the older copies' LUIDs when the device sent them
	// in a sync in which the server sends nothing (one-way or refresh
	// from the device): their Deletes go in the device's next sync that
	// sends changes. A device can hold two older copies (killed before
	// its Map again in the sync that sent the Add again).
	PendingLUIDs []string
	// PendingNewerLUID is, likewise, the newer copy's (mapped) LUID when
	// the device sent it back unchanged in such a sync after the item
	// was deleted: the deletion goes to it in that next sync.
	PendingNewerLUID string
}

// Session is persisted protocol session state.
type Session struct {
	Key      string
	UserID   int64
	DeviceID string
	State    []byte // protocol-specific, opaque to the store
	// LastResponse is the reply to the session's last message, kept so
	// that a retransmitted message gets it again; opaque, nil for none.
	LastResponse []byte
	Created      time.Time
	UpdatedAt    time.Time
}

// Retention is how much history to keep; a zero field sets no limit of its
// kind, and a zero Retention keeps everything. A version is kept when any
// set limit keeps it:
//   - KeepVersions N keeps the N newest versions of every item (tombstones
//     count as versions);
//   - KeepDays D keeps every version that was an item's current version at
//     some time in the last D days (so the state of the datastore at any
//     time in that window can still be restored), tombstones included.
//
// An item's latest version (content or tombstone) is never removed.
type Retention struct {
	KeepVersions int
	KeepDays     int
}

// IsZero tells whether the policy keeps everything.
func (r Retention) IsZero() bool { return r.KeepVersions <= 0 && r.KeepDays <= 0 }

// PruneStats counts what PruneVersions removed (or would remove).
type PruneStats struct {
	Versions   int   // versions removed, tombstones included
	Tombstones int   // of which tombstones
	Items      int   // distinct items that lost versions
	Bytes      int64 // content bytes freed
}

// ConflictSetting is the conflict policy (see package conflict) of one of a
// user's datastores, or of all of them when Datastore is "". The store
// keeps the policy as a name; the engine validates it.
type ConflictSetting struct {
	UserID     int64
	Datastore  string
	Policy     string
	DeleteWins bool // a deletion wins over a modification
	UpdatedAt  time.Time
}
