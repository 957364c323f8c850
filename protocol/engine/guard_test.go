package engine_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"anchorage/protocol/engine"
	"anchorage/store"
)

// guarded is a user with devices A and B that both hold n contacts.
type guarded struct {
	core  *engine.Engine
	a, b  engine.Partner
	luids []string // A's ids of the contacts
	n     int      // sessions so far, for session keys and anchors
}

func newGuarded(t *testing.T, n int, opts ...func(*engine.Options)) *guarded {
	t.Helper()
	core, u := newCore(t, opts...)
	g := &guarded{core: core,
		a: engine.Partner{UserID: u.ID, UserName: u.Name, DeviceID: "dev-a"},
		b: engine.Partner{UserID: u.ID, UserName: u.Name, DeviceID: "dev-b"}}
	g.sync(t, &g.a, engine.ModeSlow, func(w *engine.Work, ds *engine.Datastore) {
		for i := range n {
			luid := fmt.Sprintf("a%d", i)
			if o, _, err := w.Apply(ds, engine.Change{Op: engine.OpAdd, LUID: luid, ContentType: "text/vcard",
				Data: card(fmt.Sprintf("Person %d", i))}); err != nil || o != engine.Added {
				t.Fatalf("add %d: %v %v", i, o, err)
			}
			g.luids = append(g.luids, luid)
		}
		drain(t, w, ds, 50)
	})
	if got := g.sync(t, &g.b, engine.ModeSlow, nil); len(got) != n {
		t.Fatalf("B's first sync got %d items, want %d", len(got), n)
	}
	return g
}

// sync runs one session of a device (two-way when it synced before) and
// returns the server changes it got; fn applies the device's changes.
func (g *guarded) sync(t *testing.T, p *engine.Partner, mode engine.Mode, fn func(*engine.Work, *engine.Datastore)) []*engine.ServerChange {
	t.Helper()
	last := p.Session
	g.n++
	p.Session = fmt.Sprintf("s%d", g.n)
	var got []*engine.ServerChange
	session(t, g.core, *p, mode, last, func(w *engine.Work, ds *engine.Datastore) {
		if fn != nil {
			fn(w, ds)
		}
		got = drain(t, w, ds, 50)
	})
	return got
}

// deleteSync is A's two-way session deleting the first k contacts, one
// unit of work per message of 10 deletes, its Datastore kept between them
// as JSON as a front end keeps it in its session.
func (g *guarded) deleteSync(t *testing.T, k int) {
	t.Helper()
	last := g.a.Session
	g.n++
	g.a.Session = fmt.Sprintf("s%d", g.n)
	var blob []byte
	ctx := context.Background()
	err := g.core.Update(ctx, func(w *engine.Work) error {
		ds, _, forced, err := w.Open(g.a, engine.Contacts, engine.ModeTwoWay, last)
		if err == nil && forced {
			err = fmt.Errorf("A's delete sync was forced slow")
		}
		if err != nil {
			return err
		}
		blob, err = json.Marshal(ds)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for from := 0; from < k; from += 10 {
		err := g.core.Update(ctx, func(w *engine.Work) error {
			var ds engine.Datastore
			if err := json.Unmarshal(blob, &ds); err != nil {
				return err
			}
			ds.Partner = g.a
			for _, luid := range g.luids[from:min(from+10, k)] {
				if o, _, err := w.Apply(&ds, engine.Change{Op: engine.OpDelete, LUID: luid}); err != nil || o != engine.Deleted {
					return fmt.Errorf("delete %s: %v %v", luid, o, err)
				}
			}
			blob, err = json.Marshal(&ds)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		// Undecided: nothing is deleted yet.
		if live := g.live(t); live != len(g.luids) {
			t.Fatalf("after a message of deletes, %d live items; want all %d until the session completes", live, len(g.luids))
		}
	}
	err = g.core.Update(ctx, func(w *engine.Work) error {
		var ds engine.Datastore
		if err := json.Unmarshal(blob, &ds); err != nil {
			return err
		}
		ds.Partner = g.a
		if got := drain(t, w, &ds, 50); len(got) != 0 {
			t.Errorf("A's delete sync got %d changes", len(got))
		}
		if err := w.Complete(&ds, engine.Anchors{Client: g.a.Session, Server: g.a.Session}); err != nil {
			return err
		}
		return w.Finish(g.a)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func (g *guarded) live(t *testing.T) int {
	t.Helper()
	var n int
	err := g.core.View(context.Background(), func(w *engine.Work) error {
		var err error
		n, err = w.Tx().LiveCount(context.Background(), g.a.UserID, engine.Contacts)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func (g *guarded) holds(t *testing.T, states ...store.HoldState) []store.Hold {
	t.Helper()
	var hs []store.Hold
	err := g.core.View(context.Background(), func(w *engine.Work) error {
		var err error
		hs, err = w.Tx().Holds(context.Background(), g.a.UserID, "", states...)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return hs
}

func count(chs []*engine.ServerChange, op engine.Op) int {
	n := 0
	for _, ch := range chs {
		if ch.Op == op {
			n++
		}
	}
	return n
}

// TestGuardThresholds: a session is held when it deletes at least 20
// items and more than 50 % of the datastore; else it passes.
func TestGuardThresholds(t *testing.T) {
	for _, c := range []struct {
		items, deletes int
		held           bool
	}{
		{30, 19, false}, // 63 %, but fewer than 20
		{40, 20, false}, // exactly 50 %: not more
		{40, 21, true},
		{30, 25, true},
		{100, 20, false}, // 20 %
	} {
		t.Run(fmt.Sprintf("%d_of_%d", c.deletes, c.items), func(t *testing.T) {
			obs := &holdRecorder{}
			g := newGuarded(t, c.items, func(o *engine.Options) { o.Observer = obs })
			g.deleteSync(t, c.deletes)
			bGot := g.sync(t, &g.b, engine.ModeTwoWay, nil)
			if !c.held {
				if live := g.live(t); live != c.items-c.deletes {
					t.Errorf("live = %d; want %d", live, c.items-c.deletes)
				}
				if n := count(bGot, engine.OpDelete); n != c.deletes || len(obs.holds) != 0 || len(g.holds(t)) != 0 {
					t.Errorf("B got %d deletes, %d holds observed; want %d and none", n, len(obs.holds), c.deletes)
				}
				return
			}
			if live := g.live(t); live != c.items {
				t.Errorf("live = %d; want all %d kept", live, c.items)
			}
			if len(bGot) != 0 {
				t.Errorf("B got %d changes from a held session; want none", len(bGot))
			}
			hs := g.holds(t, store.HoldOpen)
			if len(hs) != 1 || hs[0].Items != c.deletes || hs[0].Live != c.items || hs[0].DeviceID != "dev-a" {
				t.Fatalf("open holds = %+v; want one of %d deletes of %d", hs, c.deletes, c.items)
			}
			if len(obs.holds) != 1 || obs.holds[0].ID != hs[0].ID {
				t.Errorf("observer saw %+v; want hold %d", obs.holds, hs[0].ID)
			}
		})
	}
}

// TestGuardReject: while the hold is open the device does not get the
// items back (fast or slow); after reject it does, once.
func TestGuardReject(t *testing.T) {
	g := newGuarded(t, 30)
	g.deleteSync(t, 25)
	if got := g.sync(t, &g.a, engine.ModeTwoWay, nil); len(got) != 0 {
		t.Errorf("A's next sync got %d changes while the hold is open; want none", len(got))
	}
	if got := g.sync(t, &g.a, engine.ModeTwoWay, nil); len(got) != 0 {
		t.Errorf("A's sync after that got %d changes; want none", len(got))
	}
	hs := g.holds(t, store.HoldOpen)
	if len(hs) != 1 {
		t.Fatalf("open holds: %d; want 1", len(hs))
	}
	err := g.core.Update(context.Background(), func(w *engine.Work) error {
		_, err := w.RejectHold(hs[0].ID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	got := g.sync(t, &g.a, engine.ModeTwoWay, nil)
	if count(got, engine.OpAdd) != 25 || len(got) != 25 {
		t.Errorf("A after reject got %d changes (%d adds); want 25 adds", len(got), count(got, engine.OpAdd))
	}
	if got := g.sync(t, &g.a, engine.ModeTwoWay, nil); len(got) != 0 {
		t.Errorf("A's sync after the return got %d changes; want none", len(got))
	}
	if hs := g.holds(t, store.HoldReturned); len(hs) != 1 {
		t.Errorf("returned holds: %d; want 1", len(hs))
	}
	if got := g.sync(t, &g.b, engine.ModeTwoWay, nil); len(got) != 0 || g.live(t) != 30 {
		t.Errorf("B got %d changes, %d live; want none and 30", len(got), g.live(t))
	}
	err = g.core.Update(context.Background(), func(w *engine.Work) error {
		_, err := w.RejectHold(hs[0].ID)
		return err
	})
	if err == nil {
		t.Error("rejecting a decided hold again succeeded")
	}
}

// TestGuardAccept: accepting applies the deletes as the device's, so that
// the other devices get them and the device does not.
func TestGuardAccept(t *testing.T) {
	g := newGuarded(t, 30)
	g.deleteSync(t, 25)
	hs := g.holds(t, store.HoldOpen)
	if len(hs) != 1 {
		t.Fatalf("open holds: %d; want 1", len(hs))
	}
	var deleted int
	err := g.core.Update(context.Background(), func(w *engine.Work) error {
		var err error
		_, deleted, err = w.AcceptHold(hs[0].ID)
		return err
	})
	if err != nil || deleted != 25 {
		t.Fatalf("AcceptHold deleted %d, %v; want 25", deleted, err)
	}
	if got := g.sync(t, &g.b, engine.ModeTwoWay, nil); count(got, engine.OpDelete) != 25 || len(got) != 25 {
		t.Errorf("B after accept got %d changes (%d deletes); want 25 deletes", len(got), count(got, engine.OpDelete))
	}
	if got := g.sync(t, &g.a, engine.ModeTwoWay, nil); len(got) != 0 {
		t.Errorf("A after accept got %d changes; want none", len(got))
	}
	if g.live(t) != 5 {
		t.Errorf("live = %d; want 5", g.live(t))
	}
}

// TestGuardSlowSyncWhileHeld: a slow sync of the device while its hold is
// open does not bring the held items back either.
func TestGuardSlowSyncWhileHeld(t *testing.T) {
	g := newGuarded(t, 30)
	g.deleteSync(t, 25)
	got := g.sync(t, &g.a, engine.ModeSlow, func(w *engine.Work, ds *engine.Datastore) {
		for i := 25; i < 30; i++ {
			if o, _, err := w.Apply(ds, engine.Change{Op: engine.OpAdd, LUID: g.luids[i], ContentType: "text/vcard",
				Data: card(fmt.Sprintf("Person %d", i))}); err != nil || o != engine.Matched {
				t.Fatalf("slow sync item %d: %v %v", i, o, err)
			}
		}
	})
	if len(got) != 0 {
		t.Errorf("A's slow sync got %d items while its hold is open; want none", len(got))
	}
}

// TestGuardSettings: a user's threshold overrides the server's, and the
// server's is an option.
func TestGuardSettings(t *testing.T) {
	g := newGuarded(t, 30, func(o *engine.Options) { o.Hold = engine.HoldRule{Percent: 100} })
	g.deleteSync(t, 25)
	if len(g.holds(t)) != 0 || g.live(t) != 5 {
		t.Errorf("with the guard off: %d holds, %d live; want none and 5", len(g.holds(t)), g.live(t))
	}

	g = newGuarded(t, 30)
	err := g.core.Update(context.Background(), func(w *engine.Work) error {
		return w.Tx().PutHoldSettings(context.Background(), &store.HoldSettings{UserID: g.a.UserID, Percent: 5, MinItems: 2})
	})
	if err != nil {
		t.Fatal(err)
	}
	g.deleteSync(t, 3)
	if hs := g.holds(t, store.HoldOpen); len(hs) != 1 || hs[0].Items != 3 || g.live(t) != 30 {
		t.Errorf("user threshold 5 %%, 2 items: holds %+v, %d live; want 3 held, 30 live", hs, g.live(t))
	}
}

// TestGuardRefreshFromClient: a refresh from a device that holds almost
// nothing would empty the datastore; it is held the same way.
func TestGuardRefreshFromClient(t *testing.T) {
	g := newGuarded(t, 30)
	g.sync(t, &g.a, engine.ModeRefreshFromClient, func(w *engine.Work, ds *engine.Datastore) {
		if o, _, err := w.Apply(ds, engine.Change{Op: engine.OpAdd, LUID: g.luids[0], ContentType: "text/vcard",
			Data: card("Person 0")}); err != nil || o != engine.Matched {
			t.Fatalf("refresh item: %v %v", o, err)
		}
	})
	if hs := g.holds(t, store.HoldOpen); len(hs) != 1 || hs[0].Items != 29 || g.live(t) != 30 {
		t.Errorf("refresh keeping 1 of 30: holds %+v, %d live; want 29 held, 30 live", hs, g.live(t))
	}
	if got := g.sync(t, &g.b, engine.ModeTwoWay, nil); len(got) != 0 {
		t.Errorf("B got %d changes; want none", len(got))
	}
}

// holdRecorder is an Observer that records the holds it is told of.
type holdRecorder struct {
	engine.NopObserver
	holds []store.Hold
}

func (r *holdRecorder) DeletesHeld(_ string, h store.Hold) { r.holds = append(r.holds, h) }

// TestGuardAbandonedSession: the deletes of a session that never completes
// are not applied; the device sends them again next time, and they are
// decided then.
func TestGuardAbandonedSession(t *testing.T) {
	g := newGuarded(t, 30)
	last := g.a.Session
	abandoned := g.a
	abandoned.Session = "abandoned"
	err := g.core.Update(context.Background(), func(w *engine.Work) error {
		ds, _, _, err := w.Open(abandoned, engine.Contacts, engine.ModeTwoWay, last)
		if err != nil {
			return err
		}
		for _, luid := range g.luids[:25] {
			if o, _, err := w.Apply(ds, engine.Change{Op: engine.OpDelete, LUID: luid}); err != nil || o != engine.Deleted {
				return fmt.Errorf("delete %s: %v %v", luid, o, err)
			}
		}
		return nil // no Complete: the device went away
	})
	if err != nil {
		t.Fatal(err)
	}
	if g.live(t) != 30 || len(g.holds(t)) != 0 {
		t.Fatalf("after an abandoned session: %d live, %d holds; want 30 and none", g.live(t), len(g.holds(t)))
	}
	g.deleteSync(t, 25) // the same anchors: the device sends its deletes again
	if hs := g.holds(t, store.HoldOpen); len(hs) != 1 || hs[0].Items != 25 {
		t.Errorf("holds after the deletes came again: %+v; want 25 held", hs)
	}
}

// TestGuardDeleteThenWrite: a device's delete kept until the session
// completes must leave the session's outcome what applying it in order
// gives. A Replace or Add of the id it deleted is then a new item, kept
// and mapped, never taken away by the delete applied at the end.
func TestGuardDeleteThenWrite(t *testing.T) {
	for _, op := range []engine.Op{engine.OpReplace, engine.OpAdd} {
		t.Run(fmt.Sprint(op), func(t *testing.T) {
			g := newGuarded(t, 5)
			luid := g.luids[0]
			g.sync(t, &g.a, engine.ModeTwoWay, func(w *engine.Work, ds *engine.Datastore) {
				if o, _, err := w.Apply(ds, engine.Change{Op: engine.OpDelete, LUID: luid}); err != nil || o != engine.Deleted {
					t.Fatalf("delete %s: %v %v", luid, o, err)
				}
				if o, _, err := w.Apply(ds, engine.Change{Op: op, LUID: luid, ContentType: "text/vcard",
					Data: card("Person 0 again")}); err != nil || o != engine.Added {
					t.Fatalf("%v %s after its delete: %v %v; want it added", op, luid, o, err)
				}
			})
			if live := g.live(t); live != 5 {
				t.Errorf("live = %d; want 5 (one deleted, one added)", live)
			}
			bGot := g.sync(t, &g.b, engine.ModeTwoWay, nil)
			if count(bGot, engine.OpDelete) != 1 || count(bGot, engine.OpAdd) != 1 || len(bGot) != 2 {
				t.Fatalf("B got %d changes (%d deletes, %d adds); want the delete and the new item",
					len(bGot), count(bGot, engine.OpDelete), count(bGot, engine.OpAdd))
			}
			// A holds the new item under its id: a change of it reaches B.
			g.sync(t, &g.a, engine.ModeTwoWay, func(w *engine.Work, ds *engine.Datastore) {
				if o, _, err := w.Apply(ds, engine.Change{Op: engine.OpReplace, LUID: luid, ContentType: "text/vcard",
					Data: card("Person 0 edited")}); err != nil || o != engine.Replaced {
					t.Fatalf("replace %s: %v %v; want it replaced", luid, o, err)
				}
			})
			if bGot := g.sync(t, &g.b, engine.ModeTwoWay, nil); count(bGot, engine.OpReplace) != 1 {
				t.Errorf("B got %d changes; want the Replace", len(bGot))
			}
		})
	}
}
