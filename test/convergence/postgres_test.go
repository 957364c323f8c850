package convergence

import (
	"flag"
	"fmt"
	"os"
	"testing"

	"anchorage/store/postgres/pgtest"
)

var flagPostgres = flag.Bool("postgres", false,
	"run on a throwaway PostgreSQL cluster, with two server nodes on one database taking a session's messages in turn (server restarts replace one node)")

// pgCluster is the cluster of a -postgres run, shared by its tests (one
// database per server).
var pgCluster *pgtest.Cluster

func TestMain(m *testing.M) {
	flag.Parse()
	if *flagPostgres {
		c, err := pgtest.New()
		if err != nil {
			fmt.Fprintln(os.Stderr, "convergence -postgres:", err)
			os.Exit(1)
		}
		pgCluster = c
		code := m.Run()
		if err := c.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
		os.Exit(code)
	}
	os.Exit(m.Run())
}
