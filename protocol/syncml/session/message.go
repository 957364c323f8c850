package session

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"anchorage/protocol/engine"
	"anchorage/protocol/syncml"
)

// Request is one SyncML message as it arrived.
type Request struct {
	Body []byte
	// SessionKey is the session named by the URL the message was posted to
	// (our RespURI carries it); empty for a session's first message.
	SessionKey string
	// BaseURL is the URL of the sync endpoint as the client reached it,
	// used to build the RespURI (e.g. http://127.0.0.1:8080/sync).
	BaseURL string
	Remote  string
	// Encoding is the request's (and so the reply's) encoding.
	Encoding Encoding
}

// Response is the answer to a Request.
type Response struct {
	Body       []byte
	SessionKey string // empty when no session was opened (e.g. auth failed)
	UserName   string
	DeviceID   string
	// MsgNo is the client's message number within the session (1, 2, ...).
	MsgNo int
}

// RequestError is a message that cannot be answered in SyncML (not even a
// SyncHdr status can be built); the server answers with HTTP Status.
type RequestError struct {
	Status int
	// RetryAfter, when set, tells the client when to try again (HTTP
	// Retry-After, with 503).
	RetryAfter time.Duration
	Err        error
}

func (e *RequestError) Error() string { return e.Err.Error() }
func (e *RequestError) Unwrap() error { return e.Err }

func (e *Handler) newSession(u *engine.User, hdr *syncml.Header, req Request) *sessionState {
	key := engine.NewID()
	resp := req.BaseURL
	if resp == "" {
		resp = hdr.Target.URI
	}
	if pu, err := url.Parse(resp); err == nil {
		q := pu.Query()
		q.Set("sessionid", key)
		pu.RawQuery = q.Encode()
		resp = pu.String()
	}
	return &sessionState{
		Key: key, UserID: u.ID, UserName: u.Name, DeviceID: hdr.Source.URI,
		ClientSessionID: hdr.SessionID, VerDTD: verDTD(hdr), ServerURI: hdr.Target.URI,
		RespURI: resp, NextMsgID: 1, Started: e.now(), Cred: credHash(hdr.Cred),
	}
}

func verDTD(hdr *syncml.Header) string {
	switch hdr.VerDTD {
	case "1.0", "1.1", "1.2":
		return hdr.VerDTD
	}
	return "1.2"
}

// process runs the command loop over one message inside a write transaction
// and returns the encoded reply.
func (e *Handler) process(w *engine.Work, st *sessionState, msg *syncml.Message, fresh bool, auth authResult) ([]byte, error) {
	hdr := &msg.Header
	st.MsgCount++
	if hdr.MaxMsgSize > 0 {
		st.ClientMaxMsgSize = hdr.MaxMsgSize
	}
	if hdr.MaxObjSize > 0 {
		st.ClientMaxObjSize = hdr.MaxObjSize
	}
	limit := st.ClientMaxMsgSize
	if limit <= 0 {
		limit = e.maxMsgSize
	}
	r := newReply(e.replyHeader(st, hdr), hdr.MsgID, limit)

	hs := syncml.NewHeaderStatus(*hdr, syncml.StatusOK)
	if fresh {
		// Accepted: 212 and a fresh nonce for the device's next session
		// (SyncEvolution computes its next MD5 digest with it).
		hs.Data = "212"
		nonce, nonceB64 := newNonce()
		if err := w.TouchDevice(st.device(), engine.DeviceChange{Nonce: &nonce}); err != nil {
			return nil, err
		}
		hs.Chal = chal(auth.user.Digest, nonceB64)
	}
	r.add(hs)
	carried, err := unpackCarry(st.Carried)
	if err != nil {
		return nil, err
	}
	for _, c := range carried {
		r.add(c) // older than this message's answers, so first
	}

	if st.Complete || st.Suspended {
		// The session committed (or was suspended); a device may still send the rest of its
		// Map (idempotent) and statuses. Anything else is out of place.
		// Replies to messages answerTrailing did not save took MsgIDs.
		st.NextMsgID += msgGap(st.LastClientMsgID, hdr.MsgID)
		for _, c := range msg.Commands {
			switch c.Name {
			case "Map", "Status":
				if err := e.dispatch(w, st, r, c, nil); err != nil {
					return nil, err
				}
			case "Alert":
				// Asking for more after our last message: there is none.
				code := syncml.StatusCommandNotAllowed
				if _, sync := syncml.AlertCode(atoi(c.Data)).SyncMode(); !sync {
					code = syncml.StatusOK
				}
				if !c.NoResp {
					r.status(c, int(code))
				}
			default:
				if !c.NoResp {
					r.status(c, int(syncml.StatusCommandNotAllowed))
				}
			}
		}
		return e.finish(st, r, true)
	}

	alertNames := alertedURIs(msg)
	for _, c := range msg.Commands {
		if err := e.dispatch(w, st, r, c, alertNames); err != nil {
			return nil, err
		}
	}
	if st.Suspended {
		// Alert 224: the reply ends the session (resume.go).
		return e.finish(st, r, true)
	}

	if msg.Final {
		for _, ds := range st.Datastores {
			if !ds.ClientDone && ds.AlertMsg < st.MsgCount {
				ds.ClientDone = true
			}
		}
	}
	pending := r.full()
	for _, ds := range st.Datastores {
		if ds.ClientDone && !ds.ServerDone && !r.full() {
			if err := e.appendServerSync(w, st, ds, r); err != nil {
				return nil, err
			}
		}
		if ds.ClientDone && !ds.ServerDone {
			pending = true
		}
	}
	// Our package ends (Final) when nothing is left to send and the device
	// ended its package, or was answering ours (statuses for our chunks,
	// Alert 222) — Sync Protocol 8 (multiple messages per package).
	final := !pending && (msg.Final || st.ServerPackageOpen || askedForMore(msg))
	st.ServerPackageOpen = pending

	// Complete when nothing is left for the device to act on. A device that
	// asks for more (Alert 222) with Final still owes its statuses and Map
	// (Funambol, Sync4j), so that alone does not complete the session.
	if final && r.nothingToAct() && len(st.Datastores) > 0 && allDone(st) &&
		(msg.Final && !askedForMore(msg) || !awaitingStatus(st)) {
		if err := e.complete(w, st); err != nil {
			return nil, err
		}
	}
	return e.finish(st, r, final)
}

// awaitingStatus tells whether some server command still lacks the
// device's Status.
func awaitingStatus(st *sessionState) bool {
	for _, ds := range st.Datastores {
		if len(ds.Sent) > 0 {
			return true
		}
	}
	return false
}

// countCommands counts commands, nested ones (in Sync, Atomic, Sequence)
// included.
func countCommands(cmds []*syncml.Command) int {
	n := len(cmds)
	for _, c := range cmds {
		n += countCommands(c.Commands)
	}
	return n
}

func atoi(s string) int {
	n, _ := strconv.Atoi(strings.TrimSpace(s))
	return n
}

func allDone(st *sessionState) bool {
	for _, ds := range st.Datastores {
		if !ds.ClientDone || !ds.ServerDone {
			return false
		}
	}
	return true
}

// askedForMore tells whether the client asked for the next message of our
// package (Alert 222, Sync Protocol 8.3).
func askedForMore(msg *syncml.Message) bool {
	for _, c := range msg.Commands {
		if c.Name == "Alert" && c.Data == strconv.Itoa(int(syncml.AlertNextMessage)) {
			return true
		}
	}
	return false
}

// dispatch runs one command. A handler answers its command itself when it
// succeeds; a refusal comes back as a *syncml.Error and is answered here,
// the one place where such errors become Status (STYLE.md 3.2). Any other
// error fails the message (its transaction rolls back).
func (e *Handler) dispatch(w *engine.Work, st *sessionState, r *reply, c *syncml.Command, alerted []string) error {
	var err error
	switch c.Name {
	case "Status":
		err = e.handleStatus(w, st, c)
	case "Alert":
		err = e.handleAlert(w, st, r, c)
	case "Put", "Results":
		err = e.handleDevInf(w, st, r, c)
	case "Get":
		err = e.handleGet(st, r, c, alerted)
	case "Sync":
		err = e.handleSync(w, st, r, c)
	case "Map":
		err = e.handleMap(w, st, r, c)
	default:
		err = syncml.Errorf(syncml.StatusNotSupported, "unsupported command %s", c.Name)
	}
	var se *syncml.Error
	if !errors.As(err, &se) {
		return err
	}
	if se.Err != nil {
		e.log.Info("command refused", "cmd", c.Name, "status", int(se.Code), "device", st.DeviceID, "reason", se.Err)
	}
	// An Alert is answered even with NoResp: the device must learn that
	// its datastore was not opened.
	if !c.NoResp || c.Name == "Alert" {
		r.status(c, int(se.Code))
	}
	return nil
}

// finish encodes the reply and advances the server's MsgID. Commands the
// reply carries wait in the session for the next message, which this one
// announces by not being final.
func (e *Handler) finish(st *sessionState, r *reply, final bool) ([]byte, error) {
	var err error
	if st.Carried, err = packCarry(r.carry); err != nil {
		return nil, err
	}
	if r.full() {
		final = false
		st.ServerPackageOpen = true
	}
	m := &syncml.Message{Header: r.hdr, Commands: r.cmds, Final: final}
	m.Header.MsgID = strconv.Itoa(st.NextMsgID)
	st.NextMsgID++
	body, err := encodeMessage(m, st.encoding)
	if err != nil {
		return nil, fmt.Errorf("session: encode reply: %w", err)
	}
	return body, nil
}

func (e *Handler) replyHeader(st *sessionState, hdr *syncml.Header) syncml.Header {
	h := syncml.Header{
		VerDTD: st.VerDTD, VerProto: "SyncML/" + st.VerDTD, SessionID: hdr.SessionID,
		Target:     syncml.Loc{URI: hdr.Source.URI, Name: hdr.Source.Name},
		Source:     syncml.Loc{URI: hdr.Target.URI},
		RespURI:    st.RespURI,
		MaxMsgSize: e.maxMsgSize,
		MaxObjSize: e.maxObjSize,
	}
	return h
}

// refuse answers a session's first message whose credentials failed: 401
// (wrong) or 407 (missing) for the header and every command, with a Chal so
// that an MD5 client can retry with a fresh nonce. No session is opened.
func (e *Handler) refuse(ctx context.Context, msg *syncml.Message, auth authResult, req Request) (*Response, error) {
	hdr := &msg.Header
	user := claimedUser(hdr)
	delay := time.Duration(0)
	switch {
	case auth.unchecked:
		e.core.ReleaseLogin(user, req.Remote)
		e.log.Info("MD5 credentials without a usable nonce: challenged with a fresh one", "user", user,
			"device", hdr.Source.URI, "remote", req.Remote)
	case auth.status == 401:
		delay = e.core.LoginFailed(user, req.Remote)
		e.obs.AuthFailed(protocolSyncML)
		fallthrough
	default:
		e.log.Warn("authentication failed", "status", auth.status, "user", user, "device", hdr.Source.URI,
			"remote", req.Remote, "delay", delay)
	}
	engine.Pause(ctx, delay)
	nonce, nonceB64 := newNonce()
	// Issue the new nonce to this device of the user (a known device or a
	// first contact), so that an MD5 client retries with it (nonce.go).
	err := e.core.Update(ctx, func(w *engine.Work) error {
		return issueNonce(w, user, hdr.Source.URI, nonce, fmt.Sprintf("authentication failed (%d)", auth.status), putDevInf(msg))
	})
	if err != nil {
		return nil, err
	}
	r := newReply(syncml.Header{
		VerDTD: verDTD(hdr), VerProto: "SyncML/" + verDTD(hdr), SessionID: hdr.SessionID, MsgID: "1",
		Target: syncml.Loc{URI: hdr.Source.URI, Name: hdr.Source.Name}, Source: syncml.Loc{URI: hdr.Target.URI},
		MaxMsgSize: e.maxMsgSize,
	}, hdr.MsgID, 0)
	hs := syncml.NewHeaderStatus(*hdr, syncml.StatusCode(auth.status))
	hs.Chal = chal(true, nonceB64)
	r.add(hs)
	for _, c := range msg.Commands {
		if c.Name != "Status" && !c.NoResp {
			r.status(c, auth.status)
		}
	}
	body, err := encodeMessage(&syncml.Message{Header: r.hdr, Commands: r.cmds, Final: true}, req.Encoding)
	if err != nil {
		return nil, fmt.Errorf("session: encode reply: %w", err)
	}
	return &Response{Body: body, DeviceID: hdr.Source.URI, UserName: user, MsgNo: 1}, nil
}

// recordFailure notes on the device why its session failed, for the admin.
func (e *Handler) recordFailure(ctx context.Context, st *sessionState, auth authResult, hdr *syncml.Header, cause error) {
	var userID int64
	switch {
	case st != nil:
		userID = st.UserID
	case auth.user != nil:
		userID = auth.user.ID
	default:
		return
	}
	e.sessionFailed(st)
	err := e.core.Update(ctx, func(w *engine.Work) error {
		return w.RecordFailure("", userID, hdr.Source.URI, "", cause.Error())
	})
	if err != nil {
		e.log.Error("recording session failure", "err", err)
	}
	e.log.Error("session failed", slog.String("device", hdr.Source.URI), slog.Any("err", cause))
}
