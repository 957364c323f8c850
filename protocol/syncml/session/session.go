package engine

import (
	"anchorage/conflict"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"anchorage/protocol/syncml"
	"anchorage/store"
)

// sessionState is everything the engine remembers between two messages of a
// SyncML session. It is stored as JSON in the store's session row; it stays
// small because bulk state (which items a slow sync matched, which server
// changes are left to send) lives in the store's mappings and as cursors.
type sessionState struct {
	// AliasOf marks a row that only points at a session (see firstAlias).
	AliasOf         string `json:"alias_of,omitempty"`
	Key             string `json:"key"`
	UserID          int64  `json:"user_id"`
	UserName        string `json:"user"`
	DeviceID        string `json:"device"`
	ClientSessionID string `json:"client_session_id"`
	// Started bounds the session's lifetime (Options.MaxSessionAge).
	Started time.Time `json:"started"`
	VerDTD  string    `json:"ver_dtd"`
	// ServerURI is the URI the client addressed (the Source of our replies).
	ServerURI string `json:"server_uri"`
	RespURI   string `json:"resp_uri"`
	// ClientMaxMsgSize is the client's MaxMsgSize (0: unknown).
	ClientMaxMsgSize int64 `json:"client_max_msg_size"`
	NextMsgID        int   `json:"next_msg_id"`
	// MsgCount counts client messages, to tell which message alerted a
	// datastore (its client package is over at the next Final).
	MsgCount int `json:"msg_count"`
	// Retransmission: the last client MsgID and the answer sent to it.
	// The answer is stored in the session row's own column, not in this
	// JSON (the field is read only from rows written before that).
	LastClientMsgID string         `json:"last_client_msg_id"`
	LastResponse    []byte         `json:"last_response,omitempty"`
	Datastores      []*syncedStore `json:"datastores"`
	// Incoming is a large object the device is sending in chunks.
	Incoming *incomingObject `json:"incoming,omitempty"`
	// ClientMaxObjSize is the largest object the device accepts (0: unknown).
	ClientMaxObjSize int64 `json:"client_max_obj_size"`
	Complete         bool  `json:"complete"`
	// busy lists the datastores this message could not lease (another
	// session of the user holds them); not persisted.
	busy map[string]bool
	// device is the device row as this message's transaction last wrote
	// it (touchDevice), so that it is not read again; not persisted.
	device *store.Device
	// encoding is the current message's encoding; not persisted (a
	// device may switch between messages, each reply follows its request).
	encoding Encoding
	// ServerPackageOpen is set while our package spans several messages:
	// the device's messages then answer it, with or without Final.
	ServerPackageOpen bool `json:"server_package_open"`
}

// syncedStore is the state of one datastore within a session.
type syncedStore struct {
	Name      string `json:"name"`       // canonical datastore name
	ClientURI string `json:"client_uri"` // the device's LocURI (e.g. ./contacts)
	ServerURI string `json:"server_uri"` // our LocURI as the device named it
	Mode      int    `json:"mode"`       // alert code granted
	// AlertMsg is the session message count of the Alert that opened it.
	AlertMsg    int    `json:"alert_msg"`
	ClientLast  string `json:"client_last"`
	ClientNext  string `json:"client_next"`
	ServerLast  string `json:"server_last"`
	ServerNext  string `json:"server_next"`
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
	// Conflict is the conflict rule of this user's datastore, read at
	// the Alert so that one session applies one rule.
	Conflict conflict.Rules `json:"conflict"`
	// SendType is the format the device prefers (DevInf Rx-Pref); Accepts
	// every format it takes. Empty without DevInf: see outgoingData.
	SendType string   `json:"send_type,omitempty"`
	Accepts  []string `json:"accepts,omitempty"`
	// CTCaps are the device's CTCap properties per content type, read
	// from its DevInf at the Alert (see deviceCaps); nil without.
	CTCaps map[string]map[string]int `json:"ctcaps,omitempty"`
	// unmapped holds, while one Sync command is applied, the LUIDs of its
	// items that had no mapping when it began (see prefetchUnmapped).
	unmapped map[string]bool
	// identsFilled is set once the unacknowledged Adds' identifiers were
	// computed in this message (see fillIdents).
	identsFilled bool
	// remembered collects the Adds placed while a message's Sync is
	// filled (rememberAdd, flushRemembered).
	remembered   []store.UnackedAdd
	ClientDone   bool   `json:"client_done"` // the device's package with its changes is complete
	ServerBegun  bool   `json:"server_begun"`
	ServerDone   bool   `json:"server_done"`
	TargetSeq    int64  `json:"target_seq"`    // change sequence the server's changes go up to
	CursorSeq    int64  `json:"cursor_seq"`    // fast sync: last sequence sent
	CursorGUID   string `json:"cursor_guid"`   // slow sync: last GUID considered
	Undelivered  int    `json:"undelivered"`   // server commands that failed or got no status
	SentCommands int    `json:"sent_commands"` // server commands sent in the session
	// Sent holds server commands awaiting the device's Status, keyed by
	// "msgID/cmdID".
	Sent map[string]sentCommand `json:"sent,omitempty"`
	// NoTwins is set while a slow sync's datastore holds no live item that
	// the session has not confirmed: findTwin then has nothing to search.
	// It holds while the datastore's sequence is NoTwinsSeq (nobody else
	// wrote since) and the session did nothing that unconfirms an item.
	NoTwins    bool  `json:"no_twins,omitempty"`
	NoTwinsSeq int64 `json:"no_twins_seq,omitempty"`
	// Outgoing is a large item being sent to the device in chunks.
	Outgoing *outgoingObject `json:"outgoing,omitempty"`
	// Stats for logs and the device list.
	Added, Replaced, Deleted, Matched, Rejected int
}

// sentCommand is a server command whose Status has not arrived yet.
type sentCommand struct {
	Op   string `json:"op"` // Add, Replace, Delete
	GUID string `json:"guid"`
	LUID string `json:"luid,omitempty"`
}

// loadSession reads a session; it returns (nil, nil) when there is none.
func loadSession(ctx context.Context, tx store.Tx, key string) (*sessionState, error) {
	row, err := tx.Session(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("engine: load session: %w", err)
	}
	var st sessionState
	if err := json.Unmarshal(row.State, &st); err != nil {
		return nil, fmt.Errorf("engine: decode session %s: %w", key, err)
	}
	if st.AliasOf != "" {
		return nil, nil // not a session of its own
	}
	if row.LastResponse != nil {
		st.LastResponse = row.LastResponse
	}
	return &st, nil
}

// firstAlias names a session by its first message: a device whose answer
// to message 1 was lost sends the same bytes again to the plain URL (it
// never learned the RespURI), and must get the same answer, not a second
// session. Only an identical message (credentials included) finds it.
func firstAlias(hdr *syncml.Header, body []byte) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00", hdr.Source.URI, hdr.SessionID)
	h.Write(body)
	return "first-" + hex.EncodeToString(h.Sum(nil))[:40]
}

// loadAlias returns the session a first-message alias points at.
func loadAlias(ctx context.Context, tx store.Tx, alias string) (*sessionState, error) {
	row, err := tx.Session(ctx, alias)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("engine: load session alias: %w", err)
	}
	var a sessionState
	if err := json.Unmarshal(row.State, &a); err != nil || a.AliasOf == "" {
		return nil, nil
	}
	return loadSession(ctx, tx, a.AliasOf)
}

// saveSession writes a session back.
func (e *Engine) saveSession(ctx context.Context, tx store.Tx, st *sessionState) error {
	// The last response goes in its own column: as JSON it would be
	// base64-encoded and decoded again with every message.
	resp := st.LastResponse
	st.LastResponse = nil
	data, err := json.Marshal(st)
	st.LastResponse = resp
	if err != nil {
		return fmt.Errorf("engine: encode session: %w", err)
	}
	now := e.now()
	return tx.PutSession(ctx, &store.Session{
		Key: st.Key, UserID: st.UserID, DeviceID: st.DeviceID, State: data, LastResponse: resp,
		Created: now, UpdatedAt: now,
	})
}

// datastore returns the session's state for a canonical datastore name.
func (st *sessionState) datastore(name string) *syncedStore {
	for _, ds := range st.Datastores {
		if ds.Name == name {
			return ds
		}
	}
	return nil
}

// datastoreByURI finds a datastore by the URI the device or the server used
// for it in a command (Sync Target, Map Target, Status TargetRef...).
func (st *sessionState) datastoreByURI(uris ...string) *syncedStore {
	for _, u := range uris {
		if u == "" {
			continue
		}
		for _, ds := range st.Datastores {
			if u == ds.ServerURI || u == ds.ClientURI {
				return ds
			}
		}
		if name, ok := ResolveDatastore(u); ok {
			if ds := st.datastore(name); ds != nil {
				return ds
			}
		}
	}
	return nil
}
