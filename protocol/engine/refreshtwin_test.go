package engine_test

import (
	"context"
	"strings"
	"testing"

	"anchorage/test/simclient"
)

// A refresh from a phone that holds a reduced copy (no e-mail) of a
// contact another device renamed since writes the phone's copy on that
// contact, not a new one next to a deleted original: when the other
// device edits the contact again before it syncs, the server still holds
// one (the edit is a conflict on it, not the revival of the original).
func TestRefreshFromClientStaleCopyKeepsItem(t *testing.T) {
	eng, _, url := syncEngine(t)
	desk := device(url, "desk", simclient.Contacts)
	desk.Add("contacts", noUID(fullContact(1)))
	syncOK(t, desk)
	phone := device(url, "phone", simclient.Contacts)
	var keep []string
	for _, l := range strings.Split(noUID(fullContact(1)), "\r\n") {
		if !strings.HasPrefix(l, "EMAIL") {
			keep = append(keep, l)
		}
	}
	phone.Add("contacts", strings.Join(keep, "\r\n"))
	luid := desk.LUIDs("contacts")[0]
	desk.Edit("contacts", luid, renamed(1, "Gina1"))
	syncOK(t, desk)
	if rep, err := phone.Sync(context.Background(), simclient.RefreshFromClient); err != nil || !rep.Complete {
		t.Fatalf("phone's refresh: %v", err)
	}
	desk.Edit("contacts", luid, renamed(1, "Gina2"))
	syncOK(t, desk)
	live, err := eng.LiveItems(context.Background(), "bob", "contacts")
	if err != nil {
		t.Fatal(err)
	}
	if len(live) != 1 {
		t.Errorf("server holds %d contacts, want 1", len(live))
	}
}

// renamed is fullContact(i) under another name and number.
func renamed(i int, name string) string {
	return strings.NewReplacer("Given", name+"x", "Family", name+"y", "+49 170", "+49 171").Replace(noUID(fullContact(i)))
}

// noUID is a contact without its UID, as phones often hold it.
func noUID(c string) string {
	var keep []string
	for _, l := range strings.Split(c, "\r\n") {
		if !strings.HasPrefix(l, "UID:") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\r\n")
}
