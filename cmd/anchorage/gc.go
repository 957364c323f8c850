package main

import (
	"log/slog"
	"os"
	"runtime/debug"
)

// Defaults of serve --gc-percent and --memory-limit-mb. A sync session
// allocates much and keeps little (a message's items are written and
// dropped), so the collector's default target (100 %) collects far more
// often than the heap needs: 400 % cut refresh-from-server CPU by a fifth
// (BENCHMARKS.md). The soft limit makes the collector work harder before
// the heap reaches it, so that memory stays bounded whatever the target.
const (
	defaultGCPercent     = 400
	defaultMemoryLimitMB = 256
)

// tuneGC applies the collector settings of serve, unless the operator set
// GOGC or GOMEMLIMIT in the environment: those win.
// A percent or limit of 0 keeps Go's default.
func tuneGC(percent int, limitMB int64, log *slog.Logger) {
	if os.Getenv("GOGC") == "" && percent > 0 {
		debug.SetGCPercent(percent)
	}
	if os.Getenv("GOMEMLIMIT") == "" && limitMB > 0 {
		debug.SetMemoryLimit(limitMB << 20)
	}
	log.Debug("garbage collector", "GOGC", os.Getenv("GOGC"), "GOMEMLIMIT", os.Getenv("GOMEMLIMIT"),
		"gc_percent", percent, "memory_limit_bytes", debug.SetMemoryLimit(-1)) // a negative limit only reads it
}
