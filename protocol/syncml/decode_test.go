package syncml

import (
	"bytes"
	"github.com/beevik/etree"
	"path/filepath"
	"strings"
	"testing"
)

func TestDecodeAllCaptures(t *testing.T) {
	for _, f := range captureFiles(t) {
		name := filepath.Base(filepath.Dir(f)) + "/" + filepath.Base(f)
		data := readFile(t, f)
		m, err := Decode(data)
		if !complete(data) {
			// 12/msg0 was cut off in the client's log.
			if err == nil {
				t.Errorf("%s: truncated message decoded without error", name)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if m.Header.VerDTD != "1.2" || m.Header.MsgID == "" || m.Header.SessionID == "" || !m.Final {
			t.Errorf("%s: header %+v final %v", name, m.Header, m.Final)
		}
		if m.Header.MaxMsgSize != 150000 || m.Header.MaxObjSize != 4000000 {
			t.Errorf("%s: MaxMsgSize %d MaxObjSize %d", name, m.Header.MaxMsgSize, m.Header.MaxObjSize)
		}
	}
}

func TestDecodeCapture01ClientMsg1(t *testing.T) {
	m := loadCapture(t, "01", "msg1-client-to-server.xml")
	h := m.Header
	if h.SessionID != "5" || h.MsgID != "1" || h.VerProto != "SyncML/1.2" {
		t.Errorf("header %+v", h)
	}
	if h.Target.URI != "http://127.0.0.1:9300/syncevolution" || h.Source != (Loc{URI: "cap-a", Name: "test"}) {
		t.Errorf("target %+v source %+v", h.Target, h.Source)
	}
	if h.Cred == nil || *h.Cred != (Cred{Type: AuthMD5, Format: "b64", Data: "MraccrRHny5AADBfmPIGpQ=="}) {
		t.Errorf("cred %+v", h.Cred)
	}
	if h.MaxMsgSize != 150000 || h.MaxObjSize != 4000000 {
		t.Errorf("sizes %d %d", h.MaxMsgSize, h.MaxObjSize)
	}
	if !m.Final || len(m.Commands) != 3 {
		t.Fatalf("final %v, %d commands", m.Final, len(m.Commands))
	}
	put, get, alert := m.Commands[0], m.Commands[1], m.Commands[2]
	if put.Name != "Put" || put.CmdID != "1" || put.Meta == nil || put.Meta.Type != "application/vnd.syncml-devinf+xml" {
		t.Errorf("put %+v", put)
	}
	if len(put.Items) != 1 || put.Items[0].Source.URI != "./devinf12" || put.Items[0].DataXML == nil ||
		put.Items[0].DataXML.Tag != "DevInf" || put.Items[0].Data != "" {
		t.Errorf("put items %+v", put.Items)
	}
	if get.Name != "Get" || get.CmdID != "2" || len(get.Items) != 1 || get.Items[0].Target.URI != "./devinf12" {
		t.Errorf("get %+v", get)
	}
	if alert.Name != "Alert" || alert.CmdID != "3" || alert.Data != "201" || len(alert.Items) != 1 {
		t.Fatalf("alert %+v", alert)
	}
	it := alert.Items[0]
	if it.Target.URI != "addressbook" || it.Source.URI != "./contacts" || it.Meta == nil || it.Meta.Anchor == nil {
		t.Fatalf("alert item %+v", it)
	}
	if *it.Meta.Anchor != (Anchor{Next: "20261122T085509Z"}) || it.Meta.MaxObjSize != 4000000 {
		t.Errorf("alert meta %+v anchor %+v", it.Meta, it.Meta.Anchor)
	}
	if alert.NumberOfChanges != -1 {
		t.Errorf("NumberOfChanges %d, want -1 when absent", alert.NumberOfChanges)
	}
}

func TestDecodeCapture01ClientMsg2(t *testing.T) {
	m := loadCapture(t, "01", "msg2-client-to-server.xml")
	if len(m.Commands) != 4 {
		t.Fatalf("%d commands", len(m.Commands))
	}
	for i, want := range []string{"Status", "Status", "Status", "Sync"} {
		if m.Commands[i].Name != want {
			t.Errorf("command %d is %s, want %s", i, m.Commands[i].Name, want)
		}
	}
	st := m.Commands[2]
	if st.MsgRef != "1" || st.CmdRef != "6" || st.Cmd != "Alert" || st.Data != "200" ||
		strings.Join(st.TargetRefs, ",") != "./contacts" || strings.Join(st.SourceRefs, ",") != "addressbook" {
		t.Errorf("status %+v", st)
	}
	if len(st.Items) != 1 || st.Items[0].DataXML == nil || st.Items[0].DataXML.Tag != "Anchor" {
		t.Errorf("status items %+v", st.Items)
	}
	sync := m.Commands[3]
	if sync.Target.URI != "addressbook" || sync.Source.URI != "./contacts" || sync.NumberOfChanges != -1 || len(sync.Commands) != 3 {
		t.Fatalf("sync %+v", sync)
	}
	joerg := sync.Commands[2]
	if joerg.Name != "Add" || joerg.CmdID != "7" || joerg.Meta == nil || joerg.Meta.Type != "text/vcard" || len(joerg.Items) != 1 {
		t.Fatalf("add %+v", joerg)
	}
	if joerg.Items[0].Source.URI != "joerg.vcf" || !strings.Contains(joerg.Items[0].Data, "FN:Jörg Müller") {
		t.Errorf("add item %+v", joerg.Items[0])
	}
	// The CDATA section ends in a line break: data is not trimmed.
	if !strings.HasPrefix(joerg.Items[0].Data, "BEGIN:VCARD") || !strings.HasSuffix(joerg.Items[0].Data, "END:VCARD\n") {
		t.Errorf("add data %q", joerg.Items[0].Data)
	}
}

func TestDecodeCapture01ServerMsg1(t *testing.T) {
	m := loadCapture(t, "01", "msg1-server-to-client.xml")
	if m.Header.RespURI != "http://127.0.0.1:9300/syncevolution?sessionid=12208502621795337708" {
		t.Errorf("RespURI %q", m.Header.RespURI)
	}
	hs := m.Commands[0]
	if hs.Cmd != "SyncHdr" || hs.CmdRef != "0" || hs.Data != "212" || hs.Chal == nil {
		t.Fatalf("header status %+v", hs)
	}
	if *hs.Chal != (Meta{Type: AuthMD5, Format: "b64", NextNonce: "M1pXWSkhISE="}) {
		t.Errorf("chal %+v", hs.Chal)
	}
	res := findCommand(m.Commands, "4")
	if res == nil || res.Name != "Results" || res.MsgRef != "1" || res.CmdRef != "2" || len(res.Items) != 1 || res.Items[0].DataXML == nil {
		t.Fatalf("results %+v", res)
	}
}

func TestDecodeCapture02ServerSync(t *testing.T) {
	m := loadCapture(t, "02", "msg2-server-to-client.xml")
	sync := m.Commands[len(m.Commands)-1]
	if sync.Name != "Sync" || sync.NumberOfChanges != 3 || len(sync.Commands) != 3 {
		t.Fatalf("sync %+v", sync)
	}
	m3 := loadCapture(t, "02", "msg3-client-to-server.xml")
	mp := m3.Commands[len(m3.Commands)-1]
	if mp.Name != "Map" || mp.Target.URI != "addressbook" || mp.Source.URI != "./contacts" || len(mp.MapItems) != 3 {
		t.Fatalf("map %+v", mp)
	}
	for _, mi := range mp.MapItems {
		if mi.Target == "" || mi.Source == "" {
			t.Errorf("map item %+v", mi)
		}
	}
}

func TestDecodeStructure(t *testing.T) {
	const doc = `<?xml version="1.0"?>
<s:SyncML xmlns:s="SYNCML:SYNCML1.1" xmlns:mi="syncml:metinf">
 <s:SyncHdr>
  <s:VerDTD> 1.1 </s:VerDTD><s:VerProto>SyncML/1.1</s:VerProto><s:SessionID>9</s:SessionID><s:MsgID>4</s:MsgID>
  <s:Target><s:LocURI>http://srv/</s:LocURI></s:Target><s:Source><s:LocURI>IMEI:1</s:LocURI></s:Source>
  <s:NoResp/>
  <s:Meta><mi:MaxMsgSize>10000</mi:MaxMsgSize><MaxObjSize xmlns="syncml:metinf">junk</MaxObjSize></s:Meta>
 </s:SyncHdr>
 <s:SyncBody>
  <Sync><CmdID>1</CmdID><NoResp/><Target><LocURI>card</LocURI></Target><Source><LocURI>./c</LocURI></Source>
   <NumberOfChanges>2</NumberOfChanges>
   <Atomic><CmdID>2</CmdID>
    <Add><CmdID>3</CmdID><Item><Source><LocURI>7</LocURI></Source><SourceParent><LocURI>5</LocURI></SourceParent>
     <Meta><Type>text/plain</Type><Size>6</Size><Version>1.0</Version></Meta>
     <Data>ab<![CDATA[<&>]]>&amp;c</Data><MoreData/></Item></Add>
   </Atomic>
   <Sequence><CmdID>4</CmdID><Delete><CmdID>5</CmdID><Archive/><SftDel/><Item><Target><LocURI>8</LocURI></Target><TargetParent><LocURI>6</LocURI></TargetParent></Item></Delete></Sequence>
   <Frob><CmdID>6</CmdID></Frob>
  </Sync>
  <Search><CmdID>7</CmdID><Meta><Type>x</Type></Meta><Data>q</Data></Search>
  <Final/>
 </s:SyncBody>
</s:SyncML>`
	m, err := Decode([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	h := m.Header
	if h.VerDTD != "1.1" || h.SessionID != "9" || h.MsgID != "4" || !h.NoResp || h.MaxMsgSize != 10000 || h.MaxObjSize != 0 {
		t.Errorf("header %+v", h)
	}
	if !m.Final || len(m.Commands) != 2 {
		t.Fatalf("final %v commands %d", m.Final, len(m.Commands))
	}
	sync := m.Commands[0]
	if !sync.NoResp || sync.NumberOfChanges != 2 || len(sync.Commands) != 3 {
		t.Fatalf("sync %+v", sync)
	}
	atomic, seq, frob := sync.Commands[0], sync.Commands[1], sync.Commands[2]
	if atomic.Name != "Atomic" || len(atomic.Commands) != 1 {
		t.Fatalf("atomic %+v", atomic)
	}
	add := atomic.Commands[0]
	it := add.Items[0]
	if add.CmdID != "3" || it.Source.URI != "7" || it.SourceParent != "5" || !it.MoreData {
		t.Errorf("add %+v item %+v", add, it)
	}
	if it.Data != "ab<&>&c" {
		t.Errorf("data %q: want text and CDATA joined", it.Data)
	}
	if it.Meta == nil || *it.Meta != (Meta{Type: "text/plain", Size: 6, Version: "1.0"}) {
		t.Errorf("item meta %+v", it.Meta)
	}
	del := seq.Commands[0]
	if seq.Name != "Sequence" || del.Name != "Delete" || !del.Archive || !del.SftDel || del.Items[0].TargetParent != "6" {
		t.Errorf("sequence %+v delete %+v", seq, del)
	}
	if frob.Name != "Frob" || frob.CmdID != "6" {
		t.Errorf("unknown nested command %+v", frob)
	}
	if s := m.Commands[1]; s.Name != "Search" || s.CmdID != "7" || s.Data != "q" || s.Meta.Type != "x" {
		t.Errorf("search %+v", s)
	}
}

func TestDecodePrefixedDataXML(t *testing.T) {
	const doc = `<SyncML xmlns:d="syncml:devinf"><SyncHdr/><SyncBody>
<Put><CmdID>1</CmdID><Item><Data>
  <d:DevInf><d:VerDTD>1.2</d:VerDTD><d:DevID>x</d:DevID></d:DevInf>
</Data></Item></Put></SyncBody></SyncML>`
	m, err := Decode([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	el := m.Commands[0].Items[0].DataXML
	if el == nil || el.Tag != "DevInf" || el.Space != "" || el.SelectAttrValue("xmlns", "") != NSDevInf {
		t.Fatalf("DataXML %+v", el)
	}
	if el.Parent() != nil {
		t.Error("DataXML is not detached from the message")
	}
	d, err := ParseDevInf(el)
	if err != nil || d.DevID != "x" {
		t.Fatalf("devinf %+v %v", d, err)
	}
	out := elementString(el)
	if strings.Contains(out, "d:") {
		t.Errorf("prefix left in %s", out)
	}
}

func TestDecodeLatin1(t *testing.T) {
	doc := []byte("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><SyncML><SyncHdr><MsgID>1</MsgID></SyncHdr><SyncBody>" +
		"<Add><CmdID>1</CmdID><Item><Data>M\xfcller</Data></Item></Add></SyncBody></SyncML>")
	m, err := Decode(doc)
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Commands[0].Items[0].Data; got != "Müller" {
		t.Errorf("data %q", got)
	}
}

func TestDecodeEntityTextInCDATA(t *testing.T) {
	// Item data that only mentions a DTD is fine.
	doc := `<!DOCTYPE SyncML PUBLIC "-//SYNCML//DTD SyncML 1.1//EN" "http://www.syncml.org/docs/syncml_represent_v11_20020213.dtd">` +
		`<SyncML><SyncHdr/><SyncBody><Add><Item><Data><![CDATA[<!DOCTYPE x [<!ENTITY a "b">]>]]></Data></Item></Add></SyncBody></SyncML>`
	m, err := Decode([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(m.Commands[0].Items[0].Data, "<!ENTITY") {
		t.Errorf("data %q", m.Commands[0].Items[0].Data)
	}
}

func TestDecodeMalformed(t *testing.T) {
	ok := `<SyncML><SyncHdr><MsgID>1</MsgID></SyncHdr><SyncBody><Final/></SyncBody></SyncML>`
	if _, err := Decode([]byte(ok)); err != nil {
		t.Fatalf("minimal message: %v", err)
	}
	deepSync := strings.Repeat("<Sync>", 20) + strings.Repeat("</Sync>", 20)
	deep := strings.Repeat("<a>", 200) + strings.Repeat("</a>", 200)
	cases := map[string]string{
		"empty":            ``,
		"not XML":          `hello`,
		"truncated":        ok[:len(ok)-12],
		"wrong root":       `<SyncMLX><SyncHdr/><SyncBody/></SyncMLX>`,
		"DevInf root":      `<DevInf xmlns="syncml:devinf"><VerDTD>1.2</VerDTD></DevInf>`,
		"missing SyncHdr":  `<SyncML><SyncBody><Final/></SyncBody></SyncML>`,
		"missing SyncBody": `<SyncML><SyncHdr/></SyncML>`,
		"billion laughs": `<?xml version="1.0"?><!DOCTYPE SyncML [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>` +
			`<SyncML><SyncHdr/><SyncBody><Alert><Data>&b;</Data></Alert></SyncBody></SyncML>`,
		"external entity":  `<!DOCTYPE SyncML [<!ENTITY x SYSTEM "file:///etc/passwd">]><SyncML><SyncHdr><SessionID>&x;</SessionID></SyncHdr><SyncBody/></SyncML>`,
		"undefined entity": `<SyncML><SyncHdr><SessionID>&x;</SessionID></SyncHdr><SyncBody/></SyncML>`,
		"nested commands":  `<SyncML><SyncHdr/><SyncBody>` + deepSync + `</SyncBody></SyncML>`,
		"deep elements":    `<SyncML><SyncHdr/><SyncBody><Add><Item><Data>` + deep + `</Data></Item></Add></SyncBody></SyncML>`,
		"unknown charset":  `<?xml version="1.0" encoding="EBCDIC"?><SyncML><SyncHdr/><SyncBody/></SyncML>`,
		"invalid UTF-8":    "<SyncML><SyncHdr><MsgID>\xff</MsgID></SyncHdr><SyncBody/></SyncML>",
		"two roots":        `<SyncML><SyncHdr/><SyncBody/></SyncML><SyncML/>`,
	}
	for name, doc := range cases {
		if m, err := Decode([]byte(doc)); err == nil {
			t.Errorf("%s: decoded without error: %+v", name, m)
		} else if !strings.HasPrefix(err.Error(), "syncml: ") {
			t.Errorf("%s: error %q lacks the syncml: prefix", name, err)
		}
	}
	if _, err := DecodeDocument(nil); err == nil {
		t.Error("nil document decoded")
	}
}

func FuzzDecode(f *testing.F) {
	for _, file := range captureFiles(f) {
		f.Add(readFile(f, file))
	}
	f.Add([]byte(`<SyncML><SyncHdr/><SyncBody><Sync><Atomic><Add><Item><Data><Anchor><Next>1</Next></Anchor></Data></Item></Add></Atomic></Sync><Final/></SyncBody></SyncML>`))
	f.Add([]byte(`<SyncML><SyncHdr/><SyncBody><Status><Chal/><Data>&#13;</Data></Status></SyncBody></SyncML>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkReadFast(t, data)
		m, err := Decode(data)
		if err != nil {
			return
		}
		b1, err := Encode(m)
		if err != nil {
			return // e.g. a command name Encode does not write
		}
		m2, err := Decode(b1)
		if err != nil {
			t.Fatalf("re-decoding %q: %v", b1, err)
		}
		b2, err := Encode(m2)
		if err != nil || !bytes.Equal(b1, b2) {
			t.Fatalf("encoding not stable (%v):\n%q\n%q", err, b1, b2)
		}
		for _, c := range m.Commands {
			_ = EncodedSize(c)
		}
	})
}

// checkReadFast: whenever readFast reads a message, etree's reader reads
// it too, into a document that decodes to the same message (compared by
// encoding both) and serialises to the same XML.
func checkReadFast(t *testing.T, data []byte) {
	t.Helper()
	if declaresEntities(data) {
		return // Decode refuses these before reading
	}
	fast, ok := readFast(data)
	if !ok {
		return
	}
	slow, err := readEtree(data)
	if err != nil {
		t.Fatalf("readFast read %q, etree refuses it: %v", data, err)
	}
	if fast.Root() == nil || slow.Root() == nil {
		t.Fatalf("readFast or etree: no root in %q", data)
	}
	if fs, ss := elementXML(fast.Root()), elementXML(slow.Root()); fs != ss {
		t.Fatalf("readFast and etree differ on %q:\n%s\n%s", data, fs, ss)
	}
	mf, errF := DecodeDocument(fast)
	ms, errS := DecodeDocument(slow)
	if (errF == nil) != (errS == nil) {
		t.Fatalf("DecodeDocument errors differ on %q: %v / %v", data, errF, errS)
	}
	if errF != nil {
		return
	}
	bf, errF := Encode(mf)
	bs, errS := Encode(ms)
	if (errF == nil) != (errS == nil) || !bytes.Equal(bf, bs) {
		t.Fatalf("messages differ on %q:\n%s\n%s", data, bf, bs)
	}
}

// TestReadFastCaptures: the fast reader reads every captured client and
// server message, as etree does.
func TestReadFastCaptures(t *testing.T) {
	files := captureFiles(t)
	read := 0
	for _, file := range files {
		data := readFile(t, file)
		checkReadFast(t, data)
		if _, ok := readFast(data); ok {
			read++
		}
	}
	if len(files) > 0 && read < len(files)*9/10 {
		t.Errorf("readFast read %d of %d captured messages; etree had to read the rest", read, len(files))
	}
}

func elementXML(el *etree.Element) string {
	doc := etree.NewDocument()
	doc.SetRoot(el.Copy())
	s, _ := doc.WriteToString()
	return s
}
