package activesync

import (
	"context"
	"errors"

	"github.com/beevik/etree"
)

// This file is the seam between the EAS front end and the sync core, in the
// manner of go-imap v2's imapserver.Session: the package owns HTTP, WBXML,
// SyncKeys on the wire and status codes; the core owns accounts, devices,
// datastores, the change log, conflicts and the archive.

// Backend authenticates users. It is called once per HTTP request, so the
// password check has to be cheap on a device seen before (issue 16: no
// bcrypt per request).
type Backend interface {
	// Login checks user and password and opens a session for the device.
	// A bad user or password returns ErrAuthFailed (HTTP 401).
	Login(ctx context.Context, user, password string, dev Device) (Session, error)
}

// Device is what a request says about the device (MS-ASHTTP 2.2.1.1.1).
type Device struct {
	ID              string // DeviceId
	Type            string // DeviceType
	UserAgent       string // User-Agent header
	ProtocolVersion string // MS-ASProtocolVersion, e.g. "14.0"
}

// Session is one authenticated request of one device; Close ends it.
// Every method may be called at most once per request except Sync, which is
// called once per collection of a Sync request.
type Session interface {
	// PolicyKey returns the policy key the device last acknowledged
	// (Provision phase 2), 0 when it has none.
	PolicyKey(ctx context.Context) (uint32, error)
	// SetPolicyKey records the key the device has acknowledged.
	SetPolicyKey(ctx context.Context, key uint32) error
	// SetDeviceInfo records Settings DeviceInformation (MS-ASCMD 2.2.3.46).
	SetDeviceInfo(ctx context.Context, info DeviceInfo) error

	// Folders lists the device's folders, one per datastore.
	Folders(ctx context.Context) ([]Folder, error)
	// Sync runs one collection of a Sync request; see SyncRequest.
	Sync(ctx context.Context, req SyncRequest) (*SyncResult, error)
	// Estimate counts the changes the next Sync with syncKey would send
	// (GetItemEstimate). ErrInvalidSyncKey and ErrNoFolder as for Sync.
	Estimate(ctx context.Context, folderID, syncKey string) (int, error)
	// Fetch returns one item (ItemOperations Fetch, Sync Fetch);
	// ErrNotFound if there is none.
	Fetch(ctx context.Context, folderID, serverID string) (Item, error)

	// WipeState and AckWipe: remote wipe (wipe.go). A Session may also
	// implement Pusher (push.go) for Ping and the hanging Sync.
	Wiper

	// Close ends the request; it may commit what the request left to
	// record (the device's time last seen).
	Close() error
}

// Errors a Backend or Session returns to select a protocol status.
var (
	ErrAuthFailed     = errors.New("activesync: bad user or password")
	ErrInvalidSyncKey = errors.New("activesync: invalid or unknown SyncKey")
	ErrNoFolder       = errors.New("activesync: no such folder")
	ErrNotFound       = errors.New("activesync: no such item")
)

// Class is an EAS item class (MS-ASCMD 2.2.3.27.5).
type Class string

const (
	ClassContacts Class = "Contacts"
	ClassCalendar Class = "Calendar"
	ClassTasks    Class = "Tasks"
	ClassNotes    Class = "Notes"
	ClassEmail    Class = "Email"
)

// FolderType is the FolderHierarchy Type of a folder (MS-ASCMD 2.2.3.186.3).
type FolderType int

const (
	FolderInbox    FolderType = 2
	FolderTasks    FolderType = 7
	FolderCalendar FolderType = 8
	FolderContacts FolderType = 9
	FolderNotes    FolderType = 10
)

// Folder is one folder of FolderSync.
type Folder struct {
	ServerID    string
	ParentID    string // "0" for the root
	DisplayName string
	Type        FolderType
	Class       Class
}

// DeviceInfo is Settings DeviceInformation Set.
type DeviceInfo struct {
	Model, IMEI, FriendlyName, OS, OSLanguage, PhoneNumber, UserAgent, MobileOperator string
}

// Item is one object in the core's neutral form: a vCard 3.0, an
// iCalendar 2.0 VEVENT or VTODO, or the text of a note, as the Converter
// produced it. Supported lists the properties of the class the device
// declared in <Supported> (MS-ASCMD 2.2.3.164); what it does not list, it
// cannot hold, and the core keeps the stored value (never a deletion).
type Item struct {
	Class     Class
	Data      []byte
	Supported []string
}

// SyncRequest is one Collection of a Sync request.
//
// SyncKey "0" starts an initial sync: the core forgets the device's state
// for the folder and will match the items the device then sends against the
// stored ones by identity (as a SyncML slow sync). Any other key is one the
// core returned: the newest one acknowledges the last answer; the one
// before it means that answer was lost, and the core returns the same
// SyncResult again (same SyncKey, same ServerIds for the same ClientIds)
// without applying anything twice. Other keys are ErrInvalidSyncKey.
type SyncRequest struct {
	FolderID   string
	SyncKey    string
	GetChanges bool // the device wants server changes
	WindowSize int  // at most this many server changes (1–512)
	FilterType int  // MS-ASCMD 2.2.3.70.2; 0 = all
	// FilterSet tells that the request carried Options/FilterType; without
	// it the folder's last one holds (Options are kept between Syncs).
	FilterSet bool
	Supported []string
	Commands  []ClientCommand
	// BodyPreferences are the Options' BodyPreference elements (12.0+,
	// MS-ASAIRS 2.2.2.7) in request order: the body types the device
	// takes for notes and descriptions, with their truncation. The core
	// (or Converter) picks the first type it can produce; none means
	// plain text in full.
	BodyPreferences []BodyPreference
}

// BodyPreference is one AirSyncBase BodyPreference.
type BodyPreference struct {
	Type           int // 1 plain text, 2 HTML, 3 RTF, 4 MIME
	TruncationSize int // 0: no truncation
	AllOrNone      bool
}

// CommandKind is the kind of a client or server command.
type CommandKind int

const (
	CmdAdd CommandKind = iota + 1
	CmdChange
	CmdDelete
	CmdFetch
	CmdSoftDelete // server only: an item left the FilterType window
)

// ClientCommand is one element of the request's Commands.
type ClientCommand struct {
	Kind     CommandKind
	ClientID string // Add
	ServerID string // Change, Delete, Fetch
	// InstanceID names one occurrence of a recurring event (16.0+,
	// AirSyncBase InstanceId, MS-ASAIRS 2.2.2.24): a Change or Delete of
	// that occurrence only, which the core stores as an exception of the
	// series. "" for the whole item.
	InstanceID string
	Item       Item // Add, Change
}

// Outcome is the core's result for one ClientCommand.
type Outcome int

const (
	OutcomeOK        Outcome = iota // applied
	OutcomeConflict                 // the server's version won (status 7)
	OutcomeNotFound                 // no such ServerId (status 8)
	OutcomeInvalid                  // item could not be read (status 6)
	OutcomeRejected                 // refused by the server (status 5)
	OutcomeDuplicate                // Add of an item already known: ServerID is the existing one
)

// CommandResult answers one ClientCommand, in request order.
type CommandResult struct {
	Kind     CommandKind
	ClientID string
	ServerID string // Add: the new (or, for a re-sent ClientId, earlier) ServerId
	Outcome  Outcome
	Item     *Item // Fetch
}

// ServerChange is one change the core sends to the device.
type ServerChange struct {
	Kind     CommandKind // CmdAdd, CmdChange, CmdDelete, CmdSoftDelete
	ServerID string
	// InstanceID: a Delete of one occurrence (16.0+); "" otherwise.
	InstanceID string
	Item       Item // Add, Change
}

// SyncResult is the core's answer for one collection.
type SyncResult struct {
	SyncKey       string // the new key; the same key when nothing changed
	Results       []CommandResult
	Changes       []ServerChange
	MoreAvailable bool
}

// Converter turns EAS ApplicationData into the core's Item and back
// (protocol/pim holds the item formats). version is the protocol version
// in use, since fields differ between 2.5 and 12.0+ (Body vs AirSyncBase).
type Converter interface {
	ToItem(class Class, appData *etree.Element, version string) (Item, error)
	// FromItem fills an empty ApplicationData element.
	FromItem(item Item, appData *etree.Element, version string) error
}
