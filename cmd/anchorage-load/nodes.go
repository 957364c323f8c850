package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// cluster is the server process(es) this tool started on one --data: one
// node, or several nodes on one PostgreSQL database behind a round-robin
// proxy, so that consecutive messages of a session land on different
// nodes (a load balancer without session affinity).
type cluster struct {
	nodes []*serverProc
	proxy *http.Server
	URL   string // the URL devices use: the node's, or the proxy's
}

// startCluster starts n servers on data and, for n > 1, the proxy.
func startCluster(bin, data, listen, logLevel string, n int, extra ...string) (*cluster, error) {
	c := &cluster{}
	for i := range n {
		p, err := startServer(bin, data, listen, logLevel, i, extra...)
		if err != nil {
			c.Stop()
			return nil, err
		}
		c.nodes = append(c.nodes, p)
	}
	if n == 1 {
		c.URL = c.nodes[0].URL
		return c, nil
	}
	var targets []*url.URL
	for _, p := range c.nodes {
		u, err := url.Parse(p.URL)
		if err != nil {
			c.Stop()
			return nil, fmt.Errorf("node URL %q: %w", p.URL, err)
		}
		targets = append(targets, &url.URL{Scheme: u.Scheme, Host: u.Host})
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		c.Stop()
		return nil, err
	}
	c.proxy = &http.Server{Handler: roundRobin(targets), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = c.proxy.Serve(ln) }()
	u, _ := url.Parse(c.nodes[0].URL)
	c.URL = "http://" + ln.Addr().String() + u.Path
	return c, nil
}

// roundRobin sends each request to the next target in turn, from the
// client's own (loopback) address. The Host header stays the proxy's, so
// that the RespURI a node writes names the proxy and the session's next
// message goes through it again.
func roundRobin(targets []*url.URL) http.Handler {
	var next atomic.Int64
	return &httputil.ReverseProxy{
		Transport: &byClientAddr{},
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(targets[int(next.Add(1)-1)%len(targets)])
			r.Out.Host = r.In.Host
			r.Out = r.Out.WithContext(withClientAddr(r.Out.Context(), r.In.RemoteAddr))
		},
	}
}

// Pids are the nodes' process ids.
func (c *cluster) Pids() []int {
	var pids []int
	for _, p := range c.nodes {
		pids = append(pids, p.Pid())
	}
	return pids
}

// Stop stops the proxy and every node.
func (c *cluster) Stop() error {
	if c.proxy != nil {
		_ = c.proxy.Close()
	}
	var errs []error
	for _, p := range c.nodes {
		errs = append(errs, p.Stop())
	}
	return errors.Join(errs...)
}

// isURL tells a database URL (postgres://…) from a data directory.
func isURL(data string) bool { return strings.Contains(data, "://") }

// cpuOf sums the CPU time of the processes (see cpuTime).
func cpuOf(pids []int) (time.Duration, error) {
	var sum time.Duration
	for _, pid := range pids {
		d, err := cpuTime(pid)
		if err != nil {
			return 0, err
		}
		sum += d
	}
	return sum, nil
}

// treeCPU is the CPU time of a process and of its live children, plus
// what its children that exited used (cutime and cstime, which cpuTime
// counts): for PostgreSQL's postmaster, every backend's CPU.
func treeCPU(pid int) (time.Duration, error) {
	sum, err := cpuTime(pid)
	if err != nil {
		return 0, err
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0, err
	}
	for _, e := range entries {
		child, err := strconv.Atoi(e.Name())
		if err != nil || child == pid {
			continue
		}
		if ppid, err := parentPid(child); err == nil && ppid == pid {
			if d, err := cpuTime(child); err == nil {
				sum += d
			}
		}
	}
	return sum, nil
}

// parentPid reads a process's parent from /proc/PID/stat.
func parentPid(pid int) (int, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, errors.New("malformed stat")
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 2 {
		return 0, errors.New("short stat")
	}
	return strconv.Atoi(f[1])
}

// writeTx is the servers' count and total duration of write transactions
// (anchorage_store_transaction_duration_seconds{kind="update"}), summed
// over the nodes. A write transaction holds the store's write lock (SQLite:
// the single writer; PostgreSQL: the row lock of each datastore it touches)
// from its first write to its commit, so the duration bounds the hold time
// from above (it includes the wait for the lock).
type writeTx struct {
	Count   float64
	Seconds float64
}

// scrapeWriteTx reads /metrics of every node.
func (c *cluster) scrapeWriteTx(ctx context.Context) (writeTx, error) {
	var w writeTx
	for _, p := range c.nodes {
		u, err := url.Parse(p.URL)
		if err != nil {
			return w, err
		}
		u.Path = "/metrics"
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
		if err != nil {
			return w, err
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return w, fmt.Errorf("scrape %s: %w", u, err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return w, fmt.Errorf("scrape %s: %w", u, err)
		}
		for _, line := range strings.Split(string(body), "\n") {
			name, value, ok := strings.Cut(line, " ")
			if !ok {
				continue
			}
			v, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
			if err != nil {
				continue
			}
			switch name {
			case `anchorage_store_transaction_duration_seconds_count{kind="update"}`:
				w.Count += v
			case `anchorage_store_transaction_duration_seconds_sum{kind="update"}`:
				w.Seconds += v
			}
		}
	}
	return w, nil
}
