package realclient_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestTbSync runs TbSync (EAS) against the real server binary, at EAS 14.0
// and 2.5: two TbSync devices exchange adds, edits and deletes both ways;
// repeat syncs exchange nothing; a device that starts again at SyncKey 0
// against an account that holds its contacts gets no duplicate on either
// side; and a SyncEvolution SyncML phone of the same user converges with a
// TbSync device. Each case runs on one SQLite process and on two nodes
// behind a round-robin proxy, so that a device's consecutive requests
// (FolderSync, Sync, its continuations) land on different nodes.
func TestTbSync(t *testing.T) {
	shared := needRealClient(t)
	kit := tbsyncKit(t, shared)
	eachTopology(t, func(t *testing.T, tp topology) {
		for _, version := range []string{"14.0", "2.5"} {
			t.Run("two-way-"+version, func(t *testing.T) { runTbSyncTwoWay(t, kit, tp.start(t), version) })
		}
		t.Run("cross-protocol", func(t *testing.T) { runTbSyncCrossProtocol(t, shared, kit, tp.start(t)) })
	})
}

func countCards(export string) int { return strings.Count(export, "BEGIN:VCARD") }

func runTbSyncTwoWay(t *testing.T, kit string, srv *server, version string) {
	srv.addUser(t, "alice", "s3cret pw")
	a := newTbDevice(t, kit, srv, "MZTBaaaaaaaaaaaaaaaaaaaaaaaaaa", "alice", "s3cret pw", version)
	b := newTbDevice(t, kit, srv, "MZTBbbbbbbbbbbbbbbbbbbbbbbbbbb", "alice", "s3cret pw", version)

	// A adds two contacts, one with a non-ASCII name.
	a.run(t, "initial sync")
	a.run(t, "adds", "--add-contact", "Jörg Müller <joerg@example.org>", "--add-contact", "Ann Arbor <ann@example.org>")
	if n := countCards(srv.export(t, "alice", "contacts")); n != 2 {
		t.Fatalf("server holds %d contacts after A's adds, want 2", n)
	}
	a.mustExchangeNothing(t, "A's repeat sync")

	// The server gets two events and a task (import); B's initial sync
	// receives the task, A's contacts and the event of tomorrow, not the
	// one of two years ago: TbSync asks for six months of the calendar
	// (FilterType 7, its default synclimit; EAS 2.5 too).
	dir := t.TempDir()
	ev := filepath.Join(dir, "ev.ics")
	task := filepath.Join(dir, "task.ics")
	event := func(uid, summary string, start time.Time) string {
		return "BEGIN:VEVENT\r\nUID:" + uid + "\r\nDTSTAMP:20260301T000000Z\r\nDTSTART:" + start.UTC().Format("20060102T150405Z") +
			"\r\nDTEND:" + start.Add(time.Hour).UTC().Format("20060102T150405Z") + "\r\nSUMMARY:" + summary + "\r\nEND:VEVENT\r\n"
	}
	tomorrow := time.Now().Add(24 * time.Hour).Truncate(time.Hour)
	writeFile(t, ev, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"+event("ev1@example.org", "Übung", tomorrow)+
		event("ev0@example.org", "Altes Treffen", tomorrow.AddDate(-2, 0, 0))+"END:VCALENDAR\r\n")
	writeFile(t, task, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VTODO\r\nUID:t1@example.org\r\n"+
		"DTSTAMP:20260301T000000Z\r\nDUE:20260531T220000Z\r\nSUMMARY:Steuererklärung\r\nEND:VTODO\r\nEND:VCALENDAR\r\n")
	srv.admin(t, "", "import", "--data", srv.data, "--user", "alice", "--db", "calendar", ev)
	if n := strings.Count(srv.export(t, "alice", "calendar"), "BEGIN:VEVENT"); n != 2 {
		t.Fatalf("server holds %d events after the import, want 2", n)
	}
	srv.admin(t, "", "import", "--data", srv.data, "--user", "alice", "--db", "tasks", task)
	b.run(t, "initial sync")
	for folder, want := range map[string]string{"calendar": "Übung", "tasks": "Steuererklärung"} {
		if items := b.items(t, folder); len(items) != 1 || find(items, want) == "" {
			t.Errorf("B's initial sync: %s holds %v, want one item %q", folder, items, want)
		}
	}
	bc := b.items(t, "contacts")
	if len(bc) != 2 || find(bc, "Müller") == "" || find(bc, "ann@example.org") == "" {
		t.Fatalf("B's initial sync: %d contacts, want Jörg Müller and Ann Arbor: %v", len(bc), bc)
	}
	b.mustExchangeNothing(t, "B's repeat sync")

	// B edits one and deletes the other; B gets no echo, A gets both.
	b.run(t, "edit and delete", "--edit", "contacts/"+find(bc, "Müller"), "vcard:email=jm@example.org",
		"--delete", "contacts/"+find(bc, "ann@example.org"))
	if exp := srv.export(t, "alice", "contacts"); countCards(exp) != 1 || !strings.Contains(exp, "jm@example.org") {
		t.Fatalf("server after B's edit and delete:\n%s", exp)
	}
	b.mustExchangeNothing(t, "B's sync after its changes")
	a.run(t, "receive B's changes")
	ac := a.items(t, "contacts")
	if len(ac) != 1 || find(ac, "jm@example.org") == "" || find(ac, "Müller") == "" {
		t.Errorf("A after B's changes holds %v, want Jörg Müller with jm@example.org", ac)
	}
	a.mustExchangeNothing(t, "A's repeat sync")

	// The other way: A adds, B receives.
	a.run(t, "add", "--add-contact", "Cy Young <cy@example.org>")
	b.run(t, "receive A's add")
	if bc = b.items(t, "contacts"); len(bc) != 2 || find(bc, "cy@example.org") == "" {
		t.Errorf("B after A's add holds %v", bc)
	}
	b.mustExchangeNothing(t, "B's repeat sync")

	// A starts again at SyncKey 0, as after Status 3: it receives each
	// contact of the account once, and the server keeps no duplicate.
	a.run(t, "sync")
	a.restartFolders(t)
	a.run(t, "sync from SyncKey 0")
	if n := countCards(srv.export(t, "alice", "contacts")); n != 2 {
		t.Errorf("server holds %d contacts after A's sync from SyncKey 0, want 2", n)
	}
	if ac = a.items(t, "contacts"); len(ac) != 2 {
		t.Errorf("A holds %d contacts after its sync from SyncKey 0, want 2: %v", len(ac), ac)
	}
	a.mustExchangeNothing(t, "A's repeat sync after SyncKey 0")
	b.mustExchangeNothing(t, "B's sync after A's SyncKey 0")
}

// runTbSyncCrossProtocol: a contact made on a SyncML phone reaches a
// TbSync device; an edit made there comes back to the phone; repeat syncs
// on both exchange nothing.
func runTbSyncCrossProtocol(t *testing.T, shared, kit string, srv *server) {
	srv.addUser(t, "carol", "pw 1")
	phone := newDevice(t, shared, srv, "sc-phone", "carol", "pw 1", "basic", "contacts")
	tb := newTbDevice(t, kit, srv, "MZTBcccccccccccccccccccccccccc", "carol", "pw 1", "14.0")

	phone.write(t, "contacts", "zoe.vcf", vcard30("Zoë", "Ångström", "+491701234567", "zoe@example.org"))
	phone.mustSync(t, "slow")

	tb.run(t, "initial sync")
	items := tb.items(t, "contacts")
	name := find(items, "zoe@example.org")
	if len(items) != 1 || name == "" || find(items, "Ångström") == "" {
		t.Fatalf("TbSync did not receive the phone's contact: %v", items)
	}
	tb.run(t, "edit", "--edit", "contacts/"+name, "vcard:email=zoe@example.com")

	waitForMtime()
	r := phone.mustSync(t, "two-way")
	if got := r.n("contacts", "local_updated"); got != 1 {
		t.Errorf("phone: local_updated = %d, want 1 (the TbSync edit)\n%s", got, r.output)
	}
	files := phone.files(t, "contacts")
	if len(files) != 1 || find(files, "zoe@example.com") == "" {
		t.Errorf("phone after the TbSync edit holds %v", files)
	}
	for _, body := range files {
		if !strings.Contains(body, "+491701234567") {
			t.Errorf("the phone number the TbSync edit did not touch was lost:\n%s", body)
		}
	}
	r = phone.mustSync(t, "two-way")
	for _, k := range []string{"local_added", "local_updated", "local_deleted", "remote_added", "remote_updated", "remote_deleted"} {
		if n := r.n("contacts", k); n != 0 {
			t.Errorf("phone's repeat sync: %s = %d, want 0", k, n)
		}
	}
	tb.mustExchangeNothing(t, "TbSync's repeat sync")

	list := srv.admin(t, "", "device", "list", "--data", srv.data)
	for id, proto := range map[string]string{phone.id: "SyncML", tb.id: "EAS"} {
		found := false
		for _, line := range strings.Split(list, "\n") {
			if f := strings.Fields(line); len(f) > 2 && f[0] == id {
				found = f[2] == proto
			}
		}
		if !found {
			t.Errorf("device list does not show %s as %s:\n%s", id, proto, list)
		}
	}
}
