package session

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"anchorage/protocol/engine"
	"anchorage/protocol/syncml"
)

// sessionState is everything the front end remembers between two messages of a
// SyncML session. It is stored as JSON in the store's session row; it stays
// small because bulk state (which items a slow sync matched, which server
// changes are left to send) lives in the store's mappings and as cursors.
type sessionState struct {
	// AliasOf marks a row that only points at a session (see firstAlias).
	AliasOf  string `json:"alias_of,omitempty"`
	Key      string `json:"key"`
	UserID   int64  `json:"user_id"`
	UserName string `json:"user"`
	DeviceID string `json:"device"`
	// PartnerID is the device id of the partnership the session syncs,
	// when it is not DeviceID: a client sharing the device id with
	// another one (shared.go).
	PartnerID       string `json:"partner,omitempty"`
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
	LastClientMsgID string `json:"last_client_msg_id"`
	// LastRequest is the bodyHash of that message: only the same bytes
	// are a retransmission.
	LastRequest string `json:"last_request,omitempty"`
	// Cred is the credHash of the credentials that opened the session: a
	// later message carrying others must authenticate again.
	Cred         string         `json:"cred,omitempty"`
	LastResponse []byte         `json:"last_response,omitempty"`
	Datastores   []*syncedStore `json:"datastores"`
	// Incoming is a large object the device is sending in chunks.
	Incoming *incomingObject `json:"incoming,omitempty"`
	// ClientMaxObjSize is the largest object the device accepts (0: unknown).
	ClientMaxObjSize int64 `json:"client_max_obj_size"`
	Complete         bool  `json:"complete"`
	// Suspended is set once the device suspended the session (Alert 224);
	// a later session of the device resumes it (resume.go).
	Suspended bool `json:"suspended,omitempty"`
	// DevInfSent is set once the session answered a Get of our DevInf.
	DevInfSent bool `json:"devinf_sent,omitempty"`
	// busy lists the datastores this message could not lease (another
	// session of the user holds them); not persisted.
	busy map[string]bool
	// encoding is the current message's encoding; not persisted (a
	// device may switch between messages, each reply follows its request).
	encoding Encoding
	// Carried are the commands (mostly Statuses) of our package that did
	// not fit the device's MaxMsgSize: they open our next message.
	Carried []carriedCommand `json:"carried,omitempty"`
	// ServerPackageOpen is set while our package spans several messages:
	// the device's messages then answer it, with or without Final.
	ServerPackageOpen bool `json:"server_package_open"`
	// obs collects this message's events for the Observer; not persisted.
	obs observed
}

// syncedStore is the state of one datastore within a session: the core's
// (engine.Datastore, its fields inline in the JSON) and SyncML's own.
type syncedStore struct {
	engine.Datastore
	ClientURI string `json:"client_uri"` // the device's LocURI (e.g. ./contacts)
	ServerURI string `json:"server_uri"` // our LocURI as the device named it
	// AlertMsg is the session message count of the Alert that opened it.
	AlertMsg   int    `json:"alert_msg"`
	ClientLast string `json:"client_last"`
	ClientNext string `json:"client_next"`
	ServerLast string `json:"server_last"`
	ServerNext string `json:"server_next"`
	// PriorClient is the partnership's client anchor when the datastore
	// was alerted: a session resuming this one (resume.go) checks that the
	// partnership is still where it was.
	PriorClient string `json:"prior_client,omitempty"`
	ClientDone  bool   `json:"client_done"` // the device's package with its changes is complete
	ServerDone  bool   `json:"server_done"`
	// Sent holds server commands awaiting the device's Status, keyed by
	// "msgID/cmdID".
	Sent map[string]sentCommand `json:"sent,omitempty"`
	// Outgoing is a large item being sent to the device in chunks.
	Outgoing *outgoingObject `json:"outgoing,omitempty"`
}

// sentCommand is a server command whose Status has not arrived yet.
type sentCommand struct {
	Op   string `json:"op"` // Add, Replace, Delete
	GUID string `json:"guid"`
	LUID string `json:"luid,omitempty"`
}

// partner is who the session is, for the core.
func (st *sessionState) partner() engine.Partner {
	p := engine.Partner{UserID: st.UserID, UserName: st.UserName, DeviceID: st.DeviceID, Session: st.Key, Protocol: protocolSyncML}
	if st.PartnerID != "" {
		p.DeviceID = st.PartnerID
	}
	return p
}

// device is the device the client authenticates as: its nonces are kept
// under the device id it presents, whichever partnership it syncs.
func (st *sessionState) device() engine.Partner {
	p := st.partner()
	p.DeviceID = st.DeviceID
	return p
}

// loadSession reads a session; it returns (nil, nil) when there is none.
func loadSession(w *engine.Work, key string) (*sessionState, error) {
	row, err := w.Session(key)
	if err != nil || row == nil {
		return nil, err
	}
	var st sessionState
	if err := json.Unmarshal(row.State, &st); err != nil {
		return nil, fmt.Errorf("session: decode session %s: %w", key, err)
	}
	if st.AliasOf != "" || st.Key == "" {
		return nil, nil // an alias or a pending nonce (nonce.go), not a session
	}
	if row.LastResponse != nil {
		st.LastResponse = row.LastResponse
	}
	for _, ds := range st.Datastores {
		ds.Partner = st.partner()
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
func loadAlias(w *engine.Work, alias string) (*sessionState, error) {
	row, err := w.Session(alias)
	if err != nil || row == nil {
		return nil, err
	}
	var a sessionState
	if err := json.Unmarshal(row.State, &a); err != nil || a.AliasOf == "" {
		return nil, nil
	}
	return loadSession(w, a.AliasOf)
}

// saveSession writes a session back.
func (e *Handler) saveSession(w *engine.Work, st *sessionState) error {
	// The last response goes in its own column: as JSON it would be
	// base64-encoded and decoded again with every message.
	resp := st.LastResponse
	st.LastResponse = nil
	data, err := json.Marshal(st)
	st.LastResponse = resp
	if err != nil {
		return fmt.Errorf("session: encode session: %w", err)
	}
	// The row names the partnership's device, so that the leases tell a
	// client sharing the device id from an abandoned session of its own.
	return w.PutSession(st.Key, &engine.SessionRow{UserID: st.UserID, DeviceID: st.partner().DeviceID, State: data, LastResponse: resp})
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
		if name, ok := engine.ResolveDatastore(u); ok {
			if ds := st.datastore(name); ds != nil {
				return ds
			}
		}
	}
	return nil
}
