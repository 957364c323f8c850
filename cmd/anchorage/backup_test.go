package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"anchorage/store/sqlite"
)

// perFile is the number of contacts of each imported file; import writes a
// file in one transaction, so a consistent snapshot holds a multiple of it.
const perFile = 7

func runCLI(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(t.Context(), args, strings.NewReader(stdin), &out, &errOut)
	return out.String() + errOut.String(), err
}

// writeBatch writes the n-th file of perFile new contacts.
func writeBatch(t *testing.T, dir string, n int) string {
	var b strings.Builder
	for i := range perFile {
		fmt.Fprintf(&b, "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:backup-%d-%d\r\nN:Person%d;Batch%d\r\nFN:Batch%d Person%d\r\nTEL:+4930%04d%02d\r\nEND:VCARD\r\n",
			n, i, i, n, n, i, n, i)
	}
	f := filepath.Join(dir, fmt.Sprintf("batch%d.vcf", n))
	if err := os.WriteFile(f, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

// TestBackupWhileWriting takes backups while another connection imports
// contacts, checks each copy with backup verify and that it holds whole
// transactions only, then serves the last copy: its export equals the
// source's.
func TestBackupWhileWriting(t *testing.T) {
	tmp := t.TempDir()
	data := filepath.Join(tmp, "data")
	if out, err := runCLI(t, "secret\n", "user", "add", "--data", data, "alice"); err != nil {
		t.Fatalf("user add: %v\n%s", err, out)
	}
	files := make([]string, 40)
	for i := range files {
		files[i] = writeBatch(t, tmp, i)
	}

	var wg sync.WaitGroup
	wg.Add(1)
	imported := make(chan int, len(files))
	go func() {
		defer wg.Done()
		for i, f := range files {
			if out, err := runCLI(t, "", "import", "--data", data, "--user", "alice", "--db", "contacts", f); err != nil {
				t.Errorf("import %d: %v\n%s", i, err, out)
				return
			}
			imported <- i
		}
	}()
	var copies []string
	for i := 0; len(copies) < 4; i++ {
		<-imported // at least one more batch since the last copy
		to := filepath.Join(tmp, fmt.Sprintf("copy%d.db", i))
		if out, err := runCLI(t, "", "backup", "--data", data, "--to", to); err != nil {
			t.Fatalf("backup: %v\n%s", err, out)
		}
		copies = append(copies, to)
	}
	wg.Wait()

	for _, c := range copies {
		out, err := runCLI(t, "", "backup", "verify", c)
		if err != nil || !strings.Contains(out, "integrity ok") {
			t.Fatalf("backup verify %s: %v\n%s", c, err, out)
		}
		counts, err := sqlite.Verify(t.Context(), c)
		if err != nil {
			t.Fatal(err)
		}
		if counts.Items == 0 || counts.Items%perFile != 0 || counts.Versions != counts.Items || counts.Users != 1 {
			t.Errorf("%s: %+v: not a committed state (items come in transactions of %d)", c, counts, perFile)
		}
	}

	// Restore: serve from a copy taken after the writes.
	final := filepath.Join(tmp, "final.db")
	if out, err := runCLI(t, "", "backup", "--data", data, "--to", final); err != nil {
		t.Fatalf("backup: %v\n%s", err, out)
	}
	restored := filepath.Join(tmp, "restored")
	if err := os.MkdirAll(restored, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(final, filepath.Join(restored, "anchorage.db")); err != nil {
		t.Fatal(err)
	}
	want, err := runCLI(t, "", "export", "--data", data, "--user", "alice", "--db", "contacts")
	if err != nil {
		t.Fatal(err)
	}
	got, err := runCLI(t, "", "export", "--data", restored, "--user", "alice", "--db", "contacts")
	if err != nil {
		t.Fatalf("export from the restored copy: %v\n%s", err, got)
	}
	if n := strings.Count(got, "BEGIN:VCARD"); got != want || n != perFile*len(files) {
		t.Errorf("restored copy exports %d contacts, differing from the source: %v", n, got != want)
	}
}

// TestBackupRefusesMissingData: a mistyped --data creates nothing.
func TestBackupRefusesMissingData(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nonexist")
	out, err := runCLI(t, "", "backup", "--data", dir, "--to", filepath.Join(t.TempDir(), "x.db"))
	if err == nil || !strings.Contains(err.Error(), "no Anchorage data in "+dir) {
		t.Fatalf("backup of a missing dir: %v\n%s", err, out)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("backup created %s", dir)
	}
	if _, err := runCLI(t, "", "backup", "verify", filepath.Join(dir, "none.db")); err == nil {
		t.Errorf("verify of a missing file succeeded")
	}
}
