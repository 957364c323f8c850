package metrics_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"anchorage/admin"
	"anchorage/protocol/engine"
	"anchorage/protocol/syncml/session"
	"anchorage/server"
	"anchorage/server/metrics"
	"anchorage/store/sqlite"
	"anchorage/test/simclient"
	"anchorage/test/testserver"
)

// TestMetricsOverHTTP runs simulated-client sessions against the whole
// server with metrics and reads GET /metrics over HTTP: sessions, items,
// conflicts and authentication failures move by what the sessions did.
func TestMetricsOverHTTP(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "anchorage.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	m := metrics.New(prometheus.NewRegistry(), metrics.Options{DatabaseSize: st.Size})
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	core := engine.New(engine.Options{Store: m.Store(st), Logger: log, Observer: m})
	if err := admin.New(core).AddUser(ctx, "bob", "pw", true); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(server.New(server.Options{SyncML: session.New(core, session.Options{Logger: log}), Logger: log, Ready: st.Ready, Metrics: m.Handler()}))
	defer hs.Close()
	dev := func(id, pw string) *simclient.Device {
		return simclient.New(simclient.Options{URL: hs.URL + "/sync", User: "bob", Password: pw, DeviceID: id})
	}
	sync := func(d *simclient.Device) {
		t.Helper()
		if rep, err := d.Sync(ctx, simclient.TwoWay); err != nil || !rep.Complete {
			t.Fatalf("%s: sync: %v", d.ID(), err)
		}
	}
	card := func(i int, note string) string {
		return fmt.Sprintf("BEGIN:VCARD\nVERSION:3.0\nN:Doe%d;Jane\nFN:Jane Doe%d\nNOTE:%s\nEND:VCARD\n", i, i, note)
	}

	a, b := dev("a", "pw"), dev("b", "pw")
	for i := range 3 {
		if _, err := a.Add("contacts", card(i, "x")); err != nil {
			t.Fatal(err)
		}
	}
	sync(a) // slow: no anchors yet
	sync(b) // slow: receives the three
	got := testserver.MustScrapeMetrics(t, hs.URL)
	want := map[string]float64{
		`anchorage_sessions_total{mode="slow",outcome="ok",protocol="syncml"}`: 2,
		`anchorage_items_received_total{op="Add",protocol="syncml"}`:           3,
		`anchorage_items_sent_total{op="Add",protocol="syncml"}`:               3,
		`anchorage_open_sessions{protocol="syncml"}`:                           0,
		`anchorage_parked_pings`:                                               0,
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}

	// Both edit the same contact: b's sync meets a conflict.
	if err := a.Edit("contacts", a.LUIDs("contacts")[0], card(0, "from a")); err != nil {
		t.Fatal(err)
	}
	items := b.Items("contacts")
	for luid, body := range items {
		if strings.Contains(body, "FN:Jane Doe0") {
			if err := b.Edit("contacts", luid, card(0, "from b")); err != nil {
				t.Fatal(err)
			}
		}
	}
	sync(a)
	sync(b)
	if _, err := dev("c", "wrong").Sync(ctx, simclient.TwoWay); err == nil {
		t.Error("a wrong password synced")
	}
	got = testserver.MustScrapeMetrics(t, hs.URL)
	if n := sumPrefix(got, "anchorage_conflicts_total{"); n != 1 {
		t.Errorf("conflicts = %v, want 1", n)
	}
	if n := got[`anchorage_sessions_total{mode="two-way",outcome="ok",protocol="syncml"}`]; n != 2 {
		t.Errorf("two-way sessions = %v, want 2", n)
	}
	if n := got[`anchorage_items_received_total{op="Replace",protocol="syncml"}`]; n != 2 {
		t.Errorf("Replace received = %v, want 2", n)
	}
	if n := got[`anchorage_auth_failures_total{protocol="syncml"}`]; n < 1 {
		t.Errorf("auth failures = %v, want at least 1", n)
	}
	if got[`anchorage_message_duration_seconds_count{protocol="syncml"}`] < 8 {
		t.Errorf("message histogram counts %v, want at least 8 (two messages per session)", got[`anchorage_message_duration_seconds_count{protocol="syncml"}`])
	}
	if got["anchorage_database_size_bytes"] <= 0 || got[`anchorage_store_transaction_duration_seconds_count{kind="update"}`] == 0 {
		t.Error("database size or store transactions not reported")
	}
}

func sumPrefix(m map[string]float64, prefix string) float64 {
	var n float64
	for k, v := range m {
		if strings.HasPrefix(k, prefix) {
			n += v
		}
	}
	return n
}
