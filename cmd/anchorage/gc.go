package main

import (
	"log/slog"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync/atomic"
)

// Defaults of serve --gc-percent, --gc-headroom-mb and --memory-limit-mb.
// A sync session allocates much and keeps little (a message's items are
// written and dropped), so the collector's default target (100 %)
// collects far more often than the heap needs: 400 % cut
// refresh-from-server CPU by a fifth (BENCHMARKS.md). What a server keeps
// grows with what it holds open, though: 2,000 parked Pings keep some 50
// MB of stacks and connection buffers, and at 400 % the heap would grow
// by four times that before a collection. The headroom caps that growth:
// the target goes down from --gc-percent towards 100 % (Go's default) as
// what the collector scans grows past a quarter of it. The soft limit
// makes the collector work harder before the heap reaches it, so that
// memory stays bounded whatever the target.
const (
	defaultGCPercent     = 400
	defaultGCHeadroomMB  = 48
	defaultMemoryLimitMB = 256
)

// tuneGC applies the collector settings of serve, unless the operator set
// GOGC or GOMEMLIMIT in the environment: those win. A percent or limit of
// 0 keeps Go's default; a headroom of 0 keeps the percent whatever the
// heap holds. stop ends the pacing (serve's end).
func tuneGC(percent int, headroomMB, limitMB int64, log *slog.Logger) (stop func()) {
	stop = func() {}
	if os.Getenv("GOGC") == "" && percent > 0 {
		debug.SetGCPercent(percent)
		if headroomMB > 0 && percent > minGCPercent {
			p := &pacer{max: percent, headroom: uint64(headroomMB) << 20, log: log}
			p.percent.Store(int32(percent))
			p.watch()
			stop = func() { p.stopped.Store(true) }
		}
	}
	if os.Getenv("GOMEMLIMIT") == "" && limitMB > 0 {
		debug.SetMemoryLimit(limitMB << 20)
	}
	log.Debug("garbage collector", "GOGC", os.Getenv("GOGC"), "GOMEMLIMIT", os.Getenv("GOMEMLIMIT"),
		"gc_percent", percent, "gc_headroom_bytes", headroomMB<<20,
		"memory_limit_bytes", debug.SetMemoryLimit(-1)) // a negative limit only reads it
	return stop
}

// minGCPercent is the lowest target the pacer sets: Go's default, at
// which the heap may double between collections.
const minGCPercent = 100

// pacer sets the collector's target after each collection so that the
// heap grows by at most headroom before the next one. At a target of P %
// the next collection starts when the heap reaches live + (live + stacks
// + globals) × P / 100, with the sizes the last collection found
// (runtime/mgcpacer.go, "heap goal").
type pacer struct {
	max      int          // the target while the heap is small
	headroom uint64       // bytes
	percent  atomic.Int32 // the target in force
	stopped  atomic.Bool
	log      *slog.Logger
}

// gcSentinel is dropped as soon as it is made, so that its cleanup runs
// after the next collection. It holds a pointer: a pointer-free object
// that small would share a block with others and might never be freed.
type gcSentinel struct{ _ *byte }

// watch arranges for adjust to run after the next collection, and so on
// after each one until stop.
func (p *pacer) watch() {
	if p.stopped.Load() {
		return
	}
	runtime.AddCleanup(&gcSentinel{}, func(p *pacer) { p.adjust(); p.watch() }, p)
}

// adjust sets the target for what the last collection found.
func (p *pacer) adjust() {
	if p.stopped.Load() {
		return
	}
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/gc/scan/stack:bytes"}, {Name: "/gc/scan/globals:bytes"}}
	metrics.Read(s)
	var scanned uint64
	for _, v := range s {
		if v.Value.Kind() == metrics.KindUint64 {
			scanned += v.Value.Uint64()
		}
	}
	if pc := gcPercentFor(scanned, p.headroom, p.max); int32(pc) != p.percent.Load() {
		debug.SetGCPercent(pc)
		p.log.Debug("garbage collector target", "gc_percent", pc, "scanned_bytes", scanned)
		p.percent.Store(int32(pc))
	}
}

// gcPercentFor is the target at which a heap whose collection scanned
// that many bytes grows by at most headroom, between minGCPercent and max.
func gcPercentFor(scanned, headroom uint64, max int) int {
	if scanned == 0 {
		return max
	}
	pc := headroom * 100 / scanned
	switch {
	case pc >= uint64(max):
		return max
	case pc <= minGCPercent:
		return minGCPercent
	}
	return int(pc)
}
