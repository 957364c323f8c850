package realclient_test

import (
	"os"
	"strings"
	"testing"
)

// TestTwoDevicesTwoWay is the core scenario of issue 2, once per
// authentication type: device A slow-syncs contacts (some non-ASCII),
// events, tasks and notes; device B's first sync receives exactly those; B
// edits, deletes and adds a contact; A receives exactly those changes; a
// confirmation sync on each exchanges nothing; a wrong password changes
// nothing; the export equals what both devices hold.
func TestTwoDevicesTwoWay(t *testing.T) {
	shared := needRealClient(t)
	for _, auth := range []string{"md5", "basic"} {
		t.Run(auth, func(t *testing.T) { runTwoDevices(t, shared, auth) })
	}
}

var allSources = []string{"contacts", "calendar", "todo", "memo"}

func runTwoDevices(t *testing.T, shared, auth string) {
	srv := startServer(t)
	srv.addUser(t, "alice", "s3cret pw")
	a := newDevice(t, shared, srv, "dev-a-"+auth, "alice", "s3cret pw", auth)
	b := newDevice(t, shared, srv, "dev-b-"+auth, "alice", "s3cret pw", auth)
	seedDevice(t, a)

	want := map[string]int{"contacts": 20, "calendar": 3, "todo": 2, "memo": 2}

	// 1. A's first sync uploads everything.
	r := a.mustSync(t, "slow")
	for src, n := range want {
		if got := r.n(src, "remote_added"); got != n {
			t.Errorf("A slow sync: %s remote_added = %d, want %d", src, got, n)
		}
		if r.sources[src]["mode"] != "slow" {
			t.Errorf("A slow sync: %s mode = %s", src, r.sources[src]["mode"])
		}
	}

	// 2. B's first sync (asked as two-way, run as slow) receives exactly those.
	r = b.mustSync(t, "two-way")
	for src, n := range want {
		if got := r.n(src, "local_added"); got != n {
			t.Errorf("B first sync: %s local_added = %d, want %d", src, got, n)
		}
		if got := r.n(src, "remote_added"); got != 0 {
			t.Errorf("B first sync: %s remote_added = %d, want 0 (no duplicates)", src, got)
		}
	}
	assertSameItems(t, a, b)

	// 3. B edits one contact, deletes one and adds one.
	waitForMtime()
	bc := b.files(t, "contacts")
	var edited, deleted string
	for name, body := range bc {
		switch {
		case strings.Contains(body, "FN:Bob Jones") && edited == "":
			edited = name
			b.write(t, "contacts", name, strings.Replace(body, "+491700000001", "+49 170 9999999", 1))
		case strings.Contains(body, "FN:Carol White") && deleted == "":
			deleted = name
			if err := os.Remove(b.path("contacts", name)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if edited == "" || deleted == "" {
		t.Fatalf("B did not receive Bob Jones and Carol White: %v", keySet(bc, "FN"))
	}
	b.write(t, "contacts", "new-dave.vcf", vcard30("Dave", "Nowak", "+491705555555", "dave@example.com"))

	r = b.mustSync(t, "two-way")
	expect(t, "B two-way", r, "contacts", map[string]int{"remote_added": 1, "remote_updated": 1, "remote_deleted": 1,
		"local_added": 0, "local_updated": 0, "local_deleted": 0})
	for _, src := range []string{"calendar", "todo", "memo"} {
		expectNothing(t, "B two-way", r, src)
	}

	// 4. A receives exactly those three changes.
	r = a.mustSync(t, "two-way")
	expect(t, "A two-way", r, "contacts", map[string]int{"local_added": 1, "local_updated": 1, "local_deleted": 1,
		"remote_added": 0, "remote_updated": 0, "remote_deleted": 0})
	for _, src := range []string{"calendar", "todo", "memo"} {
		expectNothing(t, "A two-way", r, src)
	}
	assertSameItems(t, a, b)
	ac := a.files(t, "contacts")
	if got := keySet(ac, "FN"); len(got) != 20 || !contains(got, "Dave Nowak") || contains(got, "Carol White") {
		t.Errorf("A contacts after sync = %v", got)
	}
	for _, body := range ac {
		if strings.Contains(body, "FN:Bob Jones") && !strings.Contains(strings.ReplaceAll(body, " ", ""), "+491709999999") {
			t.Errorf("A did not get B's edit of Bob Jones:\n%s", body)
		}
	}

	// 5. Confirmation syncs exchange nothing.
	for _, d := range []*device{a, b} {
		r = d.mustSync(t, "two-way")
		for _, src := range allSources {
			expectNothing(t, "confirmation on "+d.id, r, src)
			if r.sources[src]["mode"] != "two-way" {
				t.Errorf("confirmation on %s: %s mode = %s, want two-way", d.id, src, r.sources[src]["mode"])
			}
		}
	}

	// 6. A wrong password gets 401 and changes nothing, even with a local change pending.
	before := srv.export(t, "alice", "contacts")
	waitForMtime()
	b.write(t, "contacts", "eve.vcf", vcard30("Eve", "Intruder", "+491706666666", "eve@example.com"))
	r = b.syncWith(t, "two-way", "wrong password")
	if r.ok() || r.result["status"] != "401" {
		t.Errorf("wrong password: result %v, want status=401 ok=false", r.result)
	}
	if after := srv.export(t, "alice", "contacts"); after != before {
		t.Errorf("wrong password changed the server's contacts")
	}
	if err := os.Remove(b.path("contacts", "eve.vcf")); err != nil {
		t.Fatal(err)
	}

	// 7. The export holds the same live contacts as A and B.
	exported := splitStream(srv.export(t, "alice", "contacts"), "VCARD")
	if got, want := keySet(exported, "FN"), keySet(a.files(t, "contacts"), "FN"); !equalLists(got, want) {
		t.Errorf("export FNs = %v\nA holds      %v", got, want)
	}
	events := splitStream(srv.export(t, "alice", "calendar"), "VEVENT")
	if got := keySet(events, "SUMMARY"); len(got) != 3 {
		t.Errorf("calendar export summaries = %v, want 3", got)
	}

	// The device list shows both devices with their last sync.
	list := srv.admin(t, "", "device", "list", "--data", srv.data, "--user", "alice")
	for _, d := range []*device{a, b} {
		if !strings.Contains(list, d.id) {
			t.Errorf("device list lacks %s:\n%s", d.id, list)
		}
	}
	if !strings.Contains(list, "two-way") {
		t.Errorf("device list shows no two-way sync:\n%s", list)
	}
}

// assertSameItems compares what two devices hold, per source.
func assertSameItems(t *testing.T, a, b *device) {
	t.Helper()
	for src, prop := range map[string]string{"contacts": "FN", "calendar": "SUMMARY", "todo": "SUMMARY", "memo": ""} {
		ka, kb := keySet(a.files(t, src), prop), keySet(b.files(t, src), prop)
		if !equalLists(ka, kb) {
			t.Errorf("%s differ:\n%s: %q\n%s: %q", src, a.id, ka, b.id, kb)
		}
	}
}

func expect(t *testing.T, what string, r *report, src string, want map[string]int) {
	t.Helper()
	for k, n := range want {
		if got := r.n(src, k); got != n {
			t.Errorf("%s: %s %s = %d, want %d", what, src, k, got, n)
		}
	}
}

func expectNothing(t *testing.T, what string, r *report, src string) {
	t.Helper()
	expect(t, what, r, src, map[string]int{"local_added": 0, "local_updated": 0, "local_deleted": 0,
		"remote_added": 0, "remote_updated": 0, "remote_deleted": 0})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
