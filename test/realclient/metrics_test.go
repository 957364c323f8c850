package realclient_test

import (
	"strings"
	"testing"

	"anchorage/test/testserver"
)

// TestMetricsMoveWithSyncs scrapes GET /metrics over HTTP around real
// SyncEvolution sessions: the counters an operator watches move by what
// the sessions did.
func TestMetricsMoveWithSyncs(t *testing.T) {
	shared := needRealClient(t)
	srv := startServer(t)
	srv.addUser(t, "alice", "pw")
	a := newDevice(t, shared, srv, "metrics-a", "alice", "pw", "md5")
	seedDevice(t, a)
	base := strings.TrimSuffix(srv.url, "/sync")

	before := testserver.MustScrapeMetrics(t, base)
	if v := before[`anchorage_open_sessions{protocol="syncml"}`]; v != 0 {
		t.Errorf("open sessions before any sync = %v, want 0", v)
	}
	r := a.mustSync(t, "slow")
	added := sumOf(r, "remote_added")
	if added == 0 {
		t.Fatal("the slow sync uploaded nothing")
	}
	m := testserver.MustScrapeMetrics(t, base)
	checks := []struct {
		series string
		want   float64
	}{
		{`anchorage_sessions_total{mode="slow",outcome="ok",protocol="syncml"}`, 1},
		{`anchorage_items_received_total{op="Add",protocol="syncml"}`, float64(added)},
		{`anchorage_open_sessions{protocol="syncml"}`, 0},
	}
	for _, c := range checks {
		if got := m[c.series]; got != c.want {
			t.Errorf("%s = %v, want %v", c.series, got, c.want)
		}
	}
	if n := m[`anchorage_message_duration_seconds_count{protocol="syncml"}`]; n < 2 {
		t.Errorf("message latency histogram counts %v messages, want at least 2", n)
	}
	if m[`anchorage_store_transaction_duration_seconds_count{kind="update"}`] == 0 {
		t.Error("store transaction histogram is empty after a sync")
	}
	if m["anchorage_database_size_bytes"] <= 0 {
		t.Error("database size is not reported")
	}

	// A second device receives the contacts: items sent move.
	b := newDevice(t, shared, srv, "metrics-b", "alice", "pw", "md5")
	r = b.mustSync(t, "two-way")
	m = testserver.MustScrapeMetrics(t, base)
	if got, want := m[`anchorage_items_sent_total{op="Add",protocol="syncml"}`], float64(sumOf(r, "local_added")); got != want || got == 0 {
		t.Errorf("items sent (Add) = %v, want %v", got, want)
	}
	if got := m[`anchorage_sessions_total{mode="slow",outcome="ok",protocol="syncml"}`]; got != 2 {
		t.Errorf("slow sessions ok = %v, want 2", got)
	}

	// A fast sync and a wrong password.
	a.mustSync(t, "two-way")
	if r := a.syncWith(t, "two-way", "wrong"); r.ok() {
		t.Fatal("sync with a wrong password succeeded")
	}
	m = testserver.MustScrapeMetrics(t, base)
	if got := m[`anchorage_sessions_total{mode="two-way",outcome="ok",protocol="syncml"}`]; got != 1 {
		t.Errorf("two-way sessions ok = %v, want 1", got)
	}
	if got := m[`anchorage_auth_failures_total{protocol="syncml"}`]; got < 1 {
		t.Errorf("auth failures = %v, want at least 1", got)
	}
}

// sumOf adds a counter of the report over every source.
func sumOf(r *report, key string) int {
	n := 0
	for src := range r.sources {
		n += r.n(src, key)
	}
	return n
}
