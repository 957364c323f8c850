package wbxml_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"anchorage/protocol/syncml"
	"anchorage/protocol/wbxml"
)

// captures returns the SyncML conformance capture folder, found by walking
// up from the working directory, or without ../shared the project's
// fixtures/syncml (the same messages as protocol/syncml writes them).
func captures(t *testing.T) string {
	t.Helper()
	dir, _ := os.Getwd()
	for {
		p := filepath.Join(dir, "shared", "conformance", "captures")
		if _, err := os.Stat(filepath.Join(dir, "shared", "fixtures")); err == nil {
			return p
		}
		up := filepath.Dir(dir)
		if up == dir {
			return filepath.Join(projectFixtures(t), "syncml")
		}
		dir = up
	}
}

// TestSyncMLMessagesThroughWBXML sends every captured SyncML message through
// the path a WBXML session takes: syncml.EncodeDocument, Encode, Decode,
// syncml.DecodeDocument; the message must come out unchanged.
func TestSyncMLMessagesThroughWBXML(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(captures(t), "*", "*.xml"))
	var n int
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		m, err := syncml.Decode(data)
		if err != nil {
			continue // truncated or deliberately broken capture
		}
		want, err := syncml.Encode(m)
		if err != nil {
			t.Fatal(err)
		}
		for _, opts := range []wbxml.EncodeOptions{{KeepTypes: true}, {KeepTypes: true, InlineData: true, StringTable: true}} {
			b, err := wbxml.Encode(syncml.EncodeDocument(m), opts)
			if err != nil {
				t.Fatalf("%s: Encode: %v", f, err)
			}
			doc, err := wbxml.Decode(b)
			if err != nil {
				t.Fatalf("%s: Decode: %v", f, err)
			}
			m2, err := syncml.DecodeDocument(doc)
			if err != nil {
				t.Fatalf("%s: syncml.DecodeDocument: %v", f, err)
			}
			got, err := syncml.Encode(m2)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s (%+v): message changed through WBXML:\n%s\n%s", f, opts, want, got)
			}
		}
		n++
	}
	if n == 0 {
		t.Skip("no SyncML captures found")
	}
	t.Logf("%d captured SyncML messages unchanged through WBXML", n)
}

// TestSyncMLDecodesWBXMLCaptures: the WBXML messages SyncEvolution sent and
// received decode to the same messages as their XML logs.
func TestSyncMLDecodesWBXMLCaptures(t *testing.T) {
	raws, _ := filepath.Glob(filepath.Join(captures(t), "*", "raw*.wbxml"))
	if len(raws) == 0 {
		t.Skip("no WBXML captures (raw*.wbxml): they are in ../shared/conformance/captures, which is absent")
	}
	// The XML logs lost the CRs of vCard data (XML end-of-line handling).
	noCR := strings.NewReplacer("&#xD;", "")
	for _, f := range raws {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := wbxml.Decode(raw)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		m, err := syncml.DecodeDocument(doc)
		if err != nil {
			t.Fatalf("%s: syncml.DecodeDocument: %v", f, err)
		}
		got, _ := syncml.Encode(m)
		num, dir, _ := strings.Cut(strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "raw"), ".wbxml"), "-")
		x := "msg" + num + "-server-to-client.xml"
		if dir == "outgoing" {
			x = "msg" + num + "-client-to-server.xml"
		}
		data, err := os.ReadFile(filepath.Join(filepath.Dir(f), x))
		if err != nil {
			continue
		}
		mx, err := syncml.Decode(data)
		if err != nil {
			t.Fatalf("%s: %v", x, err)
		}
		want, _ := syncml.Encode(mx)
		if noCR.Replace(string(got)) != noCR.Replace(string(want)) {
			t.Errorf("%s decodes to another message than %s:\n%s\n%s", filepath.Base(f), x, want, got)
		}
	}
}
