package simclient_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"

	"anchorage/protocol/engine"
	"anchorage/protocol/syncml/session"
	"anchorage/server"
	"anchorage/store/sqlite"
	"anchorage/test/simclient"
	"anchorage/test/testserver"
)

// TestBackupThenServeFromCopy takes an online backup (sqlite Store.Backup)
// while a device keeps syncing new contacts, verifies the copy, starts a
// server on it and checks that a device whose last sync predates the
// backup goes on with a fast sync: nothing received or sent again, and
// the copy holds what that device holds.
func TestBackupThenServeFromCopy(t *testing.T) {
	ctx := context.Background()
	s := testserver.Start(t, []string{"bob"})
	dev := func(id, url string) *simclient.Device {
		return simclient.New(simclient.Options{URL: url, User: "bob", Password: testserver.Password, DeviceID: id})
	}
	sync1 := func(d *simclient.Device, mode int) *simclient.Report {
		t.Helper()
		rep, err := d.Sync(ctx, mode)
		if err != nil || !rep.Complete {
			t.Fatalf("%s: sync: %v (complete %v)", d.ID(), err, rep != nil && rep.Complete)
		}
		return rep
	}
	a, b := dev("a", s.URL), dev("b", s.URL)
	for i := range 20 {
		a.Add("contacts", fmt.Sprintf("BEGIN:VCARD\nVERSION:3.0\nN:Doe%d;Jane\nFN:Jane Doe%d\nEND:VCARD\n", i, i))
	}
	sync1(a, simclient.TwoWay)
	sync1(b, simclient.TwoWay)
	if n := len(b.Items("contacts")); n != 20 {
		t.Fatalf("b holds %d contacts, want 20", n)
	}

	// A writer keeps syncing while the backup runs.
	writer := dev("w", s.URL)
	stop, first := make(chan struct{}), make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			writer.Add("contacts", fmt.Sprintf("BEGIN:VCARD\nVERSION:3.0\nN:Writer%d;W\nFN:W Writer%d\nEND:VCARD\n", i, i))
			if rep, err := writer.Sync(ctx, simclient.TwoWay); err != nil || !rep.Complete {
				t.Errorf("writer sync %d: %v", i, err)
				close(first)
				return
			}
			if i == 0 {
				close(first)
			}
		}
	}()
	<-first // the backup starts while the writer is between or inside sessions
	copyPath := filepath.Join(t.TempDir(), "anchorage.db")
	err := s.Store.Backup(ctx, copyPath)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatalf("Backup: %v", err)
	}
	counts, err := sqlite.Verify(ctx, copyPath)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if counts.Users != 1 || counts.Devices != 3 || counts.Items < 21 {
		t.Fatalf("copy holds %+v", counts)
	}

	// Serve from the copy.
	st, err := sqlite.Open(copyPath)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	hs := httptest.NewServer(server.New(server.Options{SyncML: session.New(engine.New(engine.Options{Store: st, Logger: log}), session.Options{Logger: log}), Logger: log}))
	defer hs.Close()

	b.SetURL(hs.URL + "/sync")
	rep := sync1(b, simclient.TwoWay)
	c := rep.Stores["contacts"]
	if c.Mode != simclient.TwoWay || c.AlertStatus != 200 {
		t.Errorf("b's first sync on the copy: mode %d, status %d; want a fast two-way sync (200)", c.Mode, c.AlertStatus)
	}
	// b gets what the writer had stored at backup time, nothing of its own.
	if c.RecvReplaces != 0 || c.RecvDeletes != 0 || c.SentAdds != 0 {
		t.Errorf("b's sync on the copy: %+v", c)
	}
	if got := len(b.Items("contacts")); int64(got) != counts.Items {
		t.Errorf("b holds %d contacts after syncing with the copy, the copy %d", got, counts.Items)
	}
}
