package realclient_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"anchorage/store/postgres/pgtest"
)

// roundRobin is a reverse proxy that sends each request to the next node
// in turn, so that consecutive messages of one session land on different
// nodes, as a load balancer without session affinity does. When a node
// does not answer (killed), the same request goes to the next one: the
// retry a load balancer makes for a failed upstream.
type roundRobin struct {
	nodes []string // base URLs, http://127.0.0.1:PORT
	next  atomic.Int64
	mu    sync.Mutex
	hits  map[string]int
}

func (p *roundRobin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	start := int(p.next.Add(1))
	var lastErr error
	for i := range p.nodes {
		node := p.nodes[(start+i)%len(p.nodes)]
		req, err := http.NewRequestWithContext(r.Context(), r.Method, node+r.URL.RequestURI(), bytes.NewReader(body))
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		req.Header = r.Header.Clone()
		req.Host = r.Host // the RespURI names the proxy, not the node
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			lastErr = err
			continue
		}
		p.mu.Lock()
		p.hits[node]++
		p.mu.Unlock()
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		io.Copy(w, resp.Body)
		resp.Body.Close()
		return
	}
	http.Error(w, "no node answered: "+lastErr.Error(), http.StatusBadGateway)
}

// startCluster starts n anchorage serve processes on one new PostgreSQL
// database behind a round-robin proxy. The returned servers' url is the
// proxy's; their data is the database URL, so admin commands reach it.
func startCluster(t *testing.T, n int, trace string) ([]*server, *roundRobin) {
	t.Helper()
	db := pgtest.Start(t).NewDatabase(t)
	p := &roundRobin{hits: map[string]int{}}
	var nodes []*server
	for i := range n {
		s := startServerOn(t, db, "--trace", filepath.Join(trace, string(rune('a'+i))))
		nodes = append(nodes, s)
		p.nodes = append(p.nodes, s.url[:len(s.url)-len("/sync")])
	}
	hs := httptest.NewServer(p)
	t.Cleanup(hs.Close)
	for _, s := range nodes {
		s.url = hs.URL + "/sync"
		s.cluster = nodes
	}
	return nodes, p
}

// TestMultiNodeTwoDevices runs the two-device scenario through two nodes
// on one PostgreSQL database, every message going to the other node than
// the one before.
func TestMultiNodeTwoDevices(t *testing.T) {
	shared := needRealClient(t)
	nodes, proxy := startCluster(t, 2, t.TempDir())
	srv := nodes[0]
	srv.addUser(t, "multi", "pw")
	a := newDevice(t, shared, srv, "multi-a", "multi", "pw", "", "contacts")
	b := newDevice(t, shared, srv, "multi-b", "multi", "pw", "", "contacts")
	addContacts(t, a, "a", 0, 30)
	a.mustSync(t, "slow")
	addContacts(t, b, "b", 0, 20)
	b.mustSync(t, "slow")
	a.mustSync(t, "two-way")
	waitForMtime()
	addContacts(t, a, "a2-", 0, 5)
	a.mustSync(t, "two-way")
	b.mustSync(t, "two-way")
	if got := serverContacts(t, srv, "multi"); len(got) != 55 {
		t.Errorf("the server holds %d contacts, want 55", len(got))
	}
	assertConverged(t, srv, "multi", a, b)
	confirmNothing(t, a)
	confirmNothing(t, b)
	for node, hits := range proxy.hits {
		if hits == 0 {
			t.Errorf("node %s answered no message", node)
		}
	}
	t.Logf("messages per node: %v", proxy.hits)
}

// TestMultiNodeKilledMidSession kills one of two nodes with SIGKILL in the
// middle of a slow upload; the proxy sends the device's retry to the other
// node, and nothing is lost or duplicated.
func TestMultiNodeKilledMidSession(t *testing.T) {
	shared := needRealClient(t)
	trace := t.TempDir()
	nodes, _ := startCluster(t, 2, trace)
	srv := nodes[0]
	a, b, r := killDuringUpload(t, shared, srv, []string{filepath.Join(trace, "a"), filepath.Join(trace, "b")}, nodes[0])
	if !r.ok() {
		t.Log("the session did not survive the kill; the next one has to recover")
		b.mustSync(t, "two-way")
	}
	alive := nodes[1]
	got := serverContacts(t, alive, "kill")
	if len(got) != 200 {
		t.Errorf("after the kill the server holds %d contacts, want 200", len(got))
	}
	for i := 1; i < len(got); i++ {
		if got[i] == got[i-1] {
			t.Errorf("duplicate on the server: %s", got[i])
		}
	}
	a.mustSync(t, "two-way")
	assertConverged(t, alive, "kill", a, b)
	confirmNothing(t, a)
	confirmNothing(t, b)
}
