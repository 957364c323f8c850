package pim

import (
	"encoding/base64"
	"html"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// sifItem is a SIF item found in the shared fixtures.
type sifItem struct {
	name string // file and index, for messages
	ct   string
	data []byte
}

var (
	dataElem = regexp.MustCompile(`(?s)<Data>(.*?)</Data>`)
	sifRoot  = regexp.MustCompile(`^\s*(?:\x{FEFF})?(?:<\?xml[^>]*\?>)?\s*<(contact|appointment|task|note)[\s>/]`)
)

// sifTypeOf maps a SIF root element to its MIME type.
func sifTypeOf(root string) string {
	return map[string]string{"contact": SIFContact, "appointment": SIFEvent, "task": SIFTask, "note": SIFNote}[root]
}

// sifFixtures collects the SIF items of the shared fixtures: the <Data> of
// the Funambol and Pocket PC sessions Horde recorded and of SyncMLDotNet's
// logs (base64, escaped or CDATA), and SyncMLDotNet's stand-alone SIF files.
func sifFixtures(t testing.TB) []sifItem {
	t.Helper()
	root := sharedFixtures()
	if root == "" {
		return projectSIF(t)
	}
	var items []sifItem
	add := func(name, s string) {
		if m := sifRoot.FindStringSubmatch(s); m != nil {
			items = append(items, sifItem{name: name, ct: sifTypeOf(m[1]), data: []byte(s)})
		}
	}
	for _, dir := range []string{"horde-SyncMl/test/Horde/SyncMl", "SyncMLDotNet/TestCase"} {
		err := filepath.WalkDir(filepath.Join(root, filepath.FromSlash(dir)), func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			if ext := filepath.Ext(path); ext != ".xml" && ext != ".txt" && ext != ".log" {
				return nil
			}
			raw, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, path)
			s := string(raw)
			add(rel, s)
			for i, m := range dataElem.FindAllStringSubmatch(s, -1) {
				d := strings.TrimSpace(m[1])
				d = strings.TrimSuffix(strings.TrimPrefix(d, "<![CDATA["), "]]>")
				name := rel + "#" + string(rune('0'+i%10))
				switch {
				case strings.HasPrefix(d, "&lt;"):
					add(name, html.UnescapeString(d))
				case strings.HasPrefix(d, "<"):
					add(name, d)
				default:
					if dec, err := base64.StdEncoding.DecodeString(d); err == nil {
						add(name, string(dec))
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Skipf("walking %s: %v", dir, err)
		}
	}
	if len(items) == 0 {
		t.Skip("no SIF items in the shared fixtures")
	}
	return items
}

// canonicalOf is the canonical type of a SIF type.
func canonicalOf(sifType string) string {
	return map[string]string{SIFContact: "text/vcard", SIFEvent: "text/calendar", SIFTask: "text/calendar", SIFNote: "text/plain"}[sifType]
}

// TestSIFFixturesRoundTrip converts every SIF item of the fixtures to its
// canonical format and back: the result is Equivalent to the original
// (nothing a SIF device sends is lost on the server), converting the
// canonical form to SIF loses nothing, and the item is described like its
// canonical twin (the same match key, so SIF devices twin-match).
func TestSIFFixturesRoundTrip(t *testing.T) {
	items := sifFixtures(t)
	kinds := map[string]int{}
	for _, it := range items {
		kinds[it.ct]++
		ct, canon, err := Canonical(it.ct, it.data)
		if err != nil {
			t.Errorf("%s: Canonical: %v", it.name, err)
			continue
		}
		if ct != canonicalOf(it.ct) {
			t.Errorf("%s: canonical type %s", it.name, ct)
		}
		back, err := Convert(canon, ct, it.ct, ConvertOptions{})
		if err != nil {
			t.Errorf("%s: canonical back to SIF: %v\n%s", it.name, err, canon)
			continue
		}
		if !Equivalent(it.ct, it.data, it.ct, back) {
			_, c2, _ := Canonical(it.ct, back)
			t.Errorf("%s: SIF -> %s -> SIF changed the item\nfirst:\n%s\nthen:\n%s", it.name, ct, canon, c2)
		}
		if lost := Unrepresentable(ct, it.ct, canon); len(lost) > 0 && it.ct != SIFNote {
			t.Errorf("%s: the canonical form of a SIF item loses %v on the way back", it.name, lost)
		}
		if !Equivalent(it.ct, it.data, ct, canon) {
			t.Errorf("%s: not Equivalent to its own canonical form", it.name)
		}
		a, b := Describe(it.ct, it.data), Describe(ct, canon)
		if a != b || a.Summary == "" && a.MatchKey == "" {
			t.Errorf("%s: Describe %+v, of the canonical form %+v", it.name, a, b)
		}
	}
	for _, typ := range []string{SIFContact, SIFEvent, SIFTask, SIFNote} {
		if kinds[typ] == 0 {
			t.Errorf("no %s item in the fixtures", typ)
		}
	}
	t.Logf("%d SIF items: %v", len(items), kinds)
}
