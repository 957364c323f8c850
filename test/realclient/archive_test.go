package realclient_test

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

// historyRow is one row of "anchorage history".
type historyRow struct {
	item, version, op, origin, summary string
}

// history runs "anchorage history" and parses its table.
func (s *server) history(t *testing.T, user string, args ...string) []historyRow {
	t.Helper()
	out := s.admin(t, "", append([]string{"history", "--data", s.data, "--user", user, "--db", "contacts"}, args...)...)
	var rows []historyRow
	for i, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Fields(line)
		if i == 0 || len(f) < 7 { // the header; TIME is two fields
			continue
		}
		rows = append(rows, historyRow{item: f[2], version: f[3], op: f[4], origin: f[5], summary: strings.Join(f[6:], " ")})
	}
	return rows
}

// serverPhones is the sorted first TEL of every contact on the server.
func serverPhones(t *testing.T, s *server, user string) []string {
	t.Helper()
	return keySet(splitStream(s.export(t, user, "contacts"), "VCARD"), "TEL")
}

// TestArchiveRestoreAsOf: devices A and B hold 20 contacts; A deletes 5 and
// garbles 2 more, and B follows; "anchorage restore --as-of" a time before
// A's change brings all 7 back to both devices on their next fast sync.
func TestArchiveRestoreAsOf(t *testing.T) {
	shared := needRealClient(t)
	srv := startServer(t)
	srv.addUser(t, "arc", "pw")
	a := newDevice(t, shared, srv, "arc-a", "arc", "pw", "", "contacts")
	b := newDevice(t, shared, srv, "arc-b", "arc", "pw", "", "contacts")
	for i, n := range contactNames {
		a.write(t, "contacts", fmt.Sprintf("c%02d.vcf", i),
			vcard30(n.given, n.family, fmt.Sprintf("+4917000000%02d", i), fmt.Sprintf("person%02d@example.com", i)))
	}
	a.mustSync(t, "slow")
	b.mustSync(t, "two-way")
	assertConverged(t, srv, "arc", a, b)
	wantFNs, wantPhones := contactSet(t, a), keySet(a.files(t, "contacts"), "TEL")
	if len(wantFNs) != 20 || len(wantPhones) != 20 {
		t.Fatalf("A holds %d contacts, want 20", len(wantFNs))
	}
	before := time.Now().UTC().Format(time.RFC3339Nano)

	// A deletes 5 contacts and garbles the name and phone of 2 more.
	waitForMtime()
	var deleted []string
	for i, n := range contactNames[:7] {
		fn := n.given + " " + n.family
		name := fileWith(t, a, fn)
		if i < 5 {
			deleted = append(deleted, fn)
			if err := os.Remove(a.path("contacts", name)); err != nil {
				t.Fatal(err)
			}
			continue
		}
		body := a.files(t, "contacts")[name]
		body = strings.Replace(body, "FN:"+fn, fmt.Sprintf("FN:Xq%d Garbage", i), 1)
		body = strings.Replace(body, fmt.Sprintf("TEL;TYPE=CELL:+4917000000%02d", i), "TEL;TYPE=CELL:+0000000000", 1)
		a.write(t, "contacts", name, body)
	}
	r := a.mustSync(t, "two-way")
	expect(t, "A sends its changes", r, "contacts", map[string]int{"remote_deleted": 5, "remote_updated": 2, "remote_added": 0})
	r = b.mustSync(t, "two-way")
	expect(t, "B receives them", r, "contacts", map[string]int{"local_deleted": 5, "local_updated": 2, "local_added": 0})
	if n := len(serverContacts(t, srv, "arc")); n != 15 {
		t.Fatalf("server holds %d contacts after A's change, want 15", n)
	}

	// The history lists the deletes, made by A.
	var dels []string
	for _, h := range srv.history(t, "arc", "--deleted") {
		if h.op != "delete" || h.origin != a.id {
			t.Errorf("history --deleted: %+v, want a delete by %s", h, a.id)
		}
		dels = append(dels, h.summary)
	}
	if got, want := slices.Sorted(slices.Values(dels)), slices.Sorted(slices.Values(deleted)); !equalLists(got, want) {
		t.Errorf("history --deleted lists %q, want %q", got, want)
	}

	// A dry run changes nothing; the restore writes the 7 back.
	restore := []string{"restore", "--data", srv.data, "--user", "arc", "--db", "contacts", "--as-of", before}
	out := srv.admin(t, "", append(restore, "--dry-run")...)
	if !strings.Contains(out, "5 added back, 2 updated, 0 deleted, 13 unchanged") {
		t.Errorf("restore --dry-run printed:\n%s", out)
	}
	if n := len(serverContacts(t, srv, "arc")); n != 15 {
		t.Errorf("dry run changed the server: %d contacts", n)
	}
	out = srv.admin(t, "", restore...)
	if !strings.Contains(out, "5 added back, 2 updated, 0 deleted, 13 unchanged") {
		t.Errorf("restore printed:\n%s", out)
	}
	if got := serverContacts(t, srv, "arc"); !equalLists(got, wantFNs) {
		t.Errorf("server after the restore: %q, want %q", got, wantFNs)
	}
	if got := serverPhones(t, srv, "arc"); !equalLists(got, wantPhones) {
		t.Errorf("server phones after the restore: %q, want %q", got, wantPhones)
	}

	// The next fast sync of each device brings all 7 back.
	for _, d := range []*device{a, b} {
		r := d.mustSync(t, "two-way")
		if mode := r.sources["contacts"]["mode"]; mode != "two-way" {
			t.Errorf("%s after the restore: mode %s, want two-way (fast)", d.id, mode)
		}
		expect(t, d.id+" after the restore", r, "contacts", map[string]int{"local_added": 5, "local_updated": 2,
			"local_deleted": 0, "remote_added": 0, "remote_updated": 0, "remote_deleted": 0})
		if got := contactSet(t, d); !equalLists(got, wantFNs) {
			t.Errorf("%s holds %q, want %q", d.id, got, wantFNs)
		}
		if got := keySet(d.files(t, "contacts"), "TEL"); !equalLists(got, wantPhones) {
			t.Errorf("%s phones %q, want %q", d.id, got, wantPhones)
		}
	}
	assertConverged(t, srv, "arc", a, b)
	confirmNothing(t, a)
	confirmNothing(t, b)

	// The restore is history too: new versions with origin "restore".
	restored := srv.history(t, "arc", "--since", before)
	n := 0
	for _, h := range restored {
		if h.origin == "restore" {
			n++
		}
	}
	if n != 7 {
		t.Errorf("history --since lists %d restore versions, want 7:\n%+v", n, restored)
	}
	item := srv.history(t, "arc", "--deleted")[0].item
	var ops []string
	for _, h := range srv.history(t, "arc", "--item", item) {
		ops = append(ops, h.op+" by "+h.origin)
	}
	if want := []string{"add by " + a.id, "delete by " + a.id, "add by restore"}; !equalLists(ops, want) {
		t.Errorf("history --item %s: %q, want %q", item, ops, want)
	}
}
