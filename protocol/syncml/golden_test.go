package syncml

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

// fixtures/syncml holds, for every whole message of SyncEvolution's client
// and server in ../shared/conformance/captures, the same message as Encode
// writes it (Decode, then Encode), under the same scenario/msgN-side.xml
// name. TestGoldenMessages pins those bytes; without ../shared the capture
// tests run on them. protocol/wbxml encodes them into fixtures/wbxml.
// Regenerate them after a deliberate change of the writer, with ../shared:
//
//	go test ./protocol/syncml -run TestGoldenMessages -update-fixtures
var updateFixtures = flag.Bool("update-fixtures", false, "rewrite fixtures/syncml from ../shared/conformance/captures")

// projectSyncML returns the repository's fixtures/syncml: beside go.mod
// above the working directory.
func projectSyncML(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "fixtures", "syncml")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the working directory")
		}
		dir = parent
	}
}

// TestGoldenMessages decodes every message of fixtures/syncml and encodes
// it again: the bytes must not change (Encode's output is a fixed point).
func TestGoldenMessages(t *testing.T) {
	root := projectSyncML(t)
	if *updateFixtures {
		writeGoldenMessages(t, root)
	}
	files, _ := filepath.Glob(filepath.Join(root, "*", "msg*-*.xml"))
	if len(files) < 20 {
		t.Fatalf("only %d messages in %s", len(files), root)
	}
	for _, f := range files {
		name := filepath.Base(filepath.Dir(f)) + "/" + filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			want := readFile(t, f)
			m, err := Decode(want)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Encode(m)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("Encode(Decode(fixture)) differs\ngot:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func writeGoldenMessages(t *testing.T, root string) {
	shared, ok := findShared()
	if !ok {
		t.Fatal("-update-fixtures needs ../shared/conformance/captures")
	}
	if err := os.RemoveAll(root); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(shared, "conformance", "captures", "*", "msg*-*.xml"))
	n := 0
	for _, f := range files {
		data := readFile(t, f)
		if !complete(data) {
			continue
		}
		m, err := Decode(data)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out, err := Encode(m)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		dst := filepath.Join(root, filepath.Base(filepath.Dir(f)), filepath.Base(f))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, out, 0o644); err != nil {
			t.Fatal(err)
		}
		n++
	}
	t.Logf("%d messages written to %s", n, root)
}
