package main

import (
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"anchorage/store/postgres/pgtest"
)

// TestTwoNodesOnPostgres runs the tool against two anchorage serve
// processes on one PostgreSQL database behind its round-robin proxy: every
// session completes although its messages alternate between the nodes,
// and the database's statements and commits per session are reported.
func TestTwoNodesOnPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the server and starts PostgreSQL: skipped in -short mode")
	}
	db := pgtest.Start(t).NewDatabase(t)
	bin := filepath.Join(t.TempDir(), "anchorage")
	if out, err := exec.Command("go", "build", "-o", bin, "anchorage/cmd/anchorage").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"--server-bin", bin, "--data", db, "--nodes", "2",
		"--devices", "3", "--concurrency", "2", "--items", "4", "--sessions", "9", "--auth", "basic",
		"--pg-stats", db, "--source-addresses", "3"}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("run: %v\n%s\n%s", err, stdout.String(), stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{"phase 2: two-way (fast) sync: 9 sessions (9 ok, 0 failed",
		"database per session: statements", "write transactions:"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if strings.Count(out, "peak RSS (VmHWM)") != 2 {
		t.Errorf("report does not name both nodes:\n%s", out)
	}
}
