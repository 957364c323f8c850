package wbxml

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/beevik/etree"
)

// hx builds bytes from hex pairs and 'quoted text', whitespace ignored.
func hx(s string) []byte {
	var out []byte
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c == ' ' || c == '\n' || c == '\t':
			i++
		case c == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			out = append(out, s[i+1:i+1+j]...)
			i += j + 2
		default:
			b, err := hex.DecodeString(s[i : i+2])
			if err != nil {
				panic("hx: " + s[i:])
			}
			out = append(out, b...)
			i += 2
		}
	}
	return out
}

// rootXML serializes the root element of doc.
func rootXML(t testing.TB, doc *etree.Document) string {
	t.Helper()
	s, err := etree.NewDocumentWithRoot(doc.Root().Copy()).WriteToString()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Header bytes: WBXML 1.2, public id, charset UTF-8, empty string table.
const (
	hdr12   = "02 A4 01 6A 00" // SyncML 1.2 (0x1201)
	hdr11   = "02 9F 53 6A 00" // SyncML 1.1 (0x0FD3)
	devinf  = "02 A4 03 6A 00" // DevInf 1.2 (0x1203)
	ns12    = `xmlns="SYNCML:SYNCML1.2"`
	minBody = "6D 6C 71 03 '1.2' 00 01 01 6B 12 01 01"
)

func TestDecode(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string // want "data:..." checks the text of //Data, for text XML cannot show
	}{
		{"minimal SyncML 1.2", hdr12 + minBody,
			`<SyncML ` + ns12 + `><SyncHdr><VerDTD>1.2</VerDTD></SyncHdr><SyncBody><Final/></SyncBody></SyncML>`},
		{"SyncML 1.1 namespace", hdr11 + "6D 12 01",
			`<SyncML xmlns="SYNCML:SYNCML1.1"><Final/></SyncML>`},
		{"empty element as content flag + END", hdr12 + "6D 6B 52 01 01 01",
			`<SyncML ` + ns12 + `><SyncBody><Final/></SyncBody></SyncML>`},
		{"empty root without content flag", hdr12 + "2D", `<SyncML ` + ns12 + `/>`},
		{"MetInf page gets its namespace", hdr12 + "6D 5A 00 01 53 03 'x' 00 01 4C 03 '9' 00 01 01 00 00 12 01",
			`<SyncML ` + ns12 + `><Meta><Type xmlns="syncml:metinf">x</Type><MaxMsgSize xmlns="syncml:metinf">9</MaxMsgSize></Meta><Final/></SyncML>`},
		{"nested MetInf elements inherit the namespace", hdr12 + "6D 00 01 45 4A 03 '1' 00 01 01 00 00 01",
			`<SyncML ` + ns12 + `><Anchor xmlns="syncml:metinf"><Last>1</Last></Anchor></SyncML>`},
		{"SWITCH_PAGE inside text", hdr12 + "6D 4F 03 'a' 00 00 01 03 'b' 00 00 00 01 01",
			`<SyncML ` + ns12 + `><Data>ab</Data></SyncML>`},
		{"SWITCH_PAGE before the root and repeated", hdr12 + "00 01 00 00 00 00 6D 01",
			`<SyncML ` + ns12 + `/>`},
		{"SWITCH_PAGE between empty tags", hdr12 + "6D 12 00 01 00 00 12 00 00 01",
			`<SyncML ` + ns12 + `><Final/><Final/></SyncML>`},
		{"unknown page and token get generic names", hdr12 + "6D 00 07 45 01 00 00 3F 01",
			`<SyncML ` + ns12 + `><wbxml-p7-t05/><wbxml-p0-t3F/></SyncML>`},
		{"string table references, also into a string", "02 A4 01 6A 08 'abc' 00 'def' 00 6D 4F 83 04 83 00 83 01 01 01",
			`<SyncML ` + ns12 + `><Data>defabcbc</Data></SyncML>`},
		{"last table string without NUL (Ericsson)", "02 A4 01 6A 03 'abc' 6D 4F 83 01 01 01",
			`<SyncML ` + ns12 + `><Data>bc</Data></SyncML>`},
		{"public id as string table reference", "02 00 00 6A 1E '-//SYNCML//DTD SyncML 1.1//EN' 00 2D",
			`<SyncML xmlns="SYNCML:SYNCML1.1"/>`},
		{"LITERAL tags", "02 A4 01 6A 08 'Foo' 00 'Bar' 00 6D 44 00 03 'x' 00 04 04 01 01",
			`<SyncML ` + ns12 + `><Foo>x<Bar/></Foo></SyncML>`},
		{"entity", hdr12 + "6D 4F 03 'a' 00 02 81 71 02 00 02 C1 2C 01 01", "data:añ\x00€"},
		{"ISO-8859-1 charset", "02 A4 01 04 02 E9 00 6D 4F 03 'caf' E9 00 83 00 01 01",
			`<SyncML ` + ns12 + `><Data>caféé</Data></SyncML>`},
		{"US-ASCII and unknown charsets read as UTF-8", "02 A4 01 03 00 6D 01", `<SyncML ` + ns12 + `/>`},
		{"attributes: LITERAL, strings, SWITCH_PAGE in the list", "02 A4 01 6A 05 'id' 00 'b' 00 6D CF 00 03 04 00 03 'v' 00 83 03 04 03 01 03 't' 00 01 01",
			`<SyncML ` + ns12 + `><Data id="vb" b="">t</Data></SyncML>`},
		{"attribute start without table", hdr12 + "AD 45 03 'x' 00 01",
			`<SyncML ` + ns12 + ` wbxml-p0-a45="x"/>`},
		{"processing instructions are dropped", "02 A4 01 6A 02 'p' 00 43 04 00 03 'x' 00 01 6D 43 04 00 01 12 01 43 04 00 01",
			`<SyncML ` + ns12 + `><Final/></SyncML>`},
		{"opaque text is kept byte for byte", hdr12 + "6D 4F C3 04 'a' 00 FF 'b' 01 01", "data:a\x00\xffb"},
		{"nested DevInf in OPAQUE", hdr12 + "6D 4F C3 0E " + devinf + "4A 65 03 '1.2' 00 01 01 01 01",
			`<SyncML ` + ns12 + `><Data><DevInf xmlns="syncml:devinf"><VerDTD>1.2</VerDTD></DevInf></Data></SyncML>`},
		{"nested DevInf 1.1 with string table and text around", hdr12 + "6D 4F 03 'a' 00 C3 0D 03 9F 54 6A 02 'x' 00 4A 51 83 00 01 01 03 'b' 00 01 01",
			`<SyncML ` + ns12 + `><Data>a<DevInf xmlns="syncml:devinf"><Man>x</Man></DevInf>b</Data></SyncML>`},
		{"nested document with unknown public id stays text", hdr12 + "6D 4F C3 05 03 01 6A 00 45 01 01", "data:\x03\x01j\x00E"},
		{"nested document with trailing bytes stays text", hdr12 + "6D 4F C3 07 02 A4 03 6A 00 0A 00 01 01", "data:\x02\xa4\x03j\x00\n\x00"},
		{"broken nested document stays text", hdr12 + "6D 4F C3 06 02 A4 03 6A 00 4A 01 01", "data:\x02\xa4\x03j\x00J"},
		{"WBXML 1.0 header has no charset", "00 A4 01 00 6D 12 01", `<SyncML ` + ns12 + `><Final/></SyncML>`},
		{"trailing bytes are ignored", hdr12 + "2D FF FF 01", `<SyncML ` + ns12 + `/>`},
		{"DM DDF: page 2 via SWITCH_PAGE before the root", "02 00 00 6A 1B '-//OMA//DTD-DM-DDF 1.2//EN' 00 00 02 60 77 03 '1.2' 00 01 01",
			`<MgmtTree xmlns="syncml:dmddf1.2"><VerDTD>1.2</VerDTD></MgmtTree>`},
		{"unknown public id: generic names", "03 01 6A 00 45 46 03 'x' 00 01 01", `<wbxml-p0-t05><wbxml-p0-t06>x</wbxml-p0-t06></wbxml-p0-t05>`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := Decode(hx(tc.in))
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if data, ok := strings.CutPrefix(tc.want, "data:"); ok {
				if got := doc.FindElement("//Data").Text(); got != data {
					t.Errorf("Data text %q, want %q", got, data)
				}
				return
			}
			if got := rootXML(t, doc); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	deep := hdr12 + strings.Repeat("54 ", 65) + strings.Repeat("01 ", 65)
	var manyAttrs string // 65 distinct ATTRSTART tokens
	for tok := 0x05; tok <= 0x4A; tok++ {
		if tok < 0x40 || tok > 0x44 {
			manyAttrs += fmt.Sprintf("%02X ", tok)
		}
	}
	for _, tc := range []struct {
		name, in, want string
	}{
		{"empty", "", "unexpected end of data"},
		{"version only", "02", "end of data in multi-byte integer"},
		{"no charset", "02 A4 01", "end of data in multi-byte integer"},
		{"no string table length", "02 A4 01 6A", "end of data in multi-byte integer"},
		{"no body", hdr12, "unexpected end of data"},
		{"unsupported version", "04 A4 01 6A 00 2D", "unsupported WBXML version byte 0x04"},
		{"unsupported charset UTF-16", "02 A4 01 87 77 00 2D", "unsupported charset (MIBenum 1015)"},
		{"multi-byte integer too long", "02 8F FF FF FF FF 7F", "exceeds 32 bits"},
		{"multi-byte integer above 32 bits", "02 90 80 80 80 00", "exceeds 32 bits"},
		{"string table longer than the data", "02 A4 01 6A 10 'abc'", "string table length 16 exceeds the data"},
		{"public id index out of range", "02 00 05 6A 02 'a' 00 2D", "string table index 5 out of range"},
		{"public id index with empty table", "02 00 00 6A 00 2D", "string table index 0 out of range"},
		{"STR_T index out of range", "02 A4 01 6A 02 'a' 00 6D 4F 83 02 01 01", "string table index 2 out of range"},
		{"STR_T huge index", "02 A4 01 6A 02 'a' 00 6D 4F 83 8F FF FF FF 7F 01 01", "string table index 4294967295 out of range"},
		{"LITERAL index out of range", hdr12 + "6D 44 03 01 01", "string table index 3 out of range"},
		{"LITERAL name invalid", "02 A4 01 6A 04 'a b' 00 6D 04 00 01", "invalid literal tag name"},
		{"LITERAL name starting with a digit", "02 A4 01 6A 03 '1a' 00 6D 04 00 01", "invalid literal tag name"},
		{"LITERAL attribute name invalid", "02 A4 01 6A 03 'a=' 00 AD 04 00 01", "invalid literal attribute name"},
		{"unterminated inline string", hdr12 + "6D 4F 03 'abc'", "unterminated inline string"},
		{"missing END", hdr12 + "6D 4F 03 'a' 00 01", "unexpected end of data"},
		{"missing END of attribute list", hdr12 + "AD 04", "unexpected end of data"},
		{"SWITCH_PAGE at the end", hdr12 + "6D 00", "unexpected end of data"},
		{"opaque longer than the data", hdr12 + "6D 4F C3 10 'ab'", "opaque length 16 exceeds the data"},
		{"EXT_I_0 in content", hdr12 + "6D 40 'x' 00 01", "extension token 0x40 is not supported"},
		{"EXT_T_1 in content", hdr12 + "6D 81 00 01", "extension token 0x81 is not supported"},
		{"EXT_2 in attributes", hdr12 + "AD 05 C2 01", "extension token 0xC2 is not supported"},
		{"attribute value before a name", hdr12 + "AD 03 'x' 00 01", "attribute value without attribute name"},
		{"unknown attribute value token", hdr12 + "AD 05 85 01", "unknown attribute value token 0x85"},
		{"LITERAL_C in attribute list", hdr12 + "AD 44 00 01", "unexpected token 0x44 in attribute list"},
		{"string where the root tag belongs", hdr12 + "03 'x' 00", "unexpected global token 0x03"},
		{"END where the root tag belongs", hdr12 + "01", "unexpected global token 0x01"},
		{"entity beyond Unicode", hdr12 + "6D 02 C4 80 00 01", "entity U+110000 is not a Unicode character"},
		{"entity surrogate", hdr12 + "6D 02 83 B0 00 01", "entity U+D800 is not a Unicode character"},
		{"nesting deeper than 64", deep, "nested deeper than 64"},
		{"more than 64 attributes", hdr12 + "AD " + manyAttrs + "01", "more than 64 attributes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode(hx(tc.in))
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "wbxml: ") {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestDecodeDepthLimitCountsNestedDocuments(t *testing.T) {
	// 62 levels of Item, a Data, and a nested DevInf with one child: 65.
	nested := devinf + "4A 51 03 'x' 00 01 01"
	in := hdr12 + strings.Repeat("54 ", 62) + "4F C3 0C " + nested + "01" + strings.Repeat(" 01", 62)
	doc, err := Decode(hx(in))
	if err != nil {
		t.Fatal(err)
	}
	// Over the limit the nested document is not decoded and stays text.
	if doc.FindElement("//DevInf") != nil {
		t.Error("nested document beyond depth 64 was decoded")
	}
	shallow := hdr12 + "54 4F C3 0C " + nested + "01 01"
	doc, err = Decode(hx(shallow))
	if err != nil || doc.FindElement("//DevInf/Man") == nil {
		t.Errorf("nested DevInf not decoded: %v", err)
	}
}

func TestDecodeSizeLimit(t *testing.T) {
	// A 100-byte table string referenced 100 times: 10,000 bytes of text.
	in := "02 A4 01 6A 65 '" + strings.Repeat("x", 100) + "' 00 6D 4F " + strings.Repeat("83 00 ", 100) + "01 01"
	if _, err := DecodeWith(hx(in), DecodeOptions{MaxSize: 5000}); err == nil || !strings.Contains(err.Error(), "size limit") {
		t.Errorf("error %v, want size limit", err)
	}
	if _, err := DecodeWith(hx(in), DecodeOptions{MaxSize: 20000}); err != nil {
		t.Error(err)
	}
}

func TestDecodeTruncationsNeverPanic(t *testing.T) {
	in := hx(hdr12 + "6D 6C 71 03 '1.2' 00 01 01 6B 5F 4B 03 '1' 00 01 54 4F C3 0E " + devinf +
		"4A 65 03 '1.2' 00 01 01 01 01 01 12 01 01")
	if _, err := Decode(in); err != nil {
		t.Fatal(err)
	}
	for i := range in {
		if _, err := Decode(in[:i]); err == nil {
			t.Errorf("Decode of the first %d bytes succeeded", i)
		}
	}
}

// exampleLanguage is the tag and attribute tables of the WAP-192-WBXML
// §8 examples (also in wbxml-stream's wbxml.example2.properties).
var exampleLanguage = &Language{
	Name: "WBXML spec examples", Root: "XYZ",
	Pages: []*CodePage{{
		Page: 0,
		Tags: map[byte]string{0x05: "CARD", 0x06: "INPUT", 0x07: "XYZ", 0x08: "DO"},
		AttrStarts: map[byte]AttrStart{
			0x05: {"STYLE", "LIST"}, 0x06: {"TYPE", ""}, 0x07: {"TYPE", "TEXT"},
			0x08: {"URL", "http://"}, 0x09: {"NAME", ""}, 0x0A: {"KEY", ""},
		},
		AttrValues: map[byte]string{0x85: ".org", 0x86: "ACCEPT"},
	}},
}

var example1Language = &Language{
	Name: "WBXML spec example 1", Root: "XYZ",
	Pages: []*CodePage{{Page: 0, Tags: map[byte]string{0x05: "BR", 0x06: "CARD", 0x07: "XYZ"}}},
}

// TestDecodeSpecExamples decodes the two examples of WAP-192-WBXML §8 in
// their WBXML 1.0 and 1.1 forms (public id 0x01 "unknown", tables given).
func TestDecodeSpecExamples(t *testing.T) {
	ex1 := `<XYZ><CARD> X &amp; Y<BR/> X&#xF1;=&#xF1;1 </CARD></XYZ>`
	ex2 := `<XYZ><CARD NAME="abc" STYLE="LIST"><DO TYPE="ACCEPT" URL="http://xyz.org/s"/> Enter name: <INPUT TYPE="TEXT" KEY="N"/></CARD></XYZ>`
	for _, tc := range []struct {
		name string
		lang *Language
		in   string
		want string
	}{
		{"example 1, WBXML 1.0", example1Language, "00 01 00 47 46 03 ' X & Y' 00 05 03 ' X' 00 02 81 71 03 '=' 00 02 81 71 03 '1 ' 00 01 01", ex1},
		{"example 1, WBXML 1.1 US-ASCII", example1Language, "01 01 03 00 47 46 03 ' X & Y' 00 05 03 ' X' 00 02 81 71 03 '=' 00 02 81 71 03 '1 ' 00 01 01", ex1},
		{"example 2, WBXML 1.0", exampleLanguage, "00 01 12 'abc' 00 ' Enter name: ' 00 47 C5 09 83 00 05 01 88 06 86 08 03 'xyz' 00 85 03 '/s' 00 01 83 04 86 07 0A 03 'N' 00 01 01 01", ex2},
		{"example 2, WBXML 1.1", exampleLanguage, "01 01 6A 12 'abc' 00 ' Enter name: ' 00 47 C5 09 83 00 05 01 88 06 86 08 03 'xyz' 00 85 03 '/s' 00 01 83 04 86 07 0A 03 'N' 00 01 01 01", ex2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := DecodeWith(hx(tc.in), DecodeOptions{Language: tc.lang})
			if err != nil {
				t.Fatal(err)
			}
			want := mustParseXML(t, tc.want)
			if got := rootXML(t, doc); got != rootXML(t, want) {
				t.Errorf("got  %s\nwant %s", got, rootXML(t, want))
			}
			// Encode with the same tables and decode again.
			enc, err := Encode(doc, EncodeOptions{Language: tc.lang})
			if err != nil {
				t.Fatal(err)
			}
			back, err := DecodeWith(enc, DecodeOptions{Language: tc.lang})
			if err != nil {
				t.Fatal(err)
			}
			if got := rootXML(t, back); got != rootXML(t, want) {
				t.Errorf("after Encode: got %s", got)
			}
		})
	}
	// The fixture copies of the examples decode the same way.
	shared := sharedDir()
	if shared == "" {
		return
	}
	for _, f := range findFiles(shared+"/fixtures/wbxml-stream/src/test/examples/spec-examples", "*.wbxml") {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		lang := exampleLanguage
		if strings.Contains(f, "example1") {
			lang = example1Language
		}
		doc, err := DecodeWith(data, DecodeOptions{Language: lang})
		if err != nil {
			t.Errorf("%s: %v", rel(shared, f), err)
			continue
		}
		xmlDoc := etree.NewDocument()
		if err := xmlDoc.ReadFromFile(strings.TrimSuffix(f, ".wbxml") + ".xml"); err != nil {
			t.Fatal(err)
		}
		if d := canonDiff(canon(xmlDoc.Root()), canon(doc.Root())); d != "" {
			t.Errorf("%s differs from its .xml at %s", rel(shared, f), d)
		}
	}
}

// TestDecodeUnknownLanguageFixtures decodes the WBXML fixtures whose public
// id is 0x01 "unknown" (the ActiveSync captures) without tables and compares
// structure and text, not names, with `wbxml2xml -l ACTIVESYNC`. libwbxml
// shows some OPAQUE values in base64; such text is compared decoded.
func TestDecodeUnknownLanguageFixtures(t *testing.T) {
	shared := needShared(t)
	needOracle(t)
	name := regexp.MustCompile(`^(\s*)[^=]*=`)
	strip := func(lines []string) {
		for i := range lines {
			lines[i] = name.ReplaceAllString(lines[i], "$1=")
		}
	}
	var total, same int
	for _, f := range findFiles(shared, "*.wbxml") {
		if strings.Contains(f, "spec-examples") {
			continue // tables given in TestDecodeSpecExamples
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if len(data) < 4 || data[0] < version11 || data[0] > version13 || data[1] != 0x01 {
			continue
		}
		total++
		doc, err := Decode(data)
		if err != nil {
			t.Errorf("%s: %v", rel(shared, f), err)
			continue
		}
		enc, err := Encode(doc, EncodeOptions{})
		if err != nil {
			t.Errorf("%s: Encode: %v", rel(shared, f), err)
			continue
		}
		if back, err := Decode(enc); err != nil {
			t.Errorf("%s: Decode(Encode): %v", rel(shared, f), err)
		} else if d := canonDiff(canon(doc.Root()), canon(back.Root())); d != "" {
			t.Errorf("%s: Decode(Encode) differs at %s", rel(shared, f), d)
		}
		od, err := oracleDecode(t, data, "ACTIVESYNC")
		if err != nil {
			t.Errorf("%s: wbxml2xml: %v", rel(shared, f), err)
			continue
		}
		got, want := canon(doc.Root()), canon(od.Root())
		strip(got)
		strip(want)
		for i := range want {
			if i < len(got) && got[i] != want[i] {
				indent, b64, _ := strings.Cut(want[i], "=")
				if raw, err := base64.StdEncoding.DecodeString(b64); err == nil {
					var txt strings.Builder
					walkText(doc.Root(), i, &txt)
					if bytes.Equal(raw, []byte(txt.String())) {
						got[i] = indent + "=" + b64
					}
				}
			}
		}
		if d := canonDiff(want, got); d != "" {
			t.Errorf("%s: structure or text differs from wbxml2xml at %s", rel(shared, f), d)
			continue
		}
		same++
	}
	if total == 0 {
		t.Skip("no WBXML fixtures with public id 0x01 found")
	}
	t.Logf("unknown-language (ActiveSync) WBXML fixtures: %d decoded, %d equal to wbxml2xml -l ACTIVESYNC in structure and text", total, same)
}

// walkText writes the own text of the n-th element (pre-order) under root.
func walkText(root *etree.Element, n int, out *strings.Builder) {
	i := 0
	var walk func(*etree.Element) bool
	walk = func(e *etree.Element) bool {
		if i == n {
			for _, c := range e.Child {
				if cd, ok := c.(*etree.CharData); ok {
					out.WriteString(cd.Data)
				}
			}
			return true
		}
		i++
		for _, c := range e.ChildElements() {
			if walk(c) {
				return true
			}
		}
		return false
	}
	walk(root)
}
