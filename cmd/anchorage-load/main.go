// Command anchorage-load is a load generator for a SyncML server: it plays K
// simulated devices, each with its own device id, that speak SyncML XML
// over HTTP the way SyncEvolution does.
//
// Phase 1: every device's first session, a slow sync uploading --items
// vCards. Phase 2: two-way (fast) syncs, round robin over the devices, for
// --duration or --sessions; --change-share of them send one Replace. Each
// session: message 1 with credentials (basic or md5) and an Alert with
// anchors; then to the server's RespURI the Sync (with the changes), then
// statuses (and Map for server Adds, Alert 222 while the server's package
// is not final) until the server answers with only statuses and Final.
//
// The report gives sessions per second, latency per message (p50, p99,
// max), errors by kind, the server's CPU time and its peak RSS (VmHWM).
//
// With --push it runs the push benchmark instead (push.go): every device
// an EAS phone with a parked Ping, one writer changing a random user's
// contact --push-rate times a second; it reports the wake-up latency, the
// server's RSS with every Ping parked and its store transactions.
//
// Against a running server:
//
//	anchorage-load --url http://127.0.0.1:8080/sync --server-pid PID --users shared --user demo --password demo
//
// Or let the tool create the users and run the server itself:
//
//	anchorage-load --server-bin bin/anchorage --data /tmp/load --devices 1000 --concurrency 64 --duration 30s
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"
	"time"
)

func main() {
	if os.Getenv("GOGC") == "" {
		// The generator shares the CPU with the server it measures: it
		// trades memory for less garbage collection. (Only this process:
		// the server it starts does not inherit the setting.)
		debug.SetGCPercent(400)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "anchorage-load:", err)
		}
		os.Exit(1)
	}
}

type options struct {
	url           string
	serverPid     int
	serverBin     string
	data          string
	listen        string
	logLevel      string
	createUsers   bool
	devices       int
	concurrency   int
	items         int
	perMsg        int
	users         string
	user          string
	password      string
	auth          string
	sessions      int
	duration      time.Duration
	changeShare   float64
	devInf        bool
	devicePrefix  string
	timeout       time.Duration
	jsonOut       string
	userAddPar    int
	skipFastPhase bool
	allowRemote   bool
	serverFlags   []string
	nodes         int
	dbPid         int
	pgStats       string
	sourceAddrs   int
	push          bool
	pushRate      float64
	pushHeartbeat int
	pushQuiet     time.Duration
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o options
	fs := flag.NewFlagSet("anchorage-load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.url, "url", "", "sync URL of a running server (e.g. http://127.0.0.1:8080/sync)")
	fs.IntVar(&o.serverPid, "server-pid", 0, "pid of that server, to report its CPU time and peak RSS")
	fs.StringVar(&o.serverBin, "server-bin", "", "anchorage binary: start the server on --data (and create the users) instead of --url")
	fs.StringVar(&o.data, "data", "", "data directory for --server-bin")
	fs.StringVar(&o.listen, "listen", "127.0.0.1:0", "listen address for --server-bin")
	fs.StringVar(&o.logLevel, "server-log-level", "warn", "log level for --server-bin")
	fs.BoolVar(&o.createUsers, "create-users", true, "with --server-bin: create the users with 'user add' first")
	fs.IntVar(&o.userAddPar, "user-add-parallel", runtime.NumCPU(), "'user add' processes at a time")
	fs.IntVar(&o.devices, "devices", 1000, "simulated devices (each its own device id)")
	fs.IntVar(&o.concurrency, "concurrency", 64, "sessions in flight at once")
	fs.IntVar(&o.items, "items", 20, "vCards each device uploads in its first (slow) sync")
	fs.IntVar(&o.perMsg, "max-items-per-msg", 200, "items per client message (a bigger upload spans messages)")
	fs.StringVar(&o.users, "users", "per-device", "per-device: user PREFIX-NNNN for device NNNN; shared: every device is --user")
	fs.StringVar(&o.user, "user", "load", "user name (shared) or name prefix (per-device)")
	fs.StringVar(&o.password, "password", "load-pw", "password of the user(s)")
	fs.StringVar(&o.auth, "auth", "basic", "basic or md5")
	fs.IntVar(&o.sessions, "sessions", 0, "phase 2: stop after this many sessions (0: use --duration)")
	fs.DurationVar(&o.duration, "duration", 30*time.Second, "phase 2: run this long (when --sessions is 0)")
	fs.Float64Var(&o.changeShare, "change-share", 0.1, "phase 2: share of sessions that send one Replace")
	fs.BoolVar(&o.devInf, "devinf", false, "send a Put of the device's DevInf in every first message")
	fs.StringVar(&o.devicePrefix, "device-prefix", "load-dev-", "device id prefix")
	fs.DurationVar(&o.timeout, "timeout", 60*time.Second, "HTTP timeout per message")
	fs.StringVar(&o.jsonOut, "json", "", "also write the summaries as JSON to this file")
	fs.BoolVar(&o.skipFastPhase, "slow-only", false, "run phase 1 only")
	fs.BoolVar(&o.allowRemote, "allow-remote", false, "allow a --url that is not on this machine (loopback)")
	fs.Func("server-flag", "with --server-bin: one more flag for 'serve', e.g. --server-flag=--metrics=false (repeatable)", func(v string) error {
		o.serverFlags = append(o.serverFlags, v)
		return nil
	})
	fs.IntVar(&o.nodes, "nodes", 1, "with --server-bin: start this many servers on --data (a postgres:// URL) behind a round-robin proxy")
	fs.IntVar(&o.dbPid, "db-pid", 0, "pid of the database server (PostgreSQL's postmaster), to report its and its backends' CPU time")
	fs.IntVar(&o.sourceAddrs, "source-addresses", -1, "connect from this many loopback addresses (127.1.0.1, …), devices spread over them, as devices on different networks; 0: the system's choice (all from 127.0.0.1 to a loopback server); default: one per device for a server on this machine, since the server spaces the logins of one client address")
	fs.StringVar(&o.pgStats, "pg-stats", "", "PostgreSQL URL of the database: report statements (pg_stat_statements), commits and rows per session")
	fs.BoolVar(&o.push, "push", false, "run the push benchmark instead of the SyncML phases: every device an EAS phone with a parked Ping, one writer")
	fs.Float64Var(&o.pushRate, "push-rate", 20, "push: writes per second, each to a random user's contact")
	fs.IntVar(&o.pushHeartbeat, "push-heartbeat", 900, "push: the Pings' heartbeat in seconds")
	fs.DurationVar(&o.pushQuiet, "push-quiet", 10*time.Second, "push: window with every Ping parked and no write, for counting store transactions")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if o.auth != "basic" && o.auth != "md5" {
		return fmt.Errorf("--auth must be basic or md5")
	}
	if o.users != "per-device" && o.users != "shared" {
		return fmt.Errorf("--users must be per-device or shared")
	}
	if (o.url == "") == (o.serverBin == "") {
		return fmt.Errorf("give either --url or --server-bin (with --data)")
	}
	if o.devices < 1 {
		return fmt.Errorf("--devices must be at least 1")
	}
	if o.nodes < 1 || (o.nodes > 1 && (o.serverBin == "" || !isURL(o.data))) {
		return fmt.Errorf("--nodes above 1 needs --server-bin and a database URL as --data (nodes share one PostgreSQL)")
	}
	if o.push && (o.users != "per-device" || o.pushRate <= 0 || o.duration <= 0) {
		return fmt.Errorf("--push needs --users per-device, --push-rate > 0 and --duration > 0")
	}
	if o.sessions <= 0 && o.duration <= 0 {
		return fmt.Errorf("phase 2 needs --sessions > 0 or --duration > 0")
	}
	if o.url != "" && !o.allowRemote {
		if err := checkLoopback(o.url); err != nil {
			return err
		}
	}
	o.sourceAddrs = sourceAddresses(&o)

	devs := make([]*Device, o.devices)
	var names []string
	for i := range devs {
		user := o.user
		if o.users == "per-device" {
			user = fmt.Sprintf("%s-%04d", o.user, i)
			names = append(names, user)
		} else if i == 0 {
			names = append(names, user)
		}
		devs[i] = NewDevice(fmt.Sprintf("%s%04d", o.devicePrefix, i), user, o.password, o.items)
	}

	var cl *cluster
	syncURL, pids := o.url, []int{}
	if o.serverPid > 0 {
		pids = append(pids, o.serverPid)
	}
	if o.serverBin != "" {
		if o.data == "" {
			return fmt.Errorf("--server-bin needs --data")
		}
		if o.createUsers {
			t := time.Now()
			if err := createUsers(ctx, o.serverBin, o.data, names, o.password, o.userAddPar); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "created %d user(s) in %.1f s\n", len(names), time.Since(t).Seconds())
		}
		var err error
		cl, err = startCluster(o.serverBin, o.data, o.listen, o.logLevel, o.nodes, o.serverFlags...)
		if err != nil {
			return err
		}
		defer func() {
			if err := cl.Stop(); err != nil {
				fmt.Fprintln(stderr, "anchorage-load: stopping server:", err)
			}
		}()
		syncURL, pids = cl.URL, cl.Pids()
		fmt.Fprintf(stdout, "server pid(s) %v at %s (data %s)\n", pids, syncURL, o.data)
	}

	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        2 * o.concurrency,
		MaxIdleConnsPerHost: 2 * o.concurrency,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	defer tr.CloseIdleConnections()
	if o.push {
		// Each parked Ping holds a connection; keep them for the next.
		tr.MaxIdleConns, tr.MaxIdleConnsPerHost = 2*o.devices, 2*o.devices
		pid := 0 // the server measured: the first node
		if len(pids) > 0 {
			pid = pids[0]
		}
		return runPushPhase(ctx, &http.Client{Transport: tr}, strings.TrimSuffix(syncURL, "/sync"), pid, names, o, stdout)
	}
	c := &Client{HTTP: &http.Client{Transport: tr, Timeout: o.timeout}, URL: syncURL, Auth: o.auth,
		Datastore: "contacts", MaxItemsPerMsg: o.perMsg, DevInf: o.devInf, MaxMsgSize: 150000}
	if o.sourceAddrs > 0 {
		c.Sources = newSourceClients(o.sourceAddrs, o.timeout, 4)
		defer c.Sources.CloseIdle()
	}

	fmt.Fprintf(stdout, "devices %d (users: %s), concurrency %d, items per device %d, auth %s, change share %.2f, GOMAXPROCS %d\n",
		o.devices, o.users, o.concurrency, o.items, o.auth, o.changeShare, runtime.GOMAXPROCS(0))

	var sums []Summary
	measure := func(name string, phase func() *Stats) Summary {
		cpu0, cpuErr := cpuOf(pids)
		db0, dbErr := treeCPU(o.dbPid)
		var cnt0 dbCounters
		if o.pgStats != "" {
			var err error
			if cnt0, err = readDBCounters(ctx, o.pgStats); err != nil {
				fmt.Fprintln(stderr, "anchorage-load:", err)
			}
		}
		var tx0 writeTx
		if cl != nil {
			tx0, _ = cl.scrapeWriteTx(ctx)
		}
		st := phase()
		sum := st.Summary(name)
		if cl != nil {
			if tx1, err := cl.scrapeWriteTx(ctx); err == nil {
				sum.WriteTx = &writeTx{Count: tx1.Count - tx0.Count, Seconds: tx1.Seconds - tx0.Seconds}
			}
		}
		if len(pids) > 0 && cpuErr == nil {
			if cpu1, err := cpuOf(pids); err == nil {
				sum.ServerCPU = cpu1 - cpu0
			}
		}
		if o.dbPid > 0 && dbErr == nil {
			if db1, err := treeCPU(o.dbPid); err == nil {
				sum.DatabaseCPU = db1 - db0
			}
		}
		sum.Print(stdout)
		if o.pgStats != "" {
			time.Sleep(statsSettle)
			if cnt1, err := readDBCounters(ctx, o.pgStats); err == nil {
				d := cnt1.sub(cnt0)
				d.print(stdout, sum.OK)
				sum.Database = &d
			} else {
				fmt.Fprintln(stderr, "anchorage-load:", err)
			}
		}
		sums = append(sums, sum)
		return sum
	}
	self0 := selfCPU()
	measure("phase 1: slow sync, first contact", func() *Stats { return RunSlow(ctx, c, devs, o.concurrency) })
	if !o.skipFastPhase && ctx.Err() == nil {
		p := FastPlan{Concurrency: o.concurrency, Sessions: o.sessions, Duration: o.duration, ChangeShare: o.changeShare}
		if p.Sessions > 0 {
			p.Duration = 0
		}
		measure("phase 2: two-way (fast) sync", func() *Stats { return RunFast(ctx, c, devs, p) })
	}
	fmt.Fprintf(stdout, "load generator CPU: %.2f s\n", (selfCPU() - self0).Seconds())
	report := map[string]any{"devices": o.devices, "concurrency": o.concurrency, "items": o.items,
		"auth": o.auth, "users": o.users, "change_share": o.changeShare, "phases": sums, "server_flags": o.serverFlags}
	for i, pid := range pids {
		key := "server_peak_rss_kb"
		if i > 0 {
			key = fmt.Sprintf("server_%d_peak_rss_kb", i)
		}
		if hwm, err := procStatus(pid, "VmHWM"); err == nil {
			fmt.Fprintf(stdout, "server pid %d peak RSS (VmHWM): %.1f MB\n", pid, float64(hwm)/1024)
			report[key] = hwm
		} else {
			fmt.Fprintln(stdout, "server peak RSS: unknown:", err)
		}
	}
	if o.jsonOut != "" {
		b, err := json.MarshalIndent(report, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(o.jsonOut, append(b, '\n'), 0o644); err != nil {
			return err
		}
	}
	failed := 0
	for _, s := range sums {
		failed += s.Failed
	}
	if failed > 0 {
		return fmt.Errorf("%d session(s) failed", failed)
	}
	return nil
}

// runPushPhase runs the push benchmark and prints (and with --json
// writes) its report.
func runPushPhase(ctx context.Context, hc *http.Client, base string, pid int, users []string, o options, stdout io.Writer) error {
	fmt.Fprintf(stdout, "push: %d devices (one user each), heartbeat %d s, %.0f writes/s for %s, GOMAXPROCS %d\n",
		o.devices, o.pushHeartbeat, o.pushRate, o.duration, runtime.GOMAXPROCS(0))
	rep, err := RunPush(ctx, hc, base, pid, users, o.password, PushPlan{Devices: o.devices, Concurrency: o.concurrency,
		Heartbeat: o.pushHeartbeat, Quiet: o.pushQuiet, Duration: o.duration, Rate: o.pushRate}, stdout)
	if err != nil {
		return err
	}
	rep.Print(stdout)
	if pid > 0 {
		if hwm, err := procStatus(pid, "VmHWM"); err == nil {
			fmt.Fprintf(stdout, "server peak RSS (VmHWM): %.1f MB\n", float64(hwm)/1024)
		}
	}
	if o.jsonOut != "" {
		b, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(o.jsonOut, append(b, '\n'), 0o644); err != nil {
			return err
		}
	}
	if rep.Errors > 0 {
		return fmt.Errorf("%d push error(s)", rep.Errors)
	}
	return nil
}

// checkLoopback refuses a load test of a host other than this machine's
// loopback, unless --allow-remote says it is meant.
// sourceAddresses resolves --source-addresses: given, it stands; by
// default, one per device for a server on this machine (reached from any
// 127.0.0.0/8 address), else the system's choice.
func sourceAddresses(o *options) int {
	switch {
	case o.sourceAddrs >= 0:
		return o.sourceAddrs
	case o.serverBin != "" || checkLoopback(o.url) == nil:
		return o.devices
	}
	return 0
}

func checkLoopback(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("--url %q: not an absolute URL", raw)
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("--url %q is not a loopback address; pass --allow-remote to load a server elsewhere", raw)
}

// selfCPU is this process's user+system CPU time.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
