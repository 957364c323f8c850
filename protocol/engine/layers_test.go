package engine

import (
	"go/build"
	"slices"
	"strings"
	"testing"
)

// imports returns the anchorage packages pkg imports (not its tests),
// directly or, with deep, through other anchorage packages.
func imports(t *testing.T, pkg string, deep bool) []string {
	t.Helper()
	seen := map[string]bool{}
	var walk func(p string)
	walk = func(p string) {
		bp, err := build.Import(p, ".", 0)
		if err != nil {
			t.Fatalf("import %s: %v", p, err)
		}
		for _, imp := range bp.Imports {
			if !strings.HasPrefix(imp, "anchorage/") || seen[imp] {
				continue
			}
			seen[imp] = true
			if deep {
				walk(imp)
			}
		}
	}
	walk(pkg)
	var out []string
	for p := range seen {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

// TestLayers checks DESIGN.md's import rules: the sync core imports no
// front end and no wire code; the front ends never import the store.
func TestLayers(t *testing.T) {
	for _, p := range imports(t, "anchorage/protocol/engine", true) {
		if strings.HasPrefix(p, "anchorage/protocol/syncml") || strings.HasPrefix(p, "anchorage/protocol/activesync") ||
			strings.HasPrefix(p, "anchorage/protocol/wbxml") || p == "anchorage/admin" || strings.HasPrefix(p, "anchorage/server") {
			t.Errorf("protocol/engine imports %s", p)
		}
	}
	for _, fe := range []string{"anchorage/protocol/syncml", "anchorage/protocol/syncml/session", "anchorage/protocol/wbxml",
		"anchorage/protocol/activesync", "anchorage/protocol/activesync/coresession"} {
		for _, p := range imports(t, fe, false) {
			if strings.HasPrefix(p, "anchorage/store") {
				t.Errorf("%s imports %s", fe, p)
			}
		}
	}
}
