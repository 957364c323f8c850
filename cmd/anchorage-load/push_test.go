package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"anchorage/hub"
	"anchorage/protocol/activesync"
	"anchorage/protocol/activesync/coresession"
	"anchorage/protocol/engine"
	"anchorage/server"
	"anchorage/server/metrics"
	"anchorage/test/testserver"
)

// pushServer runs the SyncML and EAS server in-process as serve wires
// it: the change hub, the timed store and the parked-Ping gauge.
func pushServer(t *testing.T, users []string) *httptest.Server {
	t.Helper()
	hs := httptest.NewServer(pushHandler(t, users, nil))
	t.Cleanup(hs.Close)
	return hs
}

// pushHandler is the handler of pushServer. parked, when set, is told of
// each request that parks (+1) and ends (-1) too.
func pushHandler(tb testing.TB, users []string, parked func(delta int)) http.Handler {
	tb.Helper()
	m := metrics.New(prometheus.NewRegistry(), metrics.Options{})
	s := testserver.Start(tb, users, func(o *engine.Options) {
		o.Store = m.Store(o.Store)
		o.Observer = m
		o.Hub = hub.NewLocal()
	})
	eas := activesync.New(activesync.Options{Backend: coresession.New(s.Core), Converter: activesync.PIMConverter{},
		Parked: func(delta int) {
			if parked != nil {
				parked(delta)
			}
			if delta > 0 {
				m.PingParked()
			} else {
				m.PingReleased()
			}
		}})
	return server.New(server.Options{SyncML: s.SyncML, ActiveSync: eas, Metrics: m.Handler()})
}

// TestPush runs the push benchmark on a few devices: every write wakes
// its user's parked Ping, and the server makes no store transaction while
// the Pings are parked and nothing is written.
func TestPush(t *testing.T) {
	var users []string
	for i := range 6 {
		users = append(users, fmt.Sprintf("push-%d", i))
	}
	hs := pushServer(t, users)
	rep, err := RunPush(context.Background(), hs.Client(), hs.URL, 0, users, testserver.Password,
		PushPlan{Devices: len(users), Concurrency: 3, Heartbeat: 900, Quiet: time.Second, Duration: 2 * time.Second, Rate: 10},
		io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Errors > 0 {
		t.Fatalf("%d errors, first: %s", rep.Errors, rep.ErrorSample)
	}
	if rep.Parked != len(users) || rep.Writes == 0 || rep.Wakes != rep.Writes || rep.Expired != 0 {
		t.Errorf("parked %d of %d, writes %d, wake-ups %d, expired %d; want every write to wake its Ping",
			rep.Parked, len(users), rep.Writes, rep.Wakes, rep.Expired)
	}
	if rep.QuietTx != 0 {
		t.Errorf("%v store transactions while every Ping was parked and nothing was written, want 0", rep.QuietTx)
	}
	if rep.TxPerWrite <= 0 {
		t.Errorf("%v store transactions per write; the count is not working", rep.TxPerWrite)
	}
}
