package pim

import (
	"slices"
	"strings"
)

// Identity is what tells whether a device's item and a server item are the
// same item, whatever each copy holds besides: the one rule every pairing
// path uses (slow sync, refresh from client, import, unacknowledged Adds).
// See Match.
type Identity struct {
	Kind Kind
	UID  string
	// Name is a contact's normalised name (NameKey), an event's or task's
	// folded SUMMARY, a note's folded text.
	Name string
	// When is an event's start (UTC, or its date when all day), a task's
	// DUE; "" when it has none.
	When string
	// Org is a contact's folded first ORG component.
	Org string
	// Reach is a contact's normalised e-mail addresses ("email:...") and
	// phone numbers ("tel:..."), sorted, without duplicates.
	Reach []string
}

// uidScore is the score of a match by UID: above any count of shared
// e-mail addresses and phone numbers.
const uidScore = 1 << 20

// IdentityOf reads the identity of an item. It never fails: what it cannot
// read stays empty, and an empty identity matches nothing.
func IdentityOf(contentType string, data []byte) Identity {
	return Parse(contentType, data).Identity()
}

// identity reads the identity of p (see IdentityOf).
func (p *Parsed) identity() (id Identity) {
	defer func() {
		// Runs on whatever a device sends; see Describe.
		if recover() != nil {
			id = Identity{}
		}
	}()
	if p.isSIF() {
		ct, canon, err := p.Canonical()
		if err != nil {
			return Identity{}
		}
		return IdentityOf(ct, canon)
	}
	switch kind := p.Kind(); kind {
	case KindContact:
		if card := p.rawRoot().find("VCARD"); card != nil {
			return contactIdentity(card)
		}
	case KindEvent, KindTask:
		root := p.rawRoot()
		if c := calendarItem(root, kind); c != nil {
			return Identity{Kind: kind, UID: c.text("UID"), Name: foldText(c.text("SUMMARY")), When: calendarWhen(root, c, kind)}
		}
	case KindNote:
		text, _ := noteText(p.data)
		return Identity{Kind: KindNote, UID: describeNote(p.data).UID, Name: foldText(text)}
	}
	return Identity{}
}

// contactIdentity reads a VCARD component.
func contactIdentity(card *component) Identity {
	id := Identity{Kind: KindContact, UID: card.text("UID"), Name: contactName(card)}
	if p := card.prop("ORG"); p != nil {
		id.Org = foldText(components(p.value)[0])
	}
	for i := range card.props {
		p := &card.props[i]
		switch p.name {
		case "EMAIL":
			if e := normEmail(p.value); e != "" {
				id.Reach = append(id.Reach, "email:"+e)
			}
		case "TEL":
			if t := normPhone(unescape(p.value)); t != "" {
				id.Reach = append(id.Reach, "tel:"+t)
			}
		}
	}
	slices.Sort(id.Reach)
	id.Reach = slices.Compact(id.Reach)
	return id
}

// contactName is a contact's name as NameKey normalises it: the family
// and given names of N (a phone may not hold the middle names), else FN.
func contactName(card *component) string {
	if p := card.prop("N"); p != nil {
		n := components(p.value)
		if name := NameKey(strings.Join(n[:min(len(n), 2)], " ")); name != "" {
			return name
		}
	}
	return NameKey(card.text("FN"))
}

// NameKey normalises a person's name so that the ways devices write it
// compare equal: lower-cased (final sigma as sigma), its words sorted ("Family Given", "Given
// Family" and the vCard 2.1 habit of the whole name in one N component
// are one name), runs of whitespace, commas and semicolons as one.
func NameKey(s string) string {
	// Greek final sigma: a name written in capitals has only Σ.
	s = strings.ReplaceAll(strings.ToLower(s), "ς", "σ")
	words := strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == ';' || r == ' ' || r == '\t' || r == '\n' || r == '\r'
	})
	slices.Sort(words)
	return strings.Join(words, " ")
}

// Match tells whether a and b are the same item, and how strongly: the
// higher the score, the more identifiers agree (a caller with several
// candidates takes the single best one).
//
//   - Any kind: equal UIDs are the same item. Different UIDs do not rule a
//     match out: many devices assign their own.
//   - Contacts: the names (NameKey) must be equal and must not be empty;
//     when both hold e-mail addresses or phone numbers, at least one must
//     be shared (two people of one name with different numbers stay two);
//     otherwise, when both have an ORG, it must be equal. The score is the
//     number of shared addresses and numbers.
//   - Events: equal SUMMARY and start instant. Tasks: equal SUMMARY and
//     DUE (both without DUE match on SUMMARY alone).
//   - Notes: equal text, compared folded.
func Match(a, b Identity) (same bool, score int) {
	if a.Kind != b.Kind || a.Kind == KindUnknown {
		return false, 0
	}
	if a.UID != "" && a.UID == b.UID {
		return true, uidScore + shared(a.Reach, b.Reach)
	}
	if a.Name == "" || a.Name != b.Name {
		return false, 0
	}
	switch a.Kind {
	case KindContact:
		n := shared(a.Reach, b.Reach)
		if len(a.Reach) > 0 && len(b.Reach) > 0 {
			return n > 0, n
		}
		if a.Org != "" && b.Org != "" && a.Org != b.Org {
			return false, 0
		}
		return true, 0
	case KindEvent:
		return a.When != "" && a.When == b.When, 1
	case KindTask:
		return a.When == b.When, 1
	case KindNote:
		return true, 1
	}
	return false, 0
}

// shared counts the values two sorted lists have in common.
func shared(a, b []string) int {
	n := 0
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] == b[j]:
			n++
			i++
			j++
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return n
}

// MatchEdited is Match for a device's item that descends from a version
// of a server item sent to that device and never mapped (an
// unacknowledged Add, OMA DS 1.2 Sync Protocol 5.10): the device may have
// edited every e-mail address and phone number of the contact since, so
// none need be shared; the rest of the rule holds (equal UIDs, else equal
// names, and no other ORG when both hold one). The score still counts the
// shared identifiers. Other kinds match as Match says.
func MatchEdited(sent, edited Identity) (same bool, score int) {
	if sent.Kind != KindContact || sent.UID != "" && sent.UID == edited.UID {
		return Match(sent, edited)
	}
	s, e := sent, edited
	s.Reach, e.Reach = nil, nil
	same, _ = Match(s, e)
	return same, shared(sent.Reach, edited.Reach)
}

// Best returns the index of the candidate that is the same item as id with
// the highest score, when exactly one has it; -1 and ambiguous true when
// two or more share it, -1 and false when none matches.
func Best(id Identity, cands []Identity) (best int, ambiguous bool) {
	return bestBy(id, cands, Match)
}

// BestEdited is Best by MatchEdited, for a device's item among the
// versions sent to it.
func BestEdited(edited Identity, sent []Identity) (best int, ambiguous bool) {
	return bestBy(edited, sent, func(e, s Identity) (bool, int) { return MatchEdited(s, e) })
}

func bestBy(id Identity, cands []Identity, match func(a, b Identity) (bool, int)) (best int, ambiguous bool) {
	best, top := -1, -1
	for i, c := range cands {
		same, score := match(id, c)
		switch {
		case !same:
		case score > top:
			best, top, ambiguous = i, score, false
		case score == top:
			ambiguous = true
		}
	}
	if ambiguous {
		return -1, true
	}
	return best, false
}

// AdoptName returns the client's copy of an item, in canonical form, with
// the properties that name it taken from the server's copy when both name
// it the same way (equal Identity Name, and When for the time): the UID,
// contacts' N and FN, events' and tasks' SUMMARY, and DTSTART, DTEND and DUE when
// they are the same instant, and DESCRIPTION when the client's only
// repeats its SUMMARY. A phone writing "N:Given Family;;;;" holds the server's "N:Family;Given", not another
// name, and a merge must not take it for a change. Otherwise, and for
// items it cannot read, the client's copy comes back as given.
func AdoptName(serverCT string, server []byte, clientCT string, client []byte) (ct string, data []byte) {
	return AdoptNameParsed(Parse(serverCT, server), Parse(clientCT, client))
}

// AdoptNameParsed is AdoptName of parsed items.
func AdoptNameParsed(server, client *Parsed) (ct string, data []byte) {
	defer func() {
		if recover() != nil {
			ct, data = client.ct, client.data
		}
	}()
	clientCT, client0 := client.ct, client.data
	sid, cid := server.Identity(), client.Identity()
	if sid.Kind != cid.Kind || sid.Name == "" || sid.Name != cid.Name {
		return clientCT, client0
	}
	if sid.Kind != KindContact && sid.Kind != KindEvent && sid.Kind != KindTask {
		return clientCT, client0
	}
	sct, _, err := server.Canonical()
	if err != nil {
		return clientCT, client0
	}
	cct, _, err := client.Canonical()
	if err != nil || sct != cct {
		return clientCT, client0
	}
	sroot, croot := server.canonicalRoot(), client.canonicalRoot().clone()
	sm, cm := mainComponent(sroot, sid.Kind), mainComponent(croot, sid.Kind)
	if sm == nil || cm == nil {
		return clientCT, client0
	}
	// Paired, the item keeps the server's UID: other devices know it by it.
	names := []string{"UID", "N", "FN"}
	if sid.Kind != KindContact {
		names = []string{"UID", "SUMMARY"}
		// vCalendar 1.0 phones copy SUMMARY into an empty DESCRIPTION:
		// that copy is no description of their own.
		if d := cm.prop("DESCRIPTION"); d != nil && sm.prop("DESCRIPTION") != nil &&
			foldText(unescape(d.value)) == foldText(unescape(cm.text("SUMMARY"))) {
			names = append(names, "DESCRIPTION")
		}
		// A time is the same when it is the same instant (time zones
		// resolved), however it is written.
		for _, name := range []string{"DTSTART", "DTEND", "DUE"} {
			sp, cp := sm.prop(name), cm.prop(name)
			if sp != nil && cp != nil && resolveTZID(sroot, sp, normDateTime(sp, "")) == resolveTZID(croot, cp, normDateTime(cp, "")) {
				names = append(names, name)
			}
		}
	}
	for _, name := range names {
		var from []prop
		for i := range sm.props {
			if sm.props[i].name == name {
				from = append(from, sm.props[i])
			}
		}
		if len(from) == 0 {
			continue
		}
		cm.props = slices.DeleteFunc(cm.props, func(p prop) bool { return p.name == name })
		cm.props = append(cm.props, from...)
	}
	var w writer
	for _, ch := range croot.children {
		writeComponent(&w, ch)
	}
	return cct, []byte(w.String())
}
