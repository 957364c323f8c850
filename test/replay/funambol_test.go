package replay_test

import (
	"testing"

	"anchorage/protocol/engine"
	"anchorage/protocol/syncml"
)

// The SyncMLDotNet client logs (CATALOG.md section B): Funambol clients
// talking to a Funambol DS server, user test:tttttttt. Server-side changes
// the recorded answers carry are seeded as for Horde.

// AllFromServer: refresh from server (205) of "scard"; the server's 35
// vCard 2.1 Adds (b64) reach the device, Alert 222 without Final, then
// statuses and Map.
func TestReplayFunambolAllFromServer(t *testing.T) {
	t.Parallel()
	ss := logSessions(t, "FunambolOutlookExamples/AllFromServer.txt")
	h := newHarness(t, "test", "tttttttt")
	s := ss[0]
	h.session(t, "S1", sessionSpec{clients: s.clients, servers: s.servers,
		alerts: map[string]alertSpec{engine.Contacts: {200, 205}}})
	want := recordedTitles(t, s.servers, "Add")
	if len(want) != 35 {
		t.Fatalf("recorded server Adds: %d, want 35", len(want))
	}
	h.sub(t, "second-device", "", func() { h.checkProbe(map[string][]string{engine.Contacts: want}) })
	h.fastSync(t, s.clients[0], "")
}

// AllToServer: refresh from client (203); the device sends its 36
// contacts in one Replace (201 each, all new to this server), the server
// sends nothing and its datastore becomes exactly the device's: a contact
// only the server had is gone.
func TestReplayFunambolAllToServer(t *testing.T) {
	t.Parallel()
	ss := logSessions(t, "FunambolOutlookExamples/AllToServer.txt")
	h := newHarness(t, "test", "tttttttt")
	stale := []byte("BEGIN:VCARD\r\nVERSION:2.1\r\nN:Contact;Stale\r\nFN:Stale Contact\r\nTEL:+4930123456\r\nEND:VCARD\r\n")
	h.seedAdd(engine.Contacts, "text/x-vcard", stale)
	s := ss[0]
	h.session(t, "S1", sessionSpec{clients: s.clients, servers: s.servers,
		alerts: map[string]alertSpec{engine.Contacts: {200, 203}}})
	want := recordedTitles(t, s.clients, "Replace")
	if len(want) != 36 {
		t.Fatalf("recorded client items: %d, want 36", len(want))
	}
	h.sub(t, "second-device", "", func() { h.checkProbe(map[string][]string{engine.Contacts: want}) })
	h.fastSync(t, s.clients[0], "")
}

// OLPluginFromLocalToServer: four SIF datastores (scard, scal, stask,
// snote) alerted two-way with anchors this server never gave: 508 and slow
// for each. The user aborts after pkg2; 27 s later the device starts again
// with a refresh from client (203) of scard alone.
func TestReplayFunambolOLPlugin(t *testing.T) {
	t.Parallel()
	ss := logSessions(t, "OLPluginFromLocalToServer.txt")
	if len(ss) != 2 {
		t.Fatalf("recorded sessions: %d, want 2", len(ss))
	}
	h := newHarness(t, "test", "tttttttt")
	forced := alertSpec{508, 201}
	h.session(t, "S1-aborted", sessionSpec{clients: ss[0].clients, servers: ss[0].servers, initOnly: true,
		alerts: map[string]alertSpec{engine.Contacts: forced, engine.Calendar: forced, engine.Tasks: forced, engine.Notes: forced}})
	h.session(t, "S2", sessionSpec{clients: ss[1].clients, servers: ss[1].servers,
		alerts: map[string]alertSpec{engine.Contacts: {200, 203}}})
	h.fastSync(t, ss[1].clients[0], "")
}

// Evaluate/SlowSync.log: Funambol J2SE demo client, SIF-C, two Alerts with
// the same CmdID, unknown anchors (508 + 201 for scal and scard), empty
// Syncs, Alert 222 naming the server URL, statuses 200 for the server's
// Adds and the Map in messages without Final, then a Final message with
// nothing but the SyncHdr status.
func TestReplayFunambolSlowSync(t *testing.T) {
	t.Parallel()
	ss := logSessions(t, "Evaluate/SlowSync.log")
	h := newHarness(t, "test", "tttttttt")
	s := ss[0]
	forced := alertSpec{508, 201}
	h.session(t, "S1", sessionSpec{clients: s.clients, servers: s.servers,
		alerts: map[string]alertSpec{engine.Calendar: forced, engine.Contacts: forced}})
	h.sub(t, "second-device", "", func() {
		h.checkProbe(map[string][]string{engine.Contacts: {"Wang, Andy", "Wong, Andy"}, engine.Calendar: {}})
	})
	h.fastSync(t, s.clients[0], "")
}

// recordedTitles lists the titles of the items of every command named
// name in recorded messages.
func recordedTitles(t *testing.T, msgs [][]byte, name string) []string {
	t.Helper()
	var out []string
	var walk func(cmds []*syncml.Command)
	walk = func(cmds []*syncml.Command) {
		for _, c := range cmds {
			walk(c.Commands)
			if c.Name != name {
				continue
			}
			for i := range c.Items {
				ct, data, _ := itemData(c, &c.Items[i])
				out = append(out, summary(ct, data))
			}
		}
	}
	for _, raw := range msgs {
		m, err := syncml.Decode(raw)
		if err != nil {
			t.Fatal(err)
		}
		walk(m.Commands)
	}
	return out
}
