package realclient_test

import (
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"anchorage/test/testserver"
)

// TestMassDeletionGuard is issue 20's guard with SyncEvolution: devices A
// and B hold 30 contacts; A deletes 25 and syncs. The server keeps all 30,
// B's sync deletes nothing, A's confirmation sync does not bring them
// back, and `hold list` and `device list` show the hold. After `hold
// reject` A gets its 25 back; after `hold accept` (a second run) B's next
// sync deletes them. Deleting 5 of 30 passes without a hold.
func TestMassDeletionGuard(t *testing.T) {
	shared := needRealClient(t)
	for _, decision := range []string{"reject", "accept"} {
		t.Run(decision, func(t *testing.T) { runGuard(t, shared, decision) })
	}
}

var holdLineRE = regexp.MustCompile(`(?m)^(\d+)\s+alice\s+(\S+)\s+contacts\s+(\d+)\s+(\d+)\s+(\S+)`)

func runGuard(t *testing.T, shared, decision string) {
	srv := startServer(t)
	srv.addUser(t, "alice", "pw")
	a := newDevice(t, shared, srv, "guard-a-"+decision, "alice", "pw", "md5", "contacts")
	b := newDevice(t, shared, srv, "guard-b-"+decision, "alice", "pw", "md5", "contacts")
	for i := range 30 {
		a.write(t, "contacts", fmt.Sprintf("c%02d.vcf", i),
			vcard30(fmt.Sprintf("Person%02d", i), "Guard", fmt.Sprintf("+4917000%04d", i), fmt.Sprintf("p%02d@example.com", i)))
	}
	if r := a.mustSync(t, "slow"); r.n("contacts", "remote_added") != 30 {
		t.Fatalf("A's first sync added %d on the server, want 30", r.n("contacts", "remote_added"))
	}
	if r := b.mustSync(t, "two-way"); r.n("contacts", "local_added") != 30 {
		t.Fatalf("B's first sync got %d, want 30", r.n("contacts", "local_added"))
	}

	// A deletes 25 of its 30 contacts: answered as done, held on the server.
	deleted := deleteFirst(t, a, 25)
	r := a.mustSync(t, "two-way")
	if got := r.n("contacts", "remote_deleted"); got != 25 {
		t.Errorf("A's delete sync: remote_deleted = %d, want 25 (the device is answered normally)", got)
	}
	if n := strings.Count(srv.export(t, "alice", "contacts"), "BEGIN:VCARD"); n != 30 {
		t.Errorf("server holds %d contacts after the held deletes, want 30", n)
	}
	r = b.mustSync(t, "two-way")
	if got := r.n("contacts", "local_deleted"); got != 0 || len(b.files(t, "contacts")) != 30 {
		t.Errorf("B's sync: local_deleted = %d, %d files; want nothing deleted, 30", got, len(b.files(t, "contacts")))
	}
	r = a.mustSync(t, "two-way")
	if got := r.n("contacts", "local_added"); got != 0 || len(a.files(t, "contacts")) != 5 {
		t.Errorf("A's confirmation sync: local_added = %d, %d files; want the deleted items kept away, 5", got, len(a.files(t, "contacts")))
	}

	list := srv.admin(t, "", "hold", "list", "--data", srv.data)
	m := holdLineRE.FindStringSubmatch(list)
	if m == nil || m[2] != a.id || m[3] != "25" || m[4] != "30" || m[5] != "open" {
		t.Fatalf("hold list does not show A's 25 of 30 deletes open:\n%s", list)
	}
	id := m[1]
	if devs := srv.admin(t, "", "device", "list", "--data", srv.data); !strings.Contains(devs, "HELD: 25 deletes of contacts (hold "+id+")") {
		t.Errorf("device list does not show the hold:\n%s", devs)
	}
	if !strings.Contains(srv.log.String(), "mass deletion held for the owner") {
		t.Error("the server log does not tell of the hold")
	}
	series := `anchorage_deletes_held_total{datastore="contacts",protocol="syncml"}`
	if got := testserver.MustScrapeMetrics(t, strings.TrimSuffix(srv.url, "/sync"))[series]; got != 25 {
		t.Errorf("%s = %v, want 25", series, got)
	}

	out := srv.admin(t, "", "hold", decision, "--data", srv.data, id)
	t.Logf("hold %s: %s", decision, strings.TrimSpace(out))
	if decision == "reject" {
		r = a.mustSync(t, "two-way")
		if got := r.n("contacts", "local_added"); got != 25 {
			t.Errorf("A after reject: local_added = %d, want 25", got)
		}
		if got := keySet(a.files(t, "contacts"), "FN"); !equalLists(got, keySet(b.files(t, "contacts"), "FN")) || len(got) != 30 {
			t.Errorf("after reject A holds %d contacts, not B's 30: %v", len(got), deleted)
		}
		if r = a.mustSync(t, "two-way"); r.n("contacts", "local_added") != 0 {
			t.Errorf("A's sync after the return got %d again", r.n("contacts", "local_added"))
		}
		if r = b.mustSync(t, "two-way"); r.n("contacts", "local_deleted")+r.n("contacts", "local_added") != 0 {
			t.Errorf("B after reject: %v", r.sources["contacts"])
		}
		if list := srv.admin(t, "", "hold", "list", "--all", "--data", srv.data); !strings.Contains(list, "returned") {
			t.Errorf("hold list --all does not show the hold returned:\n%s", list)
		}

		// A small deletion passes: 5 of 30.
		deleteFirst(t, a, 5)
		a.mustSync(t, "two-way")
		if r = b.mustSync(t, "two-way"); r.n("contacts", "local_deleted") != 5 {
			t.Errorf("5 of 30 deleted: B's local_deleted = %d, want 5", r.n("contacts", "local_deleted"))
		}
		if list := srv.admin(t, "", "hold", "list", "--data", srv.data); holdLineRE.MatchString(list) {
			t.Errorf("deleting 5 of 30 made a hold:\n%s", list)
		}
		return
	}
	r = b.mustSync(t, "two-way")
	if got := r.n("contacts", "local_deleted"); got != 25 || len(b.files(t, "contacts")) != 5 {
		t.Errorf("B after accept: local_deleted = %d, %d files; want 25, 5", got, len(b.files(t, "contacts")))
	}
	if r = a.mustSync(t, "two-way"); r.n("contacts", "local_added")+r.n("contacts", "local_deleted") != 0 {
		t.Errorf("A after accept: %v", r.sources["contacts"])
	}
	if n := strings.Count(srv.export(t, "alice", "contacts"), "BEGIN:VCARD"); n != 5 {
		t.Errorf("server holds %d contacts after accept, want 5", n)
	}
	if !equalLists(keySet(a.files(t, "contacts"), "FN"), keySet(b.files(t, "contacts"), "FN")) {
		t.Error("A and B differ after accept")
	}
}

// deleteFirst removes a device's first n contact files (by name) and
// returns the names of the contacts removed.
func deleteFirst(t *testing.T, d *device, n int) []string {
	t.Helper()
	files := d.files(t, "contacts")
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	if len(names) < n {
		t.Fatalf("device %s holds %d contacts, cannot delete %d", d.id, len(names), n)
	}
	var fns []string
	for _, name := range names[:n] {
		fns = append(fns, props(files[name], "FN")...)
		if err := os.Remove(d.path("contacts", name)); err != nil {
			t.Fatal(err)
		}
	}
	return fns
}
