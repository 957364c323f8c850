package session

import (
	"slices"
	"testing"

	"github.com/beevik/etree"

	"anchorage/protocol/pim"
	"anchorage/protocol/syncml"
)

// The server's DevInf, as a device decodes it, lists per datastore the
// formats it takes (SIF included) and the CTCap properties, in DevInf 1.2
// (CTCap inside each DataStore) and 1.1 (CTCap at DevInf level).
func TestServerDevInfAdvertisesFormats(t *testing.T) {
	for _, ver := range []string{"1.2", "1.1"} {
		di := serverDevInf(ver, []string{"./contacts", "calendar", "tasks", "notes"})
		doc := etree.NewDocument()
		doc.SetRoot(di.Element(ver))
		raw, err := doc.WriteToBytes()
		if err != nil {
			t.Fatal(err)
		}
		back := etree.NewDocument()
		if err := back.ReadFromBytes(raw); err != nil {
			t.Fatal(err)
		}
		got, err := syncml.ParseDevInf(back.Root())
		if err != nil {
			t.Fatalf("%s: %v", ver, err)
		}
		if len(got.DataStores) != 4 {
			t.Fatalf("%s: %d datastores", ver, len(got.DataStores))
		}
		want := map[string]string{"./contacts": pim.SIFContact, "calendar": pim.SIFEvent, "tasks": pim.SIFTask, "notes": pim.SIFNote}
		for _, ds := range got.DataStores {
			var rx, tx []string
			for _, c := range ds.Rx {
				rx = append(rx, c.CTType)
			}
			for _, c := range ds.Tx {
				tx = append(tx, c.CTType)
			}
			if !slices.Contains(rx, want[ds.SourceRef]) || !slices.Contains(tx, want[ds.SourceRef]) {
				t.Errorf("%s %s: Rx %v Tx %v lack %s", ver, ds.SourceRef, rx, tx, want[ds.SourceRef])
			}
			if ds.SourceRef == "notes" {
				continue
			}
			if len(ds.CTCaps) != 1 {
				t.Errorf("%s %s: %d CTCaps, want 1", ver, ds.SourceRef, len(ds.CTCaps))
				continue
			}
			var names []string
			for _, p := range ds.CTCaps[0].Properties {
				names = append(names, p.Name)
			}
			need := []string{"BEGIN", "UID", "X-"}
			if ds.SourceRef == "./contacts" {
				need = append(need, "N", "TEL", "EMAIL", "ADR", "PHOTO")
			} else {
				need = append(need, "SUMMARY", "DTSTART", "RRULE", "AALARM")
			}
			for _, n := range need {
				if !slices.Contains(names, n) {
					t.Errorf("%s %s: CTCap %s lacks %s: %v", ver, ds.SourceRef, ds.CTCaps[0].CTType, n, names)
				}
			}
		}
		t.Logf("DevInf %s for 4 datastores: %d bytes", ver, len(raw))
	}
}
