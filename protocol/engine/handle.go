package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"anchorage/protocol/syncml"
	"anchorage/store"
)

// Each message is answered in one write transaction that loads the
// session, takes the leases of the datastores it alerts, applies it and
// saves the session: a fast session costs three serialised commits, one
// per message. Only a message that finds a datastore leased by another
// session leaves the transaction to wait (leaseDatastores) and comes back.

// errNoSession: the URL names no session of this device and client
// session; the message is taken as a first message.
var errNoSession = errors.New("engine: no such session")

// errLeaseBusy: a datastore the message alerts is leased by another
// session; the transaction is rolled back and the caller waits.
var errLeaseBusy = errors.New("engine: datastore leased by another session")

// leaseWaited is what the message's transaction knows about its leases: the
// caller already waited for them (done) and these stayed busy.
type leaseWaited struct {
	done bool
	busy map[string]bool
}

// HandleSyncML processes one SyncML message and returns the reply.
func (e *Engine) HandleSyncML(ctx context.Context, req Request) (*Response, error) {
	msg, err := decodeMessage(req.Body, req.Encoding)
	if err != nil {
		return nil, &RequestError{Status: 400, Err: fmt.Errorf("engine: decode message: %w", err)}
	}
	hdr := &msg.Header
	if hdr.MsgID == "" || hdr.Source.URI == "" {
		return nil, &RequestError{Status: 400, Err: errors.New("engine: SyncHdr lacks MsgID or Source")}
	}
	if n := countCommands(msg.Commands); n > e.maxCmds {
		return nil, &RequestError{Status: 413, Err: fmt.Errorf("engine: message holds %d commands, more than the limit %d", n, e.maxCmds)}
	}
	if req.SessionKey != "" {
		resp, err := e.continueSession(ctx, req, msg)
		if !errors.Is(err, errNoSession) {
			return resp, err
		}
	}
	return e.openSession(ctx, req, msg)
}

// continueSession answers a message posted to a session's RespURI.
func (e *Engine) continueSession(ctx context.Context, req Request, msg *syncml.Message) (*Response, error) {
	hdr := &msg.Header
	var wait leaseWaited
	for {
		var resp *Response
		var st *sessionState
		err := e.store.Update(ctx, func(tx store.Tx) error {
			var err error
			if st, err = loadSession(ctx, tx, req.SessionKey); err != nil {
				return err
			}
			// A session belongs to one device and one client session id: a
			// message claiming another one does not get into it.
			if st != nil && (st.DeviceID != hdr.Source.URI || st.ClientSessionID != hdr.SessionID) {
				e.log.Warn("message does not match its session", "session", req.SessionKey,
					"device", hdr.Source.URI, "session_device", st.DeviceID, "remote", req.Remote)
				st = nil
			}
			if st == nil {
				return errNoSession
			}
			if !st.Started.IsZero() && e.now().Sub(st.Started) > e.maxAge {
				e.log.Warn("session exceeded its lifetime", "session", st.Key, "device", st.DeviceID, "started", st.Started)
				return &RequestError{Status: 408, Err: fmt.Errorf("engine: session %s is older than %v; start a new sync", st.Key, e.maxAge)}
			}
			if st.LastClientMsgID == hdr.MsgID && st.LastResponse != nil {
				e.log.Info("retransmitted message answered again", "session", st.Key, "device", st.DeviceID, "msg", hdr.MsgID)
				resp = &Response{Body: st.LastResponse, SessionKey: st.Key, UserName: st.UserName, DeviceID: st.DeviceID, MsgNo: st.MsgCount}
				return nil
			}
			resp, err = e.answer(ctx, tx, st, msg, req, wait, nil)
			return err
		})
		if errors.Is(err, errLeaseBusy) && !wait.done {
			if wait.busy, err = e.leaseDatastores(ctx, st, msg); err != nil {
				return nil, err
			}
			wait.done = true
			continue
		}
		if err != nil {
			var re *RequestError
			if !errors.Is(err, errNoSession) && !errors.As(err, &re) {
				e.recordFailure(ctx, st, authResult{}, hdr, err)
			}
			return nil, err
		}
		return resp, nil
	}
}

// openSession answers a session's first message: a retransmission of one
// already answered gets the same answer; otherwise the credentials are
// checked and a new session starts.
func (e *Engine) openSession(ctx context.Context, req Request, msg *syncml.Message) (*Response, error) {
	hdr := &msg.Header
	var prev *sessionState
	var auth authResult
	err := e.store.View(ctx, func(tx store.Tx) error {
		var err error
		if req.SessionKey == "" && hdr.MsgID == "1" {
			if prev, err = loadAlias(ctx, tx, firstAlias(hdr, req.Body)); err != nil {
				return err
			}
			if prev != nil && prev.LastClientMsgID == "1" && prev.MsgCount == 1 && prev.LastResponse != nil {
				return nil // answered again below; its nonce is spent, so no auth
			}
			prev = nil
		}
		auth, err = e.authenticate(ctx, tx, hdr)
		return err
	})
	if err != nil {
		return nil, err
	}
	if prev != nil {
		e.log.Info("retransmitted first message answered again", "session", prev.Key, "device", prev.DeviceID)
		return &Response{Body: prev.LastResponse, SessionKey: prev.Key, UserName: prev.UserName, DeviceID: prev.DeviceID, MsgNo: 1}, nil
	}
	if auth.status != 212 {
		return e.refuse(ctx, msg, auth, req)
	}
	e.throttle.succeed(auth.user.Name, req.Remote)
	fresh := e.newSession(auth.user, hdr, req)

	var wait leaseWaited
	for {
		var resp *Response
		cur := *fresh // a rolled-back attempt must not leave its changes
		err := e.store.Update(ctx, func(tx store.Tx) error {
			var err error
			if resp, err = e.answer(ctx, tx, &cur, msg, req, wait, &auth); err != nil {
				return err
			}
			alias, _ := json.Marshal(sessionState{AliasOf: cur.Key})
			now := e.now()
			if err := tx.PutSession(ctx, &store.Session{Key: firstAlias(hdr, req.Body), UserID: cur.UserID,
				DeviceID: cur.DeviceID, State: alias, Created: now, UpdatedAt: now}); err != nil {
				return fmt.Errorf("engine: save session alias: %w", err)
			}
			return nil
		})
		if errors.Is(err, errLeaseBusy) && !wait.done {
			if wait.busy, err = e.leaseDatastores(ctx, fresh, msg); err != nil {
				return nil, err
			}
			wait.done = true
			continue
		}
		if err != nil {
			var re *RequestError
			if !errors.As(err, &re) {
				e.recordFailure(ctx, nil, auth, hdr, err)
			}
			return nil, err
		}
		return resp, nil
	}
}

// answer processes one message of st in tx and saves the session. The
// datastores the message alerts are leased first, in the same
// transaction; when another session holds one, it returns errLeaseBusy
// unless the caller already waited for them. auth is set for a session's
// first message.
func (e *Engine) answer(ctx context.Context, tx store.Tx, st *sessionState, msg *syncml.Message, req Request, wait leaseWaited, auth *authResult) (*Response, error) {
	var acquired []string
	if wait.done {
		st.busy = wait.busy
	} else {
		acquired = syncAlertNames(msg)
		if busy, _, err := e.acquireLeases(ctx, tx, st, acquired); err != nil {
			return nil, fmt.Errorf("engine: lease datastores: %w", err)
		} else if len(busy) > 0 {
			return nil, errLeaseBusy
		}
	}
	st.encoding = req.Encoding
	var a authResult
	if auth != nil {
		a = *auth
	}
	body, err := e.process(ctx, tx, st, msg, auth != nil, a)
	if err != nil {
		return nil, err
	}
	// The other leases are renewed after the message, in the same
	// transaction: none if it completed the session (and released them).
	if err := e.renewLeases(ctx, tx, st, acquired); err != nil {
		return nil, err
	}
	st.LastClientMsgID = msg.Header.MsgID
	st.LastResponse = body
	if err := e.saveSession(ctx, tx, st); err != nil {
		return nil, err
	}
	return &Response{Body: body, SessionKey: st.Key, UserName: st.UserName, DeviceID: st.DeviceID, MsgNo: st.MsgCount}, nil
}
