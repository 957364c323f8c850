package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sync/errgroup"
)

// clockTicks is USER_HZ, the unit of /proc/PID/stat times (100 on Linux
// for every architecture Go supports).
const clockTicks = 100

// cpuTime is utime+stime+cutime+cstime of a process, from /proc/PID/stat.
func cpuTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name may hold spaces: fields start after the last ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, errors.New("malformed stat")
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 15 {
		return 0, errors.New("short stat")
	}
	var ticks int64
	for _, k := range []int{11, 12, 13, 14} { // utime stime cutime cstime (fields 14-17)
		n, err := strconv.ParseInt(f[k], 10, 64)
		if err != nil {
			return 0, err
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / clockTicks, nil
}

// procStatus reads one "Key: value kB" field of /proc/PID/status in KiB.
func procStatus(pid int, key string) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), key+":"); ok {
			fs := strings.Fields(v)
			if len(fs) == 0 {
				break
			}
			return strconv.ParseInt(fs[0], 10, 64)
		}
	}
	return 0, fmt.Errorf("%s not in /proc/%d/status", key, pid)
}

// serverProc is an anchorage server this tool started.
type serverProc struct {
	cmd  *exec.Cmd
	URL  string
	done chan error
}

var servingRE = regexp.MustCompile(`serving SyncML at (\S+)`)

// startServer runs "BIN serve --listen ADDR --data DIR --log-level L
// [EXTRA...]" and waits for the line that names its URL. Its log goes to DIR/load-server.log
// (node 0) or DIR/load-server-N.log; with a database URL as data, to the
// temporary directory.
func startServer(bin, data, listen, logLevel string, node int, extra ...string) (*serverProc, error) {
	logDir := data
	if isURL(data) {
		logDir = os.TempDir()
	} else if err := os.MkdirAll(data, 0o750); err != nil {
		return nil, err
	}
	name := "load-server.log"
	if node > 0 {
		name = fmt.Sprintf("load-server-%d.log", node)
	}
	logf, err := os.Create(filepath.Join(logDir, name))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, append([]string{"serve", "--listen", listen, "--data", data, "--log-level", logLevel}, extra...)...)
	cmd.Stderr = logf
	out, err := cmd.StdoutPipe()
	if err != nil {
		logf.Close()
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	p := &serverProc{cmd: cmd, done: make(chan error, 1)}
	urlc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		sent := false
		for sc.Scan() {
			if m := servingRE.FindStringSubmatch(sc.Text()); m != nil && !sent {
				urlc <- m[1]
				sent = true
			}
		}
		if !sent {
			close(urlc)
		}
	}()
	go func() { p.done <- cmd.Wait(); logf.Close() }()
	select {
	case u, ok := <-urlc:
		if !ok {
			return nil, fmt.Errorf("%s serve exited without serving (see %s)", bin, logf.Name())
		}
		p.URL = u
		return p, nil
	case err := <-p.done:
		return nil, fmt.Errorf("%s serve exited: %v (see %s)", bin, err, logf.Name())
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		return nil, fmt.Errorf("%s serve did not start within 30 s", bin)
	}
}

// Pid is the server's process id.
func (p *serverProc) Pid() int { return p.cmd.Process.Pid }

// Stop sends SIGTERM and waits (then SIGKILL after 15 s).
func (p *serverProc) Stop() error {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		return err
	case <-time.After(15 * time.Second):
		_ = p.cmd.Process.Kill()
		return errors.New("server did not stop on SIGTERM; killed")
	}
}

// createUsers runs "BIN user add --data DIR NAME" for each name (password
// on stdin), par at a time; users that already exist are fine.
func createUsers(ctx context.Context, bin, data string, names []string, password string, par int) error {
	if !isURL(data) {
		if err := os.MkdirAll(data, 0o750); err != nil {
			return err
		}
	}
	// The first call creates the database; later ones run in parallel.
	add := func(name string) error {
		cmd := exec.CommandContext(ctx, bin, "user", "add", "--data", data, name)
		cmd.Stdin = strings.NewReader(password + "\n")
		out, err := cmd.CombinedOutput()
		if err != nil && !strings.Contains(strings.ToLower(string(out)), "exist") {
			return fmt.Errorf("user add %s: %v: %s", name, err, bytes.TrimSpace(out))
		}
		return nil
	}
	if len(names) == 0 {
		return nil
	}
	if err := add(names[0]); err != nil {
		return err
	}
	var g errgroup.Group
	g.SetLimit(max(1, par))
	for _, n := range names[1:] {
		g.Go(func() error { return add(n) })
	}
	return g.Wait()
}
