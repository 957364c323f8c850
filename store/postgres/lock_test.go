package postgres_test

import (
	"context"
	"testing"
	"time"

	"anchorage/store"
	"anchorage/store/postgres"
	"anchorage/store/postgres/pgtest"
)

// TestDatastoreLock opens the database twice, as two nodes would, and
// shows the concurrency contract of store.Store across them: an Update of
// a datastore waits for another node's open Update of the same datastore
// (and then sees its sequence), while an Update of another user's
// datastore does not wait.
func TestDatastoreLock(t *testing.T) {
	c := pgtest.Start(t)
	url := c.NewDatabase(t)
	ctx := t.Context()
	open := func() *postgres.Store {
		s, err := postgres.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	node1, node2 := open(), open()
	var ids []int64
	if err := node1.Update(ctx, func(tx store.Tx) error {
		for _, name := range []string{"alice", "bob"} {
			u := &store.User{Name: name}
			if err := tx.CreateUser(ctx, u); err != nil {
				return err
			}
			ids = append(ids, u.ID)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	alice, bob := ids[0], ids[1]
	write := func(s store.Store, user int64, guid string) (int64, error) {
		var seq int64
		err := s.Update(ctx, func(tx store.Tx) error {
			it, err := tx.WriteItem(ctx, &store.ItemWrite{UserID: user, Datastore: "contacts", GUID: guid, Data: []byte(guid)})
			if err == nil {
				seq = it.Seq
			}
			return err
		})
		return seq, err
	}
	if _, err := write(node1, alice, "first"); err != nil {
		t.Fatal(err)
	}

	// node1 holds alice's contacts open.
	holding, release, held := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		held <- node1.Update(ctx, func(tx store.Tx) error {
			_, err := tx.WriteItem(ctx, &store.ItemWrite{UserID: alice, Datastore: "contacts", GUID: "a1", Data: []byte("a1")})
			close(holding)
			<-release
			return err
		})
	}()
	<-holding

	// bob's datastore on node2 does not wait for it (if it did, this
	// would block until the test's deadline).
	if _, err := write(node2, bob, "b1"); err != nil {
		t.Fatal(err)
	}

	// alice's on node2 waits: it is seen waiting for a lock, and writes
	// after node1's transaction, with the next sequence.
	second := make(chan error, 1)
	var seq int64
	go func() {
		var err error
		seq, err = write(node2, alice, "a2")
		second <- err
	}()
	waitForLockWait(t, ctx, node1)
	select {
	case err := <-second:
		t.Fatalf("alice's second Update finished while the first held the datastore: %v", err)
	default:
	}
	close(release)
	if err := <-held; err != nil {
		t.Fatal(err)
	}
	if err := <-second; err != nil {
		t.Fatal(err)
	}
	if seq != 3 {
		t.Errorf("the waiting Update got seq %d, want 3 (after the holder's 2)", seq)
	}
}

// waitForLockWait polls pg_stat_activity until a backend waits for a
// lock. The deadline only turns a hang into a failure.
func waitForLockWait(t *testing.T, ctx context.Context, s *postgres.Store) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		n, err := s.LockWaiters(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("no Update waits for the datastore lock")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
