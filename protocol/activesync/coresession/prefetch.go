package coresession

import (
	"bytes"
	"encoding/json"
	"fmt"

	"anchorage/protocol/activesync"
	"anchorage/protocol/engine"
)

// Every request asks for the device's wipe state and, once provisioned,
// its policy key before its command runs. Login reads both in its own
// read transaction rather than one transaction each. Each answers the
// first question only, and a write drops them, so that a later question
// reads what was written since.
type prefetched struct {
	wipe      *activesync.Wipe
	state     []byte // the device state as stored, nil when there is none
	haveState bool
}

// prefetchedWipe returns the wipe state Login read, once.
func (s *Session) prefetchedWipe() (activesync.Wipe, bool) {
	if s.pre == nil || s.pre.wipe == nil {
		return activesync.Wipe{}, false
	}
	wp := *s.pre.wipe
	s.pre.wipe = nil
	return wp, true
}

// prefetchedPolicyKey returns the policy key of the state Login read,
// once.
func (s *Session) prefetchedPolicyKey() (key uint32, ok bool, err error) {
	if s.pre == nil || !s.pre.haveState {
		return 0, false, nil
	}
	state := s.pre.state
	s.pre.state, s.pre.haveState = nil, false
	if state == nil {
		return 0, true, nil
	}
	key, err = policyKeyOf(state)
	return key, true, err
}

// prefetch reads what the request will ask for first, and when the
// device was last seen.
func (s *Session) prefetch(w *engine.Work) error {
	d, err := w.Device(s.user.ID, s.dev.ID)
	if err != nil {
		return err
	}
	if d != nil {
		s.seen = d.LastSeen
	}
	wp := wipeOf(d)
	row, err := w.Session(stateKey(s.user.ID, s.dev.ID))
	if err != nil {
		return err
	}
	p := &prefetched{wipe: &wp, haveState: true}
	if row != nil {
		p.state = row.State
	}
	s.pre = p
	return nil
}

// readWipe reads a device's remote-wipe state.
func readWipe(w *engine.Work, userID int64, deviceID string) (activesync.Wipe, error) {
	d, err := w.Device(userID, deviceID)
	if err != nil {
		return activesync.Wipe{}, err
	}
	return wipeOf(d), nil
}

// wipeOf is the remote-wipe state of a device (nil: never seen).
func wipeOf(d *engine.Device) activesync.Wipe {
	var wp activesync.Wipe
	if d == nil {
		return wp
	}
	wp.AccountOnly = d.WipeAccountOnly
	switch d.Wipe {
	case engine.WipePending:
		wp.State = activesync.WipePending
	case engine.WipeAcknowledged:
		wp.State = activesync.WipeAcknowledged
	case engine.WipeDone:
		wp.State = activesync.WipeDone
	}
	return wp
}

// policyKeyOf reads the policy key of an encoded device state without
// decoding its folders: json.Marshal writes deviceState's fields in their
// order, the device's description and the policy key before the rest. A
// key it does not expect has it decode the whole state.
func policyKeyOf(state []byte) (uint32, error) {
	dec := json.NewDecoder(bytes.NewReader(state))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return policyKeyDecoded(state)
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return policyKeyDecoded(state)
		}
		switch t {
		case "policy_key":
			var key uint32
			if err := dec.Decode(&key); err != nil {
				return policyKeyDecoded(state)
			}
			return key, nil
		case "type", "user_agent", "protocol_version":
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return policyKeyDecoded(state)
			}
		case "info", "folders", "ping":
			return 0, nil // written after the key: the key is 0 (omitted)
		default:
			return policyKeyDecoded(state)
		}
	}
	return 0, nil
}

// policyKeyDecoded reads the policy key of an encoded device state.
func policyKeyDecoded(state []byte) (uint32, error) {
	var st struct {
		PolicyKey uint32 `json:"policy_key"`
	}
	if err := json.Unmarshal(state, &st); err != nil {
		return 0, fmt.Errorf("coresession: read policy key: %w", err)
	}
	return st.PolicyKey, nil
}
