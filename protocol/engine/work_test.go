package engine_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"

	"anchorage/admin"
	"anchorage/protocol/engine"
	"anchorage/store/sqlite"
)

// A front end other than SyncML drives the core the same way: these tests
// use the Work API alone, as an ActiveSync front end would (SyncKey 0 is a
// slow sync, client adds answered with server ids, server changes in
// windows, acknowledged when the device comes back).

func newCore(t *testing.T, opts ...func(*engine.Options)) (*engine.Engine, *engine.User) {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "core.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	o := engine.Options{Store: st, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	for _, f := range opts {
		f(&o)
	}
	core := engine.New(o)
	if err := admin.New(core).AddUser(context.Background(), "ann", "pw", false); err != nil {
		t.Fatal(err)
	}
	var u *engine.User
	err = core.View(context.Background(), func(w *engine.Work) error {
		u, err = w.Login("ann", "pw")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return core, u
}

func card(name string) []byte {
	return []byte("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:" + name + "\r\nN:" + name + ";;;;\r\nEND:VCARD\r\n")
}

// session runs fn in one unit of work on a partner's contacts.
func session(t *testing.T, core *engine.Engine, p engine.Partner, mode engine.Mode, last string,
	fn func(w *engine.Work, ds *engine.Datastore)) engine.Anchors {
	t.Helper()
	var stored engine.Anchors
	err := core.Update(context.Background(), func(w *engine.Work) error {
		ds, a, _, err := w.Open(p, engine.Contacts, mode, last)
		if err != nil {
			return err
		}
		stored = a
		fn(w, ds)
		if err := w.Complete(ds, engine.Anchors{Client: p.Session, Server: p.Session}); err != nil {
			return err
		}
		return w.Finish(p)
	})
	if err != nil {
		t.Fatal(err)
	}
	return stored
}

// drain reads every server change in windows of n and acknowledges them.
func drain(t *testing.T, w *engine.Work, ds *engine.Datastore, n int) []*engine.ServerChange {
	t.Helper()
	var all []*engine.ServerChange
	for {
		var window []*engine.ServerChange
		for len(window) < n {
			ch, err := w.NextChange(ds)
			if err != nil {
				t.Fatal(err)
			}
			if ch == nil {
				break
			}
			w.Advance(ds, ch)
			window = append(window, ch)
		}
		if err := w.Flush(ds); err != nil {
			t.Fatal(err)
		}
		var maps []engine.Mapping
		for _, ch := range window {
			if ch.Op == engine.OpAdd {
				maps = append(maps, engine.Mapping{LUID: "b-" + ch.GUID, GUID: ch.GUID})
			} else if err := w.Acknowledge(ds, ch.Op, ch.GUID, ch.LUID, true); err != nil {
				t.Fatal(err)
			}
		}
		if _, _, err := w.Map(ds, maps); err != nil {
			t.Fatal(err)
		}
		all = append(all, window...)
		if len(window) < n {
			return all
		}
	}
}

func TestWorkTwoDevices(t *testing.T) {
	core, u := newCore(t)
	a := engine.Partner{UserID: u.ID, UserName: u.Name, DeviceID: "dev-a", Session: "s1"}
	b := engine.Partner{UserID: u.ID, UserName: u.Name, DeviceID: "dev-b", Session: "s2"}

	// Device A's initial sync uploads three contacts; re-sending one with
	// the same id adds nothing.
	var guids []string
	session(t, core, a, engine.ModeSlow, "", func(w *engine.Work, ds *engine.Datastore) {
		for i, name := range []string{"Ann", "Bob", "Cy"} {
			o, guid, err := w.Apply(ds, engine.Change{Op: engine.OpAdd, LUID: "a" + string(rune('0'+i)),
				ContentType: "text/vcard", Data: card(name)})
			if err != nil || o != engine.Added || guid == "" {
				t.Fatalf("add %s: %v %q %v", name, o, guid, err)
			}
			guids = append(guids, guid)
		}
		o, guid, err := w.Apply(ds, engine.Change{Op: engine.OpAdd, LUID: "a0", ContentType: "text/vcard", Data: card("Ann")})
		if err != nil || o != engine.Matched || guid != guids[0] {
			t.Errorf("re-sent add: %v %q %v, want matched %s", o, guid, err, guids[0])
		}
		if got := drain(t, w, ds, 10); len(got) != 0 {
			t.Errorf("A's slow sync got %d changes back, want none", len(got))
		}
	})

	// Device B's initial sync gets exactly those, in windows of 2.
	session(t, core, b, engine.ModeSlow, "", func(w *engine.Work, ds *engine.Datastore) {
		if got := drain(t, w, ds, 2); len(got) != 3 {
			t.Errorf("B's initial sync got %d adds, want 3", len(got))
		}
	})

	// B deletes one; A's two-way sync (anchors match) gets that delete.
	session(t, core, b, engine.ModeTwoWay, "s2", func(w *engine.Work, ds *engine.Datastore) {
		if ds.Mode != engine.ModeTwoWay {
			t.Fatalf("B's second sync is %v, want two-way", ds.Mode)
		}
		if o, _, err := w.Apply(ds, engine.Change{Op: engine.OpDelete, LUID: "b-" + guids[1]}); err != nil || o != engine.Deleted {
			t.Fatalf("B's delete: %v %v", o, err)
		}
		if got := drain(t, w, ds, 10); len(got) != 0 {
			t.Errorf("B got its own delete back: %d changes", len(got))
		}
	})
	session(t, core, a, engine.ModeTwoWay, "s1", func(w *engine.Work, ds *engine.Datastore) {
		got := drain(t, w, ds, 10)
		if len(got) != 1 || got[0].Op != engine.OpDelete || got[0].LUID != "a1" {
			t.Errorf("A's changes = %+v, want the delete of a1", got)
		}
	})

	// A device whose anchor does not match is sent back to a slow sync.
	session(t, core, a, engine.ModeTwoWay, "stale", func(w *engine.Work, ds *engine.Datastore) {
		if ds.Mode != engine.ModeSlow {
			t.Errorf("mismatched anchor: mode %v, want slow", ds.Mode)
		}
	})
}

// TestWorkNeedsPartner: a Datastore whose partner the front end did not set
// (after loading its session) is refused, not applied to nobody's data.
func TestWorkNeedsPartner(t *testing.T) {
	core, _ := newCore(t)
	err := core.Update(context.Background(), func(w *engine.Work) error {
		_, _, err := w.Apply(&engine.Datastore{Name: engine.Contacts, Mode: engine.ModeTwoWay},
			engine.Change{Op: engine.OpAdd, LUID: "1", ContentType: "text/vcard", Data: card("Ann")})
		return err
	})
	if err == nil {
		t.Error("Apply on a datastore without its partner succeeded")
	}
}
