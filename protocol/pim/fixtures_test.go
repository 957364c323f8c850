package pim

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fixturesDir returns the shared fixtures directory (shared/fixtures, found
// by walking up from the working directory), or skips the test.
func fixturesDir(t testing.TB) string {
	t.Helper()
	dir := sharedFixtures()
	if dir == "" {
		t.Skip("shared/fixtures not found above the working directory; skipping tests on third-party item corpora")
	}
	return dir
}

// sharedFixtures returns the shared fixtures directory, or "" when there
// is none; the corpus readers then use the project's own fixtures/.
func sharedFixtures() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		cand := filepath.Join(dir, "shared", "fixtures")
		if st, err := os.Stat(cand); err == nil && st.IsDir() {
			return cand
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// fixture reads a file below the fixtures directory, skipping the test if
// it is missing.
func fixture(t testing.TB, rel string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(fixturesDir(t), filepath.FromSlash(rel)))
	if err != nil {
		t.Skipf("fixture %s missing: %v", rel, err)
	}
	return data
}

// Paths of the corpora used below, relative to the fixtures directory.
const (
	ezText     = "ez-vcard/src/test/resources/ezvcard/io/text/"
	kdepimCard = "opensync/tests/data/vcards/kdepim/"
	vcalDir    = "kcalendarcore/autotests/data/vCalendar/"
	evoTests   = "syncevolution/test/testcases/"
	osData     = "opensync/tests/data/"
)

// splitItems cuts a file holding several BEGIN:name ... END:name objects
// (as the SyncEvolution test cases do) into one item per object.
func splitItems(data []byte, name string) [][]byte {
	var items [][]byte
	var cur []string
	for _, line := range physicalLines(string(data)) {
		if strings.EqualFold(strings.TrimSpace(line), "BEGIN:"+name) {
			cur = cur[:0]
		}
		cur = append(cur, line)
		if strings.EqualFold(strings.TrimSpace(line), "END:"+name) {
			items = append(items, []byte(strings.Join(cur, "\r\n")+"\r\n"))
			cur = nil
		}
	}
	return items
}
