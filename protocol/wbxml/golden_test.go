package wbxml_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"anchorage/protocol/syncml"
	"anchorage/protocol/wbxml"
)

// fixtures/wbxml holds, for every message of fixtures/syncml, its WBXML
// form as the server writes it (syncml.EncodeDocument, then Encode with
// the options protocol/engine uses), under the same scenario/msgN-side
// name. TestGoldenWBXML pins those bytes and that they decode to a message
// that encodes to them again; TestOracleWBXMLFixtures compares them with libwbxml when
// ../shared is absent. Regenerate them after a deliberate change of the
// encoder (../shared is not needed):
//
//	go test ./protocol/wbxml -run TestGoldenWBXML -update-fixtures
var updateFixtures = flag.Bool("update-fixtures", false, "rewrite fixtures/wbxml from fixtures/syncml")

// projectFixtures returns the repository's fixtures/: beside go.mod above
// the working directory.
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
		up := filepath.Dir(dir)
		if up == dir {
			t.Fatal("no go.mod above the working directory")
		}
		dir = up
	}
}

// serverEncoding is how the server writes a SyncML message as WBXML.
func serverEncoding(t *testing.T, xml []byte) []byte {
	t.Helper()
	m, err := syncml.Decode(xml)
	if err != nil {
		t.Fatalf("syncml.Decode: %v", err)
	}
	b, err := wbxml.Encode(syncml.EncodeDocument(m), wbxml.EncodeOptions{})
	if err != nil {
		t.Fatalf("wbxml.Encode: %v", err)
	}
	return b
}

func TestGoldenWBXML(t *testing.T) {
	root := projectFixtures(t)
	xmls, _ := filepath.Glob(filepath.Join(root, "syncml", "*", "msg*-*.xml"))
	if len(xmls) < 20 {
		t.Fatalf("only %d messages in %s", len(xmls), filepath.Join(root, "syncml"))
	}
	if *updateFixtures {
		if err := os.RemoveAll(filepath.Join(root, "wbxml")); err != nil {
			t.Fatal(err)
		}
	}
	for _, x := range xmls {
		name := filepath.Base(filepath.Dir(x)) + "/" + strings.TrimSuffix(filepath.Base(x), ".xml")
		dst := filepath.Join(root, "wbxml", filepath.FromSlash(name)+".wbxml")
		t.Run(name, func(t *testing.T) {
			xml, err := os.ReadFile(x)
			if err != nil {
				t.Fatal(err)
			}
			got := serverEncoding(t, xml)
			if *updateFixtures {
				if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(dst, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(dst)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("the server's encoding differs from %s", dst)
			}
			// Decoded and written again, the message encodes to the
			// same bytes: what the server writes, it reads.
			doc, err := wbxml.Decode(want)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			m, err := syncml.DecodeDocument(doc)
			if err != nil {
				t.Fatalf("syncml.DecodeDocument: %v", err)
			}
			back, err := syncml.Encode(m)
			if err != nil {
				t.Fatal(err)
			}
			if again := serverEncoding(t, back); !bytes.Equal(again, want) {
				t.Errorf("decoded and encoded again, the message differs from %s", dst)
			}
		})
	}
}
