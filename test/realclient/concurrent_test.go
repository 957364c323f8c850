package realclient_test

import (
	"fmt"
	"sync"
	"testing"
)

// TestConcurrentDevices: three devices of one user sync at the same time;
// their sessions are serialised per datastore (none fails, nothing is lost
// or duplicated) and all converge.
func TestConcurrentDevices(t *testing.T) {
	shared := needRealClient(t)
	srv := startServer(t)
	srv.addUser(t, "cc", "pw")
	var devs []*device
	for i := 0; i < 3; i++ {
		d := newDevice(t, shared, srv, fmt.Sprintf("cc-%d", i), "cc", "pw", "", "contacts")
		addContacts(t, d, fmt.Sprintf("dev%d", i), 0, 60)
		devs = append(devs, d)
	}
	run := func(mode string) {
		var wg sync.WaitGroup
		reports := make([]*report, len(devs))
		for i, d := range devs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				reports[i] = d.sync(t, mode, "--max-msg-size", "20000")
			}()
		}
		wg.Wait()
		for i, r := range reports {
			if !r.ok() {
				t.Errorf("concurrent %s sync of %s failed: %v", mode, devs[i].id, r.result)
			}
		}
	}
	run("slow")
	if got := serverContacts(t, srv, "cc"); len(got) != 180 {
		t.Fatalf("server holds %d contacts after concurrent uploads, want 180", len(got))
	}
	run("two-way")
	assertConverged(t, srv, "cc", devs...)
	for _, d := range devs {
		confirmNothing(t, d)
	}
}
