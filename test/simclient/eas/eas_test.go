package eas_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"anchorage/admin"
	"anchorage/protocol/activesync"
	"anchorage/protocol/activesync/coresession"
	"anchorage/protocol/engine"
	"anchorage/store/sqlite"
	"anchorage/test/simclient/eas"
)

// newServer runs the EAS front end on the core over a SQLite file, on
// 127.0.0.1, with the user ann.
func newServer(t *testing.T) string {
	t.Helper()
	url, _ := newServerAdmin(t)
	return url
}

// newServerAdmin is newServer, with the server's admin interface.
func newServerAdmin(t *testing.T) (string, *admin.Admin) {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "eas.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	core := engine.New(engine.Options{Store: st, Logger: log})
	adm := admin.New(core)
	if err := adm.AddUser(context.Background(), "ann", "pw", false); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(activesync.New(activesync.Options{Backend: coresession.New(core),
		Converter: activesync.PIMConverter{}, Provisioning: activesync.ProvisionOff, Logger: log}))
	t.Cleanup(hs.Close)
	return hs.URL + activesync.Path, adm
}

// TestTwoDevices: A uploads 120 contacts in batches of 50 (one answer
// lost, the ServerIds of another not stored); B receives them in windows
// of 7; A's edit and delete reach B; repeat syncs exchange nothing.
func TestTwoDevices(t *testing.T) {
	url := newServer(t)
	ctx := context.Background()
	a := eas.New(eas.Options{URL: url, User: "ann", Password: "pw", DeviceID: "dev-a"})
	b := eas.New(eas.Options{URL: url, User: "ann", Password: "pw", DeviceID: "dev-b", WindowSize: 7})
	var ids []string
	for i := range 120 {
		ids = append(ids, a.Add(eas.Item{"LastName": fmt.Sprintf("Müller%03d", i), "FirstName": "Jörg",
			"MobilePhoneNumber": fmt.Sprintf("+4917000%04d", i)}))
	}
	a.Faults = eas.Faults{DropResponse: []int{2}, ForgetAdds: 3}
	rep, err := a.Sync(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Resent) != 1 || !rep.Resent[0].Identical {
		t.Errorf("lost answer: %d requests sent again, want 1 with the same answer", len(rep.Resent))
	}
	rep, err = b.Sync(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.RecvAdds != 120 || len(b.IDs()) != 120 || rep.PagedWindows < 17 {
		t.Errorf("B got %d Adds, holds %d, in %d windows with MoreAvailable; want 120 in 17 or more", rep.RecvAdds, len(b.IDs()), rep.PagedWindows)
	}
	a.Edit(ids[0], eas.Item{"LastName": "Müller000", "FirstName": "Jörg", "MobilePhoneNumber": "+491709999"})
	a.Delete(ids[1])
	if _, err := a.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	rep, err = b.Sync(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.RecvChanges != 1 || rep.RecvDeletes != 1 || len(b.IDs()) != 119 {
		t.Errorf("B got %d changes and %d deletes, holds %d; want 1, 1 and 119", rep.RecvChanges, rep.RecvDeletes, len(b.IDs()))
	}
	for _, d := range []*eas.Device{a, b} {
		rep, err := d.Sync(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if rep.RecvAdds+rep.RecvChanges+rep.RecvDeletes+rep.SentAdds+rep.SentChanges+rep.SentDeletes != 0 {
			t.Errorf("%s: repeat sync exchanged %+v", d.ID(), rep)
		}
	}
}
