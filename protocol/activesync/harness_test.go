package activesync

import (
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestTbSyncHarness runs TbSync's own EAS code (the node harness of
// ../shared/conformance/activesync, installed by its setup.sh into the
// folder named by EAS_KIT) against this front end with the in-memory test
// backend: the wire as a real client speaks it. The backend is a stand-in
// until the sync core implements Session; calendar and tasks items are not
// converted yet, so only contacts are exchanged.
func TestTbSyncHarness(t *testing.T) {
	kit := os.Getenv("EAS_KIT")
	if kit == "" || testing.Short() {
		t.Skip("EAS_KIT not set (a copy of shared/conformance/activesync after setup.sh)")
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node not installed")
	}
	for _, version := range []string{"14.0", "2.5"} {
		t.Run(version, func(t *testing.T) {
			b := newMemBackend()
			hs := httptest.NewServer(New(Options{Backend: b, Converter: PIMConverter{}, Provisioning: ProvisionLoose}))
			defer hs.Close()
			store := t.TempDir()
			device := "MZTB0123456789abcdef0123456789"
			run := func(name string, extra ...string) string {
				args := append([]string{filepath.Join(kit, "tbsync-harness", "run.js"),
					"--src", filepath.Join(kit, "_3p", "eas4tbsync-xpi"), "--url", hs.URL + Path,
					"--user", "testuser", "--pass", "secret", "--device", device,
					"--version", version, "--store", store}, extra...)
				out, err := exec.Command("node", args...).CombinedOutput()
				if err != nil {
					t.Errorf("%s: %v\n%s", name, err, out)
				}
				return string(out)
			}
			run("initial sync")
			run("add contact", "--add-contact", "Jörg Müller <joerg@example.org>")
			if n := len(b.items["contacts"]); n != 1 {
				t.Errorf("server holds %d contacts after the upload, want 1", n)
			}
			for _, it := range b.items["contacts"] {
				if !strings.Contains(string(it.Data), "joerg@example.org") {
					t.Errorf("uploaded contact:\n%s", it.Data)
				}
			}
			if out := run("repeat sync"); !strings.Contains(out, "changelog after sync: (empty)") {
				t.Errorf("repeat sync left local changes:\n%s", out)
			}
			// Device B's first sync receives the contact, non-ASCII intact.
			store, device = t.TempDir(), "MZTBbbbbbbbbbbbbbbbbbbbbbbbbbb"
			run("device B initial sync")
			files, _ := filepath.Glob(filepath.Join(store, "contacts", "*.json"))
			if len(files) != 1 {
				t.Fatalf("device B holds %d contacts, want 1", len(files))
			}
			data, _ := os.ReadFile(files[0])
			t.Logf("device B received: %s", data)
			if !strings.Contains(string(data), "joerg@example.org") || !strings.Contains(string(data), "Müller") {
				t.Errorf("device B's contact:\n%s", data)
			}
		})
	}
}
