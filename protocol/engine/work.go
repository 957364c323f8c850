package engine

import (
	"context"
	"errors"

	"anchorage/conflict"
	"anchorage/hub"
	"anchorage/store"
)

// A front end (SyncML, ActiveSync) drives the core through a Work: one
// store transaction in which it authenticates, opens datastores, applies a
// device's changes, reads the server's changes and completes. The front end
// keeps its own wire state (packages, message ids, sync keys) as an opaque
// session blob the Work persists; it never touches the store itself.

// Work is a unit of work: one store transaction. It is valid only inside
// the function given to Engine.Update or Engine.View.
type Work struct {
	e   *Engine
	ctx context.Context
	tx  store.Tx
	// devices caches the device rows this transaction read or wrote, so
	// that a message reads its device once (touchDevice keeps what it
	// wrote).
	devices map[Partner]*store.Device
	// obs collects the item and conflict events of this unit of work
	// until it commits.
	obs observed
	// userNames and written note the datastores written, for the hub
	// (notify.go).
	userNames map[int64]string
	written   map[hub.Key]bool
}

// Update runs fn in one write transaction; fn's error rolls it back.
func (e *Engine) Update(ctx context.Context, fn func(*Work) error) error {
	var w *Work
	err := e.store.Update(ctx, func(tx store.Tx) error {
		w = e.work(ctx, tx) // a retried transaction starts afresh
		return fn(w)
	})
	if err == nil && w != nil {
		w.obs.flush(e.obs)
		w.notify()
	}
	return err
}

// View runs fn in one read transaction.
func (e *Engine) View(ctx context.Context, fn func(*Work) error) error {
	return e.store.View(ctx, func(tx store.Tx) error { return fn(e.work(ctx, tx)) })
}

func (e *Engine) work(ctx context.Context, tx store.Tx) *Work {
	w := &Work{e: e, ctx: ctx}
	w.tx = notingTx{Tx: tx, w: w}
	return w
}

// Tx is the transaction, for the admin operations, which read the archive
// and accounts directly. Front ends use the Work's methods.
func (w *Work) Tx() store.Tx { return w.tx }

// Partner names one session of one device: whose items it writes, which
// device's mappings and change window it uses, and the session key that
// tags the mappings it confirms (a slow sync's "proved to hold").
type Partner struct {
	UserID   int64
	UserName string
	DeviceID string
	Session  string
	// Protocol labels the partner's events for monitoring (Observer).
	Protocol string
}

// Mode is how a datastore is synchronised. The values are the ones stored
// in partnerships (store.Partnership.LastSyncMode), which are the OMA DS
// alert codes the modes were first known by; front ends map their own
// vocabulary onto them.
type Mode int

// Modes.
const (
	ModeTwoWay            Mode = 200 // both sides send their changes since the last sync
	ModeSlow              Mode = 201 // both sides send everything; items are paired by identity
	ModeOneWayFromClient  Mode = 202 // the device sends its changes; the server sends nothing
	ModeRefreshFromClient Mode = 203 // the device sends everything; the server keeps only that
	ModeOneWayFromServer  Mode = 204 // the server sends its changes; the device's are ignored
	ModeRefreshFromServer Mode = 205 // the server sends everything; the device replaces its items
)

// String names a mode as `device list` prints it.
func (m Mode) String() string {
	switch m {
	case ModeTwoWay:
		return "two-way"
	case ModeSlow:
		return "slow"
	case ModeOneWayFromClient:
		return "one-way-from-client"
	case ModeRefreshFromClient:
		return "refresh-from-client"
	case ModeOneWayFromServer:
		return "one-way-from-server"
	case ModeRefreshFromServer:
		return "refresh-from-server"
	}
	return ""
}

// needsAnchors tells whether a mode builds on the previous session, so that
// an unknown partnership or an anchor mismatch forces a slow sync.
func needsAnchors(mode Mode) bool {
	return mode == ModeTwoWay || mode == ModeOneWayFromClient || mode == ModeOneWayFromServer
}

// slowMode tells whether a device sends every item it holds (so they are
// paired by identity).
func slowMode(mode Mode) bool { return mode == ModeSlow || mode == ModeRefreshFromClient }

// Datastore is one device's sync of one datastore within a session: what
// the core needs between two units of work. A front end keeps it in its
// session blob (as JSON) and hands it back to each call.
type Datastore struct {
	Partner `json:"-"` // set by Open and by the front end when it loads its session

	Name        string `json:"name"` // canonical datastore name
	Mode        Mode   `json:"mode"`
	AckSeq      int64  `json:"ack_seq"` // the partnership's AckSeq at session start
	ContentType string `json:"content_type"`
	// PriorSeq is the datastore's change sequence when the Alert came: 0
	// means it was empty, so no earlier version can match (versiontwin.go).
	PriorSeq int64 `json:"prior_seq,omitempty"`
	// Charset is the device's default charset for 8-bit data that
	// declares none (store.Device.Charset), read at the Alert.
	Charset string `json:"charset,omitempty"`
	// Unacked is set while the partnership may hold unacknowledged Adds
	// (unacked.go): read at the Alert, set when an Add is sent.
	Unacked bool `json:"unacked,omitempty"`
	// UnackedAtAlert is Unacked as read at the Alert: without, the Adds
	// this session remembers need no earlier row deleted.
	UnackedAtAlert bool `json:"unacked_at_alert,omitempty"`
	// Resend lists items whose server state goes to the device after the
	// slow sync's own Adds (or a fast sync's changes): what a read-only
	// datastore refused in a slow sync, where the change log does not
	// reach the device, or a deletion by the device of an item it still
	// holds a copy of (versiontwin.go).
	Resend []string `json:"resend,omitempty"`
	// DeleteLUIDs lists the device's older copies of items it holds twice
	// (resent.go), unmapped: a Delete of each goes after Resend.
	DeleteLUIDs []string `json:"delete_luids,omitempty"`
	// OlderCopies are the items whose older copy on the device this
	// session deleted (resent.go).
	OlderCopies []string `json:"older_copies,omitempty"`
	// OlderLUIDs names, by item, the LUID of the older copy this session
	// took: a Delete of the newer copy then keeps the item on it.
	OlderLUIDs map[string]string `json:"older_luids,omitempty"`
	// OlderPending are the older copies this session took in a mode in
	// which the server sends nothing: their Deletes wait in the record
	// (store.ResentAdd.PendingLUIDs) for the device's next sync that sends
	// changes. OlderCarried are the items whose waiting Delete this
	// session sends (in DeleteLUIDs): their records go when it completes.
	OlderPending []store.ResentAdd `json:"older_pending,omitempty"`
	OlderCarried []string          `json:"older_carried,omitempty"`
	// Resent is set while the partnership may hold resent Adds
	// (resent.go): read at the Alert, set when one is recorded.
	Resent bool `json:"resent,omitempty"`
	// Conflict is the conflict rule of this user's datastore, read at
	// the Alert so that one session applies one rule.
	Conflict conflict.Rules `json:"conflict"`
	// SendType is the format the device prefers (DevInf Rx-Pref); Accepts
	// every format it takes. Empty without DevInf: see outgoingData.
	SendType string   `json:"send_type,omitempty"`
	Accepts  []string `json:"accepts,omitempty"`
	// CTCaps are the device's properties per content type (name ->
	// MaxOccur, 0 unbounded), read from its DevInf at the Alert; nil
	// without.
	CTCaps map[string]map[string]int `json:"ctcaps,omitempty"`
	// MergePairs is set by a front end whose device's slow-sync items are
	// copies re-sent without history, not edits (an EAS device after
	// SyncKey 0 sends what it holds as Adds): a paired item is merged
	// (mergePair), never read as the device removing what it left out.
	MergePairs bool `json:"merge_pairs,omitempty"`
	// DeviceForm, set by a front end whose device holds items in another
	// form (an EAS class's fields), turns a server version into what the
	// device sends back for it; nil: the device returns what it got. The
	// version-twin rule compares a device's copy with it (versiontwin.go).
	// Not persisted: the front end sets it whenever it opens or resumes
	// the datastore.
	DeviceForm func(ct string, data []byte) (string, []byte, bool) `json:"-"`
	// SetAside are the items set aside for the device (GUID -> the
	// sequence of the version it kept refusing), read at Open: that
	// version is not sent to it (setaside.go).
	SetAside map[string]int64 `json:"set_aside,omitempty"`
	// unmapped holds, while one batch of changes is applied, the LUIDs of
	// its items that had no mapping when it began (see prefetchUnmapped).
	unmapped map[string]bool
	// decoded holds, while one batch is applied, the items PrepareItems
	// decoded, by LUID.
	decoded map[string]*clientItem
	// identsFilled is set once the unacknowledged Adds' identifiers were
	// computed in this message (see fillIdents).
	identsFilled bool
	// remembered collects the Adds sent while a batch of server changes
	// is read (rememberAdd, flushRemembered).
	remembered []store.UnackedAdd
	// queue holds server changes read ahead (changes.go), readAhead at
	// most at a time when set (ReadAhead).
	queue     []queued
	readAhead int
	// countOnly: the items of a slow or refresh sync are read without
	// their content (CountOnly).
	countOnly bool
	// held are the items the device held before a re-sync (heldedit.go),
	// read once per request when first needed.
	held []heldVersion
	// mapped is the GUID the last change applied was mapped to (confirm).
	mapped string
	// parsed holds the stored items the pairing of the change being
	// applied has parsed (parsed.go).
	memo *pairMemo

	ServerBegun  bool   `json:"server_begun"`
	Drained      bool   `json:"drained,omitempty"` // NextChange ran out: every server change went out
	TargetSeq    int64  `json:"target_seq"`        // change sequence the server's changes go up to
	CursorSeq    int64  `json:"cursor_seq"`        // fast sync: last sequence sent
	CursorGUID   string `json:"cursor_guid"`       // slow sync: last GUID considered
	Undelivered  int    `json:"undelivered"`       // server changes that failed or were not acknowledged
	SentCommands int    `json:"sent_commands"`     // server changes sent in the session
	// NoTwins is set while a slow sync's datastore holds no live item that
	// the session has not confirmed: findTwin then has nothing to search.
	// It holds while the datastore's sequence is NoTwinsSeq (nobody else
	// wrote since) and the session did nothing that unconfirms an item.
	NoTwins    bool  `json:"no_twins,omitempty"`
	NoTwinsSeq int64 `json:"no_twins_seq,omitempty"`
	// Pending are the device's deletes kept until the session completes
	// (guard.go); Holding is set when an open hold keeps items from the
	// device; Returning lists rejected holds whose items go back to it.
	Pending   []pendingDelete `json:"pending,omitempty"`
	Holding   bool            `json:"holding,omitempty"`
	Returning []int64         `json:"returning,omitempty"`
	// Stats for logs and the device list (Held: deletes held).
	Added, Replaced, Deleted, Matched, Rejected, Held int
}

// syncedStore is the name the datastore logic has used for a Datastore.
type syncedStore = Datastore

// sessionState is who a unit of work acts for: the partner of the
// datastore it works on, and the Work whose transaction it uses.
type sessionState struct {
	UserID   int64
	UserName string
	DeviceID string
	Key      string
	Protocol string
	w        *Work
}

// check refuses a partner without a user, device or session: a Datastore
// whose front end did not set it after loading its session would
// otherwise work on nobody's data.
func (p Partner) check() error {
	if p.UserID == 0 || p.DeviceID == "" || p.Session == "" {
		return errors.New("engine: datastore session without its partner (user, device, session)")
	}
	return nil
}

// as returns the sessionState of a partner in this unit of work.
func (w *Work) as(p Partner) *sessionState {
	return &sessionState{UserID: p.UserID, UserName: p.UserName, DeviceID: p.DeviceID, Key: p.Session, Protocol: p.Protocol, w: w}
}

// Errors a front end turns into its protocol's answers.
var (
	// ErrUnauthorized: wrong or unknown credentials.
	ErrUnauthorized = errors.New("engine: invalid credentials")
	// ErrReadOnly: the datastore takes no changes from devices, and the
	// mode asked for would only bring the device's (or replace the
	// server's data with them).
	ErrReadOnly = errors.New("engine: datastore is read-only for devices")
)
