package session

import (
	"encoding/json"
	"testing"

	"anchorage/protocol/syncml"
)

// TestCarryRoundTrip: commands carried to the next message survive the
// session state's JSON, an Alert's Status with its anchor and a Results
// with XML data included, and come back the same on the wire.
func TestCarryRoundTrip(t *testing.T) {
	alert := &syncml.Command{Name: "Alert", CmdID: "3", Data: "200",
		Items: []syncml.Item{{Target: syncml.Loc{URI: "contacts"}, Source: syncml.Loc{URI: "./contacts"}}}}
	cmds := []*syncml.Command{
		syncml.NewStatus("2", &syncml.Command{Name: "Add", CmdID: "7", Items: []syncml.Item{{Source: syncml.Loc{URI: "luid-7"}}}}, 201),
		func() *syncml.Command {
			s := syncml.NewStatus("1", alert, 200)
			s.Items = []syncml.Item{{DataXML: anchorElement("20261203T100000Z")}}
			return s
		}(),
		{Name: "Alert", Data: "200", Items: []syncml.Item{{Target: syncml.Loc{URI: "./contacts"}, Source: syncml.Loc{URI: "contacts"},
			Meta: &syncml.Meta{Anchor: &syncml.Anchor{Last: "a", Next: "b"}}}}},
		{Name: "Results", MsgRef: "1", CmdRef: "2", Meta: &syncml.Meta{Type: devInfXMLType},
			Items: []syncml.Item{{Source: syncml.Loc{URI: "./devinf12"}, DataXML: serverDevInf("1.2", nil).Element("1.2")}}},
	}
	packed, err := packCarry(cmds)
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(packed)
	if err != nil {
		t.Fatal(err)
	}
	var back []carriedCommand
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	got, err := unpackCarry(back)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(cmds) {
		t.Fatalf("%d commands back, want %d", len(got), len(cmds))
	}
	for i := range cmds {
		cmds[i].CmdID, got[i].CmdID = "9", "9"
		if a, b := syncml.EncodedSize(cmds[i]), syncml.EncodedSize(got[i]); a != b {
			t.Errorf("command %d (%s): %d bytes before, %d after", i, cmds[i].Name, a, b)
		}
		want, _ := syncml.Encode(&syncml.Message{Commands: []*syncml.Command{cmds[i]}})
		have, _ := syncml.Encode(&syncml.Message{Commands: []*syncml.Command{got[i]}})
		if string(want) != string(have) {
			t.Errorf("command %d differs after the round trip:\n%s\n%s", i, want, have)
		}
	}
}
