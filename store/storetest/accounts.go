package storetest

import (
	"bytes"
	"errors"
	"slices"
	"testing"
	"time"

	"anchorage/store"
)

func testUsers(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice := &store.User{Name: "alice", PasswordHash: []byte("$2a$10$abc"), MD5Secret: "c2VjcmV0", Created: t0}
	bob := &store.User{Name: "bob", PasswordHash: []byte("$2a$10$def")}
	update(t, s, func(tx store.Tx) error {
		if err := tx.CreateUser(ctx, alice); err != nil {
			return err
		}
		return tx.CreateUser(ctx, bob)
	})
	if alice.ID == 0 || bob.ID == 0 || alice.ID == bob.ID {
		t.Fatalf("user ids: alice %d, bob %d", alice.ID, bob.ID)
	}
	if bob.Created.IsZero() {
		t.Errorf("CreateUser with zero Created left it zero")
	}

	err := s.Update(ctx, func(tx store.Tx) error {
		return tx.CreateUser(ctx, &store.User{Name: "alice", PasswordHash: []byte("x")})
	})
	if !errors.Is(err, store.ErrExists) {
		t.Errorf("CreateUser(duplicate name): err = %v, want store.ErrExists", err)
	}

	check := func(what string, got *store.User, want *store.User) {
		t.Helper()
		if got.ID != want.ID || got.Name != want.Name || !bytes.Equal(got.PasswordHash, want.PasswordHash) ||
			got.MD5Secret != want.MD5Secret || !sameTime(got.Created, want.Created) {
			t.Errorf("%s = %+v, want %+v", what, got, want)
		}
	}
	view(t, s, func(tx store.Tx) error {
		u, err := tx.UserByName(ctx, "alice")
		if err != nil {
			return err
		}
		check("UserByName(alice)", u, alice)
		u, err = tx.UserByID(ctx, bob.ID)
		if err != nil {
			return err
		}
		check("UserByID(bob)", u, bob)
		_, err = tx.UserByName(ctx, "nobody")
		wantNotFound(t, "UserByName(nobody)", err)
		_, err = tx.UserByID(ctx, bob.ID+1000)
		wantNotFound(t, "UserByID(missing)", err)

		us, err := tx.ListUsers(ctx)
		if err != nil {
			return err
		}
		var names []string
		for _, u := range us {
			names = append(names, u.Name)
		}
		slices.Sort(names)
		if !slices.Equal(names, []string{"alice", "bob"}) {
			t.Errorf("ListUsers names = %q, want alice, bob", names)
		}
		return nil
	})
}

func testDevices(t *testing.T, s store.Store) {
	ctx := t.Context()
	u1 := newUser(t, s, "u1")
	u2 := newUser(t, s, "u2")

	view(t, s, func(tx store.Tx) error {
		_, err := tx.Device(ctx, u1, "IMEI:1")
		wantNotFound(t, "Device(missing)", err)
		return nil
	})
	err := s.Update(ctx, func(tx store.Tx) error {
		return tx.PutDevice(ctx, &store.Device{UserID: u2 + 1000, DeviceID: "IMEI:1"})
	})
	if err == nil {
		t.Errorf("PutDevice(unknown user) succeeded")
	}

	d := store.Device{UserID: u1, DeviceID: "IMEI:1", DevInf: []byte("<DevInf/>"), Nonce: "\x00\xffraw\x80",
		FirstSeen: t0, LastSeen: t0}
	others := []store.Device{
		{UserID: u1, DeviceID: "IMEI:2", FirstSeen: t0}, // LastSeen zero
		{UserID: u2, DeviceID: "IMEI:1", LastError: "boom", Charset: "ISO-8859-2"},
	}
	update(t, s, func(tx store.Tx) error {
		for _, d := range append([]store.Device{d}, others...) {
			if err := tx.PutDevice(ctx, &d); err != nil {
				return err
			}
		}
		return nil
	})
	check := func(tx store.Tx, want store.Device) {
		t.Helper()
		got, err := tx.Device(ctx, want.UserID, want.DeviceID)
		if err != nil {
			t.Errorf("Device(%d, %s): %v", want.UserID, want.DeviceID, err)
			return
		}
		if !sameDevice(*got, want) {
			t.Errorf("Device(%d, %s) = %+v, want %+v", want.UserID, want.DeviceID, got, want)
		}
	}
	view(t, s, func(tx store.Tx) error {
		check(tx, d)
		for _, o := range others {
			check(tx, o)
		}
		return nil
	})

	d.DevInf = []byte("<DevInf><Man>x</Man></DevInf>")
	d.Nonce = "n2"
	d.LastSeen = t0.Add(time.Hour)
	d.LastError = "401"
	d.Charset = "windows-1251"
	update(t, s, func(tx store.Tx) error { return tx.PutDevice(ctx, &d) })
	view(t, s, func(tx store.Tx) error {
		check(tx, d)
		for _, c := range []struct {
			user int64
			want []string
		}{{u1, []string{"1/IMEI:1", "1/IMEI:2"}}, {u2, []string{"2/IMEI:1"}}, {0, []string{"1/IMEI:1", "1/IMEI:2", "2/IMEI:1"}}} {
			ds, err := tx.ListDevices(ctx, c.user)
			if err != nil {
				return err
			}
			var got []string
			for _, d := range ds {
				n := "1/"
				if d.UserID == u2 {
					n = "2/"
				}
				got = append(got, n+d.DeviceID)
			}
			slices.Sort(got)
			if !slices.Equal(got, c.want) {
				t.Errorf("ListDevices(%d) = %q, want %q", c.user, got, c.want)
			}
		}
		return nil
	})
}

func sameDevice(a, b store.Device) bool {
	return a.UserID == b.UserID && a.DeviceID == b.DeviceID && bytes.Equal(a.DevInf, b.DevInf) &&
		a.Nonce == b.Nonce && sameTime(a.FirstSeen, b.FirstSeen) && sameTime(a.LastSeen, b.LastSeen) &&
		a.LastError == b.LastError && a.Charset == b.Charset
}

func testPartnerships(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := newUser(t, s, "u")
	view(t, s, func(tx store.Tx) error {
		_, err := tx.Partnership(ctx, u, "dev", "contacts")
		wantNotFound(t, "Partnership(missing)", err)
		return nil
	})

	p := store.Partnership{UserID: u, DeviceID: "dev", Datastore: "contacts", ClientAnchor: "c1", ServerAnchor: "s1"}
	others := []store.Partnership{
		{UserID: u, DeviceID: "dev", Datastore: "calendar", AckSeq: 7, LastSync: t0, LastSyncMode: 201},
		{UserID: u, DeviceID: "dev2", Datastore: "contacts"},
	}
	update(t, s, func(tx store.Tx) error {
		for _, p := range append([]store.Partnership{p}, others...) {
			if err := tx.PutPartnership(ctx, &p); err != nil {
				return err
			}
		}
		return nil
	})
	check := func(tx store.Tx, want store.Partnership) {
		t.Helper()
		got, err := tx.Partnership(ctx, want.UserID, want.DeviceID, want.Datastore)
		if err != nil {
			t.Errorf("Partnership(%s, %s): %v", want.DeviceID, want.Datastore, err)
			return
		}
		if !samePartnership(*got, want) {
			t.Errorf("Partnership(%s, %s) = %+v, want %+v", want.DeviceID, want.Datastore, got, want)
		}
	}
	view(t, s, func(tx store.Tx) error {
		check(tx, p)
		if !p.LastSync.IsZero() {
			t.Fatal("test bug")
		}
		for _, o := range others {
			check(tx, o)
		}
		return nil
	})

	p.ClientAnchor, p.ServerAnchor, p.AckSeq, p.LastSync, p.LastSyncMode = "c2", "s2", 42, t0.Add(time.Minute), 200
	update(t, s, func(tx store.Tx) error { return tx.PutPartnership(ctx, &p) })
	view(t, s, func(tx store.Tx) error {
		check(tx, p)
		ps, err := tx.ListPartnerships(ctx, u, "dev")
		if err != nil {
			return err
		}
		var got []string
		for _, p := range ps {
			got = append(got, p.DeviceID+"/"+p.Datastore)
		}
		slices.Sort(got)
		if want := []string{"dev/calendar", "dev/contacts"}; !slices.Equal(got, want) {
			t.Errorf("ListPartnerships(dev) = %q, want %q", got, want)
		}
		for _, q := range ps {
			if q.Datastore == "contacts" && !samePartnership(q, p) {
				t.Errorf("ListPartnerships: %+v, want %+v", q, p)
			}
		}
		return nil
	})
}

func samePartnership(a, b store.Partnership) bool {
	return a.UserID == b.UserID && a.DeviceID == b.DeviceID && a.Datastore == b.Datastore &&
		a.ClientAnchor == b.ClientAnchor && a.ServerAnchor == b.ServerAnchor && a.AckSeq == b.AckSeq &&
		sameTime(a.LastSync, b.LastSync) && a.LastSyncMode == b.LastSyncMode
}
