package activesync

import "github.com/beevik/etree"

// Ping (MS-ASCMD 2.2.1.13) is a stub: it answers at once that nothing
// changed (status 1, heartbeat expired), which makes a client fall back to
// polling with Sync. A real Ping waits for the core's change notification
// up to HeartbeatInterval; that needs a Session method to wait on.
func (c *conn) ping(in *etree.Element) (*etree.Element, error) {
	out := newRoot("Ping", "Ping:")
	if in != nil && in.Tag != "Ping" {
		addInt(out, "Status", PingBadRequest)
		return out, nil
	}
	addInt(out, "Status", PingExpired)
	return out, nil
}
