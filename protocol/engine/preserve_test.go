package engine_test

import (
	"anchorage/admin"
	"anchorage/test/testserver"
	"context"
	"strings"
	"testing"

	"anchorage/protocol/pim"
	"anchorage/protocol/syncml"
	"anchorage/store/sqlite"
	"anchorage/test/simclient"
)

// syncServer starts an engine with user bob behind an HTTP server.
func syncServer(t *testing.T) string {
	t.Helper()
	_, _, url := syncEngine(t)
	return url
}

// syncEngine is syncServer that also returns the engine and its store.
func syncEngine(t *testing.T) (*admin.Admin, *sqlite.Store, string) {
	t.Helper()
	s := testserver.Start(t, []string{"bob"})
	return s.Admin, s.Store, s.URL
}

func device(url, id string, ds simclient.Datastore) *simclient.Device {
	return simclient.New(simclient.Options{URL: url, User: "bob", Password: "pw", DeviceID: id,
		Datastores: []simclient.Datastore{ds}})
}

func syncOK(t *testing.T, d *simclient.Device) *simclient.StoreReport {
	t.Helper()
	rep, err := d.Sync(context.Background(), simclient.TwoWay)
	if err != nil || !rep.Complete {
		t.Fatalf("sync of %s: %v (complete %v)", d.ID(), err, rep != nil && rep.Complete)
	}
	return rep.Stores["contacts"]
}

// only returns the one item of a device's datastore.
func only(t *testing.T, d *simclient.Device) (luid, data string) {
	t.Helper()
	items := d.Items("contacts")
	if len(items) != 1 {
		t.Fatalf("%s has %d items, want 1", d.ID(), len(items))
	}
	for l, v := range items {
		return l, v
	}
	return "", ""
}

// A phone whose CTCap lacks EMAIL and NOTE edits a contact's phone number:
// the e-mail and the note stay on the server and reach the other device,
// and the phone is not sent the item back.
func TestReplaceKeepsWhatTheDeviceCannotHold(t *testing.T) {
	url := syncServer(t)
	desk := device(url, "desk", simclient.Contacts)
	phone := device(url, "phone", simclient.Datastore{Name: "contacts", Local: "./contacts", Remote: "addressbook",
		Type: "text/x-vcard", VerCT: "2.1", CTCap: []syncml.CTProperty{{Name: "BEGIN"}, {Name: "END"}, {Name: "VERSION"},
			{Name: "N"}, {Name: "FN"}, {Name: "TEL", MaxOccur: 1}}})
	desk.Add("contacts", "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:c1\r\nN:Doe;Jane;;;\r\nFN:Jane Doe\r\nTEL;TYPE=CELL:111\r\n"+
		"TEL;TYPE=HOME:222\r\nEMAIL:jane@example.org\r\nNOTE:met at the fair\r\nEND:VCARD\r\n")
	syncOK(t, desk)
	syncOK(t, phone)
	luid, _ := only(t, phone)
	if err := phone.Edit("contacts", luid, "BEGIN:VCARD\r\nVERSION:2.1\r\nN:Doe;Janet\r\nFN:Janet Doe\r\nTEL;CELL:999\r\nEND:VCARD\r\n"); err != nil {
		t.Fatal(err)
	}
	if r := syncOK(t, phone); r.Statuses[200] != 1 {
		t.Fatalf("phone's Replace statuses %v", r.Statuses)
	}
	if r := syncOK(t, phone); r.RecvAdds+r.RecvReplaces != 0 {
		t.Errorf("the phone was sent its own item back: %+v", r)
	}
	if r := syncOK(t, desk); r.RecvReplaces != 1 {
		t.Fatalf("desk got %d Replaces, want 1", r.RecvReplaces)
	}
	_, got := only(t, desk)
	for _, want := range []string{"Janet", "999", "EMAIL", "jane@example.org", "NOTE:met at the fair", "TEL;TYPE=HOME:222", "UID:c1"} {
		if !strings.Contains(got, want) {
			t.Errorf("desk's item lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "111") {
		t.Errorf("the number the phone replaced is back:\n%s", got)
	}
}

// A Funambol device (SIF in its DevInf) gets SIF converted from a vCard
// item, and its change reaches the vCard device with what SIF cannot
// hold (the UID, a fourth e-mail address) kept.
func TestSIFDeviceExchangesWithVCardDevice(t *testing.T) {
	url := syncServer(t)
	desk := device(url, "desk", simclient.Contacts)
	sif := device(url, "fwm-1", simclient.Datastore{Name: "contacts", Local: "./contacts", Remote: "card", Type: pim.SIFContact, VerCT: "1.0"})
	desk.Add("contacts", "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:c1\r\nN:Doe;Jane;;;\r\nFN:Jane Doe\r\nTEL;TYPE=CELL:111\r\n"+
		"EMAIL:a@x.org\r\nEMAIL:b@x.org\r\nEMAIL:c@x.org\r\nEMAIL:d@x.org\r\nEND:VCARD\r\n")
	syncOK(t, desk)
	syncOK(t, sif)
	luid, got := only(t, sif)
	if !strings.Contains(got, "<contact>") || !strings.Contains(got, "<MobileTelephoneNumber>111</MobileTelephoneNumber>") {
		t.Fatalf("the SIF device got:\n%s", got)
	}
	edited := strings.Replace(got, ">111<", ">777<", 1)
	if err := sif.Edit("contacts", luid, edited); err != nil {
		t.Fatal(err)
	}
	syncOK(t, sif)
	if r := syncOK(t, sif); r.RecvAdds+r.RecvReplaces != 0 {
		t.Errorf("the SIF device was sent its own item back: %+v", r)
	}
	syncOK(t, desk)
	_, card := only(t, desk)
	for _, want := range []string{"777", "UID:c1", "d@x.org", "a@x.org"} {
		if !strings.Contains(card, want) {
			t.Errorf("desk's item lacks %q:\n%s", want, card)
		}
	}
	// A slow sync of the SIF device matches its item, adds nothing.
	sif2 := device(url, "fwm-2", simclient.Datastore{Name: "contacts", Local: "./contacts", Remote: "card", Type: pim.SIFContact, VerCT: "1.0"})
	sif2.Add("contacts", edited)
	syncOK(t, sif2)
	if n := len(sif2.Items("contacts")); n != 1 {
		t.Errorf("second SIF device has %d items after its slow sync, want 1 (twin matched)", n)
	}
}
