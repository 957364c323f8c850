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
// until the sync core implements Session. Device A uploads a contact;
// device B receives it and an event and a task put on the server.
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
			// Device B's first sync receives the contact, non-ASCII intact,
			// and the server's event and task.
			b.items["calendar"]["ev1"] = Item{Class: ClassCalendar, Data: []byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n" +
				"BEGIN:VEVENT\r\nUID:ev1@example.org\r\nDTSTART;TZID=Europe/Berlin:20260302T090000\r\n" +
				"DTEND;TZID=Europe/Berlin:20260302T100000\r\nSUMMARY:Übung\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")}
			b.items["tasks"]["t1"] = Item{Class: ClassTasks, Data: []byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n" +
				"BEGIN:VTODO\r\nUID:t1@example.org\r\nDUE:20260531T220000Z\r\nSUMMARY:Steuererklärung\r\nEND:VTODO\r\nEND:VCALENDAR\r\n")}
			store, device = t.TempDir(), "MZTBbbbbbbbbbbbbbbbbbbbbbbbbbb"
			run("device B initial sync")
			for folder, want := range map[string]string{"calendar": "Übung", "tasks": "Steuererklärung"} {
				got, _ := filepath.Glob(filepath.Join(store, folder, "*.json"))
				if len(got) != 1 {
					t.Errorf("device B holds %d items in %s, want 1", len(got), folder)
					continue
				}
				data, _ := os.ReadFile(got[0])
				if !strings.Contains(string(data), want) {
					t.Errorf("device B's %s item lacks %q:\n%s", folder, want, data)
				}
				t.Logf("device B received in %s: %s", folder, data)
			}
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
