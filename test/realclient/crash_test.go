package realclient_test

import (
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"
)

// TestServerKilledMidSession kills the server with SIGKILL while a device
// is in the middle of a session (after the device sent its changes and
// before the session completed), restarts it on the same data and syncs
// again: nothing lost, nothing duplicated.
func TestServerKilledMidSession(t *testing.T) {
	shared := needRealClient(t)
	data := filepath.Join(t.TempDir(), "data")
	trace := filepath.Join(t.TempDir(), "trace")
	srv := startServerOn(t, data, "--trace", trace)
	a, b, r := killDuringUpload(t, shared, srv, []string{trace}, srv)
	if r.ok() {
		t.Log("the sync finished before the kill; the restart still has to hold")
	}

	srv2 := startServerOn(t, data)
	a.url, b.url = srv2.url, srv2.url
	b.mustSync(t, "two-way")
	got := serverContacts(t, srv2, "kill")
	if len(got) != 200 {
		t.Errorf("after the crash and a new sync the server holds %d contacts, want 200", len(got))
	}
	for i := 1; i < len(got); i++ {
		if got[i] == got[i-1] {
			t.Errorf("duplicate on the server: %s", got[i])
		}
	}
	a.mustSync(t, "two-way")
	assertConverged(t, srv2, "kill", a, b)
	confirmNothing(t, a)
	confirmNothing(t, b)
}

// killDuringUpload sets up the kill scenario on srv (user "kill", device
// kill-a with 50 contacts synced to kill-b), then has kill-b send 150 new
// contacts in small messages and kills victim with SIGKILL once one of the
// traces shows that the server received kill-b's third message. It returns
// both devices and the report of kill-b's interrupted sync.
func killDuringUpload(t *testing.T, shared string, srv *server, traces []string, victim *server) (a, b *device, r *report) {
	t.Helper()
	srv.addUser(t, "kill", "pw")
	a = newDevice(t, shared, srv, "kill-a", "kill", "pw", "", "contacts")
	b = newDevice(t, shared, srv, "kill-b", "kill", "pw", "", "contacts")
	addContacts(t, a, "base", 0, 50)
	a.mustSync(t, "slow")
	b.mustSync(t, "two-way")

	waitForMtime()
	addContacts(t, b, "crash", 0, 150)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		r = b.sync(t, "two-way", "--max-msg-size", "8000", "--timeout", "20")
	}()
	deadline := time.Now().Add(30 * time.Second)
	for !slices.ContainsFunc(traces, func(tr string) bool { return traceHas(tr, "kill-b", "03-in.xml") }) {
		if time.Now().After(deadline) {
			t.Fatal("the device never sent its third message")
		}
		time.Sleep(5 * time.Millisecond)
	}
	victim.kill(t)
	wg.Wait()
	return a, b, r
}

// traceHas tells whether the trace holds a file of a device's session.
func traceHas(trace, device, name string) bool {
	sessions, _ := os.ReadDir(filepath.Join(trace, device))
	for _, s := range sessions {
		if _, err := os.Stat(filepath.Join(trace, device, s.Name(), name)); err == nil {
			return true
		}
	}
	return false
}
