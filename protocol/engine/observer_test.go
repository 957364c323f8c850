package engine_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"

	"anchorage/admin"
	"anchorage/protocol/engine"
	"anchorage/store/sqlite"
)

// countingObserver records the item events the core reports.
type countingObserver struct {
	engine.NopObserver
	mu       sync.Mutex
	received map[[2]string]int
	sent     map[[2]string]int
}

func (o *countingObserver) ItemsReceived(protocol, op string, n int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.received[[2]string{protocol, op}] += n
}

func (o *countingObserver) ItemsSent(protocol, op string, n int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.sent[[2]string{protocol, op}] += n
}

// TestObserverCountsCommittedWork: the core reports the items a unit of
// work applied and sent, labelled with the partner's protocol, once it
// committed; a rolled-back unit of work reports nothing.
func TestObserverCountsCommittedWork(t *testing.T) {
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "core.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	obs := &countingObserver{received: map[[2]string]int{}, sent: map[[2]string]int{}}
	core := engine.New(engine.Options{Store: st, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Observer: obs})
	ctx := context.Background()
	if err := admin.New(core).AddUser(ctx, "ann", "pw", false); err != nil {
		t.Fatal(err)
	}
	var u *engine.User
	if err := core.View(ctx, func(w *engine.Work) (err error) { u, err = w.Login("ann", "pw"); return err }); err != nil {
		t.Fatal(err)
	}
	p := engine.Partner{UserID: u.ID, UserName: u.Name, DeviceID: "dev", Session: "s1", Protocol: "test"}
	add := func(fail bool) error {
		return core.Update(ctx, func(w *engine.Work) error {
			ds, _, _, err := w.Open(p, engine.Contacts, engine.ModeSlow, "")
			if err != nil {
				return err
			}
			if _, _, err := w.Apply(ds, engine.Change{Op: engine.OpAdd, LUID: "1", ContentType: "text/vcard", Data: card("Ann")}); err != nil {
				return err
			}
			if fail {
				return errors.New("rolled back")
			}
			return nil
		})
	}
	if err := add(true); err == nil {
		t.Fatal("rolled-back unit of work returned no error")
	}
	if n := obs.received[[2]string{"test", "Add"}]; n != 0 {
		t.Errorf("after a rollback: %d items received reported, want 0", n)
	}
	if err := add(false); err != nil {
		t.Fatal(err)
	}
	if n := obs.received[[2]string{"test", "Add"}]; n != 1 {
		t.Errorf("after a commit: %d items received reported, want 1 (%v)", n, obs.received)
	}

	other := engine.Partner{UserID: u.ID, UserName: u.Name, DeviceID: "dev-b", Session: "s2", Protocol: "test"}
	err = core.Update(ctx, func(w *engine.Work) error {
		ds, _, _, err := w.Open(other, engine.Contacts, engine.ModeSlow, "")
		if err != nil {
			return err
		}
		ch, err := w.NextChange(ds)
		if err != nil || ch == nil {
			t.Fatalf("second device's change: %v, %v", ch, err)
		}
		w.Advance(ds, ch)
		return w.Flush(ds)
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := obs.sent[[2]string{"test", "Add"}]; n != 1 {
		t.Errorf("items sent reported: %v, want one Add", obs.sent)
	}
}
