package main

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// RunSlow runs every device's first session, a slow sync uploading its
// items, with at most conc sessions at a time.
func RunSlow(ctx context.Context, c *Client, devs []*Device, conc int) *Stats {
	st := newStats()
	jobs := make(chan *Device)
	var wg sync.WaitGroup
	for range max(1, conc) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for d := range jobs {
				start := time.Now()
				r, err := c.Sync(ctx, d, modeSlow)
				st.Add(r, err, time.Since(start))
			}
		}()
	}
	for _, d := range devs {
		if ctx.Err() != nil {
			break
		}
		jobs <- d
	}
	close(jobs)
	wg.Wait()
	st.Finish()
	return st
}

// FastPlan is phase 2: two-way syncs over the devices, round robin, until
// Sessions sessions ran (if > 0) or Duration passed.
type FastPlan struct {
	Concurrency int
	Sessions    int
	Duration    time.Duration
	// ChangeShare is the fraction of sessions in which the device sends one
	// Replace (0.1: every tenth session).
	ChangeShare float64
}

// RunFast runs phase 2. A device is in at most one session at a time;
// sessions in flight when the time is up are finished and counted.
func RunFast(ctx context.Context, c *Client, devs []*Device, p FastPlan) *Stats {
	st := newStats()
	idle := make(chan *Device, len(devs))
	for _, d := range devs {
		idle <- d
	}
	var deadline time.Time
	if p.Duration > 0 {
		deadline = time.Now().Add(p.Duration)
	}
	var started atomic.Int64
	var wg sync.WaitGroup
	for range max(1, min(p.Concurrency, len(devs))) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				if !deadline.IsZero() && !time.Now().Before(deadline) {
					return
				}
				k := started.Add(1) - 1
				if p.Sessions > 0 && k >= int64(p.Sessions) {
					return
				}
				var d *Device
				select {
				case d = <-idle:
				case <-ctx.Done():
					return
				}
				if changeAt(k, p.ChangeShare) {
					d.Touch(1)
				}
				mode := modeTwoWay
				if !d.Synced() {
					mode = modeSlow // its first session failed: a real client would slow sync
				}
				start := time.Now()
				r, err := c.Sync(ctx, d, mode)
				st.Add(r, err, time.Since(start))
				idle <- d
			}
		}()
	}
	wg.Wait()
	st.Finish()
	return st
}

// changeAt spreads a share of sessions with changes evenly: session k
// carries one iff floor((k+1)*share) > floor(k*share).
func changeAt(k int64, share float64) bool {
	if share <= 0 {
		return false
	}
	if share >= 1 {
		return true
	}
	return int64(float64(k+1)*share) > int64(float64(k)*share)
}
