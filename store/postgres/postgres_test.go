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
