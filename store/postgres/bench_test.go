package postgres_test

import (
	"testing"

	"anchorage/store"
	"anchorage/store/postgres"
	"anchorage/store/postgres/pgtest"
	"anchorage/store/storetest"
)

// openBench starts a cluster per benchmark: the figures measure the
// per-statement cost of the connection path, what differs from SQLite.
func openBench(b *testing.B) store.Store {
	c := pgtest.Start(b)
	s, err := postgres.Open(b.Context(), c.NewDatabase(b))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

func BenchmarkChangesEmpty(b *testing.B) { storetest.BenchChangesEmpty(b, openBench, 1_000) }
func BenchmarkWriteItem(b *testing.B)    { storetest.BenchWriteItem(b, openBench) }
func BenchmarkItem(b *testing.B)         { storetest.BenchItem(b, openBench) }
