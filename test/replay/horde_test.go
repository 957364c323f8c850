package replay_test

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/beevik/etree"

	"anchorage/protocol/engine"
	"anchorage/protocol/syncml"
)

// hordeCase is one Horde test case (CATALOG.md section A): per session the
// outcome of the device's Alert, and the titles a second device finds at
// the end. Server-side changes are seeded from the recorded answers and the
// server's Add/Replace/Delete counts must equal the recorded server's.
type hordeCase struct {
	testcase string
	ds       string // canonical datastore the device syncs
	sessions []alertSpec
	bugs     map[string]string // subtest -> known server bug
	final    []string
}

func TestReplayHorde(t *testing.T) {
	t.Parallel()
	for _, tc := range hordeCases() {
		t.Run(tc.testcase, func(t *testing.T) {
			t.Parallel()
			replayHordeCase(t, tc)
		})
	}
}

// hordeCases are the Horde test cases and what a correct server answers.
func hordeCases() []hordeCase {
	var (
		slowForced = alertSpec{508, 201} // Alert 200 without matching anchors
		slow       = alertSpec{200, 201} // Alert 201
		twoWay     = alertSpec{200, 200}
	)
	return []hordeCase{{
		// SyncML 1.0, events and tasks in one datastore, Replace for new
		// items in the slow sync (201), server Adds x3 + Map; then the device
		// modifies (server Replace x3 of its items), echoes, deletes.
		testcase: "testcase_P900_tasksandcalendar", ds: engine.Calendar,
		sessions: []alertSpec{slowForced, twoWay, twoWay, twoWay, twoWay, twoWay},
		final:    []string{"cIient1s1 christmas all day", "server1alldayc1 new year"},
	}, {
		// SIF-E base64, the device sends Final before the server's Sync and
		// asks for it with Alert 222 (pkg3), then statuses + Map (pkg5).
		testcase: "testcase_funambol_outlook3015_calendar", ds: engine.Calendar,
		sessions: []alertSpec{slow, twoWay, twoWay, twoWay, twoWay},
		final: []string{"Client2s2 23:00-23:30", "all day three kings server1c1", "new year all day client1s1",
			"server2c2 6-7"},
	}, {
		testcase: "testcase_sync4j_pocketpc_calendar", ds: engine.Calendar,
		sessions: []alertSpec{slowForced, twoWay, twoWay, twoWay},
		final:    []string{"client1s1", "server1c1"},
	}, {
		testcase: "testcase_sync4j_pocketpc_contacts", ds: engine.Contacts,
		sessions: []alertSpec{slowForced, twoWay, twoWay, twoWay},
		final:    []string{"Server1c1"},
	}, {
		// Session 1 alerts with a Last anchor from an earlier life (508).
		testcase: "testcase_sync4j_pocketpc_notes", ds: engine.Notes,
		sessions: []alertSpec{slowForced, twoWay, twoWay, twoWay},
		final:    []string{"client1s1", "server1c1"},
	}, {
		// NumberOfChanges, DevInf Put/Get; later sessions answer a server Get
		// with Results (ours sends no Get: the Results is just stored).
		testcase: "testcase_synthesis_tasks", ds: engine.Tasks,
		sessions: []alertSpec{slow, twoWay, twoWay, twoWay},
		final:    []string{"client1s1", "server1c1"},
	}}
}

// replayHordeCase replays every session of a Horde test case, then checks
// what a second device gets and that the device's next sync is fast.
func replayHordeCase(t *testing.T, tc hordeCase) *harness {
	h := newHarness(t, "syncmltest", "syncmltest")
	var last []byte
	for i, a := range tc.sessions {
		clients, servers := hordeSession(t, tc.testcase, i+1)
		name := fmt.Sprintf("S%d", i+1)
		h.session(t, name, sessionSpec{clients: clients, servers: servers,
			alerts: map[string]alertSpec{tc.ds: a}, bug: tc.bugs[name]})
		last = clients[0]
	}
	h.sub(t, "second-device", tc.bugs["second-device"], func() {
		h.checkProbe(map[string][]string{tc.ds: tc.final})
	})
	h.fastSync(t, last, tc.bugs["next-sync-is-fast"])
	return h
}

// fastSync checks that the last session completed: the device's next
// session, a two-way Alert whose Last anchor is the Next it sent last time
// (its first message otherwise as recorded), is granted (200, server Alert
// 200 with the server's last Next as Last), not refused with 508.
func (h *harness) fastSync(t *testing.T, firstMsg []byte, bug string) {
	doc := etree.NewDocument()
	doc.ReadSettings.PreserveCData = true
	if err := doc.ReadFromBytes(firstMsg); err != nil {
		t.Fatal(err)
	}
	doc.FindElement("./SyncML/SyncHdr/SessionID").SetText("4242")
	alerts := map[string]alertSpec{}
	for _, al := range doc.FindElements("./SyncML/SyncBody/Alert") {
		code, _ := strconv.Atoi(childText(al, "Data"))
		if _, ok := syncml.AlertCode(code).SyncMode(); !ok {
			continue
		}
		al.SelectElement("Data").SetText("200")
		next := al.FindElement("./Item/Meta/Anchor/Next")
		last := al.FindElement("./Item/Meta/Anchor/Last")
		if last == nil {
			last = etree.NewElement("Last")
			next.Parent().InsertChildAt(next.Index(), last)
		}
		last.SetText(next.Text())
		next.SetText(next.Text() + "1")
		alerts[canonical(childText(al.FindElement("./Item/Target"), "LocURI"))] = alertSpec{200, 200}
	}
	msg, err := doc.WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	h.session(t, "next-sync-is-fast", sessionSpec{clients: [][]byte{msg}, alerts: alerts, initOnly: true, bug: bug})
}
