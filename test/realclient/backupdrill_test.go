package realclient_test

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// span is when something ran.
type span struct{ start, end time.Time }

// drillDevice is a device of the drill with the spans of its loop syncs.
type drillDevice struct {
	*device
	syncs   []span
	created []string // FNs of the contacts it made
}

// addOne makes a new contact on the device.
func (d *drillDevice) addOne(t *testing.T, prefix string, i int) {
	addContacts(t, d.device, prefix, i, 1)
	d.created = append(d.created, fmt.Sprintf("%s%03d Tester", strings.ToUpper(prefix[:1])+prefix[1:], i))
}

// TestBackupDrill: three SyncEvolution devices sync in a loop against
// anchorage serve while anchorage backup copies the database; every copy
// passes backup verify; a server started on the last copy lets each device
// continue — with a fast sync when its last sync ended before the backup
// began, a slow sync matching its items when it synced after — and the
// devices converge on every contact ever made, none lost or duplicated.
func TestBackupDrill(t *testing.T) {
	shared := needRealClient(t)
	srv := startServer(t)
	srv.addUser(t, "drill", "pw")
	devs := make([]*drillDevice, 3)
	for i := range devs {
		devs[i] = &drillDevice{device: newDevice(t, shared, srv, fmt.Sprintf("drill-%d", i), "drill", "pw", "md5", "contacts")}
		for j := 0; j < 5; j++ {
			devs[i].addOne(t, fmt.Sprintf("seed%d", i), j)
		}
		devs[i].mustSync(t, "slow")
	}

	// Device 0 syncs twice and stops; devices 1 and 2 go on for six rounds,
	// so the second backup is taken after device 0's last sync and, most
	// likely, while the others still sync.
	rounds := []int{2, 6, 6}
	var wg sync.WaitGroup
	var mu sync.Mutex
	failures := []string{}
	started := make(chan struct{}, len(devs))
	dev0Done := make(chan struct{})
	for i, d := range devs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := 0; r < rounds[i]; r++ {
				d.addOne(t, fmt.Sprintf("d%dr", i), r)
				s := span{start: time.Now()}
				rep := d.sync(t, "two-way")
				s.end = time.Now()
				mu.Lock()
				d.syncs = append(d.syncs, s)
				if !rep.ok() {
					failures = append(failures, fmt.Sprintf("%s round %d: %v", d.id, r, rep.result))
				}
				mu.Unlock()
				if r == 0 {
					started <- struct{}{}
				}
			}
			if i == 0 {
				close(dev0Done)
			}
		}()
	}
	for range devs {
		<-started
	}
	first := filepath.Join(t.TempDir(), "first.db")
	srv.admin(t, "", "backup", "--data", srv.data, "--to", first)
	<-dev0Done
	last := filepath.Join(t.TempDir(), "last.db")
	backup := span{start: time.Now()}
	srv.admin(t, "", "backup", "--data", srv.data, "--to", last)
	backup.end = time.Now()
	wg.Wait()
	if len(failures) > 0 {
		t.Fatalf("syncs failed during the backups: %v", failures)
	}
	for _, f := range []string{first, last} {
		out := srv.admin(t, "", "backup", "verify", f)
		if !strings.Contains(out, "items") {
			t.Errorf("backup verify %s printed no counts:\n%s", f, out)
		}
	}

	// Restore: stop the server, serve the last copy from a new data dir.
	_ = srv.cmd.Process.Signal(os.Interrupt)
	_ = srv.cmd.Wait()
	data := filepath.Join(t.TempDir(), "restored")
	if err := os.MkdirAll(data, 0o750); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(last)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(data, "anchorage.db"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	restored := startServerOn(t, data)
	atBackup := serverContacts(t, restored, "drill")
	if dups := duplicatesIn(atBackup); len(dups) > 0 {
		t.Errorf("the copy holds duplicates: %v", dups)
	}

	for _, d := range devs {
		d.url = restored.url
		lastSync := d.syncs[len(d.syncs)-1]
		r := d.mustSync(t, "two-way")
		mode := r.sources["contacts"]["mode"]
		switch {
		case lastSync.end.Before(backup.start):
			if mode != "two-way" {
				t.Errorf("%s synced last before the backup: mode %s after the restore, want two-way (fast)", d.id, mode)
			}
		case lastSync.start.After(backup.end):
			if mode != "slow" {
				t.Errorf("%s synced after the backup: mode %s after the restore, want slow", d.id, mode)
			}
		}
		t.Logf("%s: %d loop syncs, last %v..%v, backup %v..%v, first sync after the restore: %s",
			d.id, len(d.syncs), lastSync.start.Format("15:04:05.000"), lastSync.end.Format("15:04:05.000"),
			backup.start.Format("15:04:05.000"), backup.end.Format("15:04:05.000"), mode)
		if got := contactSet(t, d.device); len(duplicatesIn(got)) > 0 {
			t.Errorf("%s holds duplicates after its first sync on the copy: %v", d.id, duplicatesIn(got))
		}
	}
	for _, d := range devs {
		d.mustSync(t, "two-way")
	}
	var want []string
	for _, d := range devs {
		want = append(want, d.created...)
	}
	sort.Strings(want)
	if got := serverContacts(t, restored, "drill"); !equalLists(got, want) {
		t.Errorf("restored server holds %d contacts, want every one made (%d):\n got %q\nwant %q", len(got), len(want), got, want)
	}
	for _, fn := range atBackup {
		if !contains(want, fn) {
			t.Errorf("contact %q of the copy was never made", fn)
		}
	}
	devices := make([]*device, len(devs))
	for i, d := range devs {
		devices[i] = d.device
	}
	assertConverged(t, restored, "drill", devices...)
}

// duplicatesIn returns the values that occur more than once.
func duplicatesIn(list []string) []string {
	seen := map[string]int{}
	var dups []string
	for _, v := range list {
		if seen[v]++; seen[v] == 2 {
			dups = append(dups, v)
		}
	}
	return dups
}
