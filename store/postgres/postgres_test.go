package postgres_test

import (
	"testing"

	"anchorage/store"
	"anchorage/store/postgres"
	"anchorage/store/postgres/pgtest"
	"anchorage/store/storetest"
)

func TestStore(t *testing.T) {
	c := pgtest.Start(t)
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := postgres.Open(t.Context(), c.NewDatabase(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}

// TestReadySize: a migrated database is ready and has a size.
func TestReadySize(t *testing.T) {
	c := pgtest.Start(t)
	s, err := postgres.Open(t.Context(), c.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Ready(t.Context()); err != nil {
		t.Errorf("Ready: %v", err)
	}
	if n, err := s.Size(); err != nil || n <= 0 {
		t.Errorf("Size: %d, %v", n, err)
	}
}
