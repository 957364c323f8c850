package engine

import (
	"testing"
	"time"
)

func TestLoginThrottle(t *testing.T) {
	lt := newLoginThrottle(nil, nil)
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	var delays []time.Duration
	for i := 0; i < 8; i++ {
		delays = append(delays, lt.fail("alice", "192.0.2.1:5555", now))
	}
	want := []time.Duration{0, 0, 0, 250 * time.Millisecond, 500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second}
	for i := range want {
		if delays[i] != want[i] {
			t.Errorf("failure %d delayed %v, want %v", i+1, delays[i], want[i])
		}
	}
	if d := lt.fail("alice", "192.0.2.1:6000", now); d != 8*time.Second {
		t.Errorf("another port of the same address: delay %v, want the cap 8s", d)
	}
	if d := lt.fail("alice", "198.51.100.7:1", now); d != 0 {
		t.Errorf("another address is throttled too: %v", d)
	}
	if d := lt.fail("bob", "192.0.2.1:5555", now); d != 0 {
		t.Errorf("another user from the same address is throttled: %v", d)
	}
	lt.succeed("alice", "192.0.2.1:1")
	if d := lt.fail("alice", "192.0.2.1:5555", now); d != 0 {
		t.Errorf("after a success the count did not reset: %v", d)
	}
	if d := lt.fail("carol", "192.0.2.9:1", now); d != 0 {
		t.Fatal(d)
	}
	for i := 0; i < 5; i++ {
		lt.fail("carol", "192.0.2.9:1", now)
	}
	if d := lt.fail("carol", "192.0.2.9:1", now.Add(time.Hour)); d != 0 {
		t.Errorf("failures an hour old still count: %v", d)
	}
}
