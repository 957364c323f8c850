// Package eas is a simulated Exchange ActiveSync client for tests: a device
// with one contacts folder held in memory, that speaks WBXML over HTTP the
// way TbSync does (see ../../../../shared/conformance/activesync):
//
//   - FolderSync with SyncKey 0 finds the contacts folder;
//   - Sync with SyncKey 0 starts the folder (no commands, no changes);
//   - every later Sync sends the device's pending Adds (with ClientIds),
//     Changes and Deletes, at most MaxCommands a request, asks for the
//     server's changes in windows of WindowSize, and repeats while the
//     server says MoreAvailable or commands remain;
//   - status 3 (invalid SyncKey) starts the folder again at SyncKey 0 and
//     sends every item the device holds as an Add: the server matches them
//     by identity (MS-ASCMD 2.2.3.177.16).
//
// A Device stores what a request's answer says before it sends the next
// request, so a killed device (Faults.Crash) restarts with the state it
// had before the request whose answer it never stored.
//
// A Device is not safe for concurrent use.
package eas

import (
	"errors"
	"maps"
	"net/http"
	"slices"
	"strconv"
)

// Item is a contact: Contacts code page fields by name; "Body" is the
// notes (an AirSyncBase Body).
type Item map[string]string

// ErrAbandoned is returned by Sync when a fault killed the device.
var ErrAbandoned = errors.New("eas: device killed (simulated)")

// Options configure a Device.
type Options struct {
	URL      string // the server's /Microsoft-Server-ActiveSync
	User     string
	Password string
	DeviceID string
	// DeviceType defaults to "SimEAS", Version (MS-ASProtocolVersion) to
	// "14.0".
	DeviceType string
	Version    string
	// WindowSize is the number of server changes asked for per request
	// (default 100); MaxCommands the device's commands per request
	// (default 50, as TbSync).
	WindowSize  int
	MaxCommands int
	HTTP        *http.Client
}

// Faults are injected into the next Sync; requests are counted from 1
// over the Sync requests of that call.
type Faults struct {
	// DropResponse: these requests' answers are lost; the device sends
	// the same request again (the same SyncKey and ClientIds).
	DropResponse []int
	// Crash: the device is killed after this request's answer arrived and
	// before it stored it. Sync returns ErrAbandoned.
	Crash int
	// ForgetAdds: after this request the device stores the new SyncKey
	// and the server's changes but not the ServerIds of its Adds, so it
	// sends those Adds again with the same ClientIds.
	ForgetAdds int
	// BadKey: the first request carries a SyncKey the server never gave.
	BadKey bool
}

// entry is one item the device holds or has deleted.
type entry struct {
	ServerID string // "" until the server answered the Add
	ClientID string // the ClientId of the Add, once sent
	Sent     bool   // the Add went out; its outcome may be unknown
	Data     Item
	Dirty    bool // changed since the server last had it
	Deleted  bool // deleted locally, the Delete not yet answered
}

// state is what the device keeps between requests.
type state struct {
	FolderID   string
	Key        string // "" before the initial sync (or after status 3)
	Items      map[string]*entry
	NextLocal  int
	NextClient int
}

func (s *state) clone() *state {
	c := *s
	c.Items = make(map[string]*entry, len(s.Items))
	for k, e := range s.Items {
		ce := *e
		ce.Data = maps.Clone(e.Data)
		c.Items[k] = &ce
	}
	return &c
}

// Device is a simulated EAS device.
type Device struct {
	opts   Options
	st     *state
	Faults Faults
	// keySent is the SyncKey of the last Sync request and keySends how
	// many requests in a row carried it, across killed syncs: the server
	// shrinks an answer from the second repeat of a key on (loop
	// detection), so a re-sent request may then get fewer changes.
	keySent  string
	keySends int
}

// New returns a device that has never synced.
func New(opts Options) *Device {
	if opts.DeviceType == "" {
		opts.DeviceType = "SimEAS"
	}
	if opts.Version == "" {
		opts.Version = "14.0"
	}
	if opts.WindowSize == 0 {
		opts.WindowSize = 100
	}
	if opts.MaxCommands == 0 {
		opts.MaxCommands = 50
	}
	if opts.HTTP == nil {
		opts.HTTP = http.DefaultClient
	}
	return &Device{opts: opts, st: &state{Items: map[string]*entry{}}}
}

// ID returns the DeviceId.
func (d *Device) ID() string { return d.opts.DeviceID }

// Add creates an item locally and returns its local id.
func (d *Device) Add(it Item) string {
	d.st.NextLocal++
	id := "l" + strconv.Itoa(d.st.NextLocal)
	d.st.Items[id] = &entry{Data: maps.Clone(it), Dirty: true}
	return id
}

// Edit replaces a local item's content.
func (d *Device) Edit(id string, it Item) {
	if e := d.st.Items[id]; e != nil && !e.Deleted {
		e.Data, e.Dirty = maps.Clone(it), true
	}
}

// Delete deletes a local item. One the server never heard of goes at
// once; one it may hold is sent as a Delete.
func (d *Device) Delete(id string) {
	e := d.st.Items[id]
	if e == nil {
		return
	}
	if e.ServerID == "" && !e.Sent {
		delete(d.st.Items, id)
		return
	}
	e.Deleted = true
}

// IDs returns the local ids of the items the device shows, sorted.
func (d *Device) IDs() []string {
	var out []string
	for id, e := range d.st.Items {
		if !e.Deleted {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// Items returns the items the device shows, by local id.
func (d *Device) Items() map[string]Item {
	out := map[string]Item{}
	for id, e := range d.st.Items {
		if !e.Deleted {
			out[id] = maps.Clone(e.Data)
		}
	}
	return out
}
