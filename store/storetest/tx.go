package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"anchorage/store"
)

func testRollback(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := newUser(t, s, "u")
	put(t, s, u, "contacts", "a", "dev")

	err := s.Update(ctx, func(tx store.Tx) error {
		if err := tx.CreateUser(ctx, &store.User{Name: "ghost", PasswordHash: []byte("x")}); err != nil {
			return err
		}
		for _, w := range []store.ItemWrite{
			{UserID: u, Datastore: "contacts", GUID: "a", Data: []byte("changed")},
			{UserID: u, Datastore: "contacts", GUID: "b", Data: []byte("new")},
			{UserID: u, Datastore: "calendar", GUID: "c", Data: []byte("new datastore")},
		} {
			if _, err := tx.WriteItem(ctx, &w); err != nil {
				return err
			}
		}
		if err := tx.PutDevice(ctx, &store.Device{UserID: u, DeviceID: "dev"}); err != nil {
			return err
		}
		if err := tx.PutMapping(ctx, &store.Mapping{UserID: u, DeviceID: "dev", Datastore: "contacts", LUID: "1", GUID: "a"}); err != nil {
			return err
		}
		if err := tx.PutSession(ctx, &store.Session{Key: "k", UserID: u, Created: t0, UpdatedAt: t0}); err != nil {
			return err
		}
		return fmt.Errorf("wrapped: %w", errBoom)
	})
	if !errors.Is(err, errBoom) {
		t.Fatalf("Update returned %v, want the function's error", err)
	}

	view(t, s, func(tx store.Tx) error {
		_, err := tx.UserByName(ctx, "ghost")
		wantNotFound(t, "rolled back user", err)
		it, err := tx.Item(ctx, u, "contacts", "a")
		if err != nil {
			return err
		}
		if it.Version != 1 || string(it.Data) != "BEGIN:VCARD\r\nFN:a\r\nEND:VCARD\r\n" {
			t.Errorf("rolled back write of a is visible: version %d data %q", it.Version, it.Data)
		}
		_, err = tx.Item(ctx, u, "contacts", "b")
		wantNotFound(t, "rolled back item b", err)
		if seq, err := tx.LastSeq(ctx, u, "contacts"); err != nil || seq != 1 {
			t.Errorf("LastSeq after rollback = %d, %v; want 1", seq, err)
		}
		if seq, err := tx.LastSeq(ctx, u, "calendar"); err != nil || seq != 0 {
			t.Errorf("LastSeq(calendar) after rollback = %d, %v; want 0", seq, err)
		}
		_, err = tx.Device(ctx, u, "dev")
		wantNotFound(t, "rolled back device", err)
		_, err = tx.MapByLUID(ctx, u, "dev", "contacts", "1")
		wantNotFound(t, "rolled back mapping", err)
		_, err = tx.Session(ctx, "k")
		wantNotFound(t, "rolled back session", err)
		return nil
	})
	// The sequence numbers of the rolled-back writes are handed out again.
	if it := put(t, s, u, "contacts", "b", "dev"); it.Seq != 2 {
		t.Errorf("seq after rollback = %d, want 2", it.Seq)
	}

	// A panic in fn rolls back and leaves the store usable.
	func() {
		defer func() {
			if recover() == nil {
				t.Errorf("the panic did not propagate")
			}
		}()
		s.Update(ctx, func(tx store.Tx) error {
			if _, err := tx.WriteItem(ctx, &store.ItemWrite{UserID: u, Datastore: "contacts", GUID: "p", Data: []byte("p")}); err != nil {
				return err
			}
			panic("test panic")
		})
	}()
	if it := put(t, s, u, "contacts", "c", "dev"); it.Seq != 3 {
		t.Errorf("seq after a panicking Update = %d, want 3", it.Seq)
	}

	// A cancelled context fails the transaction.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	err = s.Update(cctx, func(tx store.Tx) error {
		_, err := tx.WriteItem(cctx, &store.ItemWrite{UserID: u, Datastore: "contacts", GUID: "x", Data: []byte("x")})
		return err
	})
	if err == nil {
		t.Errorf("Update with a cancelled context succeeded")
	}
	// So does a context cancelled after the transaction's writes: they
	// are not committed, and the store stays usable.
	cctx, cancel = context.WithCancel(ctx)
	err = s.Update(cctx, func(tx store.Tx) error {
		_, err := tx.WriteItem(cctx, &store.ItemWrite{UserID: u, Datastore: "contacts", GUID: "y", Data: []byte("y")})
		cancel()
		return err
	})
	if err == nil {
		t.Errorf("Update whose context was cancelled before commit succeeded")
	}
	view(t, s, func(tx store.Tx) error {
		_, err := tx.Item(ctx, u, "contacts", "x")
		wantNotFound(t, "write with a cancelled context", err)
		_, err = tx.Item(ctx, u, "contacts", "y")
		wantNotFound(t, "write whose context was cancelled before commit", err)
		return nil
	})
	if it := put(t, s, u, "contacts", "d", "dev"); it.Seq != 4 {
		t.Errorf("seq after cancelled Updates = %d, want 4", it.Seq)
	}
}

func testViewIsReadOnly(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := newUser(t, s, "u")
	err := s.View(ctx, func(tx store.Tx) error {
		_, err := tx.WriteItem(ctx, &store.ItemWrite{UserID: u, Datastore: "contacts", GUID: "a", Data: []byte("a")})
		return err
	})
	if err == nil {
		t.Errorf("WriteItem in View succeeded")
	}
	err = s.View(ctx, func(tx store.Tx) error {
		return tx.CreateUser(ctx, &store.User{Name: "ghost"})
	})
	if err == nil {
		t.Errorf("CreateUser in View succeeded")
	}
	view(t, s, func(tx store.Tx) error {
		_, err := tx.Item(ctx, u, "contacts", "a")
		wantNotFound(t, "item written in View", err)
		_, err = tx.UserByName(ctx, "ghost")
		wantNotFound(t, "user created in View", err)
		return nil
	})
}

// testViewDuringUpdate checks that a View neither waits for an open write
// transaction nor sees its uncommitted writes, and sees them once committed.
func testViewDuringUpdate(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := newUser(t, s, "u")
	put(t, s, u, "contacts", "a", "dev")

	written := make(chan struct{})
	release := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- s.Update(ctx, func(tx store.Tx) error {
			_, err := tx.WriteItem(ctx, &store.ItemWrite{UserID: u, Datastore: "contacts", GUID: "b", Data: []byte("b")})
			close(written)
			<-release
			return err
		})
	}()
	<-written

	viewed := make(chan error, 1)
	go func() {
		viewed <- s.View(ctx, func(tx store.Tx) error {
			if seq, err := tx.LastSeq(ctx, u, "contacts"); err != nil || seq != 1 {
				return fmt.Errorf("LastSeq during an open Update = %d, %v; want 1", seq, err)
			}
			if _, err := tx.Item(ctx, u, "contacts", "b"); !errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("uncommitted item visible to View: %v", err)
			}
			return nil
		})
	}()
	select {
	case err := <-viewed:
		if err != nil {
			t.Error(err)
		}
		close(release)
	case <-time.After(5 * time.Second):
		t.Error("View blocked by an open Update")
		close(release)
		<-viewed
	}
	if err := <-done; err != nil {
		t.Fatalf("Update: %v", err)
	}
	view(t, s, func(tx store.Tx) error {
		if _, err := tx.Item(ctx, u, "contacts", "b"); err != nil {
			t.Errorf("committed item not visible: %v", err)
		}
		return nil
	})
}

// testConcurrent runs Updates and Views from several goroutines: every
// Update succeeds, none interleaves with another (each sees LastSeq advance
// by exactly its own writes) and sequence numbers stay unique.
func testConcurrent(t *testing.T, s store.Store) {
	ctx := t.Context()
	users := []int64{newUser(t, s, "u1"), newUser(t, s, "u2")}
	const workers, rounds = 8, 20
	var (
		mu   sync.Mutex
		seqs = map[int64][]int64{} // user -> contacts seqs handed out
		wg   sync.WaitGroup
		errs = make(chan error, workers*rounds+workers)
	)
	for w := range workers {
		u := users[w%len(users)]
		wg.Go(func() {
			for r := range rounds {
				var got []int64
				err := s.Update(ctx, func(tx store.Tx) error {
					got = got[:0]
					last, err := tx.LastSeq(ctx, u, "contacts")
					if err != nil {
						return err
					}
					for _, g := range []string{fmt.Sprintf("w%d-r%d", w, r), "shared"} {
						it, err := tx.WriteItem(ctx, &store.ItemWrite{UserID: u, Datastore: "contacts", GUID: g,
							Data: []byte(g), Origin: fmt.Sprint("dev", w)})
						if err != nil {
							return err
						}
						if it.Seq != last+1 {
							return fmt.Errorf("seq %d after LastSeq %d: transactions interleaved", it.Seq, last)
						}
						last = it.Seq
						got = append(got, it.Seq)
					}
					return nil
				})
				if err != nil {
					errs <- fmt.Errorf("worker %d round %d: %w", w, r, err)
					return
				}
				mu.Lock()
				seqs[u] = append(seqs[u], got...)
				mu.Unlock()
			}
		})
		wg.Go(func() { // a reader beside each writer
			for range rounds {
				err := s.View(ctx, func(tx store.Tx) error {
					last, err := tx.LastSeq(ctx, u, "contacts")
					if err != nil {
						return err
					}
					_, err = tx.Changes(ctx, u, "contacts", 0, last, "", 0)
					return err
				})
				if err != nil {
					errs <- fmt.Errorf("reader %d: %w", w, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		return
	}

	writesPerUser := workers / len(users) * rounds * 2
	view(t, s, func(tx store.Tx) error {
		for _, u := range users {
			got := slices.Sorted(slices.Values(seqs[u]))
			for i, seq := range got {
				if seq != int64(i+1) {
					t.Fatalf("user %d: sequences handed out are not 1..%d without gaps or repeats: %v", u, len(got), got)
				}
			}
			if len(got) != writesPerUser {
				t.Errorf("user %d: %d writes, want %d", u, len(got), writesPerUser)
			}
			if last, err := tx.LastSeq(ctx, u, "contacts"); err != nil || last != int64(writesPerUser) {
				t.Errorf("user %d: LastSeq = %d, %v; want %d", u, last, err, writesPerUser)
			}
			vs, err := tx.Versions(ctx, u, "contacts", "shared")
			if err != nil {
				return err
			}
			if len(vs) != writesPerUser/2 || vs[len(vs)-1].Version != int64(len(vs)) {
				t.Errorf("user %d: %d versions of the shared item, last %d; want %d", u, len(vs), vs[len(vs)-1].Version, writesPerUser/2)
			}
			changes, err := tx.Changes(ctx, u, "contacts", 0, int64(writesPerUser), "", 0)
			if err != nil {
				return err
			}
			if len(changes) != writesPerUser/2+1 {
				t.Errorf("user %d: %d changed items, want %d", u, len(changes), writesPerUser/2+1)
			}
		}
		return nil
	})
}
