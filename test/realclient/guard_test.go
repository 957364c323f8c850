package realclient_test

import (
	"fmt"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"anchorage/test/testserver"
)

// TestMassDeletionGuard is issue 20's guard with SyncEvolution: devices A
// and B hold 40 contacts; A deletes 30 and syncs. The server keeps all 40,
// B's sync deletes nothing (it still holds 40), A's confirmation sync does
// not bring them back, and `hold list` and `device list` show the 30 held.
// After `hold reject` A gets its 30 back and both hold 40; after `hold
// accept` (a second run) B's next sync deletes them and both hold 10.
// Deleting 5 of 40 passes without a hold.
func TestMassDeletionGuard(t *testing.T) {
	shared := needRealClient(t)
	for _, decision := range []string{"reject", "accept"} {
		t.Run(decision, func(t *testing.T) { runGuard(t, shared, decision) })
	}
}

// The figures of issue 20's guard test.
const (
	guardTotal   = 40 // contacts on both devices
	guardMass    = 30 // A's mass deletion, held
	guardSmall   = 5  // a small deletion, not held
	guardRemains = guardTotal - guardMass
)

var holdLineRE = regexp.MustCompile(`(?m)^(\d+)\s+alice\s+(\S+)\s+contacts\s+(\d+)\s+(\d+)\s+(\S+)`)

func runGuard(t *testing.T, shared, decision string) {
	srv := startServer(t)
	srv.addUser(t, "alice", "pw")
	a := newDevice(t, shared, srv, "guard-a-"+decision, "alice", "pw", "md5", "contacts")
	b := newDevice(t, shared, srv, "guard-b-"+decision, "alice", "pw", "md5", "contacts")
	for i := range guardTotal {
		a.write(t, "contacts", fmt.Sprintf("c%02d.vcf", i),
			vcard30(fmt.Sprintf("Person%02d", i), "Guard", fmt.Sprintf("+4917000%04d", i), fmt.Sprintf("p%02d@example.com", i)))
	}
	if r := a.mustSync(t, "slow"); r.n("contacts", "remote_added") != guardTotal {
		t.Fatalf("A's first sync added %d on the server, want %d", r.n("contacts", "remote_added"), guardTotal)
	}
	if r := b.mustSync(t, "two-way"); r.n("contacts", "local_added") != guardTotal {
		t.Fatalf("B's first sync got %d, want %d", r.n("contacts", "local_added"), guardTotal)
	}

	// A deletes 30 of its 40 contacts: answered as done, held on the server.
	deleted := deleteFirst(t, a, guardMass)
	r := a.mustSync(t, "two-way")
	if got := r.n("contacts", "remote_deleted"); got != guardMass {
		t.Errorf("A's delete sync: remote_deleted = %d, want %d (the device is answered normally)", got, guardMass)
	}
	if n := strings.Count(srv.export(t, "alice", "contacts"), "BEGIN:VCARD"); n != guardTotal {
		t.Errorf("server holds %d contacts after the held deletes, want %d", n, guardTotal)
	}
	r = b.mustSync(t, "two-way")
	if got := r.n("contacts", "local_deleted"); got != 0 || len(b.files(t, "contacts")) != guardTotal {
		t.Errorf("B's sync: local_deleted = %d, %d files; want nothing deleted, %d", got, len(b.files(t, "contacts")), guardTotal)
	}
	r = a.mustSync(t, "two-way")
	if got := r.n("contacts", "local_added"); got != 0 || len(a.files(t, "contacts")) != guardRemains {
		t.Errorf("A's confirmation sync: local_added = %d, %d files; want the deleted items kept away, %d",
			got, len(a.files(t, "contacts")), guardRemains)
	}

	list := srv.admin(t, "", "hold", "list", "--data", srv.data)
	m := holdLineRE.FindStringSubmatch(list)
	if m == nil || m[2] != a.id || m[3] != strconv.Itoa(guardMass) || m[4] != strconv.Itoa(guardTotal) || m[5] != "open" {
		t.Fatalf("hold list does not show A's %d of %d deletes open:\n%s", guardMass, guardTotal, list)
	}
	id := m[1]
	if devs := srv.admin(t, "", "device", "list", "--data", srv.data); !strings.Contains(devs, fmt.Sprintf("HELD: %d deletes of contacts (hold %s)", guardMass, id)) {
		t.Errorf("device list does not show the hold:\n%s", devs)
	}
	if !strings.Contains(srv.log.String(), "mass deletion held for the owner") {
		t.Error("the server log does not tell of the hold")
	}
	series := `anchorage_deletes_held_total{datastore="contacts",protocol="syncml"}`
	if got := testserver.MustScrapeMetrics(t, strings.TrimSuffix(srv.url, "/sync"))[series]; got != guardMass {
		t.Errorf("%s = %v, want %d", series, got, guardMass)
	}

	out := srv.admin(t, "", "hold", decision, "--data", srv.data, id)
	t.Logf("hold %s: %s", decision, strings.TrimSpace(out))
	if decision == "reject" {
		r = a.mustSync(t, "two-way")
		if got := r.n("contacts", "local_added"); got != guardMass {
			t.Errorf("A after reject: local_added = %d, want %d", got, guardMass)
		}
		if got := keySet(a.files(t, "contacts"), "FN"); !equalLists(got, keySet(b.files(t, "contacts"), "FN")) || len(got) != guardTotal {
			t.Errorf("after reject A holds %d contacts, not B's %d: %v", len(got), guardTotal, deleted)
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

		// A small deletion passes: 5 of 40.
		deleteFirst(t, a, guardSmall)
		a.mustSync(t, "two-way")
		if r = b.mustSync(t, "two-way"); r.n("contacts", "local_deleted") != guardSmall || len(b.files(t, "contacts")) != guardTotal-guardSmall {
			t.Errorf("%d of %d deleted: B's local_deleted = %d, %d files; want %d, %d", guardSmall, guardTotal,
				r.n("contacts", "local_deleted"), len(b.files(t, "contacts")), guardSmall, guardTotal-guardSmall)
		}
		if list := srv.admin(t, "", "hold", "list", "--data", srv.data); holdLineRE.MatchString(list) {
			t.Errorf("deleting %d of %d made a hold:\n%s", guardSmall, guardTotal, list)
		}
		return
	}
	r = b.mustSync(t, "two-way")
	if got := r.n("contacts", "local_deleted"); got != guardMass || len(b.files(t, "contacts")) != guardRemains {
		t.Errorf("B after accept: local_deleted = %d, %d files; want %d, %d", got, len(b.files(t, "contacts")), guardMass, guardRemains)
	}
	if r = a.mustSync(t, "two-way"); r.n("contacts", "local_added")+r.n("contacts", "local_deleted") != 0 {
		t.Errorf("A after accept: %v", r.sources["contacts"])
	}
	if n := strings.Count(srv.export(t, "alice", "contacts"), "BEGIN:VCARD"); n != guardRemains {
		t.Errorf("server holds %d contacts after accept, want %d", n, guardRemains)
	}
	if fa := keySet(a.files(t, "contacts"), "FN"); !equalLists(fa, keySet(b.files(t, "contacts"), "FN")) || len(fa) != guardRemains {
		t.Errorf("after accept A holds %d contacts and B %d, want both the same %d", len(fa), len(b.files(t, "contacts")), guardRemains)
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
