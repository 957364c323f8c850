package pim

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// TestEASCorpora runs every vCard and iCalendar item of the shared corpora
// through EAS and back (stored format -> EAS fields -> stored format): no
// item may fail or panic, and the names EAS cannot carry are logged as the
// SyncML format tests log theirs.
func TestEASCorpora(t *testing.T) {
	root := fixturesDir(t)
	lostCard, lostEvent, lostTask := map[string]int{}, map[string]int{}, map[string]int{}
	var cards, events, tasks, refused int
	_ = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		ext := strings.ToLower(filepath.Ext(p))
		if ext != ".vcf" && ext != ".ics" {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil || len(data) > 1<<20 {
			return nil
		}
		name, _ := filepath.Rel(root, p)
		if ext == ".vcf" {
			for _, item := range splitItems(data, "VCARD") {
				fields, lost, err := VCardToEASContact(item)
				if err != nil {
					refused++
					continue
				}
				cards++
				for _, n := range lost {
					lostCard[n]++
				}
				if card, _ := EASContactToVCard(fields); !strings.Contains(string(card), "BEGIN:VCARD") {
					t.Errorf("%s: no vCard back", name)
				}
			}
			return nil
		}
		s := string(data)
		switch {
		case strings.Contains(s, "BEGIN:VEVENT"):
			fields, lost, err := ICalToEASEvent(data)
			if err != nil {
				refused++
				return nil
			}
			events++
			for _, n := range lost {
				lostEvent[n]++
			}
			if _, _, err := EASEventToICal(fields); err != nil {
				t.Errorf("%s: EAS event back to iCalendar: %v", name, err)
			}
		case strings.Contains(s, "BEGIN:VTODO"):
			fields, lost, err := ICalToEASTask(data)
			if err != nil {
				refused++
				return nil
			}
			tasks++
			for _, n := range lost {
				lostTask[n]++
			}
			if _, _, err := EASTaskToICal(fields); err != nil {
				t.Errorf("%s: EAS task back to iCalendar: %v", name, err)
			}
		}
		return nil
	})
	top := func(m map[string]int) string {
		var ks []string
		for k := range m {
			ks = append(ks, k)
		}
		sort.Slice(ks, func(i, j int) bool { return m[ks[i]] > m[ks[j]] || m[ks[i]] == m[ks[j]] && ks[i] < ks[j] })
		if len(ks) > 15 {
			ks = ks[:15]
		}
		return strings.Join(ks, " ")
	}
	t.Logf("contacts %d, events %d, tasks %d, refused as malformed %d", cards, events, tasks, refused)
	t.Logf("vCard properties EAS contacts cannot hold (most frequent): %s", top(lostCard))
	t.Logf("VEVENT properties EAS cannot hold: %s", top(lostEvent))
	t.Logf("VTODO properties EAS cannot hold: %s", top(lostTask))
}
