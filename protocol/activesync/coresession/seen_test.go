package coresession_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"anchorage/admin"
	"anchorage/hub"
	"anchorage/protocol/activesync/coresession"
	"anchorage/protocol/engine"
	"anchorage/store"
	"anchorage/store/sqlite"
)

// countingStore counts the write transactions run on a store.
type countingStore struct {
	*sqlite.Store
	updates atomic.Int64
}

func (c *countingStore) Update(ctx context.Context, fn func(store.Tx) error) error {
	c.updates.Add(1)
	return c.Store.Update(ctx, fn)
}

// TestFreshDeviceRequestWritesNothing: a request that only reads (here
// FolderSync's folder list) of a device seen less than a minute ago runs no
// write transaction at all; once the minute is over, it records the
// device as seen again.
func TestFreshDeviceRequestWritesNothing(t *testing.T) {
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "eas.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cs := &countingStore{Store: st}
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	core := engine.New(engine.Options{Store: cs, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Hub: hub.NewLocal(),
		Now: func() time.Time { return now }})
	if err := admin.New(core).AddUser(context.Background(), "ann", "pw", false); err != nil {
		t.Fatal(err)
	}
	b := coresession.New(core)
	request := func() int64 {
		t.Helper()
		before := cs.updates.Load()
		s := login(t, b, "dev1")
		if _, err := s.Folders(context.Background()); err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		return cs.updates.Load() - before
	}
	lastSeen := func() time.Time {
		t.Helper()
		var seen time.Time
		if err := core.View(context.Background(), func(w *engine.Work) error {
			d, err := w.Device(1, "dev1")
			if d != nil {
				seen = d.LastSeen
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return seen
	}
	if n := request(); n != 1 {
		t.Errorf("first request of a new device ran %d write transactions, want 1 (the device's record)", n)
	}
	first := lastSeen()
	if !first.Equal(now) {
		t.Fatalf("device last seen %v, want %v", first, now)
	}
	now = now.Add(30 * time.Second)
	if n := request(); n != 0 {
		t.Errorf("a request 30 s later ran %d write transactions, want none", n)
	}
	if got := lastSeen(); !got.Equal(first) {
		t.Errorf("device last seen %v after a request 30 s later, want it left at %v", got, first)
	}
	now = now.Add(time.Minute)
	if n := request(); n != 1 {
		t.Errorf("a request 90 s after the first ran %d write transactions, want 1", n)
	}
	if got := lastSeen(); !got.Equal(now) {
		t.Errorf("device last seen %v after a request 90 s later, want %v", got, now)
	}
}
