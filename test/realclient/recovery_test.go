package realclient_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// copyDir copies a directory tree (cp -a keeps mtimes, which the client's
// file backend compares).
func copyDir(t *testing.T, from, to string) {
	t.Helper()
	if err := os.RemoveAll(to); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("cp", "-a", from, to).CombinedOutput(); err != nil {
		t.Fatalf("cp -a %s %s: %v\n%s", from, to, err, out)
	}
}

// TestRecovery covers the ways a device can lose or desynchronise its
// state; each case ends with device and server equal, nothing lost or
// duplicated, and a quiet confirmation sync. It runs on one SQLite process
// and on two nodes behind a round-robin proxy.
func TestRecovery(t *testing.T) {
	shared := needRealClient(t)
	eachTopology(t, func(t *testing.T, tp topology) { runRecovery(t, shared, tp.start(t)) })
}

func runRecovery(t *testing.T, shared string, srv *server) {
	srv.addUser(t, "rc", "pw")
	a := newDevice(t, shared, srv, "rec-a", "rc", "pw", "", "contacts")
	addContacts(t, a, "rec", 0, 8)
	a.mustSync(t, "slow")
	want := serverContacts(t, srv, "rc")
	if len(want) != 8 {
		t.Fatalf("server has %d contacts after the first sync, want 8", len(want))
	}

	t.Run("client-anchor-behind", func(t *testing.T) {
		// The server committed a session the device forgot: the device's
		// Last anchor is older than what the server stored.
		state := filepath.Join(t.TempDir(), "state")
		copyDir(t, filepath.Join(a.dir, ".syncevo"), state)
		waitForMtime()
		addContacts(t, a, "behind", 0, 1)
		a.mustSync(t, "two-way")
		copyDir(t, state, filepath.Join(a.dir, ".syncevo"))
		r := a.mustSync(t, "two-way")
		if r.sources["contacts"]["mode"] != "slow" {
			t.Errorf("anchor mismatch: mode = %s, want slow", r.sources["contacts"]["mode"])
		}
		assertConverged(t, srv, "rc", a)
		if n := len(serverContacts(t, srv, "rc")); n != 9 {
			t.Errorf("server has %d contacts, want 9", n)
		}
		confirmNothing(t, a)
	})

	t.Run("client-state-wiped", func(t *testing.T) {
		if err := os.RemoveAll(filepath.Join(a.dir, ".syncevo")); err != nil {
			t.Fatal(err)
		}
		syncLeavesServer(t, srv, "rc", a, "two-way", "slow")
	})

	t.Run("new-device-id", func(t *testing.T) {
		// Cold boot: the same data under a new device id.
		n := newDevice(t, shared, srv, "rec-a-reinstalled", "rc", "pw", "", "contacts")
		for name, body := range a.files(t, "contacts") {
			n.write(t, "contacts", name, body)
		}
		r := syncLeavesServer(t, srv, "rc", n, "two-way", "")
		if r.n("contacts", "local_added") != 0 {
			t.Errorf("new partnership: device received %d contacts it already had", r.n("contacts", "local_added"))
		}
	})

	t.Run("device-reset", func(t *testing.T) {
		out := srv.admin(t, "", "device", "reset", "--data", srv.data, "--user", "rc", "--device", a.id)
		if !strings.Contains(out, a.id) {
			t.Errorf("device reset printed %q", out)
		}
		syncLeavesServer(t, srv, "rc", a, "two-way", "slow")
	})

	t.Run("device-remove", func(t *testing.T) {
		srv.admin(t, "", "device", "remove", "--data", srv.data, "--user", "rc", "--device", "rec-a-reinstalled")
		list := srv.admin(t, "", "device", "list", "--data", srv.data, "--user", "rc")
		if strings.Contains(list, "rec-a-reinstalled") {
			t.Errorf("removed device still listed:\n%s", list)
		}
		if n := len(serverContacts(t, srv, "rc")); n != 9 {
			t.Errorf("removing a device changed the items: %d contacts, want 9", n)
		}
	})

	t.Run("one-device-two-users", func(t *testing.T) {
		srv.addUser(t, "rc2", "pw2")
		shared1 := newDevice(t, shared, srv, "shared-phone", "rc", "pw", "", "contacts")
		shared2 := newDevice(t, shared, srv, "shared-phone", "rc2", "pw2", "", "contacts")
		addContacts(t, shared2, "other", 0, 3)
		shared2.mustSync(t, "slow")
		shared1.mustSync(t, "slow")
		if got := len(contactSet(t, shared1)); got != 9 {
			t.Errorf("rc's view of the shared device holds %d contacts, want 9", got)
		}
		if got := serverContacts(t, srv, "rc2"); len(got) != 3 {
			t.Errorf("rc2 holds %v, want its 3 contacts only", got)
		}
		assertConverged(t, srv, "rc2", shared2)
		confirmNothing(t, shared1)
		confirmNothing(t, shared2)
	})
}

// TestFirstSyncAgainstExistingAccount: the phone and the server already
// hold overlapping address books. 200 contacts on the phone, 100 of them
// already on the server, a quarter of those reformatted by the phone: the
// first sync must map them, not duplicate them (on each topology).
func TestFirstSyncAgainstExistingAccount(t *testing.T) {
	shared := needRealClient(t)
	eachTopology(t, func(t *testing.T, tp topology) { runFirstSyncAgainstExistingAccount(t, shared, tp.start(t)) })
}

func runFirstSyncAgainstExistingAccount(t *testing.T, shared string, srv *server) {
	srv.addUser(t, "ex", "pw")
	seed := newDevice(t, shared, srv, "ex-seed", "ex", "pw", "", "contacts")
	for i := 0; i < 100; i++ {
		seed.write(t, "contacts", fmt.Sprintf("s%03d.vcf", i), overlapContact(i, false))
	}
	seed.mustSync(t, "slow")

	phone := newDevice(t, shared, srv, "ex-phone", "ex", "pw", "", "contacts")
	for i := 0; i < 200; i++ {
		phone.write(t, "contacts", fmt.Sprintf("p%03d.vcf", i), overlapContact(i, i < 100 && i%4 == 0))
	}
	r := phone.mustSync(t, "two-way")
	if r.sources["contacts"]["mode"] != "slow" {
		t.Errorf("first sync mode = %s, want slow", r.sources["contacts"]["mode"])
	}
	got := serverContacts(t, srv, "ex")
	if len(got) != 200 {
		t.Errorf("server holds %d contacts after the first sync, want 200 (no duplicates)", len(got))
	}
	for i := 1; i < len(got); i++ {
		if got[i] == got[i-1] {
			t.Errorf("duplicate contact on the server: %s", got[i])
		}
	}
	if n := r.n("contacts", "local_added"); n != 0 {
		t.Errorf("phone received %d contacts, want 0 (it had them all)", n)
	}
	assertConverged(t, srv, "ex", phone)
	confirmNothing(t, phone)
	r = seed.mustSync(t, "two-way")
	if n := r.n("contacts", "local_added"); n != 100 {
		t.Errorf("seed device received %d new contacts, want 100", n)
	}
	assertConverged(t, srv, "ex", seed, phone)
}

// overlapContact is contact i; reformatted writes the same contact as a
// different address book would: other property order, phone spacing,
// upper-case email, folded lines, LF line ends.
func overlapContact(i int, reformatted bool) string {
	given, family := fmt.Sprintf("Person%03d", i), "Überlap"
	phone := fmt.Sprintf("+49170%07d", i)
	email := fmt.Sprintf("person%03d@example.net", i)
	note := fmt.Sprintf("Met at the conference in %d, talked about synchronisation protocols at length", 2000+i%20)
	if !reformatted {
		return vcard30(given, family, phone, email)[:len(vcard30(given, family, phone, email))-len("END:VCARD\r\n")] +
			"NOTE:" + note + "\r\nEND:VCARD\r\n"
	}
	spaced := phone[:3] + " " + phone[3:6] + " " + phone[6:]
	folded := "NOTE:" + note[:40] + "\n " + note[40:]
	return "BEGIN:VCARD\nVERSION:3.0\nFN:" + given + " " + family + "\n" +
		"EMAIL;TYPE=INTERNET:" + strings.ToUpper(email) + "\n" + folded + "\n" +
		"TEL;TYPE=CELL:" + spaced + "\nN:" + family + ";" + given + ";;;\nEND:VCARD\n"
}
