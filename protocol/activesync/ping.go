package activesync

import (
	"strconv"
	"time"

	"github.com/beevik/etree"
)

// Ping (MS-ASCMD 2.2.1.13, 3.1.5.8) parks until one of the device's
// folders changes (status 2 with those folders) or the heartbeat ends
// (status 1). Heartbeat and folders the request leaves out are the ones
// of the device's last Ping (the Session stores them, so they survive a
// restart and reach every node). A newer request of the same device ends
// a parked one with status 1.
func (c *conn) ping(in *etree.Element) (*etree.Element, error) {
	if in != nil && in.Tag != "Ping" {
		return pingAnswer(PingBadRequest), nil
	}
	p, ok := c.sess.(Pusher)
	if !ok {
		// No push behind this Session: nothing changed, the client polls.
		return pingAnswer(PingExpired), nil
	}
	ctx := c.r.Context()
	stored, err := p.PingParams(ctx)
	if err != nil {
		return nil, err
	}
	req, st := readPing(in)
	if st != 0 {
		return pingAnswer(st), nil
	}
	params := stored
	if req.HeartbeatSeconds != 0 {
		params.HeartbeatSeconds = req.HeartbeatSeconds
	}
	if req.FolderIDs != nil {
		params.FolderIDs = req.FolderIDs
	}
	if params.HeartbeatSeconds == 0 || len(params.FolderIDs) == 0 {
		return pingAnswer(PingNeedFolders), nil
	}
	hb := time.Duration(params.HeartbeatSeconds) * time.Second
	if limit, bad := c.heartbeatLimit(hb); bad {
		out := pingAnswer(PingBadHeartbeat)
		addInt(out, "HeartbeatInterval", int(limit/time.Second))
		return out, nil
	}
	if n := len(params.FolderIDs); n > c.srv.opts.MaxFolders {
		out := pingAnswer(PingTooManyFolders)
		addInt(out, "MaxFolders", c.srv.opts.MaxFolders)
		return out, nil
	}
	for _, id := range params.FolderIDs {
		if _, ok, err := c.folder(id); err != nil {
			return nil, err
		} else if !ok {
			// A folder the hierarchy no longer has.
			return pingAnswer(PingHierarchyChanged), nil
		}
	}
	if req.HeartbeatSeconds != 0 || req.FolderIDs != nil {
		if err := p.SetPingParams(ctx, params); err != nil {
			return nil, err
		}
	}
	// The Inbox carries no mail here and never changes. Nothing of the
	// request but the folders and the heartbeat is needed from here on,
	// and the answer is built after the wait: a parked Ping keeps little.
	folders := withoutInbox(params.FolderIDs)
	changed, why, err := c.waitChanges(p, folders, hb)
	if err != nil {
		return nil, err
	}
	if why != waitChanged {
		return pingAnswer(PingExpired), nil
	}
	out := pingAnswer(PingChanges)
	fs := add(out, "Folders", "")
	for _, id := range changed {
		add(fs, "Folder", id)
	}
	return out, nil
}

// pingAnswer is a Ping answer with its status.
func pingAnswer(st PingStatus) *etree.Element {
	out := newRoot("Ping", "Ping:")
	addInt(out, "Status", st)
	return out
}

// readPing reads the request's heartbeat and folders; FolderIDs is nil when
// the request has no Folders. A non-zero status means a malformed request.
func readPing(in *etree.Element) (PingParams, PingStatus) {
	var p PingParams
	if in == nil {
		return p, 0
	}
	if e := in.FindElement("HeartbeatInterval"); e != nil {
		n, err := strconv.Atoi(e.Text())
		if err != nil || n <= 0 {
			return p, PingBadRequest
		}
		p.HeartbeatSeconds = n
	}
	if fs := in.FindElement("Folders"); fs != nil {
		p.FolderIDs = []string{}
		for _, f := range fs.SelectElements("Folder") {
			id := text(f, "Id")
			if id == "" {
				return p, PingBadRequest
			}
			p.FolderIDs = append(p.FolderIDs, id)
		}
		if len(p.FolderIDs) == 0 {
			return p, PingNeedFolders
		}
	}
	return p, 0
}

// heartbeatLimit returns the bound hb breaks, if any.
func (c *conn) heartbeatLimit(hb time.Duration) (time.Duration, bool) {
	switch o := c.srv.opts; {
	case hb < o.MinHeartbeat:
		return o.MinHeartbeat, true
	case hb > o.MaxHeartbeat:
		return o.MaxHeartbeat, true
	}
	return 0, false
}

func withoutInbox(ids []string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if id != inboxID {
			out = append(out, id)
		}
	}
	return out
}
