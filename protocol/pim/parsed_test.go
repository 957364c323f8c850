package pim

import (
	"bytes"
	"slices"
	"testing"
)

// TestParsedReuseGivesSameResults checks that one Parsed per item, used
// for every comparison of a pairing and in any order, gives what the
// (content type, data) functions give on fresh copies, and that nothing
// that edits an item changes the trees it caches.
func TestParsedReuseGivesSameResults(t *testing.T) {
	server := []byte("BEGIN:VCARD\r\nVERSION:3.0\r\nUID:u-1\r\nN:Family;Given;;;\r\nFN:Given Family\r\n" +
		"TEL;TYPE=CELL:+49 170 1234567\r\nEMAIL;TYPE=INTERNET:given@example.com\r\n" +
		"ADR;TYPE=HOME:;;Main Street 1;Berlin;;10115;Germany\r\nORG:ACME\r\nNOTE:server note\r\nEND:VCARD\r\n")
	client := []byte("BEGIN:VCARD\r\nVERSION:2.1\r\nN:Given Family\r\nTEL;CELL:+491701234567\r\n" +
		"EMAIL;INTERNET:GIVEN@EXAMPLE.COM\r\nTITLE:Engineer\r\nEND:VCARD\r\n")
	const sct, cct = "text/vcard", "text/x-vcard"
	caps := []Caps{{Props: map[string]int{}}, {Props: map[string]int{"N": 1, "TEL": 1, "EMAIL": 1}}, {Sent: map[string]bool{"N": true}}}

	sp, cp := Parse(sct, server), Parse(cct, client)
	for round := range 2 { // the second round runs on what the first cached
		if got, want := EquivalentParsed(sp, cp), Equivalent(sct, server, cct, client); got != want {
			t.Errorf("round %d: EquivalentParsed = %v, Equivalent = %v", round, got, want)
		}
		if got, want := cp.Identity(), IdentityOf(cct, client); !identityEqual(got, want) {
			t.Errorf("round %d: Identity = %+v, IdentityOf = %+v", round, got, want)
		}
		act, adata := AdoptNameParsed(sp, cp)
		wct, wdata := AdoptName(sct, server, cct, client)
		if act != wct || !bytes.Equal(adata, wdata) {
			t.Errorf("round %d: AdoptNameParsed = %s %q, AdoptName = %s %q", round, act, adata, wct, wdata)
		}
		for i, c := range caps {
			for _, pair := range [][2]*Parsed{{sp, cp}, {cp, sp}} {
				gct, gdata, gkept := PreserveParsed(pair[0], pair[1], c)
				wct, wdata, wkept := Preserve(pair[0].ct, pair[0].data, pair[1].ct, pair[1].data, c)
				if gct != wct || !bytes.Equal(gdata, wdata) || !slices.Equal(gkept, wkept) {
					t.Errorf("round %d, caps %d: PreserveParsed = %s %q %v, Preserve = %s %q %v",
						round, i, gct, gdata, gkept, wct, wdata, wkept)
				}
			}
		}
	}
	if _, _, kept := PreserveParsed(sp, cp, caps[0]); !slices.Contains(kept, "ADR") || !slices.Contains(kept, "NOTE") {
		t.Errorf("a merge kept %v of the server's copy, want ADR and NOTE among them", kept)
	}
	if !bytes.Equal(sp.Data(), server) || !bytes.Equal(cp.Data(), client) {
		t.Error("the content a Parsed was made from changed")
	}
}

func identityEqual(a, b Identity) bool {
	return a.Kind == b.Kind && a.UID == b.UID && a.Name == b.Name && a.When == b.When && a.Org == b.Org &&
		slices.Equal(a.Reach, b.Reach)
}
