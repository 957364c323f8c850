package realclient_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"anchorage/test/easclient"
)

// pingHeartbeat is the parked Pings' heartbeat: a Ping that answers
// status 1 instead of 2 was not woken by the write.
const pingHeartbeat = 120

// wakeOnce parks a Ping of c for folder on the node at base, runs write,
// and checks that the Ping answers status 2 for exactly that folder.
func wakeOnce(t *testing.T, c *easClient, base, folder string, write func()) {
	t.Helper()
	ping := c.pingAsync(pingHeartbeat, folder)
	waitParked(t, base, 1)
	write()
	r := awaitPing(t, ping, pingHeartbeat)
	if r.Status != "2" || !slices.Equal(r.Folders, []string{folder}) {
		t.Fatalf("Ping answered status %s for %v, want status 2 for [%s]", r.Status, r.Folders, folder)
	}
}

// oneAdd checks that a Sync brought exactly one Add, holding want.
func oneAdd(t *testing.T, ch easclient.Changes, want string) {
	t.Helper()
	if len(ch.Adds) != 1 || len(ch.Changes)+len(ch.Deletes) != 0 || !strings.Contains(ch.Adds[0], want) {
		t.Errorf("the Sync after the Ping brought adds %v, changes %v, deletes %v; want one add of %s",
			ch.Adds, ch.Changes, ch.Deletes, want)
	}
}

// TestMultiNodePingWake: an EAS Ping parked on node 1 of two nodes on one
// PostgreSQL database answers status 2 when a contact is written through
// node 2 by a SyncML phone (SyncEvolution) or by an EAS device, or by an
// admin import (a process of its own), and the device's next Sync brings
// exactly that contact.
func TestMultiNodePingWake(t *testing.T) {
	shared := needRealClient(t)
	nodes, proxy := startCluster(t, 2, t.TempDir())
	nodes[0].addUser(t, "push", "pw")
	node1, node2 := proxy.nodes[0], proxy.nodes[1]
	watcher := newEASClient(node1, "push", "pw", "SIMwatcher00000000000000000001")
	key := watcher.initialSync(t, "contacts")
	var ch easclient.Changes

	t.Run("SyncML phone through node 2", func(t *testing.T) {
		via2 := *nodes[1]
		via2.url = node2 + "/sync"
		phone := newDevice(t, shared, &via2, "push-phone", "push", "pw", "", "contacts")
		phone.write(t, "contacts", "ida.vcf", vcard30("Ida", "Pfeiffer", "+4930123456", "ida@example.org"))
		wakeOnce(t, watcher, node1, "contacts", func() { phone.mustSync(t, "slow") })
		key, ch = watcher.sync(t, "contacts", key, "")
		oneAdd(t, ch, "Pfeiffer")
	})
	t.Run("EAS device through node 2", func(t *testing.T) {
		writer := newEASClient(node2, "push", "pw", "SIMwriter000000000000000000001")
		wkey := writer.initialSync(t, "contacts")
		wakeOnce(t, watcher, node1, "contacts", func() { writer.addContact(t, "contacts", wkey, "c1", "Jan", "Kowalski") })
		key, ch = watcher.sync(t, "contacts", key, "")
		oneAdd(t, ch, "Kowalski")
	})
	t.Run("anchorage import", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "lea.vcf")
		writeFile(t, file, vcard30("Lea", "Rabin", "+4930654321", "lea@example.org"))
		wakeOnce(t, watcher, node1, "contacts", func() {
			nodes[0].admin(t, "", "import", "--store", nodes[0].data, "--user", "push", "--db", "contacts", file)
		})
		key, ch = watcher.sync(t, "contacts", key, "")
		oneAdd(t, ch, "Rabin")
	})
}

// itemDiff compares a TbSync folder's items before and after a sync.
func itemDiff(before, after map[string]string) (added, changed, removed []string) {
	for name, body := range after {
		if old, ok := before[name]; !ok {
			added = append(added, body)
		} else if old != body {
			changed = append(changed, body)
		}
	}
	for name := range before {
		if _, ok := after[name]; !ok {
			removed = append(removed, name)
		}
	}
	return added, changed, removed
}

// TestPushTbSync is issue 17's real-client push test. A Ping parked for
// the TbSync device's contacts folder (by a simulated client with that
// device's id, since TbSync itself does not Ping; TWO-WAY.md) answers
// status 2 for the contacts folder when a SyncEvolution SyncML phone of
// the same user changes a contact, when `anchorage import` adds one and
// when `anchorage restore` goes back to before the import; each time,
// TbSync's following sync brings exactly that change and no other folder
// moves. The admin commands are processes of their own. It runs on one
// server on SQLite, and on two nodes on PostgreSQL, where the Ping parks
// on node 1 and every other request goes through the round-robin proxy.
func TestPushTbSync(t *testing.T) {
	shared := needRealClient(t)
	kit := tbsyncKit(t, shared)
	t.Run("sqlite", func(t *testing.T) {
		srv := startServer(t)
		runPushTbSync(t, shared, kit, srv, strings.TrimSuffix(srv.url, "/sync"))
	})
	t.Run("postgres-2-nodes", func(t *testing.T) {
		nodes, proxy := startCluster(t, 2, t.TempDir())
		runPushTbSync(t, shared, kit, nodes[0], proxy.nodes[0])
	})
}

// runPushTbSync runs TestPushTbSync on the server srv, parking the Ping
// on the node at node1.
func runPushTbSync(t *testing.T, shared, kit string, srv *server, node1 string) {
	srv.addUser(t, "dana", "pw 2")
	phone := newDevice(t, shared, srv, "dana-phone", "dana", "pw 2", "basic", "contacts")
	phone.write(t, "contacts", "max.vcf", vcard30("Max", "Muster", "+493011111", "max@example.org"))
	phone.write(t, "contacts", "eva.vcf", vcard30("Eva", "Engel", "+493022222", "eva@example.org"))
	phone.mustSync(t, "slow")
	tb := newTbDevice(t, kit, srv, "MZTBdddddddddddddddddddddddddd", "dana", "pw 2", "14.0")
	tb.run(t, "initial sync")
	if n := len(tb.items(t, "contacts")); n != 2 {
		t.Fatalf("TbSync's initial sync brought %d contacts, want 2", n)
	}
	pinger := newEASClient(node1, "dana", "pw 2", tb.id)
	pinger.DeviceType = "TbSync"

	// syncAfterPing parks the TbSync device's Ping, runs write, and
	// returns what TbSync's next sync changed in its contacts.
	syncAfterPing := func(t *testing.T, write func()) (added, changed, removed []string) {
		t.Helper()
		wakeOnce(t, pinger, node1, "contacts", write)
		keys, before := tb.keys(t), tb.items(t, "contacts")
		out := tb.run(t, "sync after the Ping")
		for folder, key := range synckeys(out) {
			if moved := key != keys[folder]; moved != (folder == "contacts") {
				t.Errorf("folder %s: SyncKey %s -> %s; only contacts should have moved", folder, keys[folder], key)
			}
		}
		return itemDiff(before, tb.items(t, "contacts"))
	}

	t.Run("SyncML phone edits a contact", func(t *testing.T) {
		waitForMtime()
		phone.write(t, "contacts", "max.vcf", vcard30("Max", "Muster", "+493011111", "max@example.com"))
		added, changed, removed := syncAfterPing(t, func() { phone.mustSync(t, "two-way") })
		if len(added)+len(removed) != 0 || len(changed) != 1 || !strings.Contains(changed[0], "max@example.com") {
			t.Errorf("TbSync got adds %v, changes %v, removes %v; want the one edit to max@example.com", added, changed, removed)
		}
	})
	// After the edit and before the import: restore --as-of takes
	// fractional seconds, so it falls between them.
	beforeImport := time.Now().UTC()
	t.Run("anchorage import", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "lea.vcf")
		writeFile(t, file, vcard30("Lea", "Rabin", "+493033333", "lea@example.org"))
		added, changed, removed := syncAfterPing(t, func() {
			srv.admin(t, "", "import", "--store", srv.data, "--user", "dana", "--db", "contacts", file)
		})
		if len(changed)+len(removed) != 0 || len(added) != 1 || !strings.Contains(added[0], "Rabin") {
			t.Errorf("TbSync got adds %v, changes %v, removes %v; want the imported Lea Rabin", added, changed, removed)
		}
	})
	t.Run("anchorage restore", func(t *testing.T) {
		added, changed, removed := syncAfterPing(t, func() {
			srv.admin(t, "", "restore", "--store", srv.data, "--user", "dana", "--db", "contacts",
				"--as-of", beforeImport.Format(time.RFC3339Nano))
		})
		items := tb.items(t, "contacts")
		if len(added)+len(changed) != 0 || len(removed) != 1 || find(items, "Rabin") != "" || len(items) != 2 {
			t.Errorf("TbSync got adds %v, changes %v, removes %v and holds %v; want the imported contact gone",
				added, changed, removed, items)
		}
	})
}
