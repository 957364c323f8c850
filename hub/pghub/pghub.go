// Package pghub is a hub.Hub for several Anchorage processes on one
// PostgreSQL database: a write committed by one process wakes the
// requests parked in every process, through LISTEN/NOTIFY.
//
// Each process keeps its parked requests in a hub.Local and holds one
// dedicated connection that LISTENs on the channel anchorage_changes, not
// one per parked request. Notify wakes the local watchers at once and
// queues a NOTIFY (payload: the sending process, the user and the
// datastore) that a sender goroutine delivers on a connection of its own;
// the other processes' listeners wake their watchers.
//
// The NOTIFY is a statement of its own, sent after the writer's commit
// (the engine calls Notify only then), rather than a pg_notify inside the
// writer's transaction. PostgreSQL would deliver that one only on commit
// too, but a transaction that has issued NOTIFY takes a lock on the
// database-wide notification queue while it commits, so every writing
// transaction of every user would commit one after the other; sent
// aside and batched, the notifications cost the write path nothing. The
// price is that a process killed between its commit and the NOTIFY wakes
// no one elsewhere: those devices see the change at their next Ping, at
// most one heartbeat later, because a Ping looks for changes before it
// parks.
//
// Notifications may be lost while the listening connection is down. The
// listener therefore reconnects with backoff and then wakes every local
// watcher once: a waiter re-reads its state and parks again when nothing
// is new (package hub).
package pghub

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"anchorage/hub"
)

// Channel is the LISTEN/NOTIFY channel of change notifications.
const Channel = "anchorage_changes"

// Application names of the hub's connections, as pg_stat_activity shows
// them.
const (
	ListenApp = "anchorage-hub-listen"
	NotifyApp = "anchorage-hub-notify"
)

// Backoff bounds of reconnecting and resending.
const (
	minBackoff = 100 * time.Millisecond
	maxBackoff = 5 * time.Second
)

// Options configure a Hub.
type Options struct {
	// Listen receives other processes' notifications. A process that
	// only writes (an admin command) leaves it off and holds no
	// listening connection.
	Listen bool
	Logger *slog.Logger
}

// Hub is a hub.Hub across the processes on one database. It is safe for
// concurrent use; Close ends it.
type Hub struct {
	local  *hub.Local
	node   string // this process, so its own notifications are not taken twice
	log    *slog.Logger
	sender *pgxpool.Pool

	mu      sync.Mutex
	pending map[hub.Key]bool
	queued  chan struct{} // a value when pending was filled

	stop     context.CancelFunc
	done     sync.WaitGroup
	received atomic.Int64
	sent     atomic.Int64
	resumed  atomic.Int64
}

var _ hub.Hub = (*Hub)(nil)

// message is a notification's payload.
type message struct {
	Node      string `json:"n"`
	User      string `json:"u"`
	Datastore string `json:"d"`
}

// New connects to the database at url (a postgres:// URL as the store
// takes) and starts the sender and, with o.Listen, the listener. The
// first LISTEN has happened when New returns, so a write committed after
// that wakes this process's watchers.
func New(ctx context.Context, url string, o Options) (*Hub, error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	pcfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("change hub: %w", err)
	}
	pcfg.MaxConns = 1
	pcfg.ConnConfig.RuntimeParams["application_name"] = NotifyApp
	sender, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return nil, fmt.Errorf("change hub: %w", err)
	}
	var id [8]byte
	rand.Read(id[:])
	h := &Hub{local: hub.NewLocal(), node: hex.EncodeToString(id[:]), log: o.Logger, sender: sender,
		pending: map[hub.Key]bool{}, queued: make(chan struct{}, 1)}
	run, stop := context.WithCancel(context.Background())
	h.stop = stop
	if o.Listen {
		lcfg, err := pgx.ParseConfig(url)
		if err != nil {
			stop()
			sender.Close()
			return nil, fmt.Errorf("change hub: %w", err)
		}
		lcfg.RuntimeParams["application_name"] = ListenApp
		conn, err := listen(ctx, lcfg)
		if err != nil {
			stop()
			sender.Close()
			return nil, fmt.Errorf("change hub: %w", err)
		}
		h.done.Add(1)
		go h.listenLoop(run, lcfg, conn)
	}
	h.done.Add(1)
	go h.sendLoop(run)
	return h, nil
}

// Watch implements hub.Hub: the watchers are this process's.
func (h *Hub) Watch(keys ...hub.Key) (<-chan struct{}, func()) { return h.local.Watch(keys...) }

// Watching counts this process's subscriptions of a datastore.
func (h *Hub) Watching(user, datastore string) int { return h.local.Watching(user, datastore) }

// Notify implements hub.Hub: it wakes this process's watchers now and
// queues the notification of the other processes. It never blocks on the
// database; notifications queued before the sender got to them coalesce.
func (h *Hub) Notify(user, datastore string) {
	h.local.Notify(user, datastore)
	h.mu.Lock()
	h.pending[hub.Key{User: user, Datastore: datastore}] = true
	h.mu.Unlock()
	select {
	case h.queued <- struct{}{}:
	default:
	}
}

// Stats counts the notifications sent to and received from other
// processes, and the reconnects of the listener.
type Stats struct{ Sent, Received, Reconnects int64 }

// Stats returns the hub's counters.
func (h *Hub) Stats() Stats {
	return Stats{Sent: h.sent.Load(), Received: h.received.Load(), Reconnects: h.resumed.Load()}
}

// Close stops listening, sends what is still queued (waiting at most a
// few seconds for the database) and closes the connections. An admin
// command calls it before exiting so that its writes wake the servers.
func (h *Hub) Close() error {
	h.stop()
	h.done.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), maxBackoff)
	defer cancel()
	err := h.flush(ctx)
	h.sender.Close()
	return err
}

// listen opens the listening connection.
func listen(ctx context.Context, cfg *pgx.ConnConfig) (*pgx.Conn, error) {
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	if _, err := conn.Exec(ctx, "LISTEN "+Channel); err != nil {
		conn.Close(context.Background())
		return nil, fmt.Errorf("listen: %w", err)
	}
	return conn, nil
}

// listenLoop receives notifications on conn until it breaks, then
// reconnects with backoff and wakes every watcher once, for what it may
// have missed meanwhile.
func (h *Hub) listenLoop(ctx context.Context, cfg *pgx.ConnConfig, conn *pgx.Conn) {
	defer h.done.Done()
	for {
		err := h.receive(ctx, conn)
		conn.Close(context.Background())
		if ctx.Err() != nil {
			return
		}
		h.log.Warn("change hub: listening connection lost; reconnecting", "err", err)
		for backoff := minBackoff; ; backoff = min(2*backoff, maxBackoff) {
			if !sleep(ctx, backoff) {
				return
			}
			if conn, err = listen(ctx, cfg); err == nil {
				break
			}
			h.log.Warn("change hub: reconnecting", "err", err, "retry_in", min(2*backoff, maxBackoff).String())
		}
		h.resumed.Add(1)
		h.local.NotifyAll()
		h.log.Info("change hub: listening again; woke every parked request once")
	}
}

// receive hands each notification of another process to the local hub.
func (h *Hub) receive(ctx context.Context, conn *pgx.Conn) error {
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		var m message
		if err := json.Unmarshal([]byte(n.Payload), &m); err != nil {
			h.log.Warn("change hub: notification not understood", "payload", n.Payload, "err", err)
			continue
		}
		if m.Node == h.node {
			continue // Notify woke this process's watchers already
		}
		h.received.Add(1)
		h.local.Notify(m.User, m.Datastore)
	}
}

// sendLoop sends the queued notifications, retrying with backoff while
// the database cannot be reached.
func (h *Hub) sendLoop(ctx context.Context) {
	defer h.done.Done()
	backoff := minBackoff
	for {
		select {
		case <-ctx.Done():
			return
		case <-h.queued:
		}
		for {
			err := h.flush(ctx)
			if err == nil || ctx.Err() != nil {
				backoff = minBackoff
				break
			}
			h.log.Warn("change hub: sending notifications", "err", err, "retry_in", backoff.String())
			if !sleep(ctx, backoff) {
				return
			}
			backoff = min(2*backoff, maxBackoff)
		}
	}
}

// flush sends every queued notification in one statement; on failure
// they stay queued.
func (h *Hub) flush(ctx context.Context) error {
	h.mu.Lock()
	batch := h.pending
	h.pending = map[hub.Key]bool{}
	h.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	payloads := make([]string, 0, len(batch))
	for k := range batch {
		b, _ := json.Marshal(message{Node: h.node, User: k.User, Datastore: k.Datastore})
		payloads = append(payloads, string(b))
	}
	_, err := h.sender.Exec(ctx, "SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p", Channel, payloads)
	if err != nil {
		h.mu.Lock()
		for k := range batch {
			h.pending[k] = true
		}
		h.mu.Unlock()
		return fmt.Errorf("notify: %w", err)
	}
	h.sent.Add(int64(len(payloads)))
	return nil
}

// sleep waits d or until ctx ends; it reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
