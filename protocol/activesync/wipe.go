package activesync

import (
	"context"
	"net/http"
	"strconv"

	"github.com/beevik/etree"
)

// Remote wipe (MS-ASPROV 3.2.5.1.2). The admin marks a device (anchorage
// device wipe); while the wipe is pending every command of the device is
// answered 449, so that it provisions, and Provision carries RemoteWipe
// (or AccountOnlyRemoteWipe, EAS 16.1 only). The device's acknowledgement moves
// the wipe to acknowledged; when the wiped device comes back it is
// refused with 403 and the wipe is done. Only `device remove` lets it sync
// again. A wipe never deletes the user's data on the server.

// WipeState is where a remote wipe of the device stands.
type WipeState int

const (
	WipeNone         WipeState = iota
	WipePending                // sent with Provision until acknowledged
	WipeAcknowledged           // the device reported the wipe
	WipeDone                   // the wiped device came back and was refused
)

// Wipe is the device's remote-wipe state as the Session reports it.
type Wipe struct {
	State       WipeState
	AccountOnly bool // AccountOnlyRemoteWipe: remove only this account (16.1)
}

// Wiper is the wipe part of Session.
type Wiper interface {
	// WipeState returns the device's remote-wipe state.
	WipeState(ctx context.Context) (Wipe, error)
	// AckWipe moves the wipe forward, to WipeAcknowledged (the device's
	// acknowledgement) or WipeDone (the wiped device came back). It is
	// stored before the answer is sent.
	AckWipe(ctx context.Context, to WipeState) error
}

// wipeGate answers a request of a device under a wipe: false when the
// command may run (no wipe, or a Provision that carries the directive).
func (c *conn) wipeGate() (bool, error) {
	ctx := c.r.Context()
	w, err := c.sess.WipeState(ctx)
	if err != nil {
		return false, err
	}
	c.wipe = w
	switch w.State {
	case WipeNone:
		return false, nil
	case WipeAcknowledged:
		if err := c.sess.AckWipe(ctx, WipeDone); err != nil {
			return false, err
		}
		fallthrough
	case WipeDone:
		c.srv.fail(c.w, c.r, http.StatusForbidden, "device was wiped; `anchorage device remove` lets it sync again")
		return true, nil
	}
	if w.AccountOnly && !atLeast(c.req.ProtocolVersion, 16.1) {
		// No account-only directive before 16.1, and a full wipe was not
		// asked for. `device wipe --account-only` refuses devices known to
		// speak less; one that spoke 16.1 then and less now is refused
		// for good instead: the wipe is done (the account is cut off from
		// the device), not left pending for a directive it cannot take.
		if err := c.sess.AckWipe(c.r.Context(), WipeDone); err != nil {
			return false, err
		}
		c.srv.fail(c.w, c.r, http.StatusForbidden, "account removed from this device (account-only wipe needs EAS 16.1; the device speaks "+c.req.ProtocolVersion+")")
		return true, nil
	}
	if c.req.Cmd == "Provision" {
		return false, nil
	}
	c.srv.fail(c.w, c.r, 449, "remote wipe pending: device must provision")
	return true, nil
}

// provisionWipe answers a Provision while a wipe is pending: the
// directive, or the answer to the device's acknowledgement.
func (c *conn) provisionWipe(in *etree.Element, out *etree.Element) error {
	directive := "RemoteWipe"
	if c.wipe.AccountOnly {
		directive = "AccountOnlyRemoteWipe"
	}
	ack := in.FindElement(directive)
	if ack != nil && text(ack, "Status") == "1" {
		if err := c.sess.AckWipe(c.r.Context(), WipeAcknowledged); err != nil {
			return err
		}
		c.srv.log.Info("activesync: device acknowledged the remote wipe", "user", c.user,
			"device", c.req.DeviceID, "accountOnly", c.wipe.AccountOnly)
		addInt(out, "Status", ProvisionOK)
		return nil
	}
	if ack != nil {
		// The wipe failed on the device: status 2 and the directive
		// again (MS-ASPROV 3.2.5.1.2.2).
		c.srv.log.Warn("activesync: device reports a failed remote wipe", "user", c.user, "device", c.req.DeviceID)
		addInt(out, "Status", ProvisionProtocolError)
	} else {
		addInt(out, "Status", ProvisionOK)
	}
	add(out, directive, "")
	return nil
}

// atLeast tells whether an MS-ASProtocolVersion is v or later.
func atLeast(version string, v float64) bool {
	f, err := strconv.ParseFloat(version, 64)
	return err == nil && f >= v
}
