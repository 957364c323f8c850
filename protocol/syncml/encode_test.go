package syncml

import (
	"bytes"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/beevik/etree"
)

func TestRoundTripCaptures(t *testing.T) {
	for _, f := range captureFiles(t) {
		name := filepath.Base(filepath.Dir(f)) + "/" + filepath.Base(f)
		data := readFile(t, f)
		if !complete(data) {
			continue
		}
		m1, err := Decode(data)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		out, err := Encode(m1)
		if err != nil {
			t.Errorf("%s: encode: %v", name, err)
			continue
		}
		m2, err := Decode(out)
		if err != nil {
			t.Errorf("%s: decode re-encoded: %v", name, err)
			continue
		}
		if f1, f2 := flatten(m1), flatten(m2); !reflect.DeepEqual(f1, f2) {
			t.Errorf("%s: round trip differs:\n%+v\n%+v", name, f1, f2)
		}
		// Element order and layout match SyncEvolution's byte for byte;
		// only its CDATA sections become escaped text.
		if !bytes.Contains(data, []byte("<![CDATA[")) && !bytes.Equal(bytes.TrimSpace(data), out) {
			t.Errorf("%s: re-encoding differs from the original:\n%s\n%s", name, data, out)
		}
	}
}

func TestEncodedSizeAddsUp(t *testing.T) {
	for f, m := range decodedCaptures(t) {
		for _, final := range []bool{true, false} {
			m.Final = final
			out, err := Encode(m)
			if err != nil {
				t.Fatal(err)
			}
			sum := HeaderSize(m.Header)
			if !final {
				sum -= len("<Final/>")
			}
			for _, c := range m.Commands {
				sum += EncodedSize(c)
			}
			if sum != len(out) {
				t.Errorf("%s final=%v: HeaderSize+EncodedSize = %d, encoded %d bytes", f, final, sum, len(out))
			}
		}
	}
	if EncodedSize(nil) != 0 {
		t.Error("EncodedSize(nil) != 0")
	}
}

func TestEncodeEscapes(t *testing.T) {
	data := "BEGIN:VCARD\r\nNOTE:a & b < c > d ]]> e \"q\" 'a'\r\nX:\ttab\rcr\nEND:VCARD\r\n"
	m := &Message{
		Header: Header{VerDTD: "1.2", VerProto: "SyncML/1.2", SessionID: "1", MsgID: "2",
			Target: Loc{URI: "dev & <1>"}, Source: Loc{URI: "srv"}},
		Commands: []*Command{{Name: "Add", CmdID: "1", Items: []Item{{Source: Loc{URI: "1"}, Data: data}}}},
		Final:    true,
	}
	out, err := Encode(m)
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	for _, want := range []string{"a &amp; b &lt; c &gt; d ]]&gt; e", "&#xD;\n", "&#xD;cr", "dev &amp; &lt;1&gt;"} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "\r") {
		t.Error("raw carriage return in output")
	}
	if strings.Contains(s, "CDATA") {
		t.Errorf("output uses CDATA:\n%s", s)
	}
	back, err := Decode(out)
	if err != nil {
		t.Fatal(err)
	}
	if got := back.Commands[0].Items[0].Data; got != data {
		t.Errorf("data after round trip:\n%q\nwant\n%q", got, data)
	}
	if back.Header.Target.URI != "dev & <1>" {
		t.Errorf("target %q", back.Header.Target.URI)
	}
}

func TestEncodeInvalidCharacters(t *testing.T) {
	m := &Message{Commands: []*Command{{Name: "Add", Items: []Item{{Data: "a\x00b\x1bc"}}}}}
	out, err := Encode(m)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Decode(out)
	if err != nil {
		t.Fatalf("output does not parse: %v\n%q", err, out)
	}
	if got := back.Commands[0].Items[0].Data; got != "a\uFFFDb\uFFFDc" {
		t.Errorf("data %q", got)
	}
}

func TestEncodeElementOrder(t *testing.T) {
	m := &Message{
		Header: Header{VerDTD: "1.1", VerProto: "SyncML/1.1", SessionID: "7", MsgID: "3",
			Target: Loc{URI: "IMEI:1", Name: "joe"}, Source: Loc{URI: "http://srv/sync"},
			RespURI: "http://srv/sync?s=1", NoResp: true,
			Cred:       &Cred{Type: AuthBasic, Format: "b64", Data: "eDp5"},
			MaxMsgSize: 10000},
		Commands: []*Command{
			{Name: "Status", CmdID: "1", MsgRef: "2", CmdRef: "0", Cmd: "SyncHdr", TargetRefs: []string{"t"}, SourceRefs: []string{"s"},
				Chal: &Meta{Type: AuthMD5, Format: "b64", NextNonce: "Tk9OQ0U="}, Data: "401", NumberOfChanges: -1},
			{Name: "Alert", CmdID: "2", NoResp: true, Data: "201", Items: []Item{{Target: Loc{URI: "./c"}, Source: Loc{URI: "card"},
				Meta: &Meta{Anchor: &Anchor{Last: "1", Next: "2"}}}}},
			{Name: "Results", CmdID: "3", MsgRef: "2", CmdRef: "4", Meta: &Meta{Type: "application/vnd.syncml-devinf+xml"},
				SourceRefs: []string{"./devinf11"}, Items: []Item{{Source: Loc{URI: "./devinf11"}}}},
			{Name: "Sync", CmdID: "4", Target: Loc{URI: "./c"}, Source: Loc{URI: "card"}, NumberOfChanges: 2, Commands: []*Command{
				{Name: "Replace", CmdID: "5", Meta: &Meta{Type: "text/x-vcard"}, Items: []Item{{Target: Loc{URI: "9"},
					Source: Loc{URI: "g"}, SourceParent: "p", TargetParent: "q", Meta: &Meta{Size: 5}, Data: "hello", MoreData: true}}},
				{Name: "Delete", CmdID: "6", SftDel: true, Items: []Item{{Target: Loc{URI: "8"}}}},
			}},
			{Name: "Map", CmdID: "7", Target: Loc{URI: "card"}, Source: Loc{URI: "./c"}, MapItems: []MapItem{{Target: "g1", Source: "l1"}}},
		},
		Final: true,
	}
	out, err := Encode(m)
	if err != nil {
		t.Fatal(err)
	}
	mi := ` xmlns='syncml:metinf'`
	want := `<?xml version="1.0" encoding="UTF-8"?><SyncML xmlns='SYNCML:SYNCML1.1'><SyncHdr>` +
		`<VerDTD>1.1</VerDTD><VerProto>SyncML/1.1</VerProto><SessionID>7</SessionID><MsgID>3</MsgID>` +
		`<Target><LocURI>IMEI:1</LocURI><LocName>joe</LocName></Target><Source><LocURI>http://srv/sync</LocURI></Source>` +
		`<RespURI>http://srv/sync?s=1</RespURI><NoResp/>` +
		`<Cred><Meta><Format` + mi + `>b64</Format><Type` + mi + `>syncml:auth-basic</Type></Meta><Data>eDp5</Data></Cred>` +
		`<Meta><MaxMsgSize` + mi + `>10000</MaxMsgSize></Meta></SyncHdr><SyncBody>` +
		`<Status><CmdID>1</CmdID><MsgRef>2</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><TargetRef>t</TargetRef><SourceRef>s</SourceRef>` +
		`<Chal><Meta><Format` + mi + `>b64</Format><Type` + mi + `>syncml:auth-md5</Type><NextNonce` + mi + `>Tk9OQ0U=</NextNonce></Meta></Chal>` +
		`<Data>401</Data></Status>` +
		`<Alert><CmdID>2</CmdID><NoResp/><Data>201</Data><Item><Target><LocURI>./c</LocURI></Target><Source><LocURI>card</LocURI></Source>` +
		`<Meta><Anchor` + mi + `><Last>1</Last><Next>2</Next></Anchor></Meta></Item></Alert>` +
		`<Results><CmdID>3</CmdID><MsgRef>2</MsgRef><CmdRef>4</CmdRef><Meta><Type` + mi + `>application/vnd.syncml-devinf+xml</Type></Meta>` +
		`<SourceRef>./devinf11</SourceRef><Item><Source><LocURI>./devinf11</LocURI></Source></Item></Results>` +
		`<Sync><CmdID>4</CmdID><Target><LocURI>./c</LocURI></Target><Source><LocURI>card</LocURI></Source><NumberOfChanges>2</NumberOfChanges>` +
		`<Replace><CmdID>5</CmdID><Meta><Type` + mi + `>text/x-vcard</Type></Meta><Item><Target><LocURI>9</LocURI></Target>` +
		`<Source><LocURI>g</LocURI></Source><SourceParent><LocURI>p</LocURI></SourceParent><TargetParent><LocURI>q</LocURI></TargetParent>` +
		`<Meta><Size` + mi + `>5</Size></Meta><Data>hello</Data><MoreData/></Item></Replace>` +
		`<Delete><CmdID>6</CmdID><SftDel/><Item><Target><LocURI>8</LocURI></Target></Item></Delete></Sync>` +
		`<Map><CmdID>7</CmdID><Target><LocURI>card</LocURI></Target><Source><LocURI>./c</LocURI></Source>` +
		`<MapItem><Target><LocURI>g1</LocURI></Target><Source><LocURI>l1</LocURI></Source></MapItem></Map>` +
		`<Final/></SyncBody></SyncML>`
	if string(out) != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
	back, err := Decode(out)
	if err != nil {
		t.Fatal(err)
	}
	var absent func([]*Command)
	absent = func(cmds []*Command) {
		for _, c := range cmds {
			if c.Name != "Sync" {
				c.NumberOfChanges = -1
			}
			absent(c.Commands)
		}
	}
	absent(m.Commands)
	if !reflect.DeepEqual(flatten(back), flatten(m)) {
		t.Errorf("decoded\n%+v\nwant\n%+v", flatten(back), flatten(m))
	}
}

func TestEncodeNamespaceByVersion(t *testing.T) {
	for ver, ns := range map[string]string{"1.0": "SYNCML:SYNCML1.0", "1.1": "SYNCML:SYNCML1.1", "1.2": "SYNCML:SYNCML1.2", "": "SYNCML:SYNCML1.2"} {
		out, err := Encode(&Message{Header: Header{VerDTD: ver}})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(out, []byte("<SyncML xmlns='"+ns+"'>")) {
			t.Errorf("VerDTD %q: %s", ver, out)
		}
	}
}

func TestEncodeDataXMLNamespaces(t *testing.T) {
	devinf := etree.NewElement("DevInf")
	devinf.CreateElement("VerDTD").SetText("1.2")
	anchor := etree.NewElement("Anchor")
	anchor.CreateElement("Next").SetText("5")
	m := &Message{Commands: []*Command{
		{Name: "Results", Items: []Item{{DataXML: devinf}}},
		{Name: "Status", Items: []Item{{DataXML: anchor}}},
	}}
	for i := 0; i < 2; i++ { // the elements stay usable for a second encoding
		out, err := Encode(m)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{`<Data><DevInf xmlns='syncml:devinf'><VerDTD>1.2</VerDTD></DevInf></Data>`,
			`<Data><Anchor xmlns='syncml:metinf'><Next>5</Next></Anchor></Data>`} {
			if !bytes.Contains(out, []byte(want)) {
				t.Errorf("output lacks %s:\n%s", want, out)
			}
		}
	}
	if devinf.Parent() != nil || len(devinf.Attr) != 0 || anchor.Parent() != nil {
		t.Error("Encode changed the caller's DataXML")
	}
}

func TestEncodeErrors(t *testing.T) {
	for name, m := range map[string]*Message{
		"nil message":  nil,
		"nil command":  {Commands: []*Command{nil}},
		"empty name":   {Commands: []*Command{{CmdID: "1"}}},
		"bad name":     {Commands: []*Command{{Name: "a b"}}},
		"nested nil":   {Commands: []*Command{{Name: "Sync", Commands: []*Command{nil}}}},
		"nested bad":   {Commands: []*Command{{Name: "Sync", Commands: []*Command{{Name: "<x>"}}}}},
		"digit first":  {Commands: []*Command{{Name: "1Add"}}},
		"non-ASCII":    {Commands: []*Command{{Name: "Ädd"}}},
		"colon prefix": {Commands: []*Command{{Name: "a:Add"}}},
	} {
		if _, err := Encode(m); err == nil {
			t.Errorf("%s: no error", name)
		} else if !strings.HasPrefix(err.Error(), "syncml: encode: ") {
			t.Errorf("%s: error %q", name, err)
		}
	}
}

// TestEncodeMatchesTree checks that Encode's direct writer produces the
// bytes of EncodeDocument's tree (what the WBXML encoder gets) for every
// capture, and for text with everything that needs escaping.
func TestEncodeMatchesTree(t *testing.T) {
	check := func(name string, m *Message) {
		t.Helper()
		got, err := Encode(m)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want, err := EncodeDocument(m).WriteToBytes()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: Encode differs from the tree:\n%s\n%s", name, got, want)
		}
	}
	for f, m := range decodedCaptures(t) {
		check(f, m)
		m.Final = !m.Final
		check(f+" (Final flipped)", m)
	}
	texts := []string{"", "plain", "a & b < c > d ]]> \"q\" 'a'", "cr\rlf\ncrlf\r\ntab\t",
		"ctl\x00\x01\x1f\x7f", "bad utf8 \xff\xfe \xc3", "\uFFFD \uFFFE \uFFFF \U0001F600 é ü",
		"\xed\xa0\x80 surrogate", strings.Repeat("x&", 100)}
	for i, s := range texts {
		di := etree.NewElement("DevInf")
		di.CreateElement("Man").SetText(s)
		di.CreateAttr("a", s)
		m := &Message{
			Header: Header{VerDTD: "1.1", VerProto: "SyncML/1.1", SessionID: s, MsgID: "1", Target: Loc{URI: s, Name: s},
				Source: Loc{URI: "dev"}, RespURI: s, Cred: &Cred{Type: AuthBasic, Format: "b64", Data: s}, MaxMsgSize: 100},
			Commands: []*Command{
				{Name: "Status", CmdID: "1", MsgRef: "1", CmdRef: "0", Cmd: "SyncHdr", TargetRefs: []string{s}, SourceRefs: []string{s, ""},
					Chal: &Meta{Type: AuthMD5, Format: "b64", NextNonce: s}, Data: "212"},
				{Name: "Sync", CmdID: "2", Target: Loc{URI: s}, NumberOfChanges: i, Commands: []*Command{
					{Name: "Add", CmdID: "3", Meta: &Meta{Type: s, Size: 5}, Items: []Item{{Source: Loc{URI: s}, Data: s, MoreData: true}}},
					{Name: "Delete", CmdID: "4", SftDel: true, Items: []Item{{Target: Loc{URI: s}}}}}},
				{Name: "Map", CmdID: "5", Target: Loc{URI: s}, Source: Loc{URI: s}, MapItems: []MapItem{{Target: s, Source: s}}},
				{Name: "Put", CmdID: "6", Items: []Item{{Source: Loc{URI: "./devinf12"}, DataXML: di}}},
				{Name: "Alert", CmdID: "7", Data: "200", Items: []Item{{Target: Loc{URI: s}, Meta: &Meta{Anchor: &Anchor{Last: s, Next: s}}}}},
				{Name: "Atomic", CmdID: "8", NoResp: true},
			},
			Final: i%2 == 0,
		}
		check(fmt.Sprintf("text %d", i), m)
	}
}
