package sqlite

import (
	"path/filepath"
	"testing"

	"anchorage/store"
	"anchorage/store/storetest"
)

func openBench(b *testing.B) store.Store { return openTest(b, filepath.Join(b.TempDir(), "bench.db")) }

func BenchmarkChangesEmpty(b *testing.B) { storetest.BenchChangesEmpty(b, openBench, 1_000, 100_000) }
func BenchmarkWriteItem(b *testing.B)    { storetest.BenchWriteItem(b, openBench) }
func BenchmarkItem(b *testing.B)         { storetest.BenchItem(b, openBench) }
