package realclient_test

import (
	"os"
	"sort"
	"strings"
	"testing"
)

// conflictCard is a contact of the conflict scenario, with a title and a
// note so that "the same field" and "different fields" can be edited.
func conflictCard(fn, tel, email, title string) string {
	given, family, _ := strings.Cut(fn, " ")
	return "BEGIN:VCARD\r\nVERSION:3.0\r\nN:" + family + ";" + given + ";;;\r\nFN:" + fn + "\r\n" +
		"TEL;TYPE=CELL:" + tel + "\r\nEMAIL;TYPE=INTERNET:" + email + "\r\nTITLE:" + title + "\r\nEND:VCARD\r\n"
}

// The contested contacts. Base versions; A and B then change them between
// syncs: Dana different fields (A the phone, B the email), Sam the same
// field (the title), Del A deletes while B edits, Eddie A edits while B
// deletes. Sue is untouched.
var conflictBase = map[string]string{
	"dana.vcf":  conflictCard("Dana Diff", "+49 170 1000001", "dana@example.com", "Base"),
	"sam.vcf":   conflictCard("Sam Same", "+49 170 1000002", "sam@example.com", "Engineer"),
	"del.vcf":   conflictCard("Del Edit", "+49 170 1000003", "del@example.com", "Base"),
	"eddie.vcf": conflictCard("Eddie Del", "+49 170 1000004", "eddie@example.com", "Base"),
	"sue.vcf":   conflictCard("Sue Steady", "+49 170 1000005", "sue@example.com", "Base"),
}

// contactOutcome is what one contact must (not) hold afterwards, the
// same on A, on B and on the server; gone means it must not exist.
type contactOutcome struct {
	has, hasNot []string
	gone        bool
}

type conflictCase struct {
	policy     string
	deleteWins bool
	want       map[string]contactOutcome // by FN
	copies     map[string][]string       // duplicate: FN of a marked copy -> what it holds
	losers     []string                  // FNs with a version archived as a conflict loser
}

// TestConflictPolicies: devices A and B of one user change the same
// contacts between syncs (different fields, the same field, delete against
// edit both ways) under each conflict policy. B syncs after A, so B's
// changes are the newer ones. Each case asserts the exact contacts on A,
// on B and on the server, that confirmation syncs exchange nothing, and
// that `anchorage history` lists the losing versions as conflict versions.
func TestConflictPolicies(t *testing.T) {
	shared := needRealClient(t)
	aPhone, bMail, aTitle, bTitle := "2000001", "dana.b@example.com", "TITLE:Manager", "TITLE:Director"
	edits := contactOutcome{has: []string{"3000003"}}  // Del: B's edit
	aEdit := contactOutcome{has: []string{"4000004"}}  // Eddie: A's edit
	steady := contactOutcome{has: []string{"1000005"}} // Sue
	base := contactOutcome{has: []string{"1000001", "dana@example.com", "TITLE:Base"}}
	cases := []conflictCase{
		{policy: "merge", losers: []string{"Dana Diff", "Sam Same"}, want: map[string]contactOutcome{
			"Dana Diff": {has: []string{aPhone, bMail}, hasNot: []string{"1000001", "dana@example.com"}},
			"Sam Same":  {has: []string{bTitle}, hasNot: []string{aTitle}},
			"Del Edit":  edits, "Eddie Del": aEdit, "Sue Steady": steady}},
		{policy: "merge", deleteWins: true, losers: []string{"Dana Diff", "Sam Same", "Del Edit"}, want: map[string]contactOutcome{
			"Dana Diff": {has: []string{aPhone, bMail}},
			"Sam Same":  {has: []string{bTitle}},
			"Del Edit":  {gone: true}, "Eddie Del": {gone: true}, "Sue Steady": steady}},
		{policy: "newer-wins", losers: []string{"Dana Diff", "Sam Same"}, want: map[string]contactOutcome{
			"Dana Diff": {has: []string{"1000001", bMail}, hasNot: []string{aPhone}},
			"Sam Same":  {has: []string{bTitle}, hasNot: []string{aTitle}},
			"Del Edit":  edits, "Eddie Del": aEdit, "Sue Steady": steady}},
		{policy: "server-wins", losers: []string{"Dana Diff", "Sam Same"}, want: map[string]contactOutcome{
			"Dana Diff": {has: []string{aPhone, "dana@example.com"}, hasNot: []string{bMail}},
			"Sam Same":  {has: []string{aTitle}, hasNot: []string{bTitle}},
			"Del Edit":  edits, "Eddie Del": aEdit, "Sue Steady": steady}},
		{policy: "client-wins", losers: []string{"Dana Diff", "Sam Same"}, want: map[string]contactOutcome{
			"Dana Diff": {has: []string{"1000001", bMail}, hasNot: []string{aPhone}},
			"Sam Same":  {has: []string{bTitle}, hasNot: []string{aTitle}},
			"Del Edit":  edits, "Eddie Del": aEdit, "Sue Steady": steady}},
		{policy: "duplicate", want: map[string]contactOutcome{
			"Dana Diff": {has: []string{aPhone, "dana@example.com"}, hasNot: []string{bMail}},
			"Sam Same":  {has: []string{aTitle}, hasNot: []string{bTitle}},
			"Del Edit":  edits, "Eddie Del": aEdit, "Sue Steady": steady},
			copies: map[string][]string{"Dana Diff (conflict copy)": {"1000001", bMail}, "Sam Same (conflict copy)": {bTitle}}},
		// Read-only: no device changes anything; both end where they began.
		{policy: "read-only", losers: []string{"Dana Diff", "Sam Same", "Eddie Del"}, want: map[string]contactOutcome{
			"Dana Diff": base,
			"Sam Same":  {has: []string{"TITLE:Engineer"}},
			"Del Edit":  {has: []string{"1000003", "TITLE:Base"}},
			"Eddie Del": {has: []string{"1000004", "TITLE:Base"}}, "Sue Steady": steady}},
	}
	srv := startServer(t)
	for _, tc := range cases {
		name := tc.policy
		if tc.deleteWins {
			name += "+delete-wins"
		}
		t.Run(name, func(t *testing.T) { runConflictCase(t, shared, srv, name, tc) })
	}
}

func runConflictCase(t *testing.T, shared string, srv *server, name string, tc conflictCase) {
	user := "u-" + name
	srv.addUser(t, user, "pw")

	a := newDevice(t, shared, srv, "a-"+name, user, "pw", "md5", "contacts")
	b := newDevice(t, shared, srv, "b-"+name, user, "pw", "md5", "contacts")
	for file, body := range conflictBase {
		a.write(t, "contacts", file, body)
	}
	a.mustSync(t, "slow")
	b.mustSync(t, "two-way")
	if n := len(b.files(t, "contacts")); n != len(conflictBase) {
		t.Fatalf("B received %d contacts, want %d", n, len(conflictBase))
	}

	// The policy is set once both devices hold the contacts (a read-only
	// datastore would refuse A's first upload).
	args := []string{"user", "set", "--data", srv.data, "--db", "contacts", "--conflict", tc.policy}
	if tc.deleteWins {
		args = append(args, "--delete-wins")
	}
	srv.admin(t, "", append(args, user)...)

	waitForMtime()
	editOn := func(d *device, fn, from, to string) {
		t.Helper()
		file := fileWithFN(t, d, fn)
		d.write(t, "contacts", file, strings.Replace(d.files(t, "contacts")[file], from, to, 1))
	}
	removeOn := func(d *device, fn string) {
		t.Helper()
		if err := os.Remove(d.path("contacts", fileWithFN(t, d, fn))); err != nil {
			t.Fatal(err)
		}
	}
	editOn(a, "Dana Diff", "1000001", "2000001")
	editOn(b, "Dana Diff", "dana@example.com", "dana.b@example.com")
	editOn(a, "Sam Same", "TITLE:Engineer", "TITLE:Manager")
	editOn(b, "Sam Same", "TITLE:Engineer", "TITLE:Director")
	removeOn(a, "Del Edit")
	editOn(b, "Del Edit", "1000003", "3000003")
	editOn(a, "Eddie Del", "1000004", "4000004")
	removeOn(b, "Eddie Del")

	a.mustSync(t, "two-way")
	b.mustSync(t, "two-way") // B's changes meet A's: the policy decides
	a.mustSync(t, "two-way") // A receives the outcome
	// B got back, as an Add, a contact it had deleted. SyncEvolution's file
	// backend may give it the file name (LUID) of the deleted one, and its
	// change tracking then reports that file as new once more: the server
	// recognises its own item (208) and stores nothing. Whatever B sends
	// now, nothing comes back and nothing changes; the sync after that
	// exchanges nothing at all.
	r := b.mustSync(t, "two-way")
	expect(t, "B confirmation", r, "contacts", map[string]int{"remote_updated": 0, "remote_deleted": 0,
		"local_added": 0, "local_updated": 0, "local_deleted": 0})
	if n := r.n("contacts", "remote_added"); n > 1 {
		t.Errorf("B confirmation: remote_added = %d, want at most the one re-announced contact", n)
	}
	expectNothing(t, "B second confirmation", b.mustSync(t, "two-way"), "contacts")
	expectNothing(t, "A confirmation", a.mustSync(t, "two-way"), "contacts")

	server := splitStream(srv.export(t, user, "contacts"), "VCARD")
	for where, items := range map[string]map[string]string{"A": a.files(t, "contacts"), "B": b.files(t, "contacts"), "server": server} {
		byFN := map[string]string{}
		for _, it := range items {
			fn := props(it, "FN")
			if len(fn) == 0 {
				t.Errorf("%s holds a contact without FN:\n%s", where, it)
				continue
			}
			if _, dup := byFN[fn[0]]; dup {
				t.Errorf("%s holds %q twice", where, fn[0])
			}
			byFN[fn[0]] = it
		}
		wantNames := 0
		for fn, w := range tc.want {
			it, ok := byFN[fn]
			if w.gone {
				if ok {
					t.Errorf("%s: %s should be gone:\n%s", where, fn, it)
				}
				continue
			}
			wantNames++
			if !ok {
				t.Errorf("%s: %s is missing (holds %v)", where, fn, sortedKeys(byFN))
				continue
			}
			for _, s := range w.has {
				if !strings.Contains(it, s) {
					t.Errorf("%s: %s lacks %q:\n%s", where, fn, s, it)
				}
			}
			for _, s := range w.hasNot {
				if strings.Contains(it, s) {
					t.Errorf("%s: %s still holds %q:\n%s", where, fn, s, it)
				}
			}
		}
		for fn, has := range tc.copies {
			wantNames++
			it, ok := byFN[fn]
			if !ok {
				t.Errorf("%s: the marked copy %q is missing (holds %v)", where, fn, sortedKeys(byFN))
				continue
			}
			for _, s := range has {
				if !strings.Contains(it, s) {
					t.Errorf("%s: copy %s lacks %q:\n%s", where, fn, s, it)
				}
			}
		}
		if len(byFN) != wantNames {
			t.Errorf("%s holds %d contacts %v, want %d", where, len(byFN), sortedKeys(byFN), wantNames)
		}
	}

	hist := srv.admin(t, "", "history", "--data", srv.data, "--user", user, "--db", "contacts", "--conflicts")
	for _, fn := range tc.losers {
		if !historyHas(hist, "conflict", fn) {
			t.Errorf("history lists no conflict version of %s:\n%s", fn, hist)
		}
	}
}

// historyHas tells whether a history listing has a row with the origin
// and the summary.
func historyHas(hist, origin, summary string) bool {
	for _, l := range strings.Split(hist, "\n") {
		f := strings.Fields(l)
		if len(f) >= 6 && strings.Contains(l, " "+origin+" ") && strings.HasSuffix(strings.TrimSpace(l), summary) {
			return true
		}
	}
	return false
}

func fileWithFN(t *testing.T, d *device, fn string) string {
	t.Helper()
	for name, body := range d.files(t, "contacts") {
		if v := props(body, "FN"); len(v) > 0 && v[0] == fn {
			return name
		}
	}
	t.Fatalf("%s holds no contact %q", d.id, fn)
	return ""
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
