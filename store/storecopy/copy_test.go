package storecopy_test

import (
	"anchorage/admin"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"anchorage/protocol/engine"
	"anchorage/protocol/syncml/session"
	"anchorage/server"
	"anchorage/store"
	"anchorage/store/postgres"
	"anchorage/store/postgres/pgtest"
	"anchorage/store/sqlite"
	"anchorage/store/storecopy"
	"anchorage/test/simclient"
)

// serve starts a server on st and returns its SyncML URL.
func serve(t *testing.T, st store.Store) (*admin.Admin, string) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	eng := engine.New(engine.Options{Store: st, Logger: log})
	hs := httptest.NewServer(server.New(server.Options{SyncML: session.New(eng, session.Options{Logger: log}), Logger: log}))
	t.Cleanup(hs.Close)
	return admin.New(eng), hs.URL + "/sync"
}

func sync(t *testing.T, d *simclient.Device, wantMode int) {
	t.Helper()
	rep, err := d.Sync(t.Context(), simclient.TwoWay)
	if err != nil || !rep.Complete {
		t.Fatalf("sync of %s: %v (complete %v)", d.ID(), err, rep != nil && rep.Complete)
	}
	if got := rep.Stores["contacts"].Mode; got != wantMode {
		t.Fatalf("sync of %s: mode %d, want %d", d.ID(), got, wantMode)
	}
}

func vcard(name string) string {
	return "BEGIN:VCARD\nVERSION:3.0\nN:" + name + ";\nFN:" + name + "\nEND:VCARD\n"
}

// TestCopy syncs two devices on SQLite, prunes part of the archive (gaps
// in the sequences), copies the store to PostgreSQL and back, compares the
// archives, and has each device continue on the copy with a fast sync.
func TestCopy(t *testing.T) {
	c := pgtest.Start(t)
	ctx := t.Context()
	src, err := sqlite.Open(filepath.Join(t.TempDir(), "anchorage.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { src.Close() })
	eng, url := serve(t, src)
	if err := eng.AddUser(ctx, "bob", "pw", true); err != nil {
		t.Fatal(err)
	}
	dev := func(id string) *simclient.Device {
		return simclient.New(simclient.Options{URL: url, User: "bob", Password: "pw", DeviceID: id})
	}
	a, b := dev("a"), dev("b")
	var luids []string
	for _, n := range []string{"Ann", "Ben", "Cid", "Dot"} {
		l, err := a.Add("contacts", vcard(n))
		if err != nil {
			t.Fatal(err)
		}
		luids = append(luids, l)
	}
	sync(t, a, 201) // slow: first sync
	sync(t, b, 201)
	for i, n := range []string{"Ann 2", "Ann 3"} {
		if err := a.Edit("contacts", luids[0], vcard(n)); err != nil {
			t.Fatal(err)
		}
		sync(t, a, 200)
		if i == 0 {
			sync(t, b, 200)
		}
	}
	if err := a.Delete("contacts", luids[1]); err != nil {
		t.Fatal(err)
	}
	sync(t, a, 200) // b has not seen "Ann 3" nor the deletion
	if err := src.Update(ctx, func(tx store.Tx) error {
		u, err := tx.UserByName(ctx, "bob")
		if err == nil {
			_, err = tx.PruneVersions(ctx, u.ID, "contacts", store.Retention{KeepVersions: 1}, time.Now(), false)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	// Flags and a wiped device, which CreateUser and SetWipe carry over.
	wipe := store.Wipe{State: store.WipeAcknowledged, AccountOnly: true,
		Requested: time.Unix(1700000000, 0).UTC(), Changed: time.Unix(1700000100, 0).UTC()}
	if err := src.Update(ctx, func(tx store.Tx) error {
		if err := tx.CreateUser(ctx, &store.User{Name: "carol", Admin: true, Disabled: true}); err != nil {
			return err
		}
		u, err := tx.UserByName(ctx, "bob")
		if err != nil {
			return err
		}
		if err := tx.PutDevice(ctx, &store.Device{UserID: u.ID, DeviceID: "lost"}); err != nil {
			return err
		}
		if err := tx.SetWipe(ctx, u.ID, "lost", wipe); err != nil {
			return err
		}
		if err := tx.NoteSharedDevice(ctx, &store.SharedDevice{UserID: u.ID, DeviceID: "a", Clients: 2,
			Detail: "2 clients", Partners: []string{"a#01020304"}}); err != nil {
			return err
		}
		if err := tx.PutResentAdd(ctx, &store.ResentAdd{UserID: u.ID, DeviceID: "b", Datastore: "contacts",
			GUID: "g-resent", Version: 2}); err != nil {
			return err
		}
		if err := tx.PutClientIDs(ctx, []store.ClientID{
			{UserID: u.ID, DeviceID: "lost", Folder: "contacts", ClientID: "7", ServerID: "s7", Sum: "d7"},
			{UserID: u.ID, DeviceID: "lost", Folder: "calendar", ClientID: "1", ServerID: "s1"}}); err != nil {
			return err
		}
		return addHolds(ctx, tx, u.ID)
	}); err != nil {
		t.Fatal(err)
	}

	pg, err := postgres.Open(ctx, c.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pg.Close() })
	st, err := storecopy.Copy(ctx, src, pg)
	if err != nil {
		t.Fatal(err)
	}
	if st.Users != 2 || st.Devices != 3 || st.Partnerships != 2 || st.Mappings != 7 || st.Holds != 2 {
		t.Errorf("copied %+v; want 2 users, 3 devices, 2 partnerships, 7 mappings, 2 holds", st)
	}
	if _, err := storecopy.Copy(ctx, src, pg); err == nil {
		t.Error("a second copy into the same store succeeded")
	}
	back, err := sqlite.Open(filepath.Join(t.TempDir(), "anchorage.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { back.Close() })
	if _, err := storecopy.Copy(ctx, pg, back); err != nil {
		t.Fatal(err)
	}
	want := archive(t, src)
	for name, s := range map[string]store.Store{"postgres": pg, "sqlite again": back} {
		if got := archive(t, s); !slices.Equal(got, want) {
			t.Errorf("%s copy differs:\n got %q\nwant %q", name, got, want)
		}
		if got := accounts(t, s); got != accounts(t, src) {
			t.Errorf("%s copy: accounts %s, want %s", name, got, accounts(t, src))
		}
		if got := holds(t, s); got != holds(t, src) {
			t.Errorf("%s copy: holds %s, want %s", name, got, holds(t, src))
		}
		if got := resent(t, s); got != "g-resent@2" {
			t.Errorf("%s copy: resent Adds %q, want g-resent@2", name, got)
		}
		if got, want := clientIDs(t, s), "calendar/1>s1/ contacts/7>s7/d7"; got != want {
			t.Errorf("%s copy: ClientIds %q, want %q", name, got, want)
		}
		if got := sharedState(t, s); got != sharedState(t, src) {
			t.Errorf("%s copy: shared devices and client anchors %s, want %s", name, got, sharedState(t, src))
		}
	}

	// Both devices continue on PostgreSQL: fast syncs, b gets what it had
	// not acknowledged.
	_, pgURL := serve(t, pg)
	a.SetURL(pgURL)
	b.SetURL(pgURL)
	if _, err := a.Add("contacts", vcard("Eve")); err != nil {
		t.Fatal(err)
	}
	sync(t, a, 200)
	sync(t, b, 200)
	sync(t, a, 200)
	if ai, bi := a.Items("contacts"), b.Items("contacts"); len(ai) != 4 || len(bi) != 4 {
		t.Errorf("after the move a has %d items, b %d; want 4 each", len(ai), len(bi))
	}
}

// archive lists every version of bob's contacts, for comparison.
func archive(t *testing.T, s store.Store) []string {
	var out []string
	ctx := t.Context()
	viewBob(t, s, func(tx store.Tx, u *store.User) error {
		items, err := tx.AllItems(ctx, u.ID, "contacts", "", 0)
		if err != nil {
			return err
		}
		for _, it := range items {
			vs, err := tx.Versions(ctx, u.ID, "contacts", it.GUID)
			if err != nil {
				return err
			}
			for _, v := range vs {
				out = append(out, fmt.Sprint(v.GUID, " v", v.Version, " deleted ", v.Deleted, " ", v.Modified.Format(time.RFC3339Nano), " ", v.Origin, " ", string(v.Data)))
			}
		}
		return nil
	})
	return out
}

// viewBob runs f on user bob in a read transaction of s.
func viewBob(t *testing.T, s store.Store, f func(store.Tx, *store.User) error) {
	t.Helper()
	ctx := t.Context()
	err := s.View(ctx, func(tx store.Tx) error {
		u, err := tx.UserByName(ctx, "bob")
		if err != nil {
			return err
		}
		return f(tx, u)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// accounts describes every user's flags and devices' wipe state.
func accounts(t *testing.T, s store.Store) string {
	var out string
	ctx := t.Context()
	err := s.View(ctx, func(tx store.Tx) error {
		us, err := tx.ListUsers(ctx)
		if err != nil {
			return err
		}
		for _, u := range us {
			out += fmt.Sprintf("%s admin %v disabled %v;", u.Name, u.Admin, u.Disabled)
			ds, err := tx.ListDevices(ctx, u.ID)
			if err != nil {
				return err
			}
			for _, d := range ds {
				out += fmt.Sprintf(" %s wipe %+v;", d.DeviceID, d.Wipe)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// addHolds gives a user a threshold, and a rejected hold and an open one
// of the device that does not sync again.
func addHolds(ctx context.Context, tx store.Tx, userID int64) error {
	if err := tx.PutHoldSettings(ctx, &store.HoldSettings{UserID: userID, Percent: 30, MinItems: 2}); err != nil {
		return err
	}
	created := time.Unix(1700000000, 0).UTC()
	rejected := &store.Hold{UserID: userID, Datastore: "contacts", DeviceID: "lost", Live: 4, Created: created}
	if err := tx.CreateHold(ctx, rejected, []store.HeldDelete{{GUID: "g1", LUID: "l1"}}); err != nil {
		return err
	}
	if err := tx.SetHoldState(ctx, rejected.ID, store.HoldRejected, created.Add(time.Hour)); err != nil {
		return err
	}
	open := &store.Hold{UserID: userID, Datastore: "contacts", DeviceID: "lost", Live: 3, Created: created.Add(2 * time.Hour)}
	return tx.CreateHold(ctx, open, []store.HeldDelete{{GUID: "g2", LUID: "l2"}, {GUID: "g3", LUID: "l3"}})
}

// holds describes bob's threshold and holds, without their ids and
// sequences (which the destination hands out).
func holds(t *testing.T, s store.Store) string {
	var out string
	ctx := t.Context()
	err := s.View(ctx, func(tx store.Tx) error {
		u, err := tx.UserByName(ctx, "bob")
		if err != nil {
			return err
		}
		hs, err := tx.HoldSettings(ctx, u.ID)
		if err != nil {
			return err
		}
		out = fmt.Sprintf("%d %% of at least %d;", hs.Percent, hs.MinItems)
		list, err := tx.Holds(ctx, u.ID, "")
		if err != nil {
			return err
		}
		for _, h := range list {
			dels, err := tx.HeldDeletes(ctx, h.ID)
			if err != nil {
				return err
			}
			out += fmt.Sprintf(" %s/%s %s items %d live %d created %s decided %s %v;", h.DeviceID, h.Datastore, h.State,
				h.Items, h.Live, h.Created.Format(time.RFC3339Nano), h.Decided.Format(time.RFC3339Nano), dels)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// sharedState describes bob's shared-device records and the client
// anchors of his partnerships, for comparison.
func sharedState(t *testing.T, s store.Store) string {
	var out string
	ctx := t.Context()
	err := s.View(ctx, func(tx store.Tx) error {
		u, err := tx.UserByName(ctx, "bob")
		if err != nil {
			return err
		}
		for _, dev := range []string{"a", "b", "lost"} {
			if sd, err := tx.SharedDevice(ctx, u.ID, dev); err == nil {
				out += fmt.Sprintf("%s: %d %q %v; ", dev, sd.Clients, sd.Detail, sd.Partners)
			}
			as, err := tx.ClientAnchors(ctx, u.ID, dev, "contacts")
			if err != nil {
				return err
			}
			for _, a := range as {
				out += fmt.Sprintf("%s/%s %v, ", dev, a.Anchor, a.Forced)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// resent lists bob's device b's resent Adds of contacts.
func resent(t *testing.T, s store.Store) string {
	var out []string
	viewBob(t, s, func(tx store.Tx, u *store.User) error {
		as, err := tx.ResentAdds(t.Context(), u.ID, "b", "contacts")
		for _, a := range as {
			out = append(out, fmt.Sprintf("%s@%d", a.GUID, a.Version))
		}
		return err
	})
	return strings.Join(out, " ")
}

// clientIDs lists bob's device lost's ActiveSync ClientIds.
func clientIDs(t *testing.T, s store.Store) string {
	var out []string
	viewBob(t, s, func(tx store.Tx, u *store.User) error {
		ids, err := tx.DeviceClientIDs(t.Context(), u.ID, "lost")
		for _, c := range ids {
			out = append(out, fmt.Sprintf("%s/%s>%s/%s", c.Folder, c.ClientID, c.ServerID, c.Sum))
		}
		return err
	})
	return strings.Join(out, " ")
}
