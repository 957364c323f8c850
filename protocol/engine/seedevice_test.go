package engine_test

import (
	"context"
	"testing"
	"time"

	"anchorage/protocol/engine"
)

// TestSeeDevice: a device is recorded as seen when it is new or was last
// seen longer than the freshness ago, and not written again within it.
func TestSeeDevice(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	core, u := newCore(t, func(o *engine.Options) { o.Now = func() time.Time { return now } })
	p := engine.Partner{UserID: u.ID, UserName: u.Name, DeviceID: "phone"}
	see := func() {
		t.Helper()
		if err := core.Update(ctx, func(w *engine.Work) error { return w.SeeDevice(p, time.Minute) }); err != nil {
			t.Fatal(err)
		}
	}
	lastSeen := func() time.Time {
		t.Helper()
		var seen time.Time
		err := core.View(ctx, func(w *engine.Work) error {
			d, err := w.Tx().Device(ctx, u.ID, "phone")
			if err == nil {
				seen = d.LastSeen
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return seen
	}
	first := now
	see()
	if got := lastSeen(); !got.Equal(first) {
		t.Fatalf("a new device: last seen %v, want %v", got, first)
	}
	now = now.Add(59 * time.Second)
	see()
	if got := lastSeen(); !got.Equal(first) {
		t.Errorf("seen again within a minute: last seen %v, want it kept at %v", got, first)
	}
	now = now.Add(2 * time.Second)
	see()
	if got := lastSeen(); !got.Equal(now) {
		t.Errorf("seen again after a minute: last seen %v, want %v", got, now)
	}
}
