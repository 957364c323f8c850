package coresession_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"anchorage/protocol/activesync"
	"anchorage/protocol/engine"
)

// TestEstimateReadsOnly: GetItemEstimate and Ping's change check count
// the server changes in a read-only unit of work: they answer while
// another device's write is in progress (a write unit of work would wait
// for it), and counting changes nothing of what the next Sync sends.
func TestEstimateReadsOnly(t *testing.T) {
	b, core := newBackend(t)
	a := login(t, b, "dev-a")
	mustSync(t, a, adds(initial(t, a, nil), 30, "Estimate"))

	bdev := login(t, b, "dev-b")
	kb := initial(t, bdev, nil)
	// The deadline only turns a wait for the write lock into an error.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var n int
	var changed []string
	err := core.Update(ctx, func(*engine.Work) error {
		var err error
		if n, err = bdev.Estimate(ctx, "contacts", kb); err != nil {
			return fmt.Errorf("estimate: %w", err)
		}
		if changed, err = bdev.(activesync.Pusher).Changed(ctx, []string{"contacts"}); err != nil {
			return fmt.Errorf("changed: %w", err)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("during another write: %v", err)
	}
	if n != 30 || len(changed) != 1 {
		t.Errorf("estimate %d, changed %v; want 30 and [contacts]", n, changed)
	}
	r := mustSync(t, bdev, activesync.SyncRequest{SyncKey: kb, GetChanges: true, WindowSize: 10})
	if len(r.Changes) != 10 || !r.MoreAvailable {
		t.Fatalf("first window: %d changes, more %v", len(r.Changes), r.MoreAvailable)
	}
	if n, err := bdev.Estimate(context.Background(), "contacts", r.SyncKey); err != nil || n != 20 {
		t.Errorf("estimate after a window of 10: %d %v, want 20", n, err)
	}
	got, _, _ := drain(t, bdev, r.SyncKey, 100)
	if len(got) != 20 {
		t.Errorf("after the estimates the device got %d more changes, want 20", len(got))
	}
}
