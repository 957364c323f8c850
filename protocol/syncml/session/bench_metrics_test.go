package session

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"anchorage/admin"
	"anchorage/protocol/engine"
	"anchorage/server/metrics"
	"anchorage/store/sqlite"
)

// BenchmarkFastSyncMetrics is BenchmarkFastSyncNoChanges (1,000 items)
// with the server's metrics off and on, wired as `serve` wires them (the
// Observer and the timed store): the cost of metrics on a fast session.
// Run with -count N: the two alternate.
func BenchmarkFastSyncMetrics(b *testing.B) {
	for _, on := range []bool{false, true} {
		name := "metrics=off"
		if on {
			name = "metrics=on"
		}
		b.Run(name, func(b *testing.B) {
			st, err := sqlite.Open(filepath.Join(b.TempDir(), "bench.db"))
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { st.Close() })
			log := slog.New(slog.NewTextHandler(io.Discard, nil))
			o := engine.Options{Store: st, Logger: log}
			if on {
				m := metrics.New(prometheus.NewRegistry(), metrics.Options{DatabaseSize: st.Size})
				o.Store, o.Observer = m.Store(st), m
			}
			core := engine.New(o)
			if err := admin.New(core).AddUser(context.Background(), "bench", "pw", true); err != nil {
				b.Fatal(err)
			}
			seedBench(b, New(core, Options{Logger: log}), st, 1000).benchFastSyncs(b)
		})
	}
}
