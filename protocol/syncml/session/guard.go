package session

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"anchorage/protocol/engine"
	"anchorage/protocol/syncml"
)

// The checks here keep one message from doing more than a SyncML client
// ever needs (issue 21): MsgIDs are numbers that go up, a retransmission is
// recognised by its bytes, commands of each kind are few per message, and
// a device runs one session at a time.

// maxPerKind bounds the top-level commands of one kind (Alert, Get, Put,
// Results, Sync, Map) in one message: a client sends about one per
// datastore. Item commands inside a Sync are bounded by MaxCommands.
const maxPerKind = 64

// maxMsgGap bounds how far a message's MsgID may run ahead of the last one
// saved: messages answered without saving (answerTrailing) leave gaps of
// one or two.
const maxMsgGap = 16

// deviceBusyRetry is the Retry-After of a second session of a device that
// already runs one.
const deviceBusyRetry = time.Minute

// errDeviceBusy: the device already runs another session that is not over.
var errDeviceBusy = errors.New("session: the device already runs a session")

// errSuperseded: a newer session of the device took this one's datastores.
var errSuperseded = errors.New("session: a newer session of this device took over its datastores")

// checkMessage refuses a message that no conforming client sends: a MsgID
// that is not a positive number, or too many commands of one kind.
func (e *Handler) checkMessage(msg *syncml.Message) error {
	if n, err := strconv.Atoi(msg.Header.MsgID); err != nil || n < 1 {
		return &RequestError{Status: 400, Err: fmt.Errorf("session: MsgID %q is not a positive number (RepPro 5.1.2)", msg.Header.MsgID)}
	}
	if n := countCommands(msg.Commands); n > e.maxCmds {
		return &RequestError{Status: 413, Err: fmt.Errorf("session: message holds %d commands, more than the limit %d", n, e.maxCmds)}
	}
	kinds := map[string]int{}
	for _, c := range msg.Commands {
		if c.Name == "Status" {
			continue // statuses answer our commands and cost no reply
		}
		if kinds[c.Name]++; kinds[c.Name] > maxPerKind {
			return &RequestError{Status: 413, Err: fmt.Errorf("session: message holds more than %d %s commands", maxPerKind, c.Name)}
		}
	}
	return nil
}

// bodyHash identifies a message by its bytes, so that a retransmission is
// told from a different message under the same MsgID.
func bodyHash(body []byte) string {
	h := sha256.Sum256(body)
	return hex.EncodeToString(h[:16])
}

// checkSequence decides what a message posted to st is: a retransmission
// of the last one (answered again from the saved reply), the next one, or
// out of order (refused: a MsgID already used for other content, or one
// that does not follow).
func checkSequence(st *sessionState, msg *syncml.Message, body []byte) (retransmit bool, err error) {
	cur, _ := strconv.Atoi(msg.Header.MsgID) // checkMessage made sure it is a number
	last, lerr := strconv.Atoi(st.LastClientMsgID)
	if lerr != nil {
		return false, nil // a session saved before MsgIDs were checked
	}
	if cur == last {
		if st.LastRequest == "" && st.LastResponse != nil || st.LastRequest == bodyHash(body) && st.LastResponse != nil {
			return true, nil
		}
		return false, &RequestError{Status: 400, Err: fmt.Errorf("session: message %d of session %s repeats a MsgID with different content", cur, st.Key)}
	}
	if cur < last || cur > last+maxMsgGap {
		return false, &RequestError{Status: 400, Err: fmt.Errorf("session: message %d of session %s does not follow message %d", cur, st.Key, last)}
	}
	return false, nil
}

// credHash identifies the credentials a session was opened with.
func credHash(c *syncml.Cred) string {
	if c == nil {
		return ""
	}
	h := sha256.Sum256([]byte(c.Type + "\x00" + c.Data))
	return hex.EncodeToString(h[:16])
}

// errBadCredentials: a message of an established session carries
// credentials that do not authenticate its user.
var errBadCredentials = errors.New("session: wrong credentials in an established session")

// recheckCredentials checks credentials a later message of a session
// carries (a client may repeat them, SyncML Security 5): the ones the
// session opened with, or others that authenticate the session's user, are
// fine; anything else ends the session.
func (e *Handler) recheckCredentials(w *engine.Work, st *sessionState, hdr *syncml.Header) error {
	if hdr.Cred == nil || credHash(hdr.Cred) == st.Cred {
		return nil
	}
	a, err := e.authenticate(w, hdr)
	if err != nil {
		return err
	}
	if a.status == 212 && a.user.ID == st.UserID {
		return nil
	}
	return errBadCredentials
}

// endSession drops a session whose message carried wrong credentials and
// answers that message with 401: nothing of the message is applied.
func (e *Handler) endSession(ctx context.Context, st *sessionState, msg *syncml.Message, req Request) (*Response, error) {
	e.log.Warn("wrong credentials end the session", "session", st.Key, "user", st.UserName, "device", st.DeviceID, "remote", req.Remote)
	err := e.core.Update(ctx, func(w *engine.Work) error {
		if err := w.ReleaseLeases(st.Key); err != nil {
			return err
		}
		return w.DeleteSession(st.Key)
	})
	if err != nil {
		return nil, fmt.Errorf("session: end session %s: %w", st.Key, err)
	}
	return e.refuse(ctx, msg, authResult{status: 401}, req)
}

// sharedDevice is the lease guard of session st: a running session of its
// device that has the same client session id is not abandoned but another
// client sharing the device id (a cloned profile), and taking its
// datastores would answer one client with the other's statuses. The
// newcomer gets 503 with Retry-After instead.
func (e *Handler) sharedDevice(st *sessionState) engine.LeaseGuard {
	return func(w *engine.Work, holder string) error {
		other, err := loadSession(w, holder)
		if err != nil {
			return err
		}
		if other != nil && !other.Complete && other.ClientSessionID == st.ClientSessionID {
			e.log.Warn("second session of a device refused", "user", st.UserName, "device", st.DeviceID,
				"running", holder, "client_session", st.ClientSessionID)
			return &RequestError{Status: 503, RetryAfter: deviceBusyRetry, Err: fmt.Errorf(
				"%w: device %q already runs session %s %q; retry when it is over", errDeviceBusy, st.DeviceID, holder, st.ClientSessionID)}
		}
		return nil
	}
}
