package engine_test

import (
	"anchorage/admin"
	"context"
	"strings"
	"testing"

	"anchorage/test/simclient"
)

// TestDeviceDefaultCharset: a phone sends vCard 2.1 with 8-bit ISO-8859-2
// names and no CHARSET; with its default charset set to ISO-8859-2 the
// names reach a vCard 3.0 device and the export as the right letters, and
// the phone still holds its contact in vCard 2.1.
func TestDeviceDefaultCharset(t *testing.T) {
	ctx := context.Background()
	eng, _, url := syncEngine(t)

	if err := eng.SetDeviceCharset(ctx, "bob", "phone", "latin-2-bogus"); err == nil {
		t.Error("an unknown charset was accepted")
	}
	if err := eng.SetDeviceCharset(ctx, "bob", "phone", "ISO-8859-2"); err != nil {
		t.Fatal(err)
	}
	phone := device(url, "phone", simclient.Datastore{Name: "contacts", Local: "./contacts", Remote: "addressbook",
		Type: "text/x-vcard", VerCT: "2.1", B64: true})
	desk := device(url, "desk", simclient.Contacts)
	phone.Add("contacts", "BEGIN:VCARD\r\nVERSION:2.1\r\nN:\xa3\xf3d\xbc;Jan\r\nFN:Jan \xa3\xf3d\xbc\r\nTEL;CELL:+48 42 000\r\nEND:VCARD\r\n")
	syncOK(t, phone)
	syncOK(t, desk)
	_, got := only(t, desk)
	if !strings.Contains(got, "FN:Jan Łódź") {
		t.Errorf("desk got:\n%s", got)
	}
	res, err := eng.Export(ctx, "bob", "contacts", admin.ExportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out := res.Data
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
