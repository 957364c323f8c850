package storetest

import (
	"errors"
	"testing"
	"time"

	"anchorage/store"
)

func testUserFlags(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := &store.User{Name: "alice", PasswordHash: []byte("x"), Admin: true}
	update(t, s, func(tx store.Tx) error { return tx.CreateUser(ctx, u) })
	view(t, s, func(tx store.Tx) error {
		got, err := tx.UserByID(ctx, u.ID)
		if err != nil {
			return err
		}
		if !got.Admin || got.Disabled {
			t.Errorf("created admin user: Admin %v Disabled %v, want true false", got.Admin, got.Disabled)
		}
		return nil
	})
	u.Admin, u.Disabled = false, true
	update(t, s, func(tx store.Tx) error { return tx.UpdateUserFlags(ctx, u) })
	view(t, s, func(tx store.Tx) error {
		got, err := tx.UserByName(ctx, "alice")
		if err != nil {
			return err
		}
		if got.Admin || !got.Disabled {
			t.Errorf("after UpdateUserFlags: Admin %v Disabled %v, want false true", got.Admin, got.Disabled)
		}
		return nil
	})
	err := s.Update(ctx, func(tx store.Tx) error {
		return tx.UpdateUserFlags(ctx, &store.User{ID: u.ID + 1000})
	})
	wantNotFound(t, "UpdateUserFlags(missing)", err)
}

func testWebSessions(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := &store.User{Name: "alice", PasswordHash: []byte("x")}
	update(t, s, func(tx store.Tx) error { return tx.CreateUser(ctx, u) })
	old := &store.WebSession{IDHash: []byte("old-hash"), UserID: u.ID, CSRF: "c1", Created: t0, Expires: t0.Add(time.Hour)}
	cur := &store.WebSession{IDHash: []byte("cur-hash"), UserID: u.ID, CSRF: "c2", Created: t0.Add(2 * time.Hour), Expires: t0.Add(3 * time.Hour)}
	update(t, s, func(tx store.Tx) error {
		if err := tx.PutWebSession(ctx, old); err != nil {
			return err
		}
		return tx.PutWebSession(ctx, cur)
	})
	err := s.Update(ctx, func(tx store.Tx) error { return tx.PutWebSession(ctx, cur) })
	if !errors.Is(err, store.ErrExists) {
		t.Errorf("PutWebSession(same id) = %v, want ErrExists", err)
	}
	view(t, s, func(tx store.Tx) error {
		got, err := tx.WebSession(ctx, []byte("cur-hash"))
		if err != nil {
			return err
		}
		if got.UserID != u.ID || got.CSRF != "c2" || !sameTime(got.Created, cur.Created) || !sameTime(got.Expires, cur.Expires) {
			t.Errorf("WebSession = %+v, want %+v", got, cur)
		}
		_, err = tx.WebSession(ctx, []byte("nope"))
		wantNotFound(t, "WebSession(missing)", err)
		n, err := tx.CountWebSessionsSince(ctx, t0.Add(time.Hour))
		if err != nil || n != 1 {
			t.Errorf("CountWebSessionsSince = %d, %v; want 1", n, err)
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error {
		n, err := tx.DeleteWebSessionsBefore(ctx, t0.Add(2*time.Hour))
		if err != nil || n != 1 {
			t.Errorf("DeleteWebSessionsBefore = %d, %v; want 1", n, err)
		}
		if err := tx.DeleteWebSession(ctx, []byte("cur-hash")); err != nil {
			return err
		}
		return tx.DeleteWebSession(ctx, []byte("cur-hash"))
	})
	view(t, s, func(tx store.Tx) error {
		_, err := tx.WebSession(ctx, []byte("cur-hash"))
		wantNotFound(t, "WebSession after delete", err)
		return nil
	})
}
