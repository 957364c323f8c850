package activesync

import (
	"context"
	"net/http"
	"sync"
	"time"
)

// The push part of the seam: Ping (ping.go) and a hanging Sync (sync.go)
// park a request until a watched folder changes or the heartbeat ends.
// A parked request holds a goroutine, a timer and the channel of Watch;
// it must not hold a database connection or poll the store. The core
// backs Watch with the change hub (package hub), whose notifications come
// only after a write has committed and may be coalesced, so the front end
// always asks Changed after a wake-up and parks again when nothing is new.

// Pusher is implemented by a Session that supports Ping and the hanging
// Sync. A Session without it answers Ping with status 1 at once, which
// makes a client poll with Sync.
type Pusher interface {
	// Changed returns, of the given folders, those holding changes the
	// device has not received through Sync (relative to the state of its
	// newest SyncKey for the folder, excluding the device's own writes),
	// in the order given. A folder the device has not synced yet has no
	// changes. It opens and ends its own read transaction.
	Changed(ctx context.Context, folderIDs []string) ([]string, error)
	// Watch subscribes to changes of the datastores behind the folders:
	// the channel gets a value after any of them changed (after commit).
	// cancel ends the subscription and is called exactly once. Watch is
	// called before Changed, so that no change between the two is lost.
	Watch(folderIDs []string) (wake <-chan struct{}, cancel func())
	// PingParams returns the device's last Ping parameters (zero when
	// none). They must outlive the process and be visible to every server
	// node: an empty Ping repeats them (MS-ASCMD 2.2.3.88.1).
	PingParams(ctx context.Context) (PingParams, error)
	// SetPingParams stores the parameters of a Ping that carried some.
	SetPingParams(ctx context.Context, p PingParams) error
}

// PingParams are what a Ping request may leave out because the server
// remembers them per user and device.
type PingParams struct {
	HeartbeatSeconds int
	FolderIDs        []string
}

// Bounds of parked requests, defaults of Options.
const (
	defaultMinHeartbeat = 60 * time.Second
	defaultMaxHeartbeat = 3540 * time.Second // Exchange's 59 minutes
	defaultMaxFolders   = 300
)

// parking ends a device's parked request when a newer one of the same
// device arrives (MS-ASCMD 3.1.5.8: the server answers the older one).
// It is per process; across server nodes the newer request still sees
// every change, and the older one ends at its heartbeat.
type parking struct {
	mu     sync.Mutex
	parked map[string]chan struct{} // user/device -> closed when superseded
}

// park registers a request of user and device and returns a channel that
// is closed when a newer one arrives, and a release for the end of the
// request.
func (p *parking) park(user, device string) (<-chan struct{}, func()) {
	key := user + "\x00" + device
	ch := make(chan struct{})
	p.mu.Lock()
	if p.parked == nil {
		p.parked = map[string]chan struct{}{}
	}
	if old, ok := p.parked[key]; ok {
		close(old)
	}
	p.parked[key] = ch
	p.mu.Unlock()
	return ch, func() {
		p.mu.Lock()
		if p.parked[key] == ch {
			delete(p.parked, key)
		}
		p.mu.Unlock()
	}
}

// waitResult says why a wait ended.
type waitResult int

const (
	waitChanged    waitResult = iota // Changed returned folders
	waitExpired                      // the heartbeat ended
	waitSuperseded                   // a newer request of the device arrived
	waitGone                         // the client went away
)

// waitChanges parks until one of folders has changes for the device, the
// heartbeat ends, a newer request of the device arrives or the client
// disconnects. It returns the changed folders with waitChanged.
func (c *conn) waitChanges(p Pusher, folders []string, heartbeat time.Duration) ([]string, waitResult, error) {
	ctx := c.r.Context()
	// The HTTP server's write timeout is shorter than a long heartbeat;
	// this request may take the heartbeat and a margin to answer.
	_ = http.NewResponseController(c.w).SetWriteDeadline(time.Now().Add(heartbeat + 30*time.Second))
	wake, cancel := p.Watch(folders)
	defer cancel()
	superseded, release := c.srv.parking.park(c.user, c.req.DeviceID)
	defer release()
	timer := time.NewTimer(heartbeat)
	defer timer.Stop()
	for first := true; ; first = false {
		changed, err := p.Changed(ctx, folders)
		if err != nil {
			return nil, 0, err
		}
		if len(changed) > 0 {
			return changed, waitChanged, nil
		}
		if parked := c.srv.opts.Parked; first && parked != nil {
			parked(1)
			defer parked(-1)
		}
		select {
		case <-wake:
		case <-timer.C:
			return nil, waitExpired, nil
		case <-superseded:
			return nil, waitSuperseded, nil
		case <-ctx.Done():
			return nil, waitGone, nil
		}
	}
}
