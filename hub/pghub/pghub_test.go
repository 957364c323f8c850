package pghub_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"anchorage/hub"
	"anchorage/hub/pghub"
	"anchorage/store/postgres/pgtest"
)

// patience bounds every wait for a notification, so that a lost one
// fails the test instead of hanging it.
const patience = 30 * time.Second

func open(t *testing.T, url string, listen bool) *pghub.Hub {
	t.Helper()
	h, err := pghub.New(context.Background(), url, pghub.Options{Listen: listen})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}

func await(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(patience):
		t.Fatalf("%s: no notification within %s", what, patience)
	}
}

// woken takes a pending notification (the hub's channels buffer one).
func woken(ch <-chan struct{}) bool {
	if len(ch) == 0 {
		return false
	}
	<-ch
	return true
}

// TestAcrossProcesses: a Notify on one hub wakes the watchers of that
// datastore on the other hubs of the database, and only those.
func TestAcrossProcesses(t *testing.T) {
	url := pgtest.Start(t).NewDatabase(t)
	node1, node2 := open(t, url, true), open(t, url, true)
	writer := open(t, url, false) // an admin command: sends, never listens

	contacts, cancel := node1.Watch(hub.Key{User: "alice", Datastore: "contacts"})
	defer cancel()
	calendar, cancel2 := node1.Watch(hub.Key{User: "alice", Datastore: "calendar"})
	defer cancel2()
	bobs, cancel3 := node1.Watch(hub.Key{User: "bob", Datastore: "contacts"})
	defer cancel3()
	own, cancel4 := node2.Watch(hub.Key{User: "alice", Datastore: "contacts"})
	defer cancel4()

	node2.Notify("alice", "contacts")
	if !woken(own) {
		t.Error("Notify did not wake its own process's watcher at once")
	}
	await(t, contacts, "node 1 after node 2's write")
	// Bob's watcher is the marker: notifications of one sender arrive
	// in order, so once the writer's notification of Bob arrived, one of
	// Alice's calendar would have too.
	writer.Notify("bob", "contacts")
	await(t, bobs, "node 1 after the admin command's write")
	if woken(calendar) {
		t.Error("a write of contacts woke a watcher of calendar")
	}
	if woken(own) {
		t.Error("node 2 took its own notification back from the database: woken twice")
	}
	if got := node2.Stats().Sent; got != 1 {
		t.Errorf("node 2 sent %d notifications, want 1", got)
	}
	if got := node1.Stats().Received; got != 2 {
		t.Errorf("node 1 received %d notifications, want 2", got)
	}
}

// TestCloseSendsQueued: an admin command's last write reaches the servers
// although the command exits right after it.
func TestCloseSendsQueued(t *testing.T) {
	url := pgtest.Start(t).NewDatabase(t)
	node := open(t, url, true)
	ch, cancel := node.Watch(hub.Key{User: "alice", Datastore: "notes"})
	defer cancel()
	writer, err := pghub.New(context.Background(), url, pghub.Options{})
	if err != nil {
		t.Fatal(err)
	}
	writer.Notify("alice", "notes")
	if err := writer.Close(); err != nil {
		t.Fatal(err)
	}
	await(t, ch, "after the writer closed")
}

// TestReconnect: when the listening connection is cut, the hub connects
// again, wakes every watcher once (notifications may have been missed)
// and receives the later ones.
func TestReconnect(t *testing.T) {
	c := pgtest.Start(t)
	url := c.NewDatabase(t)
	node1, node2 := open(t, url, true), open(t, url, true)
	ch, cancel := node1.Watch(hub.Key{User: "alice", Datastore: "tasks"})
	defer cancel()
	other, cancel2 := node1.Watch(hub.Key{User: "carol", Datastore: "calendar"})
	defer cancel2()

	ctx := context.Background()
	admin, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	var cut int
	if err := admin.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE application_name = $1`, pghub.ListenApp).Scan(&cut); err != nil || cut != 2 {
		t.Fatalf("terminating the listeners: %d cut, %v", cut, err)
	}
	await(t, ch, "the wake-up after the reconnect")
	await(t, other, "the wake-up after the reconnect, other datastore")
	if n := node1.Stats().Reconnects; n != 1 {
		t.Errorf("%d reconnects, want 1", n)
	}
	node2.Notify("alice", "tasks")
	await(t, ch, "a write after the reconnect")
}
