package sockhub_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"anchorage/hub"
	"anchorage/hub/sockhub"
)

func TestAdminWriteWakesServer(t *testing.T) {
	dir := t.TempDir()
	// A socket file left by a server that was killed.
	if err := os.WriteFile(filepath.Join(dir, sockhub.Name), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	srv, err := sockhub.Listen(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	contacts, cancel := srv.Watch(hub.Key{User: "alice", Datastore: "contacts"})
	defer cancel()
	notes, cancel2 := srv.Watch(hub.Key{User: "alice", Datastore: "notes"})
	defer cancel2()

	admin := sockhub.NewNotifier(dir)
	if err := admin.Send("alice", "contacts"); err != nil {
		t.Fatal(err)
	}
	select {
	case <-contacts:
	case <-time.After(30 * time.Second):
		t.Fatal("the server was not woken by the admin command's notification")
	}
	// Datagrams of one sender arrive in order: once the marker arrived,
	// a stray notification of notes would have too.
	marker, cancel3 := srv.Watch(hub.Key{User: "bob", Datastore: "tasks"})
	defer cancel3()
	admin.Notify("bob", "tasks")
	select {
	case <-marker:
	case <-time.After(30 * time.Second):
		t.Fatal("Notify did not reach the server")
	}
	if len(notes) != 0 {
		t.Error("a write of contacts woke a watcher of notes")
	}

	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, sockhub.Name)); !os.IsNotExist(err) {
		t.Errorf("socket file left after Close: %v", err)
	}
	admin.Notify("alice", "contacts") // no server: nothing to do, no error
	if err := admin.Send("alice", "contacts"); err == nil {
		t.Error("Send without a server reported success")
	}
}
