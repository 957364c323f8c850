package session

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"anchorage/protocol/engine"
	"anchorage/protocol/syncml"
)

// Each message is answered in one write transaction that loads the
// session, takes the leases of the datastores it alerts, applies it and
// saves the session: a fast session costs three serialised commits, one
// per message. Only a message that finds a datastore leased by another
// session leaves the transaction to wait (leaseDatastores) and comes back.

// errNoSession: the URL names no session of this device and client
// session; the message is taken as a first message.
var errNoSession = errors.New("session: no such session")

// errLeaseBusy: a datastore the message alerts is leased by another
// session; the transaction is rolled back and the caller waits.
var errLeaseBusy = errors.New("session: datastore leased by another session")

// leaseWaited is what the message's transaction knows about its leases: the
// caller already waited for them (done) and these stayed busy.
type leaseWaited struct {
	done bool
	busy map[string]bool
}

// HandleSyncML processes one SyncML message and returns the reply.
func (e *Handler) HandleSyncML(ctx context.Context, req Request) (*Response, error) {
	defer e.messageAnswered(time.Now())
	msg, err := decodeMessage(req.Body, req.Encoding)
	if err != nil {
		return nil, &RequestError{Status: 400, Err: fmt.Errorf("session: decode message: %w", err)}
	}
	hdr := &msg.Header
	if hdr.MsgID == "" || hdr.Source.URI == "" {
		return nil, &RequestError{Status: 400, Err: errors.New("session: SyncHdr lacks MsgID or Source")}
	}
	if err := e.checkMessage(msg); err != nil {
		return nil, err
	}
	if req.SessionKey != "" {
		if onlyStatuses(msg) {
			if resp := e.answerTrailing(ctx, req, msg); resp != nil {
				return resp, nil
			}
		}
		resp, err := e.continueSession(ctx, req, msg)
		if !errors.Is(err, errNoSession) {
			return resp, err
		}
	}
	return e.openSession(ctx, req, msg)
}

// continueSession answers a message posted to a session's RespURI.
func (e *Handler) continueSession(ctx context.Context, req Request, msg *syncml.Message) (*Response, error) {
	hdr := &msg.Header
	var wait leaseWaited
	for {
		var resp *Response
		var st *sessionState
		err := e.core.Update(ctx, func(w *engine.Work) error {
			var err error
			if st, err = loadSession(w, req.SessionKey); err != nil {
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
				return &RequestError{Status: 408, Err: fmt.Errorf("session: session %s is older than %v; start a new sync", st.Key, e.maxAge)}
			}
			retransmit, err := checkSequence(st, msg, req.Body)
			if err != nil {
				e.log.Warn("message out of sequence", "session", st.Key, "device", st.DeviceID, "remote", req.Remote, "err", err)
				return err
			}
			if retransmit {
				e.log.Info("retransmitted message answered again", "session", st.Key, "device", st.DeviceID, "msg", hdr.MsgID)
				resp = &Response{Body: st.LastResponse, SessionKey: st.Key, UserName: st.UserName, DeviceID: st.DeviceID, MsgNo: st.MsgCount}
				return nil
			}
			if err := e.recheckCredentials(w, st, hdr); err != nil {
				return err
			}
			resp, err = e.answer(w, st, msg, req, wait, nil)
			return err
		})
		if errors.Is(err, errLeaseBusy) && !wait.done {
			if wait.busy, err = e.core.WaitLeases(ctx, st.partner(), syncAlertNames(msg), e.sharedDevice(st)); err != nil {
				return nil, err
			}
			wait.done = true
			continue
		}
		if errors.Is(err, errBadCredentials) {
			return e.endSession(ctx, st, msg, req)
		}
		if err != nil {
			var re *RequestError
			if !errors.Is(err, errNoSession) && !errors.As(err, &re) {
				e.recordFailure(ctx, st, authResult{}, hdr, err)
			}
			return nil, err
		}
		e.flushObserved(st)
		return resp, nil
	}
}

// onlyStatuses tells whether a message carries nothing but Status commands.
func onlyStatuses(msg *syncml.Message) bool {
	for _, c := range msg.Commands {
		if c.Name != "Status" {
			return false
		}
	}
	return true
}

// answerTrailing answers, in a read transaction, a message that changes
// nothing: the device's statuses for our last message of a session that
// already completed (the third message of a fast session). Nothing is
// saved, so the message takes no turn on the single writer. A
// retransmission of it is answered again from the same state, with the same
// bytes, and a later message of the session numbers our reply after it
// (msgGap). It returns nil when the message needs the write path: the
// session is not complete, a status answers a command still awaiting one,
// the message does not follow the last saved one, or anything fails.
func (e *Handler) answerTrailing(ctx context.Context, req Request, msg *syncml.Message) *Response {
	hdr := &msg.Header
	var resp *Response
	err := e.core.View(ctx, func(w *engine.Work) error {
		st, err := loadSession(w, req.SessionKey)
		if err != nil || st == nil || !st.Complete || st.DeviceID != hdr.Source.URI ||
			st.ClientSessionID != hdr.SessionID || st.LastResponse == nil || len(st.Carried) > 0 ||
			!st.Started.IsZero() && e.now().Sub(st.Started) > e.maxAge {
			return err
		}
		if last, err1 := strconv.Atoi(st.LastClientMsgID); err1 != nil {
			return nil
		} else if cur, err2 := strconv.Atoi(hdr.MsgID); err2 != nil || cur <= last {
			return nil // a retransmission, or not numbered as expected
		}
		for _, c := range msg.Commands {
			for _, ds := range st.Datastores {
				if _, ok := ds.Sent[c.MsgRef+"/"+c.CmdRef]; ok {
					return nil // handleStatus would write
				}
			}
		}
		st.encoding = req.Encoding
		body, err := e.process(w, st, msg, false, authResult{})
		if err != nil {
			return err
		}
		resp = &Response{Body: body, SessionKey: st.Key, UserName: st.UserName, DeviceID: st.DeviceID, MsgNo: st.MsgCount}
		return nil
	})
	if err != nil {
		e.log.Debug("trailing statuses go the write path", "session", req.SessionKey, "err", err)
		return nil
	}
	return resp
}

// msgGap is the number of client messages between the last one saved and
// cur that answerTrailing answered without saving: our replies to them used
// that many MsgIDs.
func msgGap(last, cur string) int {
	l, err1 := strconv.Atoi(last)
	c, err2 := strconv.Atoi(cur)
	if err1 != nil || err2 != nil || c <= l+1 || c-l > 1<<20 {
		return 0
	}
	return c - l - 1
}

// openSession answers a session's first message: a retransmission of one
// already answered gets the same answer; otherwise the credentials are
// checked and a new session starts.
func (e *Handler) openSession(ctx context.Context, req Request, msg *syncml.Message) (*Response, error) {
	hdr := &msg.Header
	var prev *sessionState
	var auth authResult
	err := e.core.View(ctx, func(w *engine.Work) error {
		var err error
		if req.SessionKey == "" && hdr.MsgID == "1" {
			if prev, err = loadAlias(w, firstAlias(hdr, req.Body)); err != nil {
				return err
			}
			if prev != nil && prev.LastClientMsgID == "1" && prev.MsgCount == 1 && prev.LastResponse != nil {
				return nil // answered again below; its nonce is spent, so no auth
			}
			prev = nil
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if prev != nil {
		e.log.Info("retransmitted first message answered again", "session", prev.Key, "device", prev.DeviceID)
		return &Response{Body: prev.LastResponse, SessionKey: prev.Key, UserName: prev.UserName, DeviceID: prev.DeviceID, MsgNo: 1}, nil
	}
	if err := e.admitCheck(ctx, hdr, req); err != nil {
		return nil, err
	}
	err = e.core.View(ctx, func(w *engine.Work) error {
		var err error
		auth, err = e.authenticate(w, hdr)
		return err
	})
	if err != nil {
		return nil, err
	}
	if auth.status != 212 {
		return e.refuse(ctx, msg, auth, req)
	}
	e.core.LoginSucceeded(auth.user.Name, req.Remote)
	e.core.ReleaseLogin(claimedUser(hdr), req.Remote)
	fresh := e.newSession(auth.user, hdr, req)

	var wait leaseWaited
	for {
		var resp *Response
		cur := *fresh // a rolled-back attempt must not leave its changes
		err := e.core.Update(ctx, func(w *engine.Work) error {
			if auth.md5 {
				if err := spendNonce(w, &cur, auth); err != nil {
					return err
				}
			}
			var err error
			if resp, err = e.answer(w, &cur, msg, req, wait, &auth); err != nil {
				return err
			}
			alias, _ := json.Marshal(sessionState{AliasOf: cur.Key})
			if err := w.PutSession(firstAlias(hdr, req.Body), &engine.SessionRow{UserID: cur.UserID,
				DeviceID: cur.DeviceID, State: alias}); err != nil {
				return fmt.Errorf("session: save session alias: %w", err)
			}
			return nil
		})
		if errors.Is(err, errLeaseBusy) && !wait.done {
			if wait.busy, err = e.core.WaitLeases(ctx, cur.partner(), syncAlertNames(msg), e.sharedDevice(&cur)); err != nil {
				return nil, err
			}
			wait.done = true
			continue
		}
		if errors.Is(err, errNonceSpent) {
			// A replayed digest, or two first messages racing for one
			// nonce: only one of them opens a session.
			return e.refuse(ctx, msg, authResult{status: 401}, req)
		}
		if err != nil {
			var re *RequestError
			if !errors.As(err, &re) {
				e.recordFailure(ctx, nil, auth, hdr, err)
			}
			return nil, err
		}
		e.flushObserved(&cur)
		return resp, nil
	}
}

// answer processes one message of st in tx and saves the session. The
// datastores the message alerts are leased first, in the same
// transaction; when another session holds one, it returns errLeaseBusy
// unless the caller already waited for them. auth is set for a session's
// first message.
func (e *Handler) answer(w *engine.Work, st *sessionState, msg *syncml.Message, req Request, wait leaseWaited, auth *authResult) (*Response, error) {
	if auth != nil {
		// Which partnership: before any lease or datastore is taken.
		if err := e.resolvePartner(w, st, msg); err != nil {
			return nil, err
		}
	}
	var acquired []string
	if wait.done {
		st.busy = wait.busy
	} else {
		acquired = syncAlertNames(msg)
		if busy, err := w.Lease(st.partner(), acquired, e.sharedDevice(st)); err != nil {
			return nil, err
		} else if len(busy) > 0 {
			return nil, errLeaseBusy
		}
	}
	// The other leases are renewed before the message is applied, in the
	// same transaction (a session that completes releases them all).
	if err := e.renewLeases(w, st, acquired); err != nil {
		return nil, err
	}
	st.encoding = req.Encoding
	var a authResult
	if auth != nil {
		a = *auth
	}
	body, err := e.process(w, st, msg, auth != nil, a)
	if err != nil {
		return nil, err
	}
	st.LastClientMsgID = msg.Header.MsgID
	st.LastRequest = bodyHash(req.Body)
	st.LastResponse = body
	if err := e.saveSession(w, st); err != nil {
		return nil, err
	}
	return &Response{Body: body, SessionKey: st.Key, UserName: st.UserName, DeviceID: st.DeviceID, MsgNo: st.MsgCount}, nil
}
