package activesync

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/beevik/etree"

	"anchorage/test/easclient"
)

// shortBounds lets tests park for one second.
func shortBounds(o *Options) {
	o.MinHeartbeat, o.MaxHeartbeat, o.MaxFolders = time.Second, 120*time.Second, 3
}

func pingReq(heartbeat string, folders ...string) string {
	x := `<Ping xmlns="Ping:">`
	if heartbeat != "" {
		x += `<HeartbeatInterval>` + heartbeat + `</HeartbeatInterval>`
	}
	if folders != nil {
		x += `<Folders>`
		for _, f := range folders {
			x += `<Folder><Id>` + f + `</Id><Class>Contacts</Class></Folder>`
		}
		x += `</Folders>`
	}
	return x + `</Ping>`
}

// ping posts a Ping (body "" for an empty one) and returns its answer.
func (s *testServer) ping(body string) *etree.Element {
	s.t.Helper()
	var b []byte
	if body != "" {
		b = enc(s.t, body)
	}
	code, out := s.do("Ping", b)
	if code != 200 || out == nil {
		s.t.Fatalf("Ping: HTTP %d, body %v", code, out)
	}
	return out
}

// primed syncs folder to a current SyncKey, so that later changes are
// changes for the device.
func (s *testServer) primed(folder string) {
	s.t.Helper()
	s.do("Sync", enc(s.t, syncReq(folder, "0", "")))
	if _, out := s.do("Sync", enc(s.t, syncReq(folder, "1", ""))); text(out, "Collections/Collection/Status") != "1" {
		s.t.Fatalf("priming Sync of %s: %s", folder, dump(out))
	}
}

func dump(e *etree.Element) string { return easclient.Dump(e) }

// parked waits until n requests watch folder, so that a following write
// happens while they are parked.
func (s *testServer) parked(folder string, n int) {
	s.t.Helper()
	for s.backend.hub.Watching(s.backend.user, folder) != n {
		time.Sleep(time.Millisecond)
	}
}

// pingAsync runs a Ping in the background.
func (s *testServer) pingAsync(body string) <-chan *etree.Element {
	ch := make(chan *etree.Element, 1)
	go func() { ch <- s.ping(body) }()
	return ch
}

func TestPingStatuses(t *testing.T) {
	tests := []struct {
		name, body string
		status     string
		limit      [2]string // element, value
	}{
		{"heartbeat below the bound", pingReq("0", "contacts"), "4", [2]string{}},
		{"heartbeat not a number", pingReq("x", "contacts"), "4", [2]string{}},
		{"heartbeat above the bound", pingReq("5000", "contacts"), "5", [2]string{"HeartbeatInterval", "120"}},
		{"too many folders", pingReq("60", "contacts", "calendar", "tasks", "notes"), "6", [2]string{"MaxFolders", "3"}},
		{"unknown folder", pingReq("60", "contacts", "gone"), "7", [2]string{}},
		{"empty Folders", pingReq("60", []string{}...), "3", [2]string{}},
		{"no folders ever sent", pingReq("60"), "3", [2]string{}},
		{"empty request, nothing stored", "", "3", [2]string{}},
		{"wrong root", `<Sync xmlns="AirSync:"/>`, "4", [2]string{}},
		{"folder without Id", `<Ping xmlns="Ping:"><HeartbeatInterval>60</HeartbeatInterval><Folders><Folder><Class>Contacts</Class></Folder></Folders></Ping>`, "4", [2]string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestServer(t, ProvisionOff, shortBounds)
			out := s.ping(tc.body)
			if got := text(out, "Status"); got != tc.status {
				t.Fatalf("Status %s, want %s: %s", got, tc.status, dump(out))
			}
			if tc.limit[0] != "" && text(out, tc.limit[0]) != tc.limit[1] {
				t.Errorf("%s %q, want %s", tc.limit[0], text(out, tc.limit[0]), tc.limit[1])
			}
			if len(s.backend.pings) != 0 {
				t.Errorf("a refused Ping stored its parameters: %v", s.backend.pings)
			}
		})
	}
	t.Run("heartbeat below the server's minimum", func(t *testing.T) {
		s := newTestServer(t, ProvisionOff) // default bounds: 60–3540 s
		out := s.ping(pingReq("30", "contacts"))
		if text(out, "Status") != "5" || text(out, "HeartbeatInterval") != "60" {
			t.Errorf("answer %s, want status 5 with HeartbeatInterval 60", dump(out))
		}
	})
}

func TestPingHeartbeatExpires(t *testing.T) {
	s := newTestServer(t, ProvisionOff, shortBounds)
	s.primed("contacts")
	out := s.ping(pingReq("1", "contacts"))
	if text(out, "Status") != "1" || out.FindElement("Folders") != nil {
		t.Errorf("answer %s, want status 1 without folders", dump(out))
	}
}

func TestPingWakesOnChange(t *testing.T) {
	var parked atomic.Int64 // the gauge Options.Parked drives
	s := newTestServer(t, ProvisionOff, shortBounds, func(o *Options) {
		o.Parked = func(d int) { parked.Add(int64(d)) }
	})
	s.primed("contacts")
	s.primed("calendar")
	ans := s.pingAsync(pingReq("120", "contacts", "calendar"))
	s.parked("contacts", 1)
	for parked.Load() != 1 { // the gauge counts the Ping once its first look found nothing
		time.Sleep(time.Millisecond)
	}
	s.backend.put("calendar", "ev1", Item{Data: []byte(`<ApplicationData><Subject xmlns="Calendar:">x</Subject></ApplicationData>`)})
	out := <-ans
	if text(out, "Status") != "2" {
		t.Fatalf("answer %s, want status 2", dump(out))
	}
	if fs := out.FindElements("Folders/Folder"); len(fs) != 1 || fs[0].Text() != "calendar" {
		t.Errorf("changed folders %s, want calendar alone", dump(out))
	}
	if n := s.backend.hub.Watching(s.backend.user, "contacts"); n != 0 {
		t.Errorf("%d subscriptions left after the answer", n)
	}
	if n := parked.Load(); n != 0 {
		t.Errorf("parked gauge %d after the answer, want 0", n)
	}
	// The change is still there until a Sync fetches it: the next Ping
	// answers at once.
	if out := s.ping(pingReq("120", "contacts", "calendar")); text(out, "Status") != "2" {
		t.Errorf("Ping before the Sync: %s, want status 2", dump(out))
	}
}

func TestPingOwnWriteDoesNotWake(t *testing.T) {
	s := newTestServer(t, ProvisionOff, shortBounds)
	s.primed("contacts")
	// The device's own Add (by another request) wakes the Ping, but
	// Changed finds nothing for it, so it parks until the heartbeat.
	ans := s.pingAsync(pingReq("1", "contacts"))
	s.parked("contacts", 1)
	s.do("Sync", enc(t, syncReq("contacts", "1",
		`<Commands><Add><ClientId>c1</ClientId><ApplicationData><FileAs xmlns="Contacts:">A</FileAs></ApplicationData></Add></Commands>`)))
	if out := <-ans; text(out, "Status") != "1" {
		t.Errorf("answer %s, want status 1: the device's own write is no change for it", dump(out))
	}
}

func TestPingEmptyRepeatsLastFolders(t *testing.T) {
	s := newTestServer(t, ProvisionOff, shortBounds)
	s.primed("notes")
	if out := s.ping(pingReq("1", "notes")); text(out, "Status") != "1" {
		t.Fatalf("first Ping: %s", dump(out))
	}
	// A server restart: a new front end over the same backend still
	// knows the device's folders and heartbeat.
	s2 := *s
	s2.start(ProvisionOff, shortBounds)
	ans := s2.pingAsync("")
	s2.parked("notes", 1)
	s2.backend.put("notes", "n1", Item{Data: []byte(`<ApplicationData/>`)})
	out := <-ans
	if text(out, "Status") != "2" || text(out, "Folders/Folder") != "notes" {
		t.Errorf("empty Ping: %s, want status 2 for notes", dump(out))
	}
	// A Ping with only a heartbeat keeps the stored folders.
	if out := s2.ping(pingReq("2")); text(out, "Status") != "2" {
		t.Errorf("Ping with heartbeat only: %s, want status 2 (notes still unsynced)", dump(out))
	}
	if p := s.backend.pings[s.device]; p.HeartbeatSeconds != 2 || len(p.FolderIDs) != 1 {
		t.Errorf("stored parameters %+v", p)
	}
}

func TestPingNewerEndsOlder(t *testing.T) {
	s := newTestServer(t, ProvisionOff, shortBounds)
	s.primed("contacts")
	older := s.pingAsync(pingReq("120", "contacts"))
	s.parked("contacts", 1)
	newer := s.pingAsync(pingReq("120", "contacts"))
	if out := <-older; text(out, "Status") != "1" {
		t.Errorf("older Ping: %s, want status 1", dump(out))
	}
	s.parked("contacts", 1) // the newer one alone
	s.backend.put("contacts", "c9", Item{Data: []byte(`<ApplicationData/>`)})
	if out := <-newer; text(out, "Status") != "2" {
		t.Errorf("newer Ping: %s, want status 2", dump(out))
	}
	// Another device's Ping is not ended by this one's.
	other := *s
	other.device = "OTHERDEVICE"
	s.primed("tasks")
	first := s.pingAsync(pingReq("120", "tasks"))
	s.parked("tasks", 1)
	other.primed("tasks")
	second := other.pingAsync(pingReq("120", "tasks"))
	s.parked("tasks", 2)
	s.backend.put("tasks", "t1", Item{Data: []byte(`<ApplicationData/>`)})
	for _, ch := range []<-chan *etree.Element{first, second} {
		if out := <-ch; text(out, "Status") != "2" {
			t.Errorf("Ping of one of two devices: %s, want status 2", dump(out))
		}
	}
}

// BenchmarkPingWake measures from a write's notification to the parked
// Ping's answer at the client, over HTTP on 127.0.0.1.
func BenchmarkPingWake(b *testing.B) {
	s := newTestServer(b, ProvisionOff, shortBounds)
	s.primed("contacts")
	for range b.N {
		b.StopTimer()
		ans := s.pingAsync(pingReq("120", "contacts"))
		s.parked("contacts", 1)
		b.StartTimer()
		s.backend.put("contacts", "c1", Item{Data: []byte(`<ApplicationData/>`)})
		if out := <-ans; text(out, "Status") != "2" {
			b.Fatalf("answer %s", dump(out))
		}
		b.StopTimer()
		s.backend.mu.Lock()
		delete(s.backend.items["contacts"], "c1")
		s.backend.mu.Unlock()
		s.primed("contacts")
		b.StartTimer()
	}
}

func TestHangingSync(t *testing.T) {
	s := newTestServer(t, ProvisionOff, shortBounds)
	s.primed("contacts")
	req := func(wait string) []byte {
		return enc(t, `<Sync xmlns="AirSync:"><Collections><Collection><SyncKey>1</SyncKey><CollectionId>contacts</CollectionId>`+
			`</Collection></Collections>`+wait+`</Sync>`)
	}
	for _, tc := range []struct{ wait, limit string }{
		{`<Wait>60</Wait>`, "2"}, // minutes; the bound is 120 s
		{`<HeartbeatInterval>0</HeartbeatInterval>`, "1"},
		{`<HeartbeatInterval>121</HeartbeatInterval>`, "120"},
	} {
		if _, out := s.do("Sync", req(tc.wait)); text(out, "Status") != "14" || text(out, "Limit") != tc.limit {
			t.Errorf("%s: %s, want status 14 with Limit %s", tc.wait, dump(out), tc.limit)
		}
	}
	// Nothing changes: the answer comes at the heartbeat, key unchanged.
	if _, out := s.do("Sync", req(`<HeartbeatInterval>1</HeartbeatInterval>`)); text(out, "Collections/Collection/SyncKey") != "1" ||
		out.FindElement("Collections/Collection/Commands") != nil {
		t.Errorf("expired hanging Sync: %s", dump(out))
	}
	// A change while parked is in the answer.
	ans := make(chan *etree.Element, 1)
	go func() { _, out := s.do("Sync", req(`<Wait>1</Wait>`)); ans <- out }()
	s.parked("contacts", 1)
	s.backend.put("contacts", "c1", Item{Data: []byte(`<ApplicationData><FileAs xmlns="Contacts:">Ada</FileAs></ApplicationData>`)})
	out := <-ans
	if text(out, "Collections/Collection/Commands/Add/ServerId") != "c1" || text(out, "Collections/Collection/SyncKey") != "2" {
		t.Errorf("hanging Sync after a change: %s", dump(out))
	}
}
