package pim

// Field preservation (DESIGN.md, Formats: "when a device that cannot hold
// a field sends an update, keep the fields it could not have seen"). A
// phone without EMAIL support, or limited to two TEL numbers, or a SIF
// client with three e-mail slots, sends back a Replace without what it
// never held; taken as it is, that Replace would delete those values for
// every other device.

import (
	"slices"
	"strings"
)

// Caps is what a device can hold of one content type.
type Caps struct {
	// Props maps the upper-case property names of the device's CTCap for
	// the type (SyncML DevInf 1.2 5.3.4, Property/PropName) to their
	// MaxOccur (0: no limit). Nil when the device sent no CTCap for it.
	Props map[string]int
	// Sent, used when Props is nil, names the properties the device has
	// sent for the item before (earlier versions it wrote). A property it
	// sends now or sent before is one it holds; one it never sent is taken
	// as one it cannot hold, as a vCard 2.1 phone that never sends EMAIL.
	Sent map[string]bool
}

// multiProps are properties an item may have several of; the others are
// single-valued: when the device sends one, its value wins.
var multiProps = map[string]bool{
	"TEL": true, "EMAIL": true, "ADR": true, "LABEL": true, "URL": true, "IMPP": true, "CATEGORIES": true,
	"RELATED": true, "MEMBER": true, "ATTENDEE": true, "EXDATE": true, "RDATE": true, "ATTACH": true,
	"COMMENT": true, "CONTACT": true, "RESOURCES": true, "X-SIF-EXCEPTIONS--EXCLUDEDATE": true,
}

// Preserve returns the client's new version of an item with what the
// device could not have seen of the server's current version put back:
// every server value that the device did not get (its format could not
// carry it: [Unrepresentable]), or got but could not keep (the property is
// missing from its CTCap, or beyond the property's MaxOccur; without a
// CTCap, a property the device has never sent for the item). Single-valued
// properties are put back only when the client's version lacks them.
//
// It works on the canonical forms (vCard 3.0, iCalendar 2.0) of the main
// component (the VCARD, the first VEVENT or VTODO); notes and items it
// cannot read come back unchanged. kept lists the property names put back;
// when it is empty, ct and merged are the client's type and data as given.
func Preserve(serverCT string, server []byte, clientCT string, client []byte, caps Caps) (ct string, merged []byte, kept []string) {
	return PreserveParsed(Parse(serverCT, server), Parse(clientCT, client), caps)
}

// PreserveParsed is Preserve of parsed items.
func PreserveParsed(server, client *Parsed, caps Caps) (ct string, merged []byte, kept []string) {
	clientCT, client0 := client.ct, client.data
	defer func() {
		if recover() != nil {
			ct, merged, kept = clientCT, client0, nil
		}
	}()
	sct, s, err := server.Canonical()
	if err != nil {
		return clientCT, client0, nil
	}
	cct, _, err := client.Canonical()
	if err != nil || sct != cct || sct == "text/plain" {
		return clientCT, client0, nil
	}
	kind := DetectKind(sct, s)
	sroot, croot := server.canonicalRoot(), client.canonicalRoot().clone()
	sm, cm := mainComponent(sroot, kind), mainComponent(croot, kind)
	// What the device got: the server version in its format, back in
	// canonical form. A device that holds nothing (an empty CTCap, as a
	// merge asks for every server value) held none of it: no conversion.
	vm := sm
	if caps.Props == nil || len(caps.Props) > 0 {
		vm = mainComponent(server.seenAs(clientCT), kind)
	}
	if sm == nil || cm == nil || vm == nil {
		return clientCT, client0, nil
	}

	vlines, clines, slines := server.propLines(vm), client.propLines(mainComponent(client.canonicalRoot(), kind)), server.propLines(sm)
	held := map[string][]string{} // property -> canonical values the device held
	count := map[string]int{}
	for i := range vm.props {
		p := &vm.props[i]
		if caps.Props != nil {
			max, ok := caps.Props[p.name]
			if !ok {
				continue
			}
			if max > 0 && count[p.name] >= max {
				continue
			}
		} else if !caps.Sent[p.name] && cm.prop(p.name) == nil {
			continue
		}
		count[p.name]++
		held[p.name] = append(held[p.name], vlines[i])
	}
	clientHas := map[string]bool{}
	clientLines := map[string]bool{}
	for i := range cm.props {
		// An empty property ("NOTE:", "ADR:;;;;;;") holds no value: it
		// does not stand in for the server's.
		if line := clines[i]; line != "" {
			clientHas[cm.props[i].name] = true
			clientLines[line] = true
		}
	}
	var add []prop
	for i := range sm.props {
		p := &sm.props[i]
		line := slines[i]
		if line == "" || slices.Contains(held[p.name], line) || clientLines[line] {
			continue
		}
		if clientHas[p.name] && !multiProps[p.name] && !strings.HasPrefix(p.name, "X-") {
			continue // single-valued: the device's own value wins
		}
		add = append(add, *p)
		if !slices.Contains(kept, p.name) {
			kept = append(kept, p.name)
		}
	}
	if len(add) == 0 {
		return clientCT, client0, nil
	}
	// The client's empty stand-ins for what is put back go.
	cm.props = slices.DeleteFunc(cm.props, func(p prop) bool { return slices.Contains(kept, p.name) && canonLine(&p) == "" })
	cm.props = append(cm.props, add...)
	var w writer
	for _, ch := range croot.children {
		writeComponent(&w, ch)
	}
	slices.Sort(kept)
	return cct, []byte(w.String()), kept
}

// mainComponent is the VCARD of a contact, the first VEVENT or VTODO of
// an event or task.
func mainComponent(root *component, kind Kind) *component {
	switch kind {
	case KindContact:
		return root.find("VCARD")
	case KindEvent, KindTask:
		return calendarItem(root, kind)
	}
	return nil
}

// writeComponent writes a parsed canonical component back as content
// lines. Values are kept as read (escapes included); parameters are
// quoted where they must be.
func writeComponent(w *writer, c *component) {
	w.line("BEGIN:" + c.name)
	for i := range c.props {
		p := &c.props[i]
		var b strings.Builder
		if p.group != "" {
			b.WriteString(p.group + ".")
		}
		b.WriteString(p.name)
		for _, q := range p.params {
			b.WriteString(";" + q.name)
			if len(q.values) > 0 {
				b.WriteString("=")
				for j, v := range q.values {
					if j > 0 {
						b.WriteByte(',')
					}
					b.WriteString(quoteParam(v))
				}
			}
		}
		b.WriteString(":" + p.value)
		w.fold(b.String())
	}
	for _, ch := range c.children {
		writeComponent(w, ch)
	}
	w.line("END:" + c.name)
}

// PropertyNames lists the upper-case names of the properties of an item's
// main component (the VCARD, the first VEVENT or VTODO) in canonical
// form, for [Caps.Sent]; nil for notes and unreadable items.
func PropertyNames(contentType string, data []byte) (names []string) {
	defer func() {
		if recover() != nil {
			names = nil
		}
	}()
	ct, c, err := Canonical(contentType, data)
	if err != nil || ct == "text/plain" {
		return nil
	}
	m := mainComponent(parse(c), DetectKind(ct, c))
	if m == nil {
		return nil
	}
	for i := range m.props {
		if !slices.Contains(names, m.props[i].name) {
			names = append(names, m.props[i].name)
		}
	}
	return names
}
