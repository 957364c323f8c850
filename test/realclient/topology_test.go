package realclient_test

import (
	"strings"
	"testing"
)

// topology is where a test's server runs: one process on SQLite, or
// several processes on one PostgreSQL database behind the round-robin
// proxy, so that consecutive messages of a session land on different
// nodes. Tests written against a *server run unchanged on either.
type topology struct {
	name  string
	nodes int // 0: one process on SQLite
}

// topologies are those the recovery and EAS tests run on.
var topologies = []topology{{"sqlite", 0}, {"postgres-2-nodes", 2}}

// start starts the server(s). On a cluster the returned server is node 0
// with the proxy's URL and the database URL as data; the test fails when
// a node answered no message, since the topology then proved nothing.
func (tp topology) start(t *testing.T) *server {
	t.Helper()
	if tp.nodes == 0 {
		return startServer(t)
	}
	nodes, proxy := startCluster(t, tp.nodes, t.TempDir())
	t.Cleanup(func() {
		proxy.mu.Lock()
		defer proxy.mu.Unlock()
		total := 0
		for _, s := range proxy.nodes {
			total += proxy.hits[s]
		}
		for _, s := range proxy.nodes {
			if total > 1 && proxy.hits[s] == 0 {
				t.Errorf("node %s answered none of %d messages", s, total)
			}
		}
		t.Logf("messages per node: %v", proxy.hits)
	})
	return nodes[0]
}

// eachTopology runs body once per topology, as a subtest named after it.
func eachTopology(t *testing.T, body func(t *testing.T, tp topology)) {
	t.Helper()
	for _, tp := range topologies {
		t.Run(tp.name, func(t *testing.T) { body(t, tp) })
	}
}

// logs returns the log of every process serving s (all nodes of its
// cluster), so that a test can ask whether any node logged something.
func (s *server) logs() string {
	if len(s.cluster) == 0 {
		return s.log.String()
	}
	var b strings.Builder
	for _, n := range s.cluster {
		b.WriteString(n.log.String())
	}
	return b.String()
}
