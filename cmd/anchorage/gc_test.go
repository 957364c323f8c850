package main

import (
	"io"
	"log/slog"
	"runtime"
	"runtime/debug"
	"testing"
)

func TestGCPercentFor(t *testing.T) {
	const mb = 1 << 20
	tests := []struct {
		name     string
		scanned  uint64
		headroom uint64
		want     int
	}{
		{"nothing scanned yet", 0, 48 * mb, 400},
		{"a sync server's few MB", 8 * mb, 48 * mb, 400},
		{"growth of a quarter of the headroom", 12 * mb, 48 * mb, 400},
		{"parked requests", 40 * mb, 48 * mb, 120},
		{"more live than the headroom", 96 * mb, 48 * mb, 100},
		{"far more", 1024 * mb, 48 * mb, 100},
	}
	for _, tc := range tests {
		if got := gcPercentFor(tc.scanned, tc.headroom, 400); got != tc.want {
			t.Errorf("%s: gcPercentFor(%d MB, %d MB, 400) = %d, want %d", tc.name, tc.scanned/mb, tc.headroom/mb, got, tc.want)
		}
	}
}

// TestPacerFollowsCollections checks that the pacer sets the target after
// a collection: with a headroom of one byte, any heap is large.
func TestPacerFollowsCollections(t *testing.T) {
	old := debug.SetGCPercent(400)
	defer debug.SetGCPercent(old)
	p := &pacer{max: 400, headroom: 1, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	p.percent.Store(400)
	p.watch()
	defer p.stopped.Store(true)
	for p.percent.Load() != minGCPercent {
		runtime.GC()
		runtime.Gosched()
	}
	if got := debug.SetGCPercent(old); got != minGCPercent {
		t.Errorf("the runtime's target is %d after the pacer set %d", got, minGCPercent)
	}
}
