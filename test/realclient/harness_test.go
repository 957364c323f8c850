package realclient_test

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The real-client suite: the anchorage binary, started on a free loopback
// port with a temporary data dir, and SyncEvolution driven by the shared
// conformance kit's syncml-client.sh as one simulated device per work dir.

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// sharedDir finds ../shared (the conformance kit) by walking up from the
// test's working directory; "" when absent.
func sharedDir() string {
	dir, _ := os.Getwd()
	for i := 0; i < 8; i++ {
		cand := filepath.Join(dir, "shared", "conformance", "syncml-client.sh")
		if _, err := os.Stat(cand); err == nil {
			return filepath.Join(dir, "shared")
		}
		cand = filepath.Join(dir, "..", "shared", "conformance", "syncml-client.sh")
		if _, err := os.Stat(cand); err == nil {
			return filepath.Clean(filepath.Join(dir, "..", "shared"))
		}
		dir = filepath.Dir(dir)
	}
	return ""
}

// needRealClient skips the test when the conformance kit is absent (CI
// always has it) or in -short mode.
func needRealClient(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("real-client suite skipped in -short mode")
	}
	sh := sharedDir()
	if sh == "" {
		t.Skip("../shared/conformance not found: the real-client suite needs the shared conformance kit beside the checkout")
	}
	return sh
}

func moduleRoot(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	return filepath.Dir(strings.TrimSpace(string(out)))
}

// buildBinary builds cmd/anchorage once per test process.
func buildBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "anchorage-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "anchorage")
		cmd := exec.Command("go", "build", "-o", binPath, "./cmd/anchorage")
		cmd.Dir = moduleRoot(t)
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// server is a running anchorage serve process.
type server struct {
	bin, data, url string
	cmd            *exec.Cmd
	log            *bytes.Buffer
	// cluster: every node serving the same database behind the proxy
	// (startCluster); nil for a single process.
	cluster []*server
}

var servingRE = regexp.MustCompile(`serving SyncML at (\S+)`)

func startServer(t *testing.T, extra ...string) *server {
	t.Helper()
	return startServerOn(t, filepath.Join(t.TempDir(), "data"), extra...)
}

// startServerOn starts a server on an existing (or new) data dir.
func startServerOn(t *testing.T, data string, extra ...string) *server {
	t.Helper()
	bin := buildBinary(t)
	s := &server{bin: bin, data: data, log: &bytes.Buffer{}}
	args := append([]string{"serve", "--listen", "127.0.0.1:0", "--data", s.data}, extra...)
	s.cmd = exec.Command(bin, args...)
	s.cmd.Stderr = &lockedWriter{w: s.log}
	stdout, err := s.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start server: %v", err)
	}
	t.Cleanup(func() {
		if s.cmd.ProcessState != nil {
			return // killed by the test
		}
		_ = s.cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = s.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = s.cmd.Process.Kill()
			t.Error("server did not stop within 10 s of SIGINT")
		}
		if t.Failed() {
			t.Logf("server log:\n%s", s.log.String())
		}
	})
	lines := bufio.NewScanner(stdout)
	deadline := time.AfterFunc(30*time.Second, func() { _ = s.cmd.Process.Kill() })
	defer deadline.Stop()
	for lines.Scan() {
		if m := servingRE.FindStringSubmatch(lines.Text()); m != nil {
			s.url = m[1]
			break
		}
	}
	if s.url == "" {
		t.Fatalf("server did not report its URL; log:\n%s", s.log.String())
	}
	go func() {
		for lines.Scan() {
		}
	}()
	return s
}

type lockedWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// kill stops the server with SIGKILL, as a crash would.
func (s *server) kill(t *testing.T) {
	t.Helper()
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
}

// admin runs an anchorage admin command against the server's data dir.
func (s *server) admin(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(s.bin, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("anchorage %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

func (s *server) addUser(t *testing.T, name, password string) {
	t.Helper()
	s.admin(t, password+"\n", "user", "add", "--data", s.data, name)
}

func (s *server) export(t *testing.T, user, db string) string {
	t.Helper()
	return s.admin(t, "", "export", "--data", s.data, "--user", user, "--db", db)
}

// device is one SyncEvolution client with its own work dir.
type device struct {
	shared, dir, id string
	url             string
	user, password  string
	auth            string
	sources         []string
}

func newDevice(t *testing.T, shared string, s *server, id, user, password, auth string, sources ...string) *device {
	if len(sources) == 0 {
		sources = []string{"contacts", "calendar", "todo", "memo"}
	}
	d := &device{shared: shared, dir: filepath.Join(t.TempDir(), id), id: id, url: s.url,
		user: user, password: password, auth: auth, sources: sources}
	for _, src := range sources {
		if err := os.MkdirAll(filepath.Join(d.dir, src), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return d
}

// report is what syncml-client.sh printed about one sync.
type report struct {
	sources map[string]map[string]string
	result  map[string]string
	output  string
}

func (r *report) ok() bool { return r.result["ok"] == "true" }

// n returns a counter of one source (e.g. "remote_added").
func (r *report) n(source, key string) int {
	v, _ := strconv.Atoi(r.sources[source][key])
	return v
}

var kvRE = regexp.MustCompile(`(\w+)=("[^"]*"|\S*)`)

func parseReport(out string) *report {
	r := &report{sources: map[string]map[string]string{}, result: map[string]string{}, output: out}
	for _, line := range strings.Split(out, "\n") {
		switch {
		case strings.HasPrefix(line, "SYNCML_SOURCE "):
			kv := map[string]string{}
			for _, m := range kvRE.FindAllStringSubmatch(line, -1) {
				kv[m[1]] = strings.Trim(m[2], `"`)
			}
			r.sources[kv["source"]] = kv
		case strings.HasPrefix(line, "SYNCML_RESULT "):
			for _, m := range kvRE.FindAllStringSubmatch(line, -1) {
				r.result[m[1]] = strings.Trim(m[2], `"`)
			}
		}
	}
	return r
}

// sync runs one sync in the given mode; password overrides the device's.
func (d *device) syncWith(t *testing.T, mode, password string, extra ...string) *report {
	t.Helper()
	args := []string{filepath.Join(d.shared, "conformance", "syncml-client.sh"),
		"--dir", d.dir, "--url", d.url, "--user", d.user, "--password", password,
		"--device-id", d.id, "--source", strings.Join(d.sources, ","), "--quiet", "--timeout", "60"}
	if d.auth != "" {
		args = append(args, "--auth", d.auth)
	}
	args = append(args, extra...)
	args = append(args, "sync", mode)
	cmd := exec.Command("bash", args...)
	out, _ := cmd.CombinedOutput() // a failed sync is reported in the output
	r := parseReport(string(out))
	if len(r.result) == 0 {
		t.Fatalf("sync %s on %s printed no SYNCML_RESULT:\n%s", mode, d.id, out)
	}
	return r
}

func (d *device) sync(t *testing.T, mode string, extra ...string) *report {
	t.Helper()
	return d.syncWith(t, mode, d.password, extra...)
}

// mustSync syncs and fails the test unless the client reports success.
func (d *device) mustSync(t *testing.T, mode string, extra ...string) *report {
	t.Helper()
	r := d.sync(t, mode, extra...)
	if !r.ok() {
		t.Fatalf("sync %s on %s failed: %v\n%s", mode, d.id, r.result, r.output)
	}
	return r
}

func (d *device) path(source, name string) string { return filepath.Join(d.dir, source, name) }

func (d *device) write(t *testing.T, source, name, content string) {
	t.Helper()
	if err := os.WriteFile(d.path(source, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// files returns the contents of a source's item files by file name.
func (d *device) files(t *testing.T, source string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(d.dir, source))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, e := range entries {
		if e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(d.dir, source, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = string(b)
	}
	return out
}

// waitForMtime sleeps so that edits get a newer whole-second mtime than the
// last sync (the file backend detects changes by mtime in seconds).
func waitForMtime() { time.Sleep(1100 * time.Millisecond) }
