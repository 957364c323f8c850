package main

import (
	"strings"
	"testing"
)

// TestStoreInfo: the status page names the backend, and never shows a
// PostgreSQL password.
func TestStoreInfo(t *testing.T) {
	if got := storeInfo("/var/lib/anchorage"); got != "SQLite /var/lib/anchorage/anchorage.db" {
		t.Errorf("storeInfo(dir) = %q", got)
	}
	got := storeInfo("postgres://anchorage:secret@db.example/anchorage")
	if !strings.HasPrefix(got, "PostgreSQL ") || strings.Contains(got, "secret") {
		t.Errorf("storeInfo(url) = %q, want PostgreSQL without the password", got)
	}
}
