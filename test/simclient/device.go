// Package simclient is a simulated SyncML client for tests: a device with an
// in-memory item store per datastore that runs whole sessions over HTTP the
// way SyncEvolution does (see ../../../shared/conformance/captures):
//
//   - message 1: Put and Get of DevInf and one Alert per datastore with
//     anchors (Last = the Next of the last successful session), Final;
//   - then the device talks to the server's RespURI: statuses and one Sync
//     per datastore with its changes (Add with the LUID as Source, Replace,
//     Delete), Final;
//   - it applies the server's Sync (201 for Add, 200 otherwise, 213 for a
//     chunk), sends Map for the server's Adds, Alert 222 while the server's
//     package is not over;
//   - the session is over when the server answers with only statuses and
//     Final.
//
// Like a real client, a Device commits its anchors, nonce and change
// tracking only when a session ends successfully; items the server sends are
// applied as they come. Change tracking is relative to the item set at the
// end of the last successful session (as SyncEvolution's revision tracking):
// after an abandoned session, items received in it show up as local changes
// (Adds, as SyncEvolution re-sends items after a one-way-from-server sync).
// An item the server may hold (sent or received in a session that did not
// end, or received in a one-way-from-server sync) and deleted since is sent
// as a Delete. A
// refresh-from-server wipes the datastore and its anchor at once, so if
// that session dies the next one is slow.
//
// A Device is not safe for concurrent use.
package simclient

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"

	"anchorage/protocol/syncml"
)

// Sync modes a Device can request (SyncML alert codes).
const (
	TwoWay            = 200
	Slow              = 201
	OneWayFromClient  = 202
	RefreshFromClient = 203
	OneWayFromServer  = 204
	RefreshFromServer = 205
)

// Auth methods.
const (
	AuthMD5   = "md5"
	AuthBasic = "basic"
)

// ErrAbandoned is returned by Sync when a fault killed the session.
var ErrAbandoned = errors.New("simclient: session abandoned (simulated kill)")

// ErrSuspended is returned by Sync when the device suspended the session
// (Faults.SuspendAfter); Resume goes on with it.
var ErrSuspended = errors.New("simclient: session suspended")

// Datastore configures one datastore of the device.
type Datastore struct {
	Name   string // key for Add/Edit/Delete/Items and Report.Stores
	Local  string // the device's LocURI, e.g. "./contacts"
	Remote string // the server's LocURI, e.g. "addressbook"
	Type   string // content type sent in Meta Type, e.g. "text/vcard"
	// VerCT is the version announced with Type in the DevInf (default
	// "3.0"); CTCap, if set, the properties announced for it in a CTCap.
	VerCT string
	CTCap []syncml.CTProperty
	// B64 sends item data base64-encoded (Meta Format b64), as devices
	// with 8-bit data in a legacy charset do.
	B64 bool
}

// Contacts is the default datastore: vCard 3.0 in "./contacts", synced with
// the server's "addressbook" (as the conformance kit configures SyncEvolution).
var Contacts = Datastore{Name: "contacts", Local: "./contacts", Remote: "addressbook", Type: "text/vcard"}

// Options configure a Device.
type Options struct {
	URL      string // the sync endpoint, e.g. http://127.0.0.1:8080/sync
	User     string
	Password string
	DeviceID string
	Auth     string // AuthMD5 (default) or AuthBasic
	VerDTD   string // "1.2" (default) or "1.1"
	// MaxMsgSize is the largest message the device accepts (default
	// 150000, as SyncEvolution); MaxObjSize the largest item (4000000).
	MaxMsgSize int64
	MaxObjSize int64
	Datastores []Datastore // default: Contacts
	HTTPClient *http.Client
	// ResendMaps keeps the Map items of a session that did not end (their
	// items count as synced) and sends them first in the next session, as
	// a client does whose Map got no Status (OMA DS 1.2 Sync Protocol
	// 5.10); without it the items go back as Adds.
	ResendMaps bool
	// Man, Mod and SwV describe the device in its DevInf (default
	// "Anchorage", "simclient", "1"), e.g. to simulate two different
	// clients under one DeviceID.
	Man, Mod, SwV string
	// DevInfOnce sends the DevInf (Put, and the Get of the server's) only
	// in the device's first session, as many clients do.
	DevInfOnce bool
	// AnchorPrefix starts the device's sync anchors (default DeviceID):
	// clones of one device differ in it, as the timestamps real clients
	// use do.
	AnchorPrefix string
}

// Faults inject failures into the next Sync only (Sync resets them).
// Messages are numbered from 1 in the session, not counting the retries
// of message 1 after a 401/407 (whose MsgIDs are 2, 3...): message N is
// the one with MsgID N + Report.AuthRetries.
type Faults struct {
	// DropResponse lists messages whose response is lost: the device sends
	// the same bytes (same SessionID and MsgID) again to the same URL.
	DropResponse []int
	// AbandonAfter > 0 kills the device after it handled the response to
	// that message (items in it are applied; its next message, e.g. the
	// Map, is never sent). With Unread the device dies after sending the
	// message, before reading the response.
	AbandonAfter int
	Unread       bool
	// BeforeSend, if set, runs before each message is sent (not before a
	// resend), e.g. to restart the server in the middle of a session.
	BeforeSend func(msgID int)
	// SuspendAfter > 0 suspends the session after the device handled the
	// response to that message: it sends its statuses for it with Alert
	// 224 (OMA DS 1.2) and stops; Resume goes on.
	SuspendAfter int
}

// Device is a simulated SyncML client.
type Device struct {
	opts   Options
	stores map[string]*localStore
	order  []string
	nonce  []byte // from the last successful session's Chal
	nSess  int
	nLUID  int
	// interrupted is the last session, when it was suspended or
	// abandoned: Resume goes on with it.
	interrupted *session
	// Faults apply to the next Sync call only.
	Faults Faults
	// AddsFirst sends a sync's Adds before its Deletes and Replaces
	// (default: Deletes, Replaces, Adds); clients differ in the order.
	AddsFirst bool
}

type localStore struct {
	cfg   Datastore
	items map[string]string // LUID -> content
	base  map[string]string // items at the end of the last successful session
	// known lists LUIDs the server may hold although they are not in base:
	// sent as Add or Replace in a session that did not end, or received
	// from the server in one that did not update base. Deleting one later
	// sends a Delete.
	known map[string]bool
	last  string // Next anchor of the last successful session
	nNext int
	// pendingMaps are Map items of a session that did not end, sent again
	// in the next one (Options.ResendMaps).
	pendingMaps []syncml.MapItem
	// fromServer maps the server's ids of items the device received as
	// Adds to its LUIDs: an Add the server sends again in a resumed
	// session (its Status was lost) updates the item, as libsynthesis
	// does, instead of adding it twice.
	fromServer map[string]string
}

// New returns a device with empty datastores.
func New(opts Options) *Device {
	if opts.Auth == "" {
		opts.Auth = AuthMD5
	}
	if opts.VerDTD == "" {
		opts.VerDTD = "1.2"
	}
	if opts.MaxMsgSize == 0 {
		opts.MaxMsgSize = 150000
	}
	if opts.MaxObjSize == 0 {
		opts.MaxObjSize = 4000000
	}
	if len(opts.Datastores) == 0 {
		opts.Datastores = []Datastore{Contacts}
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = http.DefaultClient
	}
	d := &Device{opts: opts, stores: map[string]*localStore{}}
	for _, ds := range opts.Datastores {
		d.stores[ds.Name] = &localStore{cfg: ds, items: map[string]string{}, base: map[string]string{}, known: map[string]bool{},
			fromServer: map[string]string{}}
		d.order = append(d.order, ds.Name)
	}
	return d
}

// ID returns the device id.
func (d *Device) ID() string { return d.opts.DeviceID }

// SetURL points the device at another sync endpoint.
func (d *Device) SetURL(url string) { d.opts.URL = url }

func (d *Device) store(name string) (*localStore, error) {
	s, ok := d.stores[name]
	if !ok {
		return nil, fmt.Errorf("simclient: no datastore %q", name)
	}
	return s, nil
}

func (d *Device) newLUID() string {
	d.nLUID++
	return strconv.Itoa(d.nLUID)
}

// Add creates an item and returns its LUID.
func (d *Device) Add(datastore, content string) (string, error) {
	s, err := d.store(datastore)
	if err != nil {
		return "", err
	}
	luid := d.newLUID()
	s.items[luid] = content
	return luid, nil
}

// Edit replaces an item's content.
func (d *Device) Edit(datastore, luid, content string) error {
	s, err := d.store(datastore)
	if err != nil {
		return err
	}
	if _, ok := s.items[luid]; !ok {
		return fmt.Errorf("simclient: %s has no item %q", datastore, luid)
	}
	s.items[luid] = content
	return nil
}

// Delete removes an item.
func (d *Device) Delete(datastore, luid string) error {
	s, err := d.store(datastore)
	if err != nil {
		return err
	}
	if _, ok := s.items[luid]; !ok {
		return fmt.Errorf("simclient: %s has no item %q", datastore, luid)
	}
	delete(s.items, luid)
	return nil
}

// Items returns a copy of a datastore's items (LUID -> content).
func (d *Device) Items(datastore string) map[string]string {
	s, err := d.store(datastore)
	if err != nil {
		return nil
	}
	return maps.Clone(s.items)
}

// LUIDs returns a datastore's LUIDs in numeric order.
func (d *Device) LUIDs(datastore string) []string {
	s, err := d.store(datastore)
	if err != nil {
		return nil
	}
	return sortedKeys(s.items)
}

// Changes lists the changes since the last successful session: added,
// modified and deleted LUIDs, each in numeric order.
func (d *Device) Changes(datastore string) (added, modified, deleted []string) {
	s, err := d.store(datastore)
	if err != nil {
		return nil, nil, nil
	}
	return s.changes()
}

// Anchor returns the Next anchor of the last successful session ("" if none).
func (d *Device) Anchor(datastore string) string {
	s, err := d.store(datastore)
	if err != nil {
		return ""
	}
	return s.last
}

func (s *localStore) changes() (added, modified, deleted []string) {
	for _, luid := range sortedKeys(s.items) {
		old, ok := s.base[luid]
		switch {
		case !ok:
			added = append(added, luid)
		case old != s.items[luid]:
			modified = append(modified, luid)
		}
	}
	gone := maps.Clone(s.base)
	for luid := range s.known {
		gone[luid] = ""
	}
	for _, luid := range sortedKeys(gone) {
		if _, ok := s.items[luid]; !ok {
			deleted = append(deleted, luid)
		}
	}
	return added, modified, deleted
}

// sortedKeys orders LUIDs numerically (non-numeric ones after, by string).
func sortedKeys(m map[string]string) []string {
	keys := slices.Collect(maps.Keys(m))
	slices.SortFunc(keys, func(a, b string) int {
		ia, ea := strconv.Atoi(a)
		ib, eb := strconv.Atoi(b)
		switch {
		case ea == nil && eb == nil:
			return ia - ib
		case ea == nil:
			return -1
		case eb == nil:
			return 1
		}
		if a < b {
			return -1
		} else if a > b {
			return 1
		}
		return 0
	})
	return keys
}

// Report tells what one Sync did.
type Report struct {
	SessionID   string
	RespURI     string // the URL the server named for the session
	Messages    int    // HTTP requests sent, resends and auth retries included
	AuthRetries int
	Resent      []Resend
	Abandoned   bool
	Suspended   bool // the device suspended the session (Alert 224)
	Complete    bool // the session ended successfully and the device committed it
	Stores      map[string]*StoreReport
}

// Resend is a message sent twice because its first response was lost.
type Resend struct {
	MsgID        int
	First, Again []byte // the lost response and the one to the resend
	Identical    bool
}

// StoreReport counts one datastore's traffic in a session.
type StoreReport struct {
	Requested                           int // the mode the device asked for
	Mode                                int // the mode the server granted (0 if the Alert failed)
	AlertStatus                         int
	SentAdds, SentReplaces, SentDeletes int
	RecvAdds, RecvReplaces, RecvDeletes int
	Chunks                              int // large-object chunks received (213)
	// RecvAgain counts Adds of items the device had received before
	// (counted in RecvAdds too): sent twice.
	RecvAgain int
	// ChunkPending is set when the session was interrupted while the
	// device was receiving a large object.
	ChunkPending bool
	// Resumed is set when the server resumed the datastore (Alert 225
	// answered 200) instead of asking for a slow sync.
	Resumed  bool
	MapsSent int // MapItems sent
	// Statuses counts the status codes the server gave the device's item
	// commands.
	Statuses map[int]int
	// Acked lists the contents of Adds and Replaces the server answered
	// with a success status, so written (or already held) on the server.
	Acked []string
}
