package syncml

import (
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/beevik/etree"
)

// devInfOf returns the DevInf carried by the first item with one.
func devInfOf(t *testing.T, m *Message) *DevInf {
	t.Helper()
	for _, c := range m.Commands {
		for _, it := range c.Items {
			if it.DataXML != nil && it.DataXML.Tag == "DevInf" {
				d, err := ParseDevInf(it.DataXML)
				if err != nil {
					t.Fatal(err)
				}
				return d
			}
		}
	}
	t.Fatal("no DevInf in message")
	return nil
}

func findProperty(t *testing.T, c CTCap, name string) CTProperty {
	t.Helper()
	for _, p := range c.Properties {
		if p.Name == name {
			return p
		}
	}
	t.Fatalf("no property %s in CTCap %s", name, c.CTType)
	return CTProperty{}
}

func TestParseDevInfClient12(t *testing.T) {
	d := devInfOf(t, loadCapture(t, "01", "msg1-client-to-server.xml"))
	if d.VerDTD != "1.2" || d.Man != "Patrick Ohly" || d.Mod != "SyncEvolution" || d.OEM != "Synthesis AG" ||
		d.FwV != "2.0.0" || d.SwV != "3.4.0.47" || d.HwV != "unknown" || d.DevID != "cap-a" || d.DevTyp != "workstation" {
		t.Errorf("devinf %+v", d)
	}
	if !d.UTC || !d.SupportLargeObjs || !d.SupportNumberOfChanges {
		t.Errorf("flags %v %v %v", d.UTC, d.SupportLargeObjs, d.SupportNumberOfChanges)
	}
	if len(d.DataStores) != 1 {
		t.Fatalf("%d datastores", len(d.DataStores))
	}
	ds := d.DataStores[0]
	if ds.SourceRef != "./contacts" || ds.DisplayName != "contacts" || ds.MaxGUIDSize != 64 {
		t.Errorf("datastore %+v", ds)
	}
	vcard := CTType{CTType: "text/vcard", VerCT: "3.0"}
	if ds.RxPref != vcard || ds.TxPref != vcard || len(ds.Rx) != 0 || len(ds.Tx) != 0 {
		t.Errorf("types %+v %+v %+v %+v", ds.RxPref, ds.Rx, ds.TxPref, ds.Tx)
	}
	if !reflect.DeepEqual(ds.SyncTypes, []int{1, 2, 3, 4, 5, 6, 7, 390001}) || !slices.Contains(ds.SyncTypes, 7) {
		t.Errorf("sync types %v", ds.SyncTypes)
	}
	if len(ds.CTCaps) != 1 || ds.CTCaps[0].CTType != "text/vcard" || ds.CTCaps[0].VerCT != "3.0" {
		t.Fatalf("ctcaps %+v", ds.CTCaps)
	}
	version := findProperty(t, ds.CTCaps[0], "VERSION")
	if version.MaxOccur != 1 || !reflect.DeepEqual(version.ValEnums, []string{"3.0"}) {
		t.Errorf("VERSION %+v", version)
	}
	tel := findProperty(t, ds.CTCaps[0], "TEL")
	if len(tel.Params) != 1 || tel.Params[0].Name != "TYPE" || !slices.Contains(tel.Params[0].ValEnums, "CELL") {
		t.Errorf("TEL %+v", tel)
	}
	photo := findProperty(t, ds.CTCaps[0], "PHOTO")
	if len(photo.Params) != 2 || photo.Params[1].Name != "VALUE" {
		t.Errorf("PHOTO %+v", photo)
	}
}

func TestParseDevInfServer12(t *testing.T) {
	d := devInfOf(t, loadCapture(t, "01", "msg1-server-to-client.xml"))
	if d.DevID != "http://127.0.0.1:9300/syncevolution" || len(d.DataStores) < 2 {
		t.Fatalf("devinf %+v", d)
	}
	ab := d.DataStores[0]
	if ab.SourceRef != "./addressbook" || !reflect.DeepEqual(ab.Rx, []CTType{{"text/x-vcard", "2.1"}}) ||
		!reflect.DeepEqual(ab.Tx, []CTType{{"text/x-vcard", "2.1"}}) {
		t.Errorf("addressbook %+v", ab)
	}
}

// TestParseDevInf10 reads the Sony Ericsson P900's DevInf 1.0 (CTCap at
// DevInf level, flat PropName/ValEnum/ParamName) from the Horde test
// suite; devinf.txt beside it is Horde's parse of the same document.
func TestParseDevInf10(t *testing.T) {
	path := filepath.Join(sharedDir(t), "fixtures", "horde-SyncMl", "test", "Horde", "SyncMl",
		"testcase_P900_tasksandcalendar", "syncml_client_10.xml")
	m, err := Decode(readFile(t, path))
	if err != nil {
		t.Fatal(err)
	}
	if m.Header.VerDTD != "1.0" || m.Header.Cred == nil || m.Header.MaxMsgSize != 200000 {
		t.Errorf("header %+v", m.Header)
	}
	d := devInfOf(t, m)
	if d.VerDTD != "1.0" || d.Man != "Sony Ericsson" || d.Mod != "P900" || d.DevID != "351965-00-340413-3" || d.DevTyp != "smartphone" {
		t.Errorf("devinf %+v", d)
	}
	if len(d.DataStores) != 1 {
		t.Fatalf("%d datastores", len(d.DataStores))
	}
	ds := d.DataStores[0]
	if ds.SourceRef != `c:\Documents\agenda\agenda` || ds.MaxGUIDSize != 4 || ds.RxPref != (CTType{"text/x-vcalendar", "1.0"}) ||
		!reflect.DeepEqual(ds.SyncTypes, []int{1, 2}) {
		t.Errorf("datastore %+v", ds)
	}
	if len(ds.CTCaps) != 1 {
		t.Fatalf("ctcaps %+v", ds.CTCaps)
	}
	cc := ds.CTCaps[0]
	if cc.CTType != "text/x-vcalendar" || cc.VerCT != "1.0" || len(cc.Properties) != 23 {
		t.Errorf("ctcap %s %s with %d properties", cc.CTType, cc.VerCT, len(cc.Properties))
	}
	att := findProperty(t, cc, "ATTENDEE")
	var params []string
	for _, p := range att.Params {
		params = append(params, p.Name)
	}
	if strings.Join(params, ",") != "EXPECT,ROLE,RSVP,STATUS" || len(att.ValEnums) != 0 {
		t.Errorf("ATTENDEE %+v", att)
	}
	if b := findProperty(t, cc, "BEGIN"); !reflect.DeepEqual(b.ValEnums, []string{"VCALENDAR", "VEVENT", "VTODO"}) {
		t.Errorf("BEGIN %+v", b)
	}
	if v := findProperty(t, cc, "VERSION"); !reflect.DeepEqual(v.ValEnums, []string{"1.0"}) {
		t.Errorf("VERSION %+v", v)
	}

	// Written again in the 1.0 layout, it reads back the same.
	again, err := ParseDevInf(d.Element("1.0"))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(again, d) {
		t.Errorf("1.0 round trip:\n%+v\n%+v", again, d)
	}
}

func TestDevInfElementRoundTrip(t *testing.T) {
	for _, name := range []string{"msg1-client-to-server.xml", "msg1-server-to-client.xml"} {
		d := devInfOf(t, loadCapture(t, "01", name))
		again, err := ParseDevInf(d.Element("1.2"))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(again, d) {
			t.Errorf("%s: 1.2 round trip differs", name)
		}

		// DevInf 1.1 has no MaxOccur or NoTruncate and a CTCap per content type.
		el := d.Element("1.1")
		if el.FindElement("DataStore/CTCap") != nil || el.FindElement("CTCap/PropName") == nil {
			t.Errorf("%s: not the 1.1 layout", name)
		}
		v11, err := ParseDevInf(el)
		if err != nil {
			t.Fatal(err)
		}
		want := *d
		want.VerDTD = "1.1"
		want.DataStores = nil
		for _, ds := range d.DataStores {
			var caps []CTCap
			for _, cc := range ds.CTCaps {
				var props []CTProperty
				for _, p := range cc.Properties {
					p.MaxOccur, p.NoTruncate = 0, false
					props = append(props, p)
				}
				cc.Properties = props
				caps = append(caps, cc)
			}
			ds.CTCaps = caps
			want.DataStores = append(want.DataStores, ds)
		}
		if !reflect.DeepEqual(v11, &want) {
			t.Errorf("%s: 1.1 round trip differs", name)
		}
	}
}

func TestDevInfElement(t *testing.T) {
	d := &DevInf{VerDTD: "1.2", Man: "Anchorage", DevID: "anchorage", DevTyp: "server", UTC: true, SupportNumberOfChanges: true,
		DataStores: []DataStore{{SourceRef: "card", MaxGUIDSize: 32, RxPref: CTType{"text/vcard", "3.0"},
			Rx: []CTType{{"text/x-vcard", "2.1"}}, TxPref: CTType{"text/vcard", "3.0"}, SyncTypes: []int{1, 2},
			CTCaps: []CTCap{{CTType: "text/vcard", VerCT: "3.0", Properties: []CTProperty{
				{Name: "N", DataType: "chr", MaxOccur: 1, MaxSize: 40, NoTruncate: true, ValEnums: []string{"x"}, DisplayName: "Name",
					Params: []CTParam{{Name: "TYPE", DataType: "chr", ValEnums: []string{"HOME"}, DisplayName: "Type"}}}}}}}},
	}
	got := map[string]string{}
	for _, v := range []string{"1.2", "1.1", "1.0"} {
		doc := etree.NewDocument()
		doc.WriteSettings = writeSettings
		doc.SetRoot(d.Element(v))
		got[v], _ = doc.WriteToString()
	}
	want12 := `<DevInf xmlns='syncml:devinf'><VerDTD>1.2</VerDTD><Man>Anchorage</Man><FwV/><SwV/><HwV/><DevID>anchorage</DevID>` +
		`<DevTyp>server</DevTyp><UTC/><SupportNumberOfChanges/><DataStore><SourceRef>card</SourceRef><MaxGUIDSize>32</MaxGUIDSize>` +
		`<Rx-Pref><CTType>text/vcard</CTType><VerCT>3.0</VerCT></Rx-Pref><Rx><CTType>text/x-vcard</CTType><VerCT>2.1</VerCT></Rx>` +
		`<Tx-Pref><CTType>text/vcard</CTType><VerCT>3.0</VerCT></Tx-Pref><CTCap><CTType>text/vcard</CTType><VerCT>3.0</VerCT>` +
		`<Property><PropName>N</PropName><DataType>chr</DataType><MaxOccur>1</MaxOccur><MaxSize>40</MaxSize><NoTruncate/>` +
		`<ValEnum>x</ValEnum><DisplayName>Name</DisplayName><PropParam><ParamName>TYPE</ParamName><DataType>chr</DataType>` +
		`<ValEnum>HOME</ValEnum><DisplayName>Type</DisplayName></PropParam></Property></CTCap>` +
		`<SyncCap><SyncType>1</SyncType><SyncType>2</SyncType></SyncCap></DataStore></DevInf>`
	if got["1.2"] != want12 {
		t.Errorf("1.2:\n%s\nwant\n%s", got["1.2"], want12)
	}
	want11 := `<DevInf xmlns='syncml:devinf'><VerDTD>1.1</VerDTD><Man>Anchorage</Man><DevID>anchorage</DevID>` +
		`<DevTyp>server</DevTyp><UTC/><SupportNumberOfChanges/><DataStore><SourceRef>card</SourceRef><MaxGUIDSize>32</MaxGUIDSize>` +
		`<Rx-Pref><CTType>text/vcard</CTType><VerCT>3.0</VerCT></Rx-Pref><Rx><CTType>text/x-vcard</CTType><VerCT>2.1</VerCT></Rx>` +
		`<Tx-Pref><CTType>text/vcard</CTType><VerCT>3.0</VerCT></Tx-Pref>` +
		`<SyncCap><SyncType>1</SyncType><SyncType>2</SyncType></SyncCap></DataStore>` +
		`<CTCap><CTType>text/vcard</CTType><PropName>N</PropName><ValEnum>x</ValEnum><DisplayName>Name</DisplayName>` +
		`<ParamName>TYPE</ParamName><ValEnum>HOME</ValEnum><DisplayName>Type</DisplayName></CTCap></DevInf>`
	if got["1.1"] != want11 {
		t.Errorf("1.1:\n%s\nwant\n%s", got["1.1"], want11)
	}
	if strings.Contains(got["1.0"], "<UTC/>") || !strings.Contains(got["1.0"], "<VerDTD>1.0</VerDTD>") {
		t.Errorf("1.0: %s", got["1.0"])
	}
	if d.Element("") == nil || d.Element("").SelectElement("VerDTD").Text() != "1.2" {
		t.Error("empty verDTD does not fall back to d.VerDTD")
	}
}

func TestParseDevInfErrors(t *testing.T) {
	if _, err := ParseDevInf(nil); err == nil {
		t.Error("nil element parsed")
	}
	if _, err := ParseDevInf(etree.NewElement("Anchor")); err == nil || !strings.HasPrefix(err.Error(), "syncml: devinf: ") {
		t.Errorf("Anchor parsed as DevInf: %v", err)
	}
}
