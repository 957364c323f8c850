package engine_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"anchorage/protocol/engine"
	"anchorage/server"
	"anchorage/store/sqlite"
	"anchorage/test/simclient"
)

// TestDeviceDefaultCharset: a phone sends vCard 2.1 with 8-bit ISO-8859-2
// names and no CHARSET; with its default charset set to ISO-8859-2 the
// names reach a vCard 3.0 device and the export as the right letters, and
// the phone still holds its contact in vCard 2.1.
func TestDeviceDefaultCharset(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "a.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	eng := engine.New(engine.Options{Store: st, Logger: log})
	if err := eng.AddUser(ctx, "bob", "pw", true); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(server.New(server.Options{Engine: eng, Logger: log}))
	defer hs.Close()

	if err := eng.SetDeviceCharset(ctx, "bob", "phone", "latin-2-bogus"); err == nil {
		t.Error("an unknown charset was accepted")
	}
	if err := eng.SetDeviceCharset(ctx, "bob", "phone", "ISO-8859-2"); err != nil {
		t.Fatal(err)
	}
	phone := device(hs.URL+"/sync", "phone", simclient.Datastore{Name: "contacts", Local: "./contacts", Remote: "addressbook",
		Type: "text/x-vcard", VerCT: "2.1", B64: true})
	desk := device(hs.URL+"/sync", "desk", simclient.Contacts)
	phone.Add("contacts", "BEGIN:VCARD\r\nVERSION:2.1\r\nN:\xa3\xf3d\xbc;Jan\r\nFN:Jan \xa3\xf3d\xbc\r\nTEL;CELL:+48 42 000\r\nEND:VCARD\r\n")
	syncOK(t, phone)
	syncOK(t, desk)
	_, got := only(t, desk)
	if !strings.Contains(got, "FN:Jan Łódź") {
		t.Errorf("desk got:\n%s", got)
	}
	out, err := eng.Export(ctx, "bob", "contacts", engine.ExportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "Łódź") {
		t.Errorf("export:\n%s", out)
	}
	if r := syncOK(t, phone); r.RecvAdds+r.RecvReplaces != 0 {
		t.Errorf("the phone was sent its own contact back: %+v", r)
	}
}
