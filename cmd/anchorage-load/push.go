package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"anchorage/test/easclient"
	"anchorage/test/testserver"

	"golang.org/x/sync/errgroup"
)

// The push benchmark (--push): every device is an EAS phone of its own
// user that syncs its contacts folder once and then parks a Ping for it;
// when a Ping answers status 2 the phone syncs (taking the change, as a
// phone does) and parks again. Once every Ping is parked, a quiet window
// counts the store transactions the server makes while nothing changes
// (a server that polls makes some per parked Ping per heartbeat), then a
// writer changes a random user's contact --push-rate times a second, as
// another EAS device of that user. The latency of a wake-up is from the
// moment the writer sends its Sync to the moment the parked Ping's answer
// arrives: the write's commit lies in between, so this is an upper bound
// of commit-to-answer.

// PushPlan configures the push benchmark.
type PushPlan struct {
	Devices     int
	Concurrency int           // devices set up at a time
	Heartbeat   int           // seconds
	Quiet       time.Duration // window with every Ping parked and no write
	Duration    time.Duration // writer phase
	Rate        float64       // writes per second
}

// PushReport is the push benchmark's outcome.
type PushReport struct {
	Devices         int
	Parked          int
	SetupSeconds    float64
	RSSParkedKB     int64 // server VmRSS with every Ping parked
	QuietSeconds    float64
	QuietTx         float64 // store transactions in the quiet window
	Writes          int
	Wakes           int
	WakeLatency     Percentiles // write sent -> Ping answered with status 2
	WriteRTT        Percentiles // the writer's Sync
	TxPerWrite      float64
	ServerCPUWrites time.Duration // -1 when unknown
	Expired         int           // Pings answered at their heartbeat
	Errors          int
	ErrorSample     string
}

// pushDevice is one parked phone and the writer acting on its user.
type pushDevice struct {
	phone, writer *easclient.Client
	key           string // the phone's SyncKey

	mu        sync.Mutex // serialises the writer's Syncs
	writerKey string
	serverID  string // the writer's contact, once added
	writes    int
	pending   atomic.Int64 // UnixNano the unanswered write was sent, 0 when none
	// parked is set while the phone's Ping is out: a write then is
	// either seen by the Ping's first look or wakes it, never taken by
	// the phone's Sync instead.
	parked atomic.Bool
}

type pushRun struct {
	plan    PushPlan
	base    string
	devs    []*pushDevice
	mu      sync.Mutex
	lat     []time.Duration
	rtt     []time.Duration
	wakes   int
	expired int
	errs    int
	sample  string
}

func (r *pushRun) fail(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs++
	if r.sample == "" {
		r.sample = err.Error()
	}
}

// RunPush runs the push benchmark against the server at base (http://host:port)
// whose process is pid (0: unknown). users[i] is device i's user.
func RunPush(ctx context.Context, hc *http.Client, base string, pid int, users []string, password string, p PushPlan, log io.Writer) (*PushReport, error) {
	r := &pushRun{plan: p, base: base}
	for i, u := range users {
		id := fmt.Sprintf("push-phone-%04d", i)
		r.devs = append(r.devs, &pushDevice{
			phone:  &easclient.Client{Base: base, User: u, Password: password, DeviceID: id, HTTP: hc},
			writer: &easclient.Client{Base: base, User: u, Password: password, DeviceID: id + "-w", HTTP: hc}})
	}
	start := time.Now()
	run, stop := context.WithCancel(ctx)
	var parkers sync.WaitGroup
	defer func() { stop(); parkers.Wait() }()
	// Each phone parks as soon as it has synced, as phones coming online
	// one after the other do.
	if err := r.setup(ctx, func(d *pushDevice) {
		parkers.Add(1)
		go func() { defer parkers.Done(); r.park(run, d) }()
	}); err != nil {
		return nil, err
	}
	rep := &PushReport{Devices: len(r.devs), ServerCPUWrites: -1}
	if err := r.waitParked(ctx, len(r.devs)); err != nil {
		return nil, err
	}
	rep.Parked = len(r.devs)
	rep.SetupSeconds = time.Since(start).Seconds()
	fmt.Fprintf(log, "%d Pings parked after %.1f s\n", rep.Parked, rep.SetupSeconds)
	if pid > 0 {
		rep.RSSParkedKB, _ = procStatus(pid, "VmRSS")
	}

	tx0, err := r.transactions()
	if err != nil {
		return nil, err
	}
	sleepCtx(ctx, p.Quiet)
	tx1, err := r.transactions()
	if err != nil {
		return nil, err
	}
	rep.QuietSeconds, rep.QuietTx = p.Quiet.Seconds(), tx1-tx0

	cpu0, cpuErr := cpuTime(pid)
	rep.Writes = r.write(ctx)
	// The last writes' wake-ups, then every Ping parked again.
	r.waitWoken(ctx)
	if err := r.waitParked(ctx, len(r.devs)); err != nil {
		return nil, err
	}
	tx2, err := r.transactions()
	if err != nil {
		return nil, err
	}
	if pid > 0 && cpuErr == nil {
		if cpu1, err := cpuTime(pid); err == nil {
			rep.ServerCPUWrites = cpu1 - cpu0
		}
	}
	stop()
	parkers.Wait()
	r.mu.Lock()
	defer r.mu.Unlock()
	rep.Wakes, rep.Expired, rep.Errors, rep.ErrorSample = r.wakes, r.expired, r.errs, r.sample
	rep.WakeLatency, rep.WriteRTT = percentiles(r.lat), percentiles(r.rtt)
	if rep.Writes > 0 {
		rep.TxPerWrite = (tx2 - tx1) / float64(rep.Writes)
	}
	return rep, nil
}

// setup brings every phone's contacts folder to a current SyncKey and
// then calls ready with it.
func (r *pushRun) setup(ctx context.Context, ready func(*pushDevice)) error {
	var g errgroup.Group
	g.SetLimit(max(1, r.plan.Concurrency))
	for _, d := range r.devs {
		g.Go(func() error {
			key, err := d.phone.InitialSync(ctx, "contacts")
			if err != nil {
				return fmt.Errorf("%s: initial sync: %w", d.phone.DeviceID, err)
			}
			d.key = key
			ready(d)
			return nil
		})
	}
	return g.Wait()
}

// park keeps a Ping of d parked until ctx ends: after status 2 it syncs
// the folder, as a phone does, and records the wake-up's latency.
func (r *pushRun) park(ctx context.Context, d *pushDevice) {
	for ctx.Err() == nil {
		d.parked.Store(true)
		res, err := d.phone.Ping(ctx, r.plan.Heartbeat, "contacts")
		d.parked.Store(false)
		now := time.Now()
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			r.fail(fmt.Errorf("%s: Ping: %w", d.phone.DeviceID, err))
			sleepCtx(ctx, time.Second)
			continue
		}
		switch res.Status {
		case "1":
			r.mu.Lock()
			r.expired++
			r.mu.Unlock()
			continue
		case "2":
		default:
			r.fail(fmt.Errorf("%s: Ping status %s", d.phone.DeviceID, res.Status))
			sleepCtx(ctx, time.Second)
			continue
		}
		if sent := d.pending.Swap(0); sent != 0 {
			r.mu.Lock()
			r.wakes++
			r.lat = append(r.lat, now.Sub(time.Unix(0, sent)))
			r.mu.Unlock()
		}
		for more := true; more && ctx.Err() == nil; {
			s, err := d.phone.Sync(ctx, "contacts", d.key, "")
			if err != nil {
				r.fail(fmt.Errorf("%s: Sync after the Ping: %w", d.phone.DeviceID, err))
				break
			}
			d.key, more = s.Key, s.MoreAvailable
		}
	}
}

// write changes a random user's contact Rate times a second for Duration
// and returns the number of writes sent. A user whose last write has not
// woken its phone yet, or whose phone is not parked, is not picked, so
// that each wake-up belongs to one write.
func (r *pushRun) write(ctx context.Context) int {
	tick := time.NewTicker(time.Duration(float64(time.Second) / r.plan.Rate))
	defer tick.Stop()
	end := time.After(r.plan.Duration)
	var wg sync.WaitGroup
	defer wg.Wait()
	n := 0
	for {
		select {
		case <-ctx.Done():
			return n
		case <-end:
			return n
		case <-tick.C:
		}
		d := r.devs[rand.IntN(len(r.devs))]
		for try := 0; try < 10 && (d.pending.Load() != 0 || !d.parked.Load()); try++ {
			d = r.devs[rand.IntN(len(r.devs))]
		}
		if d.pending.Load() != 0 || !d.parked.Load() {
			continue
		}
		// Claimed now, not when change sends the write: a writer's
		// first write syncs first, and a second pick of d meanwhile
		// would write while its phone syncs, taking the change
		// without a wake-up.
		d.pending.Store(time.Now().UnixNano())
		n++
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := r.change(ctx, d); err != nil {
				d.pending.Store(0)
				r.fail(err)
			}
		}()
	}
}

// change is one write of d's writer: the first adds a contact, later
// ones change it.
func (r *pushRun) change(ctx context.Context, d *pushDevice) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.writerKey == "" {
		key, err := d.writer.InitialSync(ctx, "contacts")
		if err != nil {
			return fmt.Errorf("%s: initial sync: %w", d.writer.DeviceID, err)
		}
		d.writerKey = key
	}
	d.writes++
	family := fmt.Sprintf("Pushed%d", d.writes)
	sent := time.Now()
	d.pending.Store(sent.UnixNano())
	var err error
	if d.serverID == "" {
		d.writerKey, d.serverID, err = d.writer.AddContact(ctx, "contacts", d.writerKey, "w1", "Load", family)
	} else {
		d.writerKey, err = d.writer.ChangeContact(ctx, "contacts", d.writerKey, d.serverID, "Load", family)
	}
	if err != nil {
		return fmt.Errorf("%s: write: %w", d.writer.DeviceID, err)
	}
	r.mu.Lock()
	r.rtt = append(r.rtt, time.Since(sent))
	r.mu.Unlock()
	return nil
}

// waitWoken waits until every write has woken its Ping, or a heartbeat
// passed (a lost wake-up then shows as writes without wake-ups).
func (r *pushRun) waitWoken(ctx context.Context) {
	deadline := time.Now().Add(time.Duration(r.plan.Heartbeat) * time.Second)
	for ctx.Err() == nil && time.Now().Before(deadline) {
		if !slices.ContainsFunc(r.devs, func(d *pushDevice) bool { return d.pending.Load() != 0 }) {
			return
		}
		sleepCtx(ctx, 10*time.Millisecond)
	}
}

// waitParked waits until the server holds n parked Pings.
func (r *pushRun) waitParked(ctx context.Context, n int) error {
	deadline := time.Now().Add(10 * time.Minute)
	for ctx.Err() == nil && time.Now().Before(deadline) {
		m, err := testserver.ScrapeMetrics(r.base)
		if err != nil {
			return err
		}
		if m["anchorage_parked_pings"] == float64(n) {
			return nil
		}
		sleepCtx(ctx, 100*time.Millisecond)
	}
	return fmt.Errorf("the server never held %d parked Pings", n)
}

// transactions is the server's count of store transactions so far.
func (r *pushRun) transactions() (float64, error) {
	m, err := testserver.ScrapeMetrics(r.base)
	if err != nil {
		return 0, err
	}
	var n float64
	for k, v := range m {
		if strings.HasPrefix(k, "anchorage_store_transaction_duration_seconds_count") {
			n += v
		}
	}
	return n, nil
}

func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// Print writes the report.
func (rep *PushReport) Print(w io.Writer) {
	fmt.Fprintf(w, "== push: %d devices, %d Pings parked (set up in %.1f s)\n", rep.Devices, rep.Parked, rep.SetupSeconds)
	if rep.RSSParkedKB > 0 {
		fmt.Fprintf(w, "   server RSS with every Ping parked: %.1f MB\n", float64(rep.RSSParkedKB)/1024)
	}
	fmt.Fprintf(w, "   store transactions in %.0f s with every Ping parked and no write: %.0f\n", rep.QuietSeconds, rep.QuietTx)
	fmt.Fprintf(w, "   writes %d, wake-ups %d, Pings expired %d, errors %d\n", rep.Writes, rep.Wakes, rep.Expired, rep.Errors)
	fmt.Fprintf(w, "   write sent -> Ping answered (ms): n=%d p50 %s p99 %s max %s\n",
		rep.WakeLatency.N, ms(rep.WakeLatency.P50), ms(rep.WakeLatency.P99), ms(rep.WakeLatency.Max))
	fmt.Fprintf(w, "   the writer's Sync (ms):           n=%d p50 %s p99 %s max %s\n",
		rep.WriteRTT.N, ms(rep.WriteRTT.P50), ms(rep.WriteRTT.P99), ms(rep.WriteRTT.Max))
	fmt.Fprintf(w, "   store transactions per write (writer, woken phone's Sync and new Ping): %.1f\n", rep.TxPerWrite)
	if rep.ServerCPUWrites >= 0 && rep.Writes > 0 {
		fmt.Fprintf(w, "   server CPU in the writer phase: %.2f s (%s ms per write)\n",
			rep.ServerCPUWrites.Seconds(), ms(rep.ServerCPUWrites/time.Duration(rep.Writes)))
	}
	if rep.ErrorSample != "" {
		fmt.Fprintf(w, "   first error: %s\n", truncate(rep.ErrorSample, 200))
	}
}
