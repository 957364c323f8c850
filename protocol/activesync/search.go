package activesync

import (
	"context"
	"net/mail"
	"slices"
	"strconv"
	"strings"

	"github.com/beevik/etree"
)

// Search (MS-ASCMD 2.2.1.16, EAS 2.5-16.1) and Find (2.2.1.2, 16.1) look
// up people by name or address, as in a company's global address list
// (GAL). This server has no directory: the GAL it searches is the user's
// own contacts datastore, which is what a phone asks for when the user
// types a recipient.

// Searcher is implemented by a Session that can list the user's
// contacts; without it Search and Find find nothing.
type Searcher interface {
	// Contacts returns the user's live contacts, in the core's neutral
	// form (Item.Class ClassContacts).
	Contacts(ctx context.Context) ([]Item, error)
}

// SearchStatus is Search's Status (MS-ASCMD 2.2.3.177.13).
type SearchStatus int

const (
	SearchOK            SearchStatus = 1
	SearchProtocolError SearchStatus = 2
	SearchServerError   SearchStatus = 3
	SearchAccessDenied  SearchStatus = 5 // a store this server does not offer
	SearchRangeExceeded SearchStatus = 12
)

// FindStatus is Find's Status (MS-ASCMD 2.2.3.177.2).
type FindStatus int

const (
	FindOK                 FindStatus = 1
	FindInvalidRequest     FindStatus = 2
	FindStartWithRangeZero FindStatus = 4
)

// galMaxResults is the GAL's default and largest Range: 0-99 (MS-ASCMD
// 2.2.3.143.3).
const galMaxResults = 100

// galEntry is one contact as the GAL namespace (code page 16, "Gal:") shows it.
type galEntry struct {
	DisplayName, Phone, Office, Title, Company, Alias, FirstName, LastName,
	HomePhone, MobilePhone, EmailAddress string
}

// write appends the entry's non-empty properties in the GAL namespace.
func (g galEntry) write(props *etree.Element) {
	for _, p := range [][2]string{{"DisplayName", g.DisplayName}, {"Phone", g.Phone}, {"Office", g.Office},
		{"Title", g.Title}, {"Company", g.Company}, {"Alias", g.Alias}, {"FirstName", g.FirstName},
		{"LastName", g.LastName}, {"HomePhone", g.HomePhone}, {"MobilePhone", g.MobilePhone},
		{"EmailAddress", g.EmailAddress}} {
		if p[1] != "" {
			addNS(props, p[0], "Gal:", p[1])
		}
	}
}

// matches is ambiguous name resolution as Exchange does it: the query,
// case-insensitive, begins the display name or one of its words, a first
// or last name, the company, the address or its local part (the alias).
func (g galEntry) matches(query string) bool {
	q := strings.ToLower(strings.TrimSpace(query))
	if q == "" {
		return false
	}
	words := append(strings.Fields(g.DisplayName), g.DisplayName, g.FirstName, g.LastName, g.Company,
		g.EmailAddress, g.Alias)
	for _, w := range words {
		if w != "" && strings.HasPrefix(strings.ToLower(w), q) {
			return true
		}
	}
	return false
}

// galOf converts a contact to its GAL entry through the Converter.
func (c *conn) galOf(it Item) (galEntry, bool) {
	ad := etree.NewElement("ApplicationData")
	if err := c.srv.opts.Converter.FromItem(it, ad, c.req.ProtocolVersion); err != nil {
		return galEntry{}, false
	}
	f := func(tag string) string { return text(ad, tag) }
	g := galEntry{FirstName: f("FirstName"), LastName: f("LastName"), Company: f("CompanyName"),
		Title: f("JobTitle"), Office: f("OfficeLocation"), Phone: f("BusinessPhoneNumber"),
		HomePhone: f("HomePhoneNumber"), MobilePhone: f("MobilePhoneNumber")}
	if a, err := mail.ParseAddress(f("Email1Address")); err == nil {
		g.EmailAddress = a.Address
	} else {
		g.EmailAddress = f("Email1Address")
	}
	g.Alias, _, _ = strings.Cut(g.EmailAddress, "@")
	g.DisplayName = strings.TrimSpace(g.FirstName + " " + g.LastName)
	if g.DisplayName == "" {
		g.DisplayName = f("FileAs")
	}
	if g.DisplayName == "" {
		g.DisplayName = g.Company
	}
	if g.DisplayName == "" {
		g.DisplayName = g.EmailAddress
	}
	return g, true
}

// lookup returns the user's contacts matching query, by display name.
func (c *conn) lookup(query string) ([]galEntry, error) {
	s, ok := c.sess.(Searcher)
	if !ok {
		return nil, nil
	}
	items, err := s.Contacts(c.r.Context())
	if err != nil {
		return nil, err
	}
	var out []galEntry
	for _, it := range items {
		if g, ok := c.galOf(it); ok && g.matches(query) {
			out = append(out, g)
		}
	}
	slices.SortFunc(out, func(a, b galEntry) int {
		return strings.Compare(strings.ToLower(a.DisplayName), strings.ToLower(b.DisplayName))
	})
	return out, nil
}

// parseRange reads "m-n" (MS-ASCMD 2.2.3.143); "" is the default 0-99.
func parseRange(s string) (from, to int, ok bool) {
	if s == "" {
		return 0, galMaxResults - 1, true
	}
	a, b, found := strings.Cut(s, "-")
	from, err1 := strconv.Atoi(strings.TrimSpace(a))
	to, err2 := strconv.Atoi(strings.TrimSpace(b))
	if !found || err1 != nil || err2 != nil || from < 0 || to < from {
		return 0, 0, false
	}
	return from, to, true
}

// writeResults appends the entries from..to (clipped) as Result elements,
// then Range and Total; an empty Result when nothing matched.
func writeResults(parent *etree.Element, found []galEntry, from, to int) {
	if from >= len(found) {
		add(parent, "Result", "")
		addInt(parent, "Total", len(found))
		return
	}
	to = min(to, len(found)-1)
	for _, g := range found[from : to+1] {
		g.write(add(add(parent, "Result", ""), "Properties", ""))
	}
	add(parent, "Range", strconv.Itoa(from)+"-"+strconv.Itoa(to))
	addInt(parent, "Total", len(found))
}

// answerGAL looks query up and writes the success status ok and the
// results from..to into resp.
func answerGAL[S ~int](c *conn, resp *etree.Element, ok S, query string, from, to int) error {
	found, err := c.lookup(query)
	if err != nil {
		return err
	}
	addInt(resp, "Status", ok)
	writeResults(resp, found, from, to)
	return nil
}

// search answers Search. Only the GAL store is searched; a Mailbox search
// finds nothing (this server holds no mail), a DocumentLibrary is refused.
func (c *conn) search(in *etree.Element) (*etree.Element, error) {
	out := newRoot("Search", "Search:")
	if in == nil || in.Tag != "Search" || in.FindElement("Store") == nil {
		addInt(out, "Status", SearchProtocolError)
		return out, nil
	}
	store := in.FindElement("Store")
	from, to, ok := parseRange(text(store, "Options/Range"))
	name := strings.ToLower(text(store, "Name"))
	addInt(out, "Status", SearchOK)
	resp := add(add(out, "Response", ""), "Store", "")
	switch {
	case !ok:
		addInt(resp, "Status", SearchProtocolError)
	case to-from+1 > galMaxResults:
		addInt(resp, "Status", SearchRangeExceeded)
	case name == "mailbox":
		addInt(resp, "Status", SearchOK)
		writeResults(resp, nil, from, to)
	case name != "gal":
		addInt(resp, "Status", SearchAccessDenied)
	case strings.TrimSpace(text(store, "Query")) == "":
		addInt(resp, "Status", SearchProtocolError)
	default:
		if err := answerGAL(c, resp, SearchOK, text(store, "Query"), from, to); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// find answers Find's GAL search (EAS 16.1). A mailbox search finds
// nothing: this server holds no mail.
func (c *conn) find(in *etree.Element) (*etree.Element, error) {
	out := newRoot("Find", "Find:")
	if in == nil || in.Tag != "Find" || in.FindElement("ExecuteSearch") == nil || text(in, "SearchId") == "" {
		addInt(out, "Status", FindInvalidRequest)
		return out, nil
	}
	exec := in.FindElement("ExecuteSearch")
	crit := exec.FindElement("GalSearchCriterion")
	if crit == nil {
		crit = exec.FindElement("GALSearchCriterion")
	}
	mailbox := exec.FindElement("MailBoxSearchCriterion")
	if crit == nil && mailbox == nil {
		addInt(out, "Status", FindInvalidRequest)
		return out, nil
	}
	if crit == nil {
		crit = mailbox
	}
	from, to, ok := parseRange(text(crit, "Options/Range"))
	addInt(out, "Status", FindOK)
	resp := add(out, "Response", "")
	switch {
	case !ok || to-from+1 > galMaxResults:
		addInt(resp, "Status", FindInvalidRequest)
	case from != 0:
		addInt(resp, "Status", FindStartWithRangeZero)
	case crit == mailbox:
		addInt(resp, "Status", FindOK)
		writeResults(resp, nil, from, to)
	case strings.TrimSpace(text(crit, "Query")) == "":
		addInt(resp, "Status", FindInvalidRequest)
	default:
		if err := answerGAL(c, resp, FindOK, text(crit, "Query"), from, to); err != nil {
			return nil, err
		}
	}
	return out, nil
}
