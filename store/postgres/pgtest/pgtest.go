// Package pgtest starts a throwaway PostgreSQL cluster for tests: initdb
// into a temporary directory and pg_ctl on a private port of 127.0.0.1,
// as the postgres user when the test runs as root (PostgreSQL refuses to
// run as root). Nothing needs to run beforehand; the binaries are looked up
// under /usr/lib/postgresql/*/bin (Debian's postgresql package) and on PATH.
//
// Without them the test is skipped with a message, except under CI=true,
// where a skipped PostgreSQL suite would hide a missing install step: there
// it fails.
package pgtest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"
)

// Cluster is a running PostgreSQL server owned by one test.
type Cluster struct {
	bin  string // directory of initdb, pg_ctl
	dir  string // data directory's parent; also the socket directory
	port int
	// runAs is the user the server runs as ("" for the test's own).
	runAs string
	dbs   atomic.Int64
}

// BinDir returns the directory holding initdb and pg_ctl, or "" when
// PostgreSQL is not installed.
func BinDir() string {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	// Highest version first: "15" < "16" as numbers.
	slices.SortFunc(dirs, func(a, b string) int { return version(b) - version(a) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p)
	}
	return ""
}

func version(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

// Start starts a cluster and stops it (removing its files) when the test
// ends. It skips the test when PostgreSQL is absent, and fails it instead
// when CI=true.
func Start(t testing.TB) *Cluster {
	t.Helper()
	if BinDir() == "" {
		msg := "PostgreSQL is not installed (no initdb under /usr/lib/postgresql/*/bin or on PATH): apt-get install postgresql"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	c, err := New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := c.Stop(); err != nil {
			t.Error(err)
		}
	})
	return c
}

// New starts a cluster, for a TestMain that shares one among its tests;
// Stop stops it. Tests use Start.
func New() (*Cluster, error) {
	bin := BinDir()
	if bin == "" {
		return nil, fmt.Errorf("PostgreSQL is not installed (no initdb under /usr/lib/postgresql/*/bin or on PATH)")
	}
	c := &Cluster{bin: bin}
	if os.Geteuid() == 0 {
		if _, err := user.Lookup("postgres"); err != nil {
			return nil, fmt.Errorf("running as root and there is no postgres user to run PostgreSQL as: %w", err)
		}
		c.runAs = "postgres"
	}
	dir, err := os.MkdirTemp("", "anchorage-pg-")
	if err != nil {
		return nil, err
	}
	c.dir = dir
	fail := func(err error) (*Cluster, error) {
		os.RemoveAll(dir)
		return nil, err
	}
	if c.runAs != "" {
		if out, err := exec.Command("chown", c.runAs, dir).CombinedOutput(); err != nil {
			return fail(fmt.Errorf("chown %s: %v: %s", dir, err, out))
		}
	}
	if c.port, err = freePort(); err != nil {
		return fail(err)
	}
	data := filepath.Join(dir, "data")
	if out, err := c.command("initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8",
		"--locale=C", "--no-sync").CombinedOutput(); err != nil {
		return fail(fmt.Errorf("initdb: %v\n%s", err, out))
	}
	// Durability is not what these tests are about: fsync off keeps the
	// many CREATE DATABASEs cheap.
	opts := fmt.Sprintf("-k %s -c listen_addresses=127.0.0.1 -p %d -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200",
		dir, c.port)
	if out, err := c.command("pg_ctl", "start", "-w", "-D", data, "-l", filepath.Join(dir, "log"), "-o", opts).CombinedOutput(); err != nil {
		return fail(fmt.Errorf("pg_ctl start: %v\n%s\n%s", err, out, c.Log()))
	}
	return c, nil
}

// Stop stops the server at once and removes its files.
func (c *Cluster) Stop() error {
	defer os.RemoveAll(c.dir)
	if out, err := c.command("pg_ctl", "stop", "-w", "-D", filepath.Join(c.dir, "data"), "-m", "immediate").CombinedOutput(); err != nil {
		return fmt.Errorf("pg_ctl stop: %v\n%s", err, out)
	}
	return nil
}

func (c *Cluster) command(name string, args ...string) *exec.Cmd {
	path := filepath.Join(c.bin, name)
	if c.runAs == "" {
		return exec.Command(path, args...)
	}
	return exec.Command("runuser", append([]string{"-u", c.runAs, "--", path}, args...)...)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// URL returns the connection URL of database db.
func (c *Cluster) URL(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.port, db)
}

// NewDatabase creates an empty database and returns its URL.
func (c *Cluster) NewDatabase(t testing.TB) string {
	t.Helper()
	name := fmt.Sprintf("t%d", c.dbs.Add(1))
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	return c.URL(name)
}

// Log returns the server's log, for a failing test's message.
func (c *Cluster) Log() string {
	b, _ := os.ReadFile(filepath.Join(c.dir, "log"))
	return strings.TrimSpace(string(b))
}
