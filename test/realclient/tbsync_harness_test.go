package realclient_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The EAS real client: TbSync's own EAS code (Debian webext-eas4tbsync,
// unmodified) driven by the node harness of
// ../shared/conformance/activesync, with its items in a directory of JSON
// files per device (TWO-WAY.md).

// tbsyncKit copies the harness into a temporary directory and runs the
// kit's setup.sh there (it downloads webext-eas4tbsync and installs the
// harness's npm dependency), so that the shared kit stays read-only.
func tbsyncKit(t *testing.T, shared string) string {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatal("node is not installed: the TbSync client needs nodejs and npm (.ci/run installs them)")
	}
	src := filepath.Join(shared, "conformance", "activesync")
	kit := filepath.Join(t.TempDir(), "activesync")
	if err := os.MkdirAll(kit, 0o755); err != nil {
		t.Fatal(err)
	}
	cp := exec.Command("cp", "-r", filepath.Join(src, "setup.sh"), filepath.Join(src, "tbsync-harness"), kit)
	if out, err := cp.CombinedOutput(); err != nil {
		t.Fatalf("copy the TbSync harness: %v\n%s", err, out)
	}
	_ = os.RemoveAll(filepath.Join(kit, "tbsync-harness", "node_modules"))
	setup := exec.Command("sh", filepath.Join(kit, "setup.sh"))
	setup.Env = append(os.Environ(), "EAS_3P="+filepath.Join(kit, "_3p"))
	if out, err := setup.CombinedOutput(); err != nil {
		t.Fatalf("set up the TbSync client (setup.sh: apt-get download webext-eas4tbsync, npm install): %v\n%s", err, out)
	}
	return kit
}

// tbDevice is one TbSync installation with its own store.
type tbDevice struct {
	kit, url, user, pass, id, store, version string
}

func newTbDevice(t *testing.T, kit string, s *server, id, user, pass, version string) *tbDevice {
	return &tbDevice{kit: kit, url: strings.TrimSuffix(s.url, "/sync") + "/Microsoft-Server-ActiveSync",
		user: user, pass: pass, id: id, store: filepath.Join(t.TempDir(), id), version: version}
}

// run runs one TbSync sync of every folder (with the harness's local
// edits in extra) and fails the test unless TbSync reports success.
func (d *tbDevice) run(t *testing.T, what string, extra ...string) string {
	t.Helper()
	args := append([]string{filepath.Join(d.kit, "tbsync-harness", "run.js"),
		"--src", filepath.Join(d.kit, "_3p", "eas4tbsync-xpi"), "--url", d.url,
		"--user", d.user, "--pass", d.pass, "--device", d.id, "--version", d.version, "--store", d.store}, extra...)
	out, err := exec.Command("node", args...).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "DONE ok") {
		t.Fatalf("TbSync %s on %s (EAS %s): %v\n%s", what, d.id, d.version, err, out)
	}
	return string(out)
}

var synckeyRE = regexp.MustCompile(`(?m)^\[harness\]\s+(\w+): synckey now (\S+)`)

// synckeys returns each folder's SyncKey after a run.
func synckeys(out string) map[string]string {
	keys := map[string]string{}
	for _, m := range synckeyRE.FindAllStringSubmatch(out, -1) {
		keys[m[1]] = m[2]
	}
	return keys
}

// mustExchangeNothing runs a sync and checks that no folder's SyncKey
// moved: the server answered every collection with nothing to exchange.
func (d *tbDevice) mustExchangeNothing(t *testing.T, what string) {
	t.Helper()
	before := d.keys(t)
	out := d.run(t, what)
	if after := synckeys(out); !sameMap(before, after) {
		t.Errorf("%s on %s exchanged something: SyncKeys %v -> %v\n%s", what, d.id, before, after, out)
	}
}

// keys reads the SyncKeys of the device's folders from its state.
func (d *tbDevice) keys(t *testing.T) map[string]string {
	t.Helper()
	var st struct {
		Folders []struct {
			ServerID string `json:"serverID"`
			SyncKey  string `json:"synckey"`
		} `json:"folders"`
	}
	b, err := os.ReadFile(filepath.Join(d.store, "state.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}
	keys := map[string]string{}
	for _, f := range st.Folders {
		keys[f.ServerID] = f.SyncKey
	}
	return keys
}

// restartFolders does what TbSync does when the server answers Status 3
// (MS-ASCMD 2.2.3.177.17: the client returns to SyncKey 0): every
// folder's SyncKey becomes empty and its items go, so the next sync is
// an initial sync against an account that holds the same items. (The
// harness's own Status 3 handling drops the folder for good, so the test
// does this step itself.)
func (d *tbDevice) restartFolders(t *testing.T) {
	t.Helper()
	path := filepath.Join(d.store, "state.json")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var st map[string]any
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}
	for _, f := range st["folders"].([]any) {
		f.(map[string]any)["synckey"] = ""
		files, _ := filepath.Glob(filepath.Join(d.store, f.(map[string]any)["target"].(string), "*.json"))
		for _, name := range files {
			if err := os.Remove(name); err != nil {
				t.Fatal(err)
			}
		}
	}
	st["snapshot"] = map[string]any{} // the removed items are no local deletes
	if b, err = json.Marshal(st); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// items returns the device's items of a folder by file name.
func (d *tbDevice) items(t *testing.T, folder string) map[string]string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(d.store, folder, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(f)] = string(b)
	}
	return out
}

// find returns the name of the one item holding s, "" when none does.
func find(items map[string]string, s string) string {
	for name, body := range items {
		if strings.Contains(body, s) {
			return name
		}
	}
	return ""
}
