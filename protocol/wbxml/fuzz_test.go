package wbxml

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/beevik/etree"
)

// fuzzSeeds are hand-made inputs covering each token kind.
var fuzzSeeds = []string{
	hdr12 + minBody,
	hdr12 + "6D 5A 00 01 53 03 'x' 00 01 4C 03 '9' 00 01 01 00 00 12 01",
	"02 A4 01 6A 08 'abc' 00 'def' 00 6D 4F 83 04 83 00 83 01 01 01",
	"02 00 00 6A 1E '-//SYNCML//DTD SyncML 1.1//EN' 00 2D",
	"02 A4 01 6A 08 'Foo' 00 'Bar' 00 6D 44 00 03 'x' 00 04 04 01 01",
	hdr12 + "6D 4F 03 'a' 00 02 81 71 02 00 02 C1 2C 01 01",
	"02 A4 01 04 02 E9 00 6D 4F 03 'caf' E9 00 83 00 01 01",
	"02 A4 01 6A 05 'id' 00 'b' 00 6D CF 00 03 04 00 03 'v' 00 83 03 04 03 01 03 't' 00 01 01",
	"02 A4 01 6A 02 'p' 00 43 04 00 03 'x' 00 01 6D 43 04 00 01 12 01 43 04 00 01",
	hdr12 + "6D 4F C3 0E " + devinf + "4A 65 03 '1.2' 00 01 01 01 01",
	hdr12 + "6D 4F 03 'a' 00 C3 0D 03 9F 54 6A 02 'x' 00 4A 51 83 00 01 01 03 'b' 00 01 01",
	"00 01 12 'abc' 00 ' Enter name: ' 00 47 C5 09 83 00 05 01 88 06 86 08 03 'xyz' 00 85 03 '/s' 00 01 83 04 86 07 0A 03 'N' 00 01 01 01",
	"02 00 00 6A 1B '-//OMA//DTD-DM-DDF 1.2//EN' 00 00 02 60 77 03 '1.2' 00 01 01",
	"03 01 6A 00 45 46 03 'x' 00 01 01",
}

// FuzzDecode checks that no input makes Decode panic, that errors carry the
// package prefix, and that a decoded tree survives Encode and Decode.
func FuzzDecode(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(hx(s))
	}
	if shared := sharedDir(); shared != "" {
		for _, p := range findFiles(shared, "*.wbxml", "*.bin") {
			if data, err := os.ReadFile(p); err == nil && len(data) <= 64<<10 {
				f.Add(data)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkRoundTrip(t, data)
	})
}

// checkRoundTrip decodes data and, if that works, encodes and decodes the
// tree again, which must give the same tree.
func checkRoundTrip(t *testing.T, data []byte) {
	doc, err := DecodeWith(data, DecodeOptions{MaxSize: 1 << 20})
	if err != nil {
		if !strings.HasPrefix(err.Error(), "wbxml: ") {
			t.Fatalf("error without package prefix: %v", err)
		}
		return
	}
	for _, opts := range []EncodeOptions{
		{KeepWhitespace: true, KeepTypes: true},
		{Version: 3, StringTable: true, PublicIDAsString: true, InlineData: true, KeepWhitespace: true, KeepTypes: true},
	} {
		enc, err := Encode(doc, opts)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "wbxml: ") {
				t.Fatalf("error without package prefix: %v", err)
			}
			continue
		}
		back, err := Decode(enc)
		if err != nil {
			t.Fatalf("Decode(Encode(%+v)): %v\nencoding % X", opts, err, enc)
		}
		if mayHoldNested(doc.Root()) {
			continue // text that is itself WBXML may come back as an element
		}
		if d := canonDiff(shape(doc.Root()), shape(back.Root())); d != "" {
			t.Fatalf("Decode(Encode(%+v)) differs at %s", opts, d)
		}
	}
}

// shape renders a tree exactly: local names, and text runs in order.
func shape(e *etree.Element) []string {
	out := []string{"<" + e.Tag}
	var text strings.Builder
	flush := func() {
		if text.Len() > 0 {
			out = append(out, strconv.Quote(text.String()))
			text.Reset()
		}
	}
	for _, c := range e.Child {
		switch c := c.(type) {
		case *etree.CharData:
			text.WriteString(c.Data)
		case *etree.Element:
			flush()
			out = append(out, shape(c)...)
		}
	}
	flush()
	return append(out, ">")
}

// mayHoldNested reports text that starts like a WBXML document: encoded as
// OPAQUE it is legitimately decoded as a nested document.
func mayHoldNested(e *etree.Element) bool {
	for _, c := range e.Child {
		switch c := c.(type) {
		case *etree.CharData:
			if d := c.Data; d != "" && d[0] >= version11 && d[0] <= version13 {
				return true
			}
		case *etree.Element:
			if mayHoldNested(c) {
				return true
			}
		}
	}
	return false
}
