package coresession_test

import (
	"context"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/beevik/etree"

	"anchorage/admin"
	"anchorage/protocol/activesync"
	"anchorage/protocol/activesync/coresession"
	"anchorage/test/easclient"
)

// searchServer serves EAS over HTTP on the core of newBackend, with ann's
// contacts imported.
func searchServer(t *testing.T) *easclient.Client {
	t.Helper()
	_, core := newBackend(t)
	vcf := ""
	for _, c := range []struct{ given, family, extra string }{
		{"Jan", "Kowalski", "EMAIL:jan.k@example.org\r\nORG:Acme\r\nTEL;TYPE=CELL:+48601000000\r\n"},
		{"Janina", "Zimmer", "EMAIL:jz@example.org\r\n"},
		{"Peter", "Jansen", "TITLE:Engineer\r\n"},
		{"Ann", "Other", "EMAIL:ann@example.org\r\n"},
	} {
		vcf += string(contact(c.given, c.family, c.extra).Data)
	}
	if _, err := admin.New(core).Import(context.Background(), "ann", "contacts", "people.vcf", []byte(vcf)); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(activesync.New(activesync.Options{Backend: coresession.New(core), Converter: activesync.PIMConverter{}}))
	t.Cleanup(hs.Close)
	return &easclient.Client{Base: hs.URL, User: "ann", Password: "pw", DeviceID: "SEARCH0001", HTTP: hs.Client()}
}

// names returns the GAL DisplayNames of the Results below e, in order.
func names(e *etree.Element) []string {
	var out []string
	for _, r := range e.FindElements("Result/Properties") {
		out = append(out, easclient.Text(r, "DisplayName"))
	}
	return out
}

func TestSearchGAL(t *testing.T) {
	c := searchServer(t)
	search := func(name, query, rng string) *etree.Element {
		t.Helper()
		opts := ""
		if rng != "" {
			opts = `<Options><Range>` + rng + `</Range></Options>`
		}
		out, err := c.Do(context.Background(), "Search", `<Search xmlns="Search:"><Store><Name>`+name+`</Name><Query>`+
			query+`</Query>`+opts+`</Store></Search>`)
		if err != nil {
			t.Fatal(err)
		}
		if st := easclient.Text(out, "Status"); st != "1" {
			t.Fatalf("Search status %s: %s", st, easclient.Dump(out))
		}
		return out.FindElement("Response/Store")
	}
	tests := []struct {
		name, store, query, rng string
		status                  string
		want                    []string
		total                   string
	}{
		// First names, last names and words of the display name begin
		// with "jan": ambiguous name resolution, case-insensitive.
		{"prefix of first and last names", "GAL", "jan", "", "1", []string{"Jan Kowalski", "Janina Zimmer", "Peter Jansen"}, "3"},
		{"e-mail address", "GAL", "JZ@", "", "1", []string{"Janina Zimmer"}, "1"},
		{"company", "GAL", "acme", "", "1", []string{"Jan Kowalski"}, "1"},
		{"range", "GAL", "jan", "1-1", "1", []string{"Janina Zimmer"}, "3"},
		{"no match", "GAL", "xyz", "", "1", nil, "0"},
		{"not a word start", "GAL", "owalski", "", "1", nil, "0"},
		{"range above 100", "GAL", "jan", "0-100", "12", nil, ""},
		{"bad range", "GAL", "jan", "5-2", "2", nil, ""},
		{"empty query", "GAL", "", "", "2", nil, ""},
		{"mailbox: no mail here", "Mailbox", "jan", "", "1", nil, "0"},
		{"document library", "DocumentLibrary", "jan", "", "5", nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			store := search(tc.store, tc.query, tc.rng)
			if st := easclient.Text(store, "Status"); st != tc.status {
				t.Fatalf("Store status %s, want %s: %s", st, tc.status, easclient.Dump(store))
			}
			if got := names(store); !slices.Equal(got, tc.want) {
				t.Errorf("results %q, want %q", got, tc.want)
			}
			if got := easclient.Text(store, "Total"); got != tc.total {
				t.Errorf("Total %q, want %q", got, tc.total)
			}
		})
	}
	t.Run("properties", func(t *testing.T) {
		p := search("GAL", "kowalski", "").FindElement("Result/Properties")
		want := map[string]string{"DisplayName": "Jan Kowalski", "FirstName": "Jan", "LastName": "Kowalski",
			"EmailAddress": "jan.k@example.org", "Alias": "jan.k", "Company": "Acme", "MobilePhone": "+48601000000"}
		for k, v := range want {
			if got := easclient.Text(p, k); got != v {
				t.Errorf("%s = %q, want %q: %s", k, got, v, easclient.Dump(p))
			}
		}
		if e := p.FindElement("DisplayName"); e == nil || e.SelectAttrValue("xmlns", "") != "Gal:" {
			t.Errorf("DisplayName is not in the GAL namespace: %s", easclient.Dump(p))
		}
	})
}

func TestFindGAL(t *testing.T) {
	c := searchServer(t)
	c.Version = "16.1"
	find := func(criterion, query, rng string) *etree.Element {
		t.Helper()
		out, err := c.Do(context.Background(), "Find", `<Find xmlns="Find:"><SearchId>s1</SearchId><ExecuteSearch><`+
			criterion+`><Query>`+query+`</Query><Options><Range>`+rng+`</Range></Options></`+criterion+`></ExecuteSearch></Find>`)
		if err != nil {
			t.Fatal(err)
		}
		if st := easclient.Text(out, "Status"); st != "1" {
			t.Fatalf("Find status %s: %s", st, easclient.Dump(out))
		}
		return out.FindElement("Response")
	}
	resp := find("GalSearchCriterion", "jan", "0-1")
	if st := easclient.Text(resp, "Status"); st != "1" {
		t.Fatalf("Response status %s: %s", st, easclient.Dump(resp))
	}
	if got := names(resp); !slices.Equal(got, []string{"Jan Kowalski", "Janina Zimmer"}) {
		t.Errorf("results %q", got)
	}
	if easclient.Text(resp, "Range") != "0-1" || easclient.Text(resp, "Total") != "3" {
		t.Errorf("Range %q Total %q, want 0-1 and 3", easclient.Text(resp, "Range"), easclient.Text(resp, "Total"))
	}
	if st := easclient.Text(find("GalSearchCriterion", "jan", "1-5"), "Status"); st != "4" {
		t.Errorf("a range not starting at 0: status %s, want 4", st)
	}
	if got := names(find("MailBoxSearchCriterion", "jan", "0-9")); len(got) != 0 {
		t.Errorf("a mailbox search found %q; this server holds no mail", got)
	}
	out, err := c.Do(context.Background(), "Find", `<Find xmlns="Find:"><SearchId>s1</SearchId></Find>`)
	if err != nil || easclient.Text(out, "Status") != "2" {
		t.Errorf("Find without ExecuteSearch: %v %s, want status 2", err, easclient.Dump(out))
	}
}
