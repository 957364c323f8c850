package metrics_test

import (
	"context"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"anchorage/server/metrics"
	"anchorage/store"
)

// nopStore is a store whose transactions do nothing, so that only the
// timing wrapper is measured.
type nopStore struct{ store.Store }

func (nopStore) Update(context.Context, func(store.Tx) error) error { return nil }
func (nopStore) View(context.Context, func(store.Tx) error) error   { return nil }

// BenchmarkFastSessionMetrics is the metrics' own work in one fast SyncML
// session without changes, as the server does it: three messages answered
// (three write transactions, three reads: credentials, the first-message
// alias, the trailing statuses), the session active after each of the
// first two and ended at the third. Compare its ns/op with the server's
// CPU per fast session (BENCHMARKS.md, "Cost of metrics").
func BenchmarkFastSessionMetrics(b *testing.B) {
	m := metrics.New(prometheus.NewRegistry(), metrics.Options{})
	st := m.Store(nopStore{})
	ctx := context.Background()
	b.ReportAllocs()
	c0, n := cpuTime(), 0
	for i := 0; b.Loop(); i++ {
		n++
		key := "s" + strconv.Itoa(i)
		for msg := range 3 {
			_ = st.View(ctx, nil)
			_ = st.Update(ctx, nil)
			if msg < 2 {
				m.SessionActive("syncml", key)
			} else {
				m.SessionEnded("syncml", key, "two-way", "ok")
			}
			m.MessageAnswered("syncml", time.Millisecond)
		}
	}
	// CPU time holds up on a shared machine; ns/op does not.
	b.ReportMetric(float64(cpuTime()-c0)/float64(n), "cpu-ns/op")
}

// cpuTime is the process's user and system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
