package pim

import (
	"bytes"
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The project's own conversion fixtures live in the repository's fixtures/
// directory: vcard/, ical/, vcal/ and sif/ hold pairs NAME.in.EXT and
// NAME.out.EXT, both written by this package: "in" is the conversion of an
// item of the third-party corpora in ../shared/fixtures into the other
// version or format, "out" is the conversion of "in" back. They pin the
// exact bytes Convert writes (TestGoldenConversions) and, when ../shared is
// absent, stand in for the corpora in the round-trip tests, so those run on
// data the project made itself. Regenerate them after a deliberate change
// of the output, with ../shared present:
//
//	go test ./protocol/pim -run TestGoldenConversions -update-fixtures
var updateFixtures = flag.Bool("update-fixtures", false, "rewrite the fixtures/ conversion pairs from the ../shared corpora")

// goldenKind is one directory of conversion pairs.
type goldenKind struct {
	dir, inExt, outExt string
}

var (
	goldenVCard = goldenKind{"vcard", ".vcf", ".vcf"}
	goldenICal  = goldenKind{"ical", ".ics", ".vcs"} // iCalendar written from vCalendar, and back
	goldenVCal  = goldenKind{"vcal", ".vcs", ".ics"} // vCalendar written from iCalendar, and back
	goldenSIF   = goldenKind{"sif", ".xml", ".vcf"}  // SIF written from the canonical form, and canonical again (.ics for events and tasks, .txt for notes)
)

// projectFixtures returns the repository's fixtures/ directory: the one
// beside go.mod above the working directory.
func projectFixtures(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "fixtures")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the working directory")
		}
		dir = parent
	}
}

// goldenPair is one conversion fixture.
type goldenPair struct {
	name    string
	in, out []byte
	inType  string
	outType string
}

// goldenPairs reads the pairs of one kind.
func goldenPairs(t testing.TB, k goldenKind) []goldenPair {
	t.Helper()
	dir := filepath.Join(projectFixtures(t), k.dir)
	ins, _ := filepath.Glob(filepath.Join(dir, "*.in"+k.inExt))
	var pairs []goldenPair
	for _, f := range ins {
		name := strings.TrimSuffix(filepath.Base(f), ".in"+k.inExt)
		in, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		outs, _ := filepath.Glob(filepath.Join(dir, name+".out.*"))
		if len(outs) != 1 {
			t.Fatalf("%s: want one %s.out.* beside it, found %d", f, name, len(outs))
		}
		out, err := os.ReadFile(outs[0])
		if err != nil {
			t.Fatal(err)
		}
		inType, outType := goldenTypes(in, out)
		pairs = append(pairs, goldenPair{name: k.dir + "/" + name, in: in, out: out, inType: inType, outType: outType})
	}
	if len(pairs) == 0 {
		t.Fatalf("no conversion fixtures in %s", dir)
	}
	return pairs
}

// goldenTypes tells the content types of a pair from the data.
func goldenTypes(in, out []byte) (string, string) {
	typeOf := func(b []byte) string {
		if m := sifRoot.FindSubmatch(b); m != nil {
			return sifTypeOf(string(m[1]))
		}
		if v, _ := declaredVersion(b, "VCARD"); v == "2.1" {
			return "text/x-vcard"
		}
		if bytes.Contains(b, []byte("BEGIN:VCARD")) {
			return "text/vcard"
		}
		if !bytes.Contains(b, []byte("BEGIN:")) {
			return "text/plain"
		}
		if v, _ := declaredVersion(b, "VCALENDAR"); v == "1.0" {
			return "text/x-vcalendar"
		}
		return "text/calendar"
	}
	return typeOf(in), typeOf(out)
}

// TestGoldenConversions converts each fixture's "in" and compares the
// bytes with its "out" (what the conversions mean is checked by the
// round-trip tests, which read these fixtures without ../shared); with -update-fixtures it first rewrites the
// fixtures from the corpora of ../shared.
func TestGoldenConversions(t *testing.T) {
	if *updateFixtures {
		writeGolden(t)
	}
	for _, k := range []goldenKind{goldenVCard, goldenICal, goldenVCal, goldenSIF} {
		pairs := goldenPairs(t, k)
		for _, p := range pairs {
			t.Run(p.name, func(t *testing.T) {
				got, err := Convert(p.in, p.inType, p.outType, ConvertOptions{})
				if err != nil {
					t.Fatalf("Convert %s -> %s: %v", p.inType, p.outType, err)
				}
				if !bytes.Equal(got, p.out) {
					t.Errorf("Convert %s -> %s differs from the fixture\ngot:\n%s\nwant:\n%s", p.inType, p.outType, got, p.out)
				}
			})
		}
	}
}

// fixtureName makes a file name of a corpus item's name:
// "ez-vcard/src/.../John_Doe.vcf#0" becomes "ez-vcard_John_Doe.vcf-0".
var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func fixtureName(rel string) string {
	rel = filepath.ToSlash(rel)
	name := filepath.Base(rel)
	if project, _, ok := strings.Cut(rel, "/"); ok {
		name = project + "_" + name
	}
	return unsafeName.ReplaceAllString(name, "-")
}

// writeGolden rewrites fixtures/{vcard,ical,vcal,sif} from the corpora.
func writeGolden(t *testing.T) {
	if sharedFixtures() == "" {
		t.Fatal("-update-fixtures needs ../shared/fixtures")
	}
	root := projectFixtures(t)
	type src struct {
		name     string
		data     []byte
		from, to string
	}
	var all = map[goldenKind][]src{}
	cards, names := cardCorpus(t)
	for i, c := range cards {
		to := "text/x-vcard"
		if v, _ := declaredVersion(c, "VCARD"); v == "2.1" {
			to = "text/vcard"
		}
		all[goldenVCard] = append(all[goldenVCard], src{names[i], c, "text/x-vcard", to})
	}
	for name, data := range sharedOnly(vcalCorpus(t)) {
		all[goldenICal] = append(all[goldenICal], src{name, data, "text/x-vcalendar", "text/calendar"})
	}
	for name, data := range sharedOnly(icalCorpus(t)) {
		all[goldenVCal] = append(all[goldenVCal], src{name, data, "text/calendar", "text/x-vcalendar"})
	}
	for _, it := range sifFixtures(t) {
		all[goldenSIF] = append(all[goldenSIF], src{it.name, it.data, it.ct, ""})
	}
	for k, srcs := range all {
		dir := filepath.Join(root, k.dir)
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		slices.SortFunc(srcs, func(a, b src) int { return strings.Compare(a.name, b.name) })
		seen := map[string]int{}
		written := 0
		for _, s := range srcs {
			in, inType, out, ok := goldenConvert(s.data, s.from, s.to)
			if !ok {
				continue
			}
			if got, err := Convert(in, inType, goldenOut(inType, s.to), ConvertOptions{}); err != nil || !bytes.Equal(got, out) {
				continue // not stable: no fixture can pin it
			}
			name := fixtureName(s.name)
			if n := seen[name]; n > 0 {
				name = fmt.Sprintf("%s-%d", name, n)
			}
			seen[fixtureName(s.name)]++
			outExt := k.outExt
			if k == goldenSIF {
				outExt = map[string]string{SIFContact: ".vcf", SIFNote: ".txt"}[inType]
				if outExt == "" {
					outExt = ".ics"
				}
			}
			for file, b := range map[string][]byte{name + ".in" + k.inExt: in, name + ".out" + outExt: out} {
				if err := os.WriteFile(filepath.Join(dir, file), b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			written++
		}
		t.Logf("%s: %d conversion pairs of %d corpus items", k.dir, written, len(srcs))
	}
}

// goldenConvert makes a pair from a corpus item: in is the item converted
// to the other format (for SIF: the canonical form converted back to SIF),
// out is in converted back.
func goldenConvert(data []byte, from, to string) (in []byte, inType string, out []byte, ok bool) {
	if to == "" { // SIF
		ct, canon, err := Canonical(from, data)
		if err != nil {
			return nil, "", nil, false
		}
		if in, err = Convert(canon, ct, from, ConvertOptions{}); err != nil {
			return nil, "", nil, false
		}
		_, out, err = Canonical(from, in)
		return in, from, out, err == nil
	}
	in, err := Convert(data, from, to, ConvertOptions{})
	if err != nil {
		return nil, "", nil, false
	}
	out, err = Convert(in, to, goldenOut(to, from), ConvertOptions{})
	return in, to, out, err == nil
}

// goldenOut is the type "in" converts to.
func goldenOut(inType, srcTo string) string {
	switch inType {
	case "text/vcard":
		return "text/x-vcard"
	case "text/x-vcard":
		return "text/vcard"
	case "text/calendar":
		return "text/x-vcalendar"
	case "text/x-vcalendar":
		return "text/calendar"
	}
	return canonicalOf(inType)
}

// sharedOnly drops the constructed items, which the tests hold in code.
func sharedOnly(items map[string][]byte) map[string][]byte {
	out := map[string][]byte{}
	for k, v := range items {
		if !strings.HasPrefix(k, "constructed/") {
			out[k] = v
		}
	}
	return out
}

// projectCorpus reads the files of fixtures/ matching the patterns, by
// their path below fixtures/: the corpus of the round-trip tests when
// ../shared is absent.
func projectCorpus(t testing.TB, patterns ...string) map[string][]byte {
	t.Helper()
	root := projectFixtures(t)
	items := map[string][]byte{}
	for _, p := range patterns {
		m, _ := filepath.Glob(filepath.Join(root, filepath.FromSlash(p)))
		for _, f := range m {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			rel, _ := filepath.Rel(root, f)
			items[filepath.ToSlash(rel)] = data
		}
	}
	if len(items) == 0 {
		t.Fatalf("no files matching %q in %s", patterns, root)
	}
	return items
}

// projectCards is cardCorpus's stand-in: the vCards 2.1 and 3.0 of
// fixtures/vcard.
func projectCards(t *testing.T) (cards [][]byte, names []string) {
	items := projectCorpus(t, "vcard/*.vcf")
	for _, name := range slices.Sorted(maps.Keys(items)) {
		cards = append(cards, items[name])
		names = append(names, name)
	}
	return cards, names
}

// projectSIF is sifFixtures's stand-in: the SIF items of fixtures/sif.
func projectSIF(t testing.TB) []sifItem {
	items := projectCorpus(t, "sif/*.in.xml")
	var out []sifItem
	for _, name := range slices.Sorted(maps.Keys(items)) {
		if m := sifRoot.FindSubmatch(items[name]); m != nil {
			out = append(out, sifItem{name: name, ct: sifTypeOf(string(m[1])), data: items[name]})
		}
	}
	return out
}
