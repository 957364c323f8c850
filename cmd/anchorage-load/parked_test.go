package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/metrics"
	"sync/atomic"
	"testing"
	"time"

	"anchorage/test/easclient"
	"anchorage/test/testserver"
)

// BenchmarkParkedPing reports what a parked Ping costs the server, with
// the server in this process as serve wires it: the Go heap it keeps live
// (heap-B/ping, after a collection), its goroutine stacks as they are when
// it parks (stack-B/ping, before the collection that may shrink them) and
// after one collection (stack-gc-B/ping), and its goroutines
// (goroutines/ping). Each op parks pings Pings of devices that synced
// their contacts, measures, and ends them by closing their connections.
// The client side of a Ping is a bare TCP connection (no goroutine, no
// buffer: a few hundred bytes of the heap figure), so the figures are
// the server's. All devices are one user's (a login per user costs a
// bcrypt), so the hub holds one set of subscriptions, not one per user.
func BenchmarkParkedPing(b *testing.B) {
	const pings = 400
	var parked, open atomic.Int64
	hs := httptest.NewUnstartedServer(pushHandler(b, []string{"u"}, func(delta int) { parked.Add(int64(delta)) }))
	hs.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		switch st {
		case http.StateNew:
			open.Add(1)
		case http.StateClosed, http.StateHijacked:
			open.Add(-1)
		}
	}
	hs.Start()
	b.Cleanup(hs.Close)
	ctx := context.Background()
	reqs := make([][]byte, pings)
	for i := range reqs {
		c := &easclient.Client{Base: hs.URL, User: "u", Password: testserver.Password,
			DeviceID: fmt.Sprintf("parked-%04d", i), HTTP: hs.Client()}
		if _, err := c.InitialSync(ctx, "contacts"); err != nil {
			b.Fatal(err)
		}
		req, err := c.NewRequest(ctx, "Ping", easclient.PingXML(900, "contacts"))
		if err != nil {
			b.Fatal(err)
		}
		var buf bytesWriter
		if err := req.Write(&buf); err != nil {
			b.Fatal(err)
		}
		reqs[i] = buf
	}
	hs.Client().CloseIdleConnections()
	addr := hs.Listener.Addr().String()
	var heap, stack, stackGC, gor float64
	for b.Loop() {
		waitFor(b, "open connections", &open, 0)
		before := memFigures()
		conns := make([]net.Conn, 0, pings)
		for _, r := range reqs {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := c.Write(r); err != nil {
				b.Fatal(err)
			}
			conns = append(conns, c)
		}
		waitFor(b, "parked Pings", &parked, pings)
		after := memFigures()
		heap += float64(after.heapLive - before.heapLive)
		stack += float64(after.stacks - before.stacksGC)
		stackGC += float64(after.stacksGC - before.stacksGC)
		gor += float64(after.goroutines - before.goroutines)
		for _, c := range conns {
			c.Close()
		}
	}
	n := float64(b.N) * pings
	b.ReportMetric(heap/n, "heap-B/ping")
	b.ReportMetric(stack/n, "stack-B/ping")
	b.ReportMetric(stackGC/n, "stack-gc-B/ping")
	b.ReportMetric(gor/n, "goroutines/ping")
}

// bytesWriter collects what http.Request.Write writes.
type bytesWriter []byte

func (w *bytesWriter) Write(p []byte) (int, error) {
	*w = append(*w, p...)
	return len(p), nil
}

// waitFor waits until the count of what is n.
func waitFor(b *testing.B, what string, count *atomic.Int64, n int64) {
	b.Helper()
	deadline := time.Now().Add(time.Minute)
	for count.Load() != n {
		if time.Now().After(deadline) {
			b.Fatalf("%d %s after a minute, want %d", count.Load(), what, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// figures are the runtime's memory figures a parked request adds to.
type figures struct {
	heapLive   int64 // after a collection
	stacks     int64 // goroutine stacks before it, as they grew
	stacksGC   int64 // after it, which may shrink them
	goroutines int64
}

// memFigures reads the figures, forcing collections in between: two, so
// that buffers the HTTP server pooled (sync.Pool keeps them one
// collection longer) do not count.
func memFigures() figures {
	s := []metrics.Sample{{Name: "/memory/classes/heap/stacks:bytes"}, {Name: "/sched/goroutines:goroutines"}}
	metrics.Read(s)
	f := figures{stacks: int64(s[0].Value.Uint64()), goroutines: int64(s[1].Value.Uint64())}
	runtime.GC()
	runtime.GC()
	s = []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/memory/classes/heap/stacks:bytes"}}
	metrics.Read(s)
	f.heapLive, f.stacksGC = int64(s[0].Value.Uint64()), int64(s[1].Value.Uint64())
	return f
}
