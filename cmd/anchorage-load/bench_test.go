package main

import (
	"anchorage/test/testserver"
	"context"
	"fmt"
	"net/http/httptest"
	"testing"
)

// benchServer is testServer for benchmarks: engine, HTTP server and SQLite
// in this process, so that `go test -cpuprofile` shows the server's
// hotspots next to the (smaller) client's.
func benchServer(b *testing.B, users ...string) *httptest.Server {
	b.Helper()
	return testserver.Start(b, users).HTTP
}

// BenchmarkSlowUpload is workload (a) of scripts/bench-peer.sh: a fresh
// device uploads N contacts in a slow sync (md5 auth, 150000-byte messages
// of about 300 items, as SyncEvolution sends them).
func BenchmarkSlowUpload(b *testing.B) {
	for _, n := range []int{1000, 5000} {
		b.Run(fmt.Sprintf("items=%d", n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				ts := benchServer(b, "u")
				c := &Client{HTTP: ts.Client(), URL: ts.URL + "/sync", Auth: "md5", Datastore: "contacts",
					MaxItemsPerMsg: 300, MaxMsgSize: 150000}
				d := NewDevice("dev", "u", "pw", n)
				b.StartTimer()
				if _, err := c.Sync(context.Background(), d, modeSlow); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkFastSession is one two-way session with no changes over HTTP
// (three messages), the unit of the load generator's phase 2.
func BenchmarkFastSession(b *testing.B) {
	ts := benchServer(b, "u")
	c := &Client{HTTP: ts.Client(), URL: ts.URL + "/sync", Auth: "basic", Datastore: "contacts", MaxMsgSize: 150000}
	d := NewDevice("dev", "u", "pw", 20)
	ctx := context.Background()
	if _, err := c.Sync(ctx, d, modeSlow); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.Sync(ctx, d, modeTwoWay); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRefreshFromServer is workload (d): a fresh device asks for
// refresh-from-server (Alert 205) of a datastore holding N contacts and
// answers every server message with statuses and Map.
func BenchmarkRefreshFromServer(b *testing.B) {
	for _, n := range []int{1000, 5000} {
		b.Run(fmt.Sprintf("items=%d", n), func(b *testing.B) {
			ts := benchServer(b, "u")
			c := &Client{HTTP: ts.Client(), URL: ts.URL + "/sync", Auth: "md5", Datastore: "contacts",
				MaxItemsPerMsg: 300, MaxMsgSize: 150000}
			if _, err := c.Sync(context.Background(), NewDevice("up", "u", "pw", n), modeSlow); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				d := NewDevice(fmt.Sprintf("dl-%d", i), "u", "pw", 0)
				r, err := c.Sync(context.Background(), d, modeRefreshFromServer)
				if err != nil {
					b.Fatal(err)
				}
				if r.Received != n {
					b.Fatalf("received %d, want %d", r.Received, n)
				}
			}
		})
	}
}
