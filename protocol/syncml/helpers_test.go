package syncml

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/beevik/etree"
)

// findShared walks up from the working directory to the first parent that
// has a shared/conformance directory beside it (the project's shared/
// tree lives next to its checkout).
func findShared() (string, bool) {
	dir, err := os.Getwd()
	if err != nil {
		return "", false
	}
	for {
		p := filepath.Join(dir, "shared")
		if fi, err := os.Stat(filepath.Join(p, "conformance")); err == nil && fi.IsDir() {
			return p, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

// sharedDir is findShared for tests that need the data: they skip without it.
func sharedDir(t testing.TB) string {
	t.Helper()
	p, ok := findShared()
	if !ok {
		t.Skip("no shared/conformance directory in any parent of the working directory: skipping tests on captured SyncML messages")
	}
	return p
}

// capturesDir is shared/conformance/captures (SyncEvolution's client and
// server), or without ../shared the project's fixtures/syncml: the same
// messages as this package writes them (golden_test.go).
func capturesDir(t testing.TB) string {
	t.Helper()
	if p, ok := findShared(); ok {
		return filepath.Join(p, "conformance", "captures")
	}
	return projectSyncML(t)
}

// captureFiles lists every captured XML message, msgN-*.xml, sorted.
func captureFiles(t testing.TB) []string {
	t.Helper()
	dir := capturesDir(t)
	files, err := filepath.Glob(filepath.Join(dir, "*", "msg*-*.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("%s holds no msg*-*.xml files", dir)
	}
	sort.Strings(files)
	return files
}

// complete tells whether a captured file holds a whole message; one of
// them was cut off by the client's log.
func complete(data []byte) bool {
	return strings.HasSuffix(strings.TrimSpace(string(data)), "</SyncML>")
}

// decodedCaptures decodes every whole captured message, by file name.
func decodedCaptures(t testing.TB) map[string]*Message {
	t.Helper()
	out := make(map[string]*Message)
	for _, f := range captureFiles(t) {
		data := readFile(t, f)
		if !complete(data) {
			continue
		}
		m, err := Decode(data)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out[f] = m
	}
	return out
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// loadCapture decodes one captured message, by scenario prefix ("01")
// and file name.
func loadCapture(t testing.TB, scenario, name string) *Message {
	t.Helper()
	dirs, _ := filepath.Glob(filepath.Join(capturesDir(t), scenario+"-*"))
	if len(dirs) != 1 {
		t.Fatalf("capture scenario %s: found %d directories", scenario, len(dirs))
	}
	m, err := Decode(readFile(t, filepath.Join(dirs[0], name)))
	if err != nil {
		t.Fatalf("%s/%s: %v", scenario, name, err)
	}
	return m
}

// flat is a Message with every DataXML replaced by its serialisation, so
// that messages compare with reflect.DeepEqual.
type flat struct {
	M   Message
	XML []string
}

func flatten(m *Message) flat {
	var f flat
	f.M = *m
	f.M.Commands = flattenCommands(m.Commands, &f.XML)
	return f
}

func flattenCommands(cmds []*Command, xml *[]string) []*Command {
	var out []*Command
	for _, c := range cmds {
		cc := *c
		cc.Items = nil
		for _, it := range c.Items {
			if it.DataXML != nil {
				*xml = append(*xml, elementString(it.DataXML))
				it.DataXML = nil
			}
			cc.Items = append(cc.Items, it)
		}
		cc.Commands = flattenCommands(c.Commands, xml)
		out = append(out, &cc)
	}
	return out
}

func elementString(e *etree.Element) string {
	doc := etree.NewDocument()
	doc.WriteSettings = writeSettings
	doc.SetRoot(e.Copy())
	s, _ := doc.WriteToString()
	return s
}

// findCommand finds the command with CmdID id, at top level or nested.
func findCommand(cmds []*Command, id string) *Command {
	for _, c := range cmds {
		if c.CmdID == id {
			return c
		}
		if sub := findCommand(c.Commands, id); sub != nil {
			return sub
		}
	}
	return nil
}
