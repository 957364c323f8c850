package main

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"anchorage/protocol/pim"
	"anchorage/store"
	"anchorage/store/sqlite"
)

// cli runs one command as main does and returns its stdout, its stderr
// and its exit status.
func cli(t *testing.T, stdin string, args ...string) (stdout, stderr string, status int) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, strings.NewReader(stdin), &out, &errOut)
	status = report(err, &errOut)
	return out.String(), errOut.String(), status
}

// dataWithUser makes a data directory holding user demo.
func dataWithUser(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "data")
	if _, stderr, st := cli(t, "pw\n", "user", "add", "--data", dir, "demo"); st != 0 {
		t.Fatalf("user add: %d %s", st, stderr)
	}
	return dir
}

// withStore opens the data directory's database while no command runs.
func withStore(t *testing.T, dir string, fn func(ctx context.Context, tx store.Tx, userID int64) error) {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(dir, dbFile))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	if err := st.Update(ctx, func(tx store.Tx) error {
		u, err := tx.UserByName(ctx, "demo")
		if err != nil {
			return err
		}
		return fn(ctx, tx, u.ID)
	}); err != nil {
		t.Fatal(err)
	}
}

// A mistyped --data is refused by every command but serve and user add,
// and no directory is created.
func TestMissingDataIsRefused(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nonexist")
	cmds := [][]string{
		{"user", "list"}, {"user", "show", "demo"}, {"user", "set", "--conflict", "merge", "demo"},
		{"device", "list"}, {"device", "reset", "--user", "demo", "--device", "d"},
		{"device", "remove", "--user", "demo", "--device", "d"},
		{"device", "set", "--user", "demo", "--device", "d", "--charset", "default"},
		{"export", "--user", "demo"}, {"import", "--user", "demo", "--db", "contacts", "x.vcf"},
		{"history", "--user", "demo"}, {"restore", "--user", "demo", "--item", "g"},
		{"prune", "--dry-run"},
	}
	want := "anchorage: no Anchorage data in " + missing + " (create it with `anchorage user add` or `serve`)\n"
	for _, c := range cmds {
		_, stderr, st := cli(t, "", append(c, "--data", missing)...)
		if st != 1 || stderr != want {
			t.Errorf("%s: status %d, stderr %q, want 1 and %q", strings.Join(c, " "), st, stderr, want)
		}
		if _, err := os.Stat(missing); !os.IsNotExist(err) {
			t.Fatalf("%s created %s", strings.Join(c, " "), missing)
		}
	}
	if _, stderr, st := cli(t, "pw\n", "user", "add", "--data", missing, "demo"); st != 0 {
		t.Errorf("user add on a new directory: %d %s", st, stderr)
	}
}

// Errors name what the user named, in plain words; ANCHORAGE_LOG_LEVEL=
// debug also logs the wrapped chain.
func TestErrorsInPlainWords(t *testing.T) {
	dir := dataWithUser(t)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"export", "--user", "nobody"}, `anchorage: no user "nobody"`},
		{[]string{"device", "list", "--user", "nobody"}, `anchorage: no user "nobody"`},
		{[]string{"user", "show", "nobody"}, `anchorage: no user "nobody"`},
		{[]string{"user", "set", "--conflict", "default", "nobody"}, `anchorage: no user "nobody"`},
		{[]string{"prune", "--user", "nobody", "--dry-run"}, `anchorage: no user "nobody"`},
		{[]string{"device", "reset", "--user", "demo", "--device", "nosuch"}, `anchorage: user "demo" has no device "nosuch"`},
		{[]string{"device", "remove", "--user", "demo", "--device", "nosuch"}, `anchorage: user "demo" has no device "nosuch"`},
		{[]string{"restore", "--user", "demo", "--db", "calendar", "--item", "nosuch", "--dry-run"},
			`anchorage: calendar of user "demo" has no item nosuch`},
		{[]string{"history", "--user", "demo", "--db", "diary"},
			`anchorage: unknown datastore "diary" (use contacts, calendar, tasks or notes)`},
		{[]string{"export", "--user", "demo", "--format", "VCARD30"},
			`anchorage: unknown format "VCARD30": format names are lower case (vcard30)`},
		{[]string{"export", "--user", "demo", "--format", "vcard"},
			`anchorage: unknown format "vcard" (formats: vcard30 or vcard21 for contacts, ical or vcal for calendar and tasks)`},
		{[]string{"export", "--user", "demo", "--db", "calendar", "--format", "vcard21"},
			`anchorage: calendar cannot be exported as vcard21 (use ical or vcal)`},
	}
	for _, c := range cases {
		_, stderr, st := cli(t, "", append(c.args, "--data", dir)...)
		if st != 1 || stderr != c.want+"\n" {
			t.Errorf("%s: status %d, stderr %q, want 1 and %q", strings.Join(c.args, " "), st, stderr, c.want)
		}
	}
	t.Setenv("ANCHORAGE_LOG_LEVEL", "debug")
	_, stderr, _ := cli(t, "", "device", "reset", "--data", dir, "--user", "demo", "--device", "nosuch")
	if !strings.Contains(stderr, `anchorage: user "demo" has no device "nosuch"`) || !strings.Contains(stderr, "store: not found") {
		t.Errorf("debug log without the error chain:\n%s", stderr)
	}
}

// device set --charset says what it did; device list keeps a reset
// datastore, marked as slow for its next sync.
func TestDeviceSetAndReset(t *testing.T) {
	dir := dataWithUser(t)
	withStore(t, dir, func(ctx context.Context, tx store.Tx, uid int64) error {
		if err := tx.PutDevice(ctx, &store.Device{UserID: uid, DeviceID: "phone", FirstSeen: time.Now()}); err != nil {
			return err
		}
		for _, ds := range []string{"contacts", "calendar"} {
			if err := tx.PutPartnership(ctx, &store.Partnership{UserID: uid, DeviceID: "phone", Datastore: ds,
				ClientAnchor: "c1", ServerAnchor: "s1", AckSeq: 3, LastSync: time.Now(), LastSyncMode: 200}); err != nil {
				return err
			}
		}
		return nil
	})
	out, stderr, st := cli(t, "", "device", "set", "--data", dir, "--user", "demo", "--device", "phone", "--charset", "default")
	if st != 0 || !strings.Contains(out, "read as UTF-8 when valid, else as windows-1252") {
		t.Errorf("device set --charset default: %d %q %q", st, out, stderr)
	}
	out, _, _ = cli(t, "", "device", "set", "--data", dir, "--user", "demo", "--device", "phone", "--charset", "ISO-8859-2")
	if !strings.Contains(out, "read as ISO-8859-2") {
		t.Errorf("device set --charset ISO-8859-2: %q", out)
	}
	if _, stderr, st := cli(t, "", "device", "reset", "--data", dir, "--user", "demo", "--device", "phone", "--db", "calendar"); st != 0 {
		t.Fatalf("device reset: %d %s", st, stderr)
	}
	out, _, _ = cli(t, "", "device", "list", "--data", dir)
	if !strings.Contains(out, "calendar (next sync: slow)") || !strings.Contains(out, "contacts") ||
		strings.Contains(out, "contacts (next sync: slow)") {
		t.Errorf("device list after reset of calendar:\n%s", out)
	}
}

// anchorage help and each command's -h list every flag README.md's
// command line block documents for the command.
func TestHelpListsReadmeFlags(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	block := regexp.MustCompile("(?s)## Command line\n\n```\n(.*?)```").FindSubmatch(readme)
	if block == nil {
		t.Fatal("README.md has no Command line block")
	}
	help, _, _ := cli(t, "", "help")
	flagRE := regexp.MustCompile(`--[a-z][a-z0-9-]*`)
	var cmd []string
	sc := bufio.NewScanner(bytes.NewReader(block[1]))
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		if f := strings.Fields(line); len(f) > 1 && f[0] == "anchorage" {
			cmd = []string{f[1]}
			if f[1] == "user" || f[1] == "device" {
				cmd = append(cmd, f[2])
			}
			if !strings.Contains(help, strings.Join(cmd, "  ")) && !strings.Contains(help, strings.Join(cmd, "    ")) &&
				!strings.Contains(help, strings.Join(cmd, " ")) {
				t.Errorf("anchorage help lacks %q", strings.Join(cmd, " "))
			}
		}
		_, cmdHelp, _ := cli(t, "", append(cmd, "-h")...)
		for _, fl := range flagRE.FindAllString(line, -1) {
			if !strings.Contains(cmdHelp, "  -"+fl[2:]) {
				t.Errorf("anchorage %s -h lacks %s:\n%s", strings.Join(cmd, " "), fl, cmdHelp)
			}
			if !strings.Contains(help, fl) {
				t.Errorf("anchorage help lacks %s (%s)", fl, strings.Join(cmd, " "))
			}
		}
	}
}

// An export writes every item it can and names the ones it cannot, with
// exit status 1.
func TestExportNamesLeftOutItems(t *testing.T) {
	dir := dataWithUser(t)
	withStore(t, dir, func(ctx context.Context, tx store.Tx, uid int64) error {
		for guid, data := range map[string]string{
			"good": `<contact><FirstName>Anna</FirstName><LastName>Sif</LastName></contact>`,
			"bad":  "garbage",
		} {
			info := pim.Describe(pim.SIFContact, []byte(data))
			w := &store.ItemWrite{UserID: uid, Datastore: "contacts", GUID: guid, ContentType: pim.SIFContact,
				Data: []byte(data), Summary: info.Summary, Origin: "phone", Time: time.Now()}
			if ct, canon, err := pim.Canonical(w.ContentType, w.Data); err == nil {
				w.CanonicalType, w.Canonical = ct, canon
			}
			if _, err := tx.WriteItem(ctx, w); err != nil {
				return err
			}
		}
		return nil
	})
	for _, format := range []string{"", "vcard30", "vcard21"} {
		out, stderr, st := cli(t, "", "export", "--data", dir, "--user", "demo", "--format", format)
		if st != 1 || !strings.Contains(out, "FN:Anna Sif") || strings.Contains(out, "garbage") ||
			!strings.Contains(stderr, "item bad (-) left out") || !strings.Contains(stderr, "1 of 2 items left out") {
			t.Errorf("export --format %q: status %d\nstdout:\n%s\nstderr:\n%s", format, st, out, stderr)
		}
	}
}

// README.md names every fuzz target of the repository.
func TestReadmeListsFuzzTargets(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	fuzzRE := regexp.MustCompile(`(?m)^func (Fuzz\w+)\(`)
	n := 0
	err = filepath.WalkDir("../..", func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range fuzzRE.FindAllSubmatch(src, -1) {
			n++
			if !bytes.Contains(readme, m[1]) {
				t.Errorf("README.md does not list %s (%s)", m[1], path)
			}
		}
		return nil
	})
	if err != nil || n == 0 {
		t.Fatalf("walk: %v, %d fuzz targets", err, n)
	}
}
