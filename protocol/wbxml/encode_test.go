package wbxml

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/beevik/etree"
)

func TestEncode(t *testing.T) {
	const putDevInf = `<Put><CmdID>1</CmdID><Meta><Type xmlns='syncml:metinf'>application/vnd.syncml-devinf+xml</Type></Meta>` +
		`<Item><Data>%s</Data></Item></Put>`
	nestedDevInf := "C3 0E " + devinf + "4A 65 03 '1.2' 00 01 01"
	for _, tc := range []struct {
		name string
		xml  string
		opts EncodeOptions
		want string
	}{
		{"minimal SyncML 1.2",
			`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD></SyncHdr><SyncBody><Final/></SyncBody></SyncML>`,
			EncodeOptions{}, hdr12 + minBody},
		{"WBXML 1.3 version byte", `<SyncML xmlns="SYNCML:SYNCML1.2"/>`, EncodeOptions{Version: 3}, "03 A4 01 6A 00 2D"},
		{"namespace picks SyncML 1.1 (any case)", `<SyncML xmlns='syncml:SYNCML1.1'/>`, EncodeOptions{}, hdr11 + "2D"},
		{"SyncML 1.0", `<SyncML xmlns='SYNCML:SYNCML1.0'/>`, EncodeOptions{}, "02 9F 51 6A 00 2D"},
		{"no namespace: VerDTD decides", `<SyncML><SyncHdr><VerDTD>1.1</VerDTD></SyncHdr></SyncML>`, EncodeOptions{},
			hdr11 + "6D 6C 71 03 '1.1' 00 01 01 01"},
		{"no namespace: DOCTYPE decides",
			`<!DOCTYPE SyncML PUBLIC "-//SYNCML//DTD SyncML 1.0//EN" "http://www.syncml.org/docs/syncml_represent_v10_20001207.dtd"><SyncML/>`,
			EncodeOptions{}, "02 9F 51 6A 00 2D"},
		{"no namespace, no version: SyncML 1.2", `<SyncML/>`, EncodeOptions{}, hdr12 + "2D"},
		{"public id as string", `<SyncML xmlns="SYNCML:SYNCML1.2"/>`, EncodeOptions{PublicIDAsString: true},
			"02 00 00 6A 1E '-//SYNCML//DTD SyncML 1.2//EN' 00 2D"},
		{"MetInf page and back",
			`<SyncML xmlns='SYNCML:SYNCML1.2'><SyncHdr><Meta><MaxMsgSize xmlns='syncml:metinf'>5000</MaxMsgSize></Meta><VerDTD>1.2</VerDTD></SyncHdr></SyncML>`,
			EncodeOptions{}, hdr12 + "6D 6C 5A 00 01 4C 03 '5000' 00 01 01 00 00 71 03 '1.2' 00 01 01 01"},
		{"MetInf element without namespace found by name",
			`<SyncML xmlns='SYNCML:SYNCML1.2'><Meta><Type>text/x-vcard</Type></Meta></SyncML>`,
			EncodeOptions{}, hdr12 + "6D 5A 00 01 53 03 'text/x-vcard' 00 01 01 01"},
		{"DevInf in Data: nested WBXML in OPAQUE, Type relabelled",
			`<SyncML xmlns='SYNCML:SYNCML1.2'>` + strings.Replace(putDevInf, "%s", `<DevInf xmlns='syncml:devinf'><VerDTD>1.2</VerDTD></DevInf>`, 1) + `</SyncML>`,
			EncodeOptions{}, hdr12 + "6D 5F 4B 03 '1' 00 01 5A 00 01 53 03 'application/vnd.syncml-devinf+wbxml' 00 01 01 00 00 54 4F " + nestedDevInf + " 01 01 01 01"},
		{"KeepTypes",
			`<SyncML xmlns='SYNCML:SYNCML1.2'>` + strings.Replace(putDevInf, "%s", `<DevInf xmlns='syncml:devinf'><VerDTD>1.2</VerDTD></DevInf>`, 1) + `</SyncML>`,
			EncodeOptions{KeepTypes: true}, hdr12 + "6D 5F 4B 03 '1' 00 01 5A 00 01 53 03 'application/vnd.syncml-devinf+xml' 00 01 01 00 00 54 4F " + nestedDevInf + " 01 01 01 01"},
		{"DevInf without namespace, indented",
			"<SyncML xmlns='SYNCML:SYNCML1.2'><Item><Data>\n  <DevInf>\n    <VerDTD>1.2</VerDTD>\n  </DevInf>\n</Data></Item></SyncML>",
			EncodeOptions{}, hdr12 + "6D 54 4F " + nestedDevInf + " 01 01 01"},
		{"DevInf version follows its VerDTD",
			`<SyncML xmlns='SYNCML:SYNCML1.2'><Item><Data><DevInf xmlns='syncml:devinf'><VerDTD>1.1</VerDTD></DevInf></Data></Item></SyncML>`,
			EncodeOptions{}, hdr12 + "6D 54 4F C3 0E 02 9F 54 6A 00 4A 65 03 '1.1' 00 01 01 01 01 01"},
		{"DevInf version follows the SyncML version",
			`<SyncML xmlns='SYNCML:SYNCML1.1'><Item><Data><DevInf xmlns='syncml:devinf'><Man>x</Man></DevInf></Data></Item></SyncML>`,
			EncodeOptions{}, hdr11 + "6D 54 4F C3 0C 02 9F 54 6A 00 4A 51 03 'x' 00 01 01 01 01 01"},
		{"Anchor in Data stays inline on the MetInf page",
			`<SyncML xmlns='SYNCML:SYNCML1.2'><Item><Data><Anchor xmlns='syncml:metinf'><Next>2</Next></Anchor></Data></Item></SyncML>`,
			EncodeOptions{}, hdr12 + "6D 54 4F 00 01 45 4F 03 '2' 00 01 01 01 01 01"},
		{"item data is OPAQUE, other text inline",
			`<SyncML xmlns='SYNCML:SYNCML1.2'><Cred><Data>abc</Data></Cred><Item><Data>BEGIN:VCARD&#xD;&#xA;END:VCARD</Data></Item></SyncML>`,
			EncodeOptions{}, hdr12 + "6D 4E 4F 03 'abc' 00 01 01 54 4F C3 16 'BEGIN:VCARD' 0D 0A 'END:VCARD' 01 01 01"},
		{"InlineData",
			`<SyncML xmlns='SYNCML:SYNCML1.2'><Item><Data>abc</Data></Item></SyncML>`,
			EncodeOptions{InlineData: true}, hdr12 + "6D 54 4F 03 'abc' 00 01 01 01"},
		{"unknown element: LITERAL via the string table",
			`<SyncML xmlns='SYNCML:SYNCML1.2'><Foo>x</Foo><Foo/></SyncML>`,
			EncodeOptions{}, "02 A4 01 6A 04 'Foo' 00 6D 44 00 03 'x' 00 01 04 00 01"},
		{"string table for repeated text",
			`<SyncML xmlns='SYNCML:SYNCML1.2'><LocURI>./contacts</LocURI><LocURI>./contacts</LocURI><LocURI>abc</LocURI><LocURI>abc</LocURI></SyncML>`,
			EncodeOptions{StringTable: true}, "02 A4 01 6A 0B './contacts' 00 6D 57 83 00 01 57 83 00 01 57 03 'abc' 00 01 57 03 'abc' 00 01 01"},
		{"whitespace between elements dropped, text kept",
			"<SyncML xmlns='SYNCML:SYNCML1.2'>\n  <LocURI> a b </LocURI>\n  <Final/>\n</SyncML>",
			EncodeOptions{}, hdr12 + "6D 57 03 ' a b ' 00 01 12 01"},
		{"KeepWhitespace", "<SyncML xmlns='SYNCML:SYNCML1.2'> <Final/></SyncML>",
			EncodeOptions{KeepWhitespace: true}, hdr12 + "6D 03 ' ' 00 12 01"},
		{"comments and processing instructions dropped",
			`<SyncML xmlns='SYNCML:SYNCML1.2'><!-- c --><?pi x?><LocURI>a<!-- c -->b</LocURI></SyncML>`,
			EncodeOptions{}, hdr12 + "6D 57 03 'ab' 00 01 01"},
		{"prefixed namespaces",
			`<s:SyncML xmlns:s='SYNCML:SYNCML1.2' xmlns:m='syncml:metinf'><s:Meta><m:Type>t</m:Type></s:Meta></s:SyncML>`,
			EncodeOptions{}, hdr12 + "6D 5A 00 01 53 03 't' 00 01 01 01"},
		{"DevInf document", `<DevInf xmlns='syncml:devinf'><VerDTD>1.1</VerDTD><UTC/></DevInf>`,
			EncodeOptions{}, "02 9F 54 6A 00 4A 65 03 '1.1' 00 01 28 01"},
		{"DM DDF document: FPI and page 2", `<MgmtTree xmlns='syncml:dmddf1.2'><VerDTD>1.2</VerDTD></MgmtTree>`,
			EncodeOptions{}, "02 00 00 6A 1B '-//OMA//DTD-DM-DDF 1.2//EN' 00 00 02 60 77 03 '1.2' 00 01 01"},
		{"unknown language: public id 1, LITERAL names and attributes",
			`<Foo a="1"><Bar/></Foo>`, EncodeOptions{},
			"02 01 6A 0A 'Foo' 00 'a' 00 'Bar' 00 C4 00 04 04 03 '1' 00 01 04 06 01"},
		{"generic names written as their tokens",
			`<SyncML xmlns='SYNCML:SYNCML1.2'><wbxml-p7-t05/><wbxml-p0-t3F wbxml-p0-a45="x"/></SyncML>`,
			EncodeOptions{}, hdr12 + "6D 00 07 05 00 00 BF 45 03 'x' 00 01 01"},
		{"generic name of a defined token stays a LITERAL",
			`<SyncML xmlns='SYNCML:SYNCML1.2'><wbxml-p0-t0F/></SyncML>`,
			EncodeOptions{}, "02 A4 01 6A 0D 'wbxml-p0-t0F' 00 6D 04 00 01"},
		{"OpaqueText for any parent", `<XYZ><CARD>x</CARD></XYZ>`,
			EncodeOptions{Language: &Language{Name: "t", Root: "XYZ", Pages: exampleLanguage.Pages, OpaqueText: map[string]string{"CARD": "*"}}},
			"02 01 6A 00 47 45 C3 01 'x' 01 01"},
		{"forced language", `<XYZ><CARD NAME="abc">x</CARD></XYZ>`, EncodeOptions{Language: exampleLanguage},
			"02 01 6A 00 47 C5 09 03 'abc' 00 01 03 'x' 00 01 01"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := mustParseXML(t, tc.xml)
			got, err := Encode(doc, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if want := hx(tc.want); !bytes.Equal(got, want) {
				t.Errorf("got  % X\nwant % X", got, want)
			}
			back, err := DecodeWith(got, DecodeOptions{Language: tc.opts.Language})
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if d := canonDiff(canon(doc.Root()), canon(back.Root())); d != "" {
				t.Errorf("Decode(Encode) differs at %s", d)
			}
		})
	}
}

func TestEncodeErrors(t *testing.T) {
	deep := etree.NewDocument()
	e := deep.CreateElement("SyncML")
	for i := 0; i < 64; i++ {
		e = e.CreateElement("Item")
	}
	bad := etree.NewDocument()
	bad.CreateElement("SyncML").CreateElement("a b")
	badAttr := etree.NewDocument()
	badAttr.CreateElement("SyncML").CreateAttr("a b", "x")
	nulAttr := etree.NewDocument()
	nulAttr.CreateElement("SyncML").CreateAttr("a", "x\x00")
	deepNested := etree.NewDocument()
	e = deepNested.CreateElement("SyncML")
	for i := 0; i < 62; i++ {
		e = e.CreateElement("Item")
	}
	e.CreateElement("Data").CreateElement("DevInf").CreateElement("Man")
	for _, tc := range []struct {
		name string
		doc  *etree.Document
		opts EncodeOptions
		want string
	}{
		{"nil document", nil, EncodeOptions{}, "no root element"},
		{"no root", etree.NewDocument(), EncodeOptions{}, "no root element"},
		{"bad version", mustParseXML(t, "<SyncML/>"), EncodeOptions{Version: 4}, "unsupported WBXML version byte 0x04"},
		{"too deep", deep, EncodeOptions{}, "nested deeper than 64"},
		{"too deep in a nested document", deepNested, EncodeOptions{}, "nested deeper than 64"},
		{"invalid element name", bad, EncodeOptions{}, `invalid element name "a b"`},
		{"invalid attribute name", badAttr, EncodeOptions{}, `invalid attribute name "a b"`},
		{"NUL in attribute before WBXML 1.3", nulAttr, EncodeOptions{}, "attribute a contains NUL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Encode(tc.doc, tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "wbxml: ") {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
	// WBXML 1.3 writes such a value as OPAQUE.
	enc, err := Encode(nulAttr, EncodeOptions{Version: 3})
	if err != nil {
		t.Fatal(err)
	}
	back, err := Decode(enc)
	if err != nil || back.Root().SelectAttrValue("a", "") != "x\x00" {
		t.Errorf("OPAQUE attribute value: %v %v", back, err)
	}
}

func TestEncodeOpaqueText(t *testing.T) {
	doc := etree.NewDocument()
	root := doc.CreateElement("SyncML")
	root.CreateAttr("xmlns", "SYNCML:SYNCML1.2")
	root.CreateElement("Data").SetText("a\x00b")     // NUL: not an inline string
	root.CreateElement("LocURI").SetText("\xff\xfe") // not UTF-8: kept as bytes
	got, err := Encode(doc, EncodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if want := hx(hdr12 + "6D 4F C3 03 'a' 00 'b' 01 57 C3 02 FF FE 01 01"); !bytes.Equal(got, want) {
		t.Errorf("got  % X\nwant % X", got, want)
	}
	back, err := Decode(got)
	if err != nil {
		t.Fatal(err)
	}
	if d := back.FindElement("//Data").Text(); d != "a\x00b" {
		t.Errorf("Data %q", d)
	}
	if d := back.FindElement("//LocURI").Text(); d != "\xff\xfe" {
		t.Errorf("LocURI %q", d)
	}
}

// TestEncodeReproducesCaptures: the SyncEvolution (Synthesis engine) WBXML
// messages of the conformance captures decode and encode back to the same
// bytes, and encoding the XML log of the same messages gives those bytes
// too, except where the XML log lost the CRs of vCard data (an XML parser
// turns CRLF into LF).
func TestEncodeReproducesCaptures(t *testing.T) {
	shared := needShared(t)
	raws, _ := filepath.Glob(filepath.Join(shared, "conformance/captures/*/raw*.wbxml"))
	if len(raws) == 0 {
		t.Skip("no WBXML captures found")
	}
	var fromXML int
	for _, f := range raws {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := Decode(raw)
		if err != nil {
			t.Fatalf("%s: %v", rel(shared, f), err)
		}
		enc, err := Encode(doc, EncodeOptions{Version: raw[0]})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(enc, raw) {
			t.Errorf("%s: Encode(Decode(raw)) differs from raw", rel(shared, f))
		}
		// rawN-incoming.wbxml is msgN-server-to-client.xml, outgoing is client-to-server.
		base := filepath.Base(f)
		n := strings.TrimSuffix(strings.TrimPrefix(base, "raw"), filepath.Ext(base))
		num, dir, _ := strings.Cut(n, "-")
		x := "msg" + num + "-server-to-client.xml"
		if dir == "outgoing" {
			x = "msg" + num + "-client-to-server.xml"
		}
		xdoc := etree.NewDocument()
		if err := xdoc.ReadFromFile(filepath.Join(filepath.Dir(f), x)); err != nil {
			continue
		}
		if d := canonDiff(canon(xdoc.Root()), canon(doc.Root())); d != "" {
			t.Errorf("%s: decoded tree differs from %s at %s", rel(shared, f), x, d)
		}
		enc, err = Encode(xdoc, EncodeOptions{Version: raw[0]})
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case bytes.Equal(enc, raw):
			fromXML++
		case bytes.IndexByte(raw, '\r') < 0:
			t.Errorf("%s: Encode(%s) differs from the raw capture", rel(shared, f), x)
		}
	}
	t.Logf("%d WBXML captures reproduced byte for byte from their decoded tree, %d from their XML log", len(raws), fromXML)
}
