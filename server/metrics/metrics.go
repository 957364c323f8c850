// Package metrics exports Anchorage's Prometheus metrics: it implements
// the engine's Observer, times store transactions (Store) and reports the
// database size. Everything is registered on the *prometheus.Registry the
// caller passes; nothing touches the global registry.
package metrics

import (
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"anchorage/protocol/engine"
	"anchorage/store"
)

// Options configure Metrics.
type Options struct {
	// DatabaseSize returns the database's size in bytes; nil leaves
	// anchorage_database_size_bytes out.
	DatabaseSize func() (int64, error)
	// SessionTTL is how long a session without a message still counts as
	// open (the engine's session TTL); 0 means 30 minutes.
	SessionTTL time.Duration
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// Metrics holds the collectors. It is an engine.Observer.
type Metrics struct {
	reg          *prometheus.Registry
	sessions     *prometheus.CounterVec
	latency      *prometheus.HistogramVec
	received     *prometheus.CounterVec
	sent         *prometheus.CounterVec
	conflicts    *prometheus.CounterVec
	authFailures *prometheus.CounterVec
	held         *prometheus.CounterVec
	parkedPings  prometheus.Gauge
	txLatency    *prometheus.HistogramVec

	open *openSessions
}

var (
	_ engine.Observer     = (*Metrics)(nil)
	_ engine.HoldObserver = (*Metrics)(nil)
)

// New creates the collectors and registers them, with the Go runtime and
// process collectors, on reg.
func New(reg *prometheus.Registry, opts Options) *Metrics {
	m := &Metrics{
		reg: reg,
		sessions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "anchorage_sessions_total",
			Help: "Sync sessions ended, by protocol, sync mode and outcome (ok or failed).",
		}, []string{"protocol", "mode", "outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "anchorage_message_duration_seconds",
			Help:    "Time to answer one protocol message, by protocol.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"protocol"}),
		received: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "anchorage_items_received_total",
			Help: "Items received from devices, by protocol and operation (Add, Replace, Delete).",
		}, []string{"protocol", "op"}),
		sent: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "anchorage_items_sent_total",
			Help: "Items sent to devices, by protocol and operation (Add, Replace, Delete).",
		}, []string{"protocol", "op"}),
		conflicts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "anchorage_conflicts_total",
			Help: "Conflicts resolved, by protocol and outcome.",
		}, []string{"protocol", "outcome"}),
		authFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "anchorage_auth_failures_total",
			Help: "Sessions refused for wrong credentials, by protocol.",
		}, []string{"protocol"}),
		held: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "anchorage_deletes_held_total",
			Help: "Device deletes held by the mass-deletion guard for the owner, by protocol and datastore.",
		}, []string{"protocol", "datastore"}),
		parkedPings: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "anchorage_parked_pings",
			Help: "ActiveSync Ping requests waiting for a change.",
		}),
		txLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "anchorage_store_transaction_duration_seconds",
			Help:    "Duration of store transactions, by kind (update or view), waiting for the writer included.",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, 1},
		}, []string{"kind"}),
		open: newOpenSessions(opts.SessionTTL, opts.Now),
	}
	reg.MustRegister(m.sessions, m.latency, m.received, m.sent, m.conflicts, m.authFailures,
		m.held, m.parkedPings, m.txLatency, m.open,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if opts.DatabaseSize != nil {
		reg.MustRegister(newSizeCollector(opts.DatabaseSize))
	}
	return m
}

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// MessageAnswered implements engine.Observer.
func (m *Metrics) MessageAnswered(protocol string, d time.Duration) {
	m.latency.WithLabelValues(protocol).Observe(d.Seconds())
}

// SessionActive implements engine.Observer.
func (m *Metrics) SessionActive(protocol, key string) { m.open.touch(protocol, key) }

// SessionEnded implements engine.Observer.
func (m *Metrics) SessionEnded(protocol, key, mode, outcome string) {
	m.open.end(protocol, key)
	m.sessions.WithLabelValues(protocol, mode, outcome).Inc()
}

// ItemsReceived implements engine.Observer.
func (m *Metrics) ItemsReceived(protocol, op string, n int) {
	m.received.WithLabelValues(protocol, op).Add(float64(n))
}

// ItemsSent implements engine.Observer.
func (m *Metrics) ItemsSent(protocol, op string, n int) {
	m.sent.WithLabelValues(protocol, op).Add(float64(n))
}

// ConflictResolved implements engine.Observer.
func (m *Metrics) ConflictResolved(protocol, outcome string) {
	m.conflicts.WithLabelValues(protocol, outcome).Inc()
}

// AuthFailed implements engine.Observer.
func (m *Metrics) AuthFailed(protocol string) { m.authFailures.WithLabelValues(protocol).Inc() }

// DeletesHeld counts a hold's deletes (engine.HoldObserver).
func (m *Metrics) DeletesHeld(protocol string, h store.Hold) {
	m.held.WithLabelValues(protocol, h.Datastore).Add(float64(h.Items))
}

// PingParked and PingReleased track ActiveSync Pings held open until a
// change arrives or they time out.
func (m *Metrics) PingParked()   { m.parkedPings.Inc() }
func (m *Metrics) PingReleased() { m.parkedPings.Dec() }

// openSessions counts the sessions that answered a message within the TTL
// and have not ended, per protocol. The engine keeps sessions in the store,
// so an abandoned one is only known by its silence: it stops counting
// after the TTL, as the engine expires it. Counts are this process's.
type openSessions struct {
	mu   sync.Mutex
	ttl  time.Duration
	now  func() time.Time
	seen map[[2]string]time.Time // protocol, key -> last message
	desc *prometheus.Desc
}

func newOpenSessions(ttl time.Duration, now func() time.Time) *openSessions {
	if ttl <= 0 {
		ttl = 30 * time.Minute
	}
	if now == nil {
		now = time.Now
	}
	return &openSessions{ttl: ttl, now: now, seen: map[[2]string]time.Time{},
		desc: prometheus.NewDesc("anchorage_open_sessions",
			"Sessions in progress (a message answered within the session TTL, not ended), by protocol.",
			[]string{"protocol"}, nil)}
}

func (o *openSessions) touch(protocol, key string) {
	o.mu.Lock()
	o.seen[[2]string{protocol, key}] = o.now()
	o.mu.Unlock()
}

func (o *openSessions) end(protocol, key string) {
	o.mu.Lock()
	delete(o.seen, [2]string{protocol, key})
	o.mu.Unlock()
}

func (o *openSessions) Describe(ch chan<- *prometheus.Desc) { ch <- o.desc }

func (o *openSessions) Collect(ch chan<- prometheus.Metric) {
	o.mu.Lock()
	counts := map[string]int{engineProtocol: 0}
	cutoff := o.now().Add(-o.ttl)
	for k, t := range o.seen {
		if t.Before(cutoff) {
			delete(o.seen, k)
			continue
		}
		counts[k[0]]++
	}
	o.mu.Unlock()
	for p, n := range counts {
		ch <- prometheus.MustNewConstMetric(o.desc, prometheus.GaugeValue, float64(n), p)
	}
}

// engineProtocol is always reported, so that the gauge exists at 0.
const engineProtocol = "syncml"

// sizeCollector reports the database size at each scrape.
type sizeCollector struct {
	size func() (int64, error)
	desc *prometheus.Desc
}

func newSizeCollector(size func() (int64, error)) *sizeCollector {
	return &sizeCollector{size: size, desc: prometheus.NewDesc("anchorage_database_size_bytes",
		"Size of the database on disk (SQLite: the file and its write-ahead log).", nil, nil)}
}

func (c *sizeCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *sizeCollector) Collect(ch chan<- prometheus.Metric) {
	n, err := c.size()
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.desc, err)
		return
	}
	ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n))
}
