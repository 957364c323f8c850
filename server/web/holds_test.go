package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"anchorage/store"
)

// hold records an open hold of a device's deletes of the given contacts.
func (e *env) hold(user, device string, guids ...string) int64 {
	e.t.Helper()
	h := &store.Hold{UserID: e.userID(user), Datastore: "contacts", DeviceID: device, Live: len(guids)}
	dels := make([]store.HeldDelete, len(guids))
	for i, g := range guids {
		dels[i] = store.HeldDelete{GUID: g, LUID: "l-" + g}
	}
	if err := e.st.Update(e.t.Context(), func(tx store.Tx) error { return tx.CreateHold(e.t.Context(), h, dels) }); err != nil {
		e.t.Fatal(err)
	}
	return h.ID
}

// TestHoldsOnDevicesPage: an open hold shows under its device with accept
// and reject behind a confirmation page that names the items; the forms
// need the CSRF token; another user can neither see nor decide it.
func TestHoldsOnDevicesPage(t *testing.T) {
	e := newEnv(t)
	e.addUser("alice", "pw", false)
	e.addUser("bob", "pw", false)
	now := time.Now()
	e.device("alice", "broken-phone", now.Add(-time.Hour), "")
	for _, c := range []struct{ guid, name string }{{"g1", "Ann Lee"}, {"g2", "Bob Stone"}, {"g3", "Cy Young"}} {
		e.put("alice", "contacts", c.guid, card(c.name, "0111"), "broken-phone", now.Add(-2*time.Hour))
	}
	first := e.hold("alice", "broken-phone", "g1", "g2")
	id := strconv.FormatInt(first, 10)

	b := e.browser()
	b.login("alice", "pw")
	contains(t, "devices page", b.mustGet("/devices"), "Held: this device deleted 2 of 2 contacts",
		"/holds/confirm?action=accept&amp;hold="+id, "/holds/confirm?action=reject&amp;hold="+id)
	page := b.mustGet("/holds/confirm?action=accept&hold=" + id)
	contains(t, "accept confirmation", page, "Delete 2 contacts item(s)?", "Ann Lee", "Bob Stone", `action="/holds/accept"`)
	if strings.Contains(page, "Cy Young") {
		t.Error("the confirmation lists an item the hold does not hold")
	}
	if code, _, _ := b.post("/holds/accept", url.Values{"hold": {id}, "csrf": {"forged"}}); code != http.StatusForbidden {
		t.Errorf("accept with a forged CSRF token = %d, want 403", code)
	}

	other := e.browser()
	other.login("bob", "pw")
	if strings.Contains(other.mustGet("/devices"), "Held:") {
		t.Error("bob's devices page shows alice's hold")
	}
	if code, _, _ := other.get("/holds/confirm?action=accept&hold=" + id); code != http.StatusNotFound {
		t.Errorf("bob's confirmation of alice's hold = %d, want 404", code)
	}
	if code, _, _ := other.post("/holds/accept", url.Values{"hold": {id}}); code != http.StatusNotFound {
		t.Errorf("bob accepting alice's hold = %d, want 404", code)
	}

	if code, _, hdr := b.post("/holds/accept", url.Values{"hold": {id}}); code != http.StatusSeeOther || !strings.HasPrefix(hdr.Get("Location"), "/devices?done=") {
		t.Fatalf("accept = %d %s", code, hdr.Get("Location"))
	}
	live, err := e.eng.LiveItems(t.Context(), "alice", "contacts")
	if err != nil || len(live) != 1 || live[0].GUID != "g3" {
		t.Errorf("live after accept = %d items, %v; want g3 alone", len(live), err)
	}
	if code, _, _ := b.post("/holds/accept", url.Values{"hold": {id}}); code != http.StatusNotFound {
		t.Errorf("accepting a decided hold again = %d, want 404", code)
	}

	second := strconv.FormatInt(e.hold("alice", "broken-phone", "g3"), 10)
	contains(t, "reject confirmation", b.mustGet("/holds/confirm?action=reject&hold="+second), "Keep 1 contacts item(s)?", "Cy Young")
	if code, _, _ := b.post("/holds/reject", url.Values{"hold": {second}}); code != http.StatusSeeOther {
		t.Fatalf("reject = %d", code)
	}
	if live, _ := e.eng.LiveItems(t.Context(), "alice", "contacts"); len(live) != 1 {
		t.Errorf("live after reject = %d; want 1", len(live))
	}
	if strings.Contains(b.mustGet("/devices"), "Held:") {
		t.Error("the devices page still shows a decided hold")
	}
	all, _ := e.eng.Holds(t.Context(), "alice", true)
	if len(all) != 2 || all[0].State != store.HoldAccepted || all[1].State != store.HoldRejected {
		t.Errorf("holds = %+v; want accepted and rejected", all)
	}
}
