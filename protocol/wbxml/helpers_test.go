package wbxml

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/beevik/etree"
)

// sharedDir returns the shared/ folder found by walking up from the working
// directory (a directory with a shared/fixtures child), or "".
func sharedDir() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if st, err := os.Stat(filepath.Join(dir, "shared", "fixtures")); err == nil && st.IsDir() {
			return filepath.Join(dir, "shared")
		}
		up := filepath.Dir(dir)
		if up == dir {
			return ""
		}
		dir = up
	}
}

// needShared skips the test when the shared fixtures are absent.
func needShared(t testing.TB) string {
	t.Helper()
	s := sharedDir()
	if s == "" {
		t.Skip("shared/fixtures not found above the working directory; fixture tests skipped")
	}
	return s
}

// corpusDir is the folder the WBXML corpus tests walk: shared/ (third-party
// captures and fixtures), or without it the project's fixtures/, whose
// wbxml/ holds the server's encodings of fixtures/syncml (golden_test.go).
func corpusDir(t testing.TB) string {
	t.Helper()
	if s := sharedDir(); s != "" {
		return s
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "fixtures")
		}
		up := filepath.Dir(dir)
		if up == dir {
			t.Fatal("no go.mod above the working directory")
		}
		dir = up
	}
}

// needOracle skips the test when libwbxml's command-line tools are absent.
func needOracle(t testing.TB) {
	t.Helper()
	for _, tool := range []string{"wbxml2xml", "xml2wbxml"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed (Debian package libwbxml2-utils); oracle comparison skipped", tool)
		}
	}
}

// oracleDecode runs wbxml2xml (canonical output, whitespace kept) on data
// and parses its output. The tools print "succeeded" on stdout, so the
// output goes through a file (WBXML_ORACLE.md, gotcha 1).
func oracleDecode(t testing.TB, data []byte, lang string) (*etree.Document, error) {
	t.Helper()
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.wbxml"), filepath.Join(dir, "out.xml")
	if err := os.WriteFile(in, data, 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"-m", "2", "-k", "-o", out}
	if lang != "" {
		args = append(args, "-l", lang)
	}
	if msg, err := exec.Command("wbxml2xml", append(args, in)...).CombinedOutput(); err != nil {
		return nil, &toolError{strings.TrimSpace(string(msg))}
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromFile(out); err != nil {
		return nil, err
	}
	return doc, nil
}

// oracleEncode runs xml2wbxml (language from DOCTYPE or namespace) on an XML
// file.
func oracleEncode(t testing.TB, path string) ([]byte, error) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "out.wbxml")
	if msg, err := exec.Command("xml2wbxml", "-o", out, path).CombinedOutput(); err != nil {
		return nil, &toolError{strings.TrimSpace(string(msg))}
	}
	return os.ReadFile(out)
}

type toolError struct{ msg string }

func (e *toolError) Error() string { return e.msg }

var spaces = regexp.MustCompile(`\s+`)

// canon renders an element tree as lines "indent tag=text": local names,
// the element's own character data joined with runs of whitespace collapsed
// and trimmed (like shared/fixtures/tools/xmlcanon.py). The DevInf and DM
// tree types that encoders relabel when nesting WBXML (WBXML_ORACLE.md,
// gotcha 6) are written in their +xml form.
func canon(e *etree.Element) []string {
	var out []string
	var walk func(*etree.Element, int)
	walk = func(e *etree.Element, depth int) {
		var text strings.Builder
		for _, t := range e.Child {
			if c, ok := t.(*etree.CharData); ok {
				text.WriteString(c.Data)
			}
		}
		s := strings.TrimSpace(spaces.ReplaceAllString(text.String(), " "))
		s = strings.NewReplacer("syncml-devinf+wbxml", "syncml-devinf+xml", "syncml.dmtnds+wbxml", "syncml.dmtnds+xml").Replace(s)
		out = append(out, strings.Repeat("  ", depth)+e.Tag+"="+s)
		for _, c := range e.ChildElements() {
			walk(c, depth+1)
		}
	}
	walk(e, 0)
	return out
}

// canonDiff describes the first difference of two canon renderings, or "".
func canonDiff(want, got []string) string {
	for i := 0; i < len(want) || i < len(got); i++ {
		var w, g string
		if i < len(want) {
			w = want[i]
		}
		if i < len(got) {
			g = got[i]
		}
		if w != g {
			return "line " + strconv.Itoa(i+1) + ":\n  want " + clip(w) + "\n  got  " + clip(g)
		}
	}
	return ""
}

func clip(s string) string {
	if len(s) > 160 {
		return s[:160] + "..."
	}
	return s
}

// findFiles lists the regular files under root whose names match one of the
// patterns (filepath.Match on the base name), sorted.
func findFiles(root string, patterns ...string) []string {
	var out []string
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		for _, pat := range patterns {
			if ok, _ := filepath.Match(pat, d.Name()); ok {
				out = append(out, p)
				break
			}
		}
		return nil
	})
	sort.Strings(out)
	return out
}

// wbxmlLanguage reports the language a file's header names, or nil when it
// is not WBXML of a built-in language.
func wbxmlLanguage(data []byte) *Language {
	if len(data) < 4 || data[0] > version13 {
		return nil
	}
	pid, n, err := readMB(data[1:])
	if err != nil || n == 0 {
		return nil
	}
	if pid != 0 {
		return LookupPublicID(pid)
	}
	d := &decoder{data: data, left: new(int)}
	*d.left = 1 << 20
	if _, lang, err := d.document(0, ""); err == nil {
		return lang
	}
	return nil
}

// rel shortens a fixture path for test names.
func rel(shared, p string) string {
	if r, err := filepath.Rel(shared, p); err == nil {
		return r
	}
	return p
}

// mustParseXML parses an XML string.
func mustParseXML(t testing.TB, s string) *etree.Document {
	t.Helper()
	doc := etree.NewDocument()
	if err := doc.ReadFromString(s); err != nil {
		t.Fatal(err)
	}
	return doc
}
