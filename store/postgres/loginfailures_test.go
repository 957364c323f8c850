package postgres_test

import (
	"testing"
	"time"

	"anchorage/protocol/engine"
	"anchorage/store/postgres"
	"anchorage/store/postgres/pgtest"
)

// TestLoginFailuresSharedByNodes: two engines on one database (two nodes)
// take turns refusing a user's password guesses from one address; the
// delays grow as they would on one node, since both count the same
// failures. A success on either clears them for both, and another address
// or user is not throttled.
func TestLoginFailuresSharedByNodes(t *testing.T) {
	db := pgtest.Start(t).NewDatabase(t)
	var nodes []*engine.Engine
	for range 2 {
		s, err := postgres.Open(t.Context(), db)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		nodes = append(nodes, engine.New(engine.Options{Store: s, LoginFailures: s.LoginFailures()}))
	}
	want := []time.Duration{0, 0, 0, 250 * time.Millisecond, 500 * time.Millisecond, time.Second, 2 * time.Second}
	for i, w := range want {
		if d := nodes[i%2].LoginFailed("alice", "192.0.2.1:5555"); d != w {
			t.Errorf("guess %d (node %d): delayed %v, want %v", i+1, i%2+1, d, w)
		}
	}
	if d := nodes[0].LoginFailed("alice", "198.51.100.7:1"); d != 0 {
		t.Errorf("another address is throttled too: %v", d)
	}
	if d := nodes[1].LoginFailed("bob", "192.0.2.1:5555"); d != 0 {
		t.Errorf("another user from the same address is throttled: %v", d)
	}
	nodes[1].LoginSucceeded("alice", "192.0.2.1:1")
	if d := nodes[0].LoginFailed("alice", "192.0.2.1:5555"); d != 0 {
		t.Errorf("after a success on the other node the count did not reset: %v", d)
	}
}

// TestLoginFailuresWindow: a failure longer than the window after the last
// one starts the count again.
func TestLoginFailuresWindow(t *testing.T) {
	s, err := postgres.Open(t.Context(), pgtest.Start(t).NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	f := s.LoginFailures()
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	for i := 1; i <= 3; i++ {
		if n, err := f.Fail(t.Context(), "k", now, time.Minute); err != nil || n != i {
			t.Fatalf("failure %d: count %d, %v", i, n, err)
		}
	}
	if n, err := f.Fail(t.Context(), "k", now.Add(2*time.Minute), time.Minute); err != nil || n != 1 {
		t.Errorf("after the window: count %d, %v, want 1", n, err)
	}
	if err := f.Clear(t.Context(), "k"); err != nil {
		t.Fatal(err)
	}
	if n, err := f.Fail(t.Context(), "k", now.Add(2*time.Minute), time.Minute); err != nil || n != 1 {
		t.Errorf("after Clear: count %d, %v, want 1", n, err)
	}
}
