package pim

import (
	"bytes"
	"fmt"
	"strings"
)

// Merge3 merges two changed versions of one item, server and client, made
// from a common base (nil when unknown), field by field, on their canonical
// forms (see Canonical); all three share contentType. See MergeTypes.
func Merge3(base, server, client []byte, contentType string, serverNewer bool) ([]byte, error) {
	bct := contentType
	if base == nil {
		bct = ""
	}
	_, out, err := MergeTypes(bct, base, contentType, server, contentType, client, serverNewer)
	return out, err
}

// MergeTypes is a three-way, field-level merge of versions that may come
// in different formats (vCard 2.1 and 3.0, vCalendar 1.0 and iCalendar
// 2.0). It returns the merged item in canonical form and its content type.
//
// Multi-valued properties (TEL, EMAIL, ADR, ATTENDEE, CATEGORIES...) are
// sets: the result is the base minus what either side removed plus what
// either side added. A single-valued property (FN, N, SUMMARY, DTSTART...)
// changed on one side takes that side's value; changed differently on both
// sides it takes the newer side's (serverNewer says which). Components
// (VEVENT, VALARM...) are matched by name and position and merged alike.
// With no base every property either side has is kept, and single-valued
// ones that differ take the newer side's value.
func MergeTypes(baseType string, base []byte, serverType string, server []byte, clientType string, client []byte, serverNewer bool) (string, []byte, error) {
	sct, s, err := Canonical(serverType, server)
	if err != nil {
		return "", nil, fmt.Errorf("pim: merge: server version: %w", err)
	}
	cct, c, err := Canonical(clientType, client)
	if err != nil {
		return "", nil, fmt.Errorf("pim: merge: client version: %w", err)
	}
	if sct != cct {
		return "", nil, fmt.Errorf("pim: merge: %s and %s items cannot be merged", sct, cct)
	}
	var b []byte
	if len(base) > 0 {
		bct, bb, err := Canonical(baseType, base)
		if err == nil && bct == sct {
			b = bb
		}
	}
	if sct == "text/plain" {
		st, ct, bt := trimLines(string(s)), trimLines(string(c)), trimLines(string(b))
		switch {
		case st == ct || ct == bt && b != nil:
			return sct, s, nil
		case st == bt && b != nil:
			return sct, c, nil
		case serverNewer:
			return sct, s, nil
		}
		return sct, c, nil
	}
	m := mergeNode(readNode(b), readNode(s), readNode(c), serverNewer)
	var w writer
	for _, ch := range m.children {
		ch.write(&w)
	}
	return sct, []byte(w.String()), nil
}

// MarkCopy returns the canonical form of an item with suffix appended to
// its name (FN and the given name of N for contacts, SUMMARY for events
// and tasks, the first line of a note), so that a user finds the copy a
// duplicate resolution made next to the original.
func MarkCopy(contentType string, data []byte, suffix string) (string, []byte) {
	ct, c, err := Canonical(contentType, data)
	if err != nil {
		return contentType, append(append([]byte(nil), data...), suffix...)
	}
	if ct == "text/plain" {
		text := string(c)
		if i := strings.IndexAny(text, "\r\n"); i >= 0 {
			return ct, []byte(text[:i] + suffix + text[i:])
		}
		return ct, []byte(text + suffix)
	}
	root := readNode(c)
	var mark func(n *mnode)
	mark = func(n *mnode) {
		for i, l := range n.lines {
			p, ok := parseLine(l)
			if !ok {
				continue
			}
			if p.name == "FN" || p.name == "SUMMARY" && n.name != "VALARM" {
				n.lines[i] = l + escapeModern(suffix, false)
			}
		}
		for _, ch := range n.children {
			mark(ch)
		}
	}
	mark(root)
	var w writer
	for _, ch := range root.children {
		ch.write(&w)
	}
	return ct, []byte(w.String())
}

// singleValued are the properties an item holds at most once.
var singleValued = map[string]bool{
	"FN": true, "N": true, "SUMMARY": true, "DTSTART": true, "DTEND": true, "DUE": true,
	"DESCRIPTION": true, "LOCATION": true, "NOTE": true, "ORG": true, "TITLE": true, "BDAY": true,
	"UID": true, "CLASS": true, "STATUS": true, "PRIORITY": true, "RRULE": true, "DURATION": true,
	"TRANSP": true, "PERCENT-COMPLETE": true, "COMPLETED": true, "SEQUENCE": true, "GEO": true,
	"TZ": true, "ROLE": true, "PHOTO": true, "ANNIVERSARY": true, "GENDER": true, "KIND": true,
	"SORT-STRING": true, "ACTION": true, "TRIGGER": true, "RECURRENCE-ID": true, "TZID": true,
	"TZOFFSETFROM": true, "TZOFFSETTO": true, "ORGANIZER": true, "LOGO": true,
}

// mnode is a component as unfolded content lines, for merging.
type mnode struct {
	name     string
	lines    []string // unfolded property lines
	children []*mnode
}

// readNode reads canonical content into a tree of unfolded lines.
func readNode(data []byte) *mnode {
	root := &mnode{}
	if len(data) == 0 {
		return root
	}
	stack := []*mnode{root}
	for _, l := range logicalLines(string(bytes.TrimPrefix(data, utf8BOM))) {
		if strings.TrimSpace(l) == "" {
			continue
		}
		top := stack[len(stack)-1]
		up := strings.ToUpper(l)
		switch {
		case strings.HasPrefix(up, "BEGIN:"):
			n := &mnode{name: strings.TrimSpace(up[len("BEGIN:"):])}
			top.children = append(top.children, n)
			stack = append(stack, n)
		case strings.HasPrefix(up, "END:"):
			if len(stack) > 1 {
				stack = stack[:len(stack)-1]
			}
		default:
			top.lines = append(top.lines, l)
		}
	}
	return root
}

func (n *mnode) write(w *writer) {
	w.line("BEGIN:" + n.name)
	for _, l := range n.lines {
		w.fold(l)
	}
	for _, ch := range n.children {
		ch.write(w)
	}
	w.line("END:" + n.name)
}

func (n *mnode) String() string {
	if n == nil {
		return ""
	}
	var w writer
	n.write(&w)
	return w.String()
}

// propKey returns the property name (with its group) and the comparison
// form of a line ("" for lines that carry no information).
func propKey(l string) (name, cmp string) {
	p, ok := parseLine(l)
	if !ok {
		return "", ""
	}
	name = p.name
	if p.group != "" {
		name = p.group + "." + name
	}
	return name, canonLine(&p)
}

// props groups a node's lines by property name, in order of first use.
func (n *mnode) props() (order []string, byName map[string][]string) {
	byName = map[string][]string{}
	if n == nil {
		return nil, byName
	}
	for _, l := range n.lines {
		name, _ := propKey(l)
		if name == "" {
			continue
		}
		if _, seen := byName[name]; !seen {
			order = append(order, name)
		}
		byName[name] = append(byName[name], l)
	}
	return order, byName
}

func cmpSet(lines []string) map[string]bool {
	set := map[string]bool{}
	for _, l := range lines {
		_, k := propKey(l)
		if k == "" {
			k = l
		}
		set[k] = true
	}
	return set
}

func cmpJoin(lines []string) string {
	var ks []string
	for _, l := range lines {
		_, k := propKey(l)
		if k != "" {
			ks = append(ks, k)
		}
	}
	return strings.Join(ks, "\n")
}

// mergeNode merges one component of the three versions; b may be nil.
func mergeNode(b, s, c *mnode, serverNewer bool) *mnode {
	out := &mnode{name: s.name}
	bOrder, bp := b.props()
	_ = bOrder
	sOrder, sp := s.props()
	cOrder, cp := c.props()
	names := append([]string(nil), sOrder...)
	for _, n := range cOrder {
		if _, ok := sp[n]; !ok {
			names = append(names, n)
		}
	}
	for _, name := range names {
		bl, sl, cl := bp[name], sp[name], cp[name]
		base := strings.ToUpper(name[strings.LastIndexByte(name, '.')+1:])
		if noiseProps[base] {
			if len(sl) > 0 {
				out.lines = append(out.lines, sl...)
			} else {
				out.lines = append(out.lines, cl...)
			}
			continue
		}
		if singleValued[base] {
			bv, sv, cv := cmpJoin(bl), cmpJoin(sl), cmpJoin(cl)
			switch {
			case sv == cv:
				out.lines = append(out.lines, sl...)
			case sv == bv && b != nil:
				out.lines = append(out.lines, cl...)
			case cv == bv && b != nil:
				out.lines = append(out.lines, sl...)
			case serverNewer && len(sl) > 0 || len(cl) == 0:
				out.lines = append(out.lines, sl...)
			default:
				out.lines = append(out.lines, cl...)
			}
			continue
		}
		bs, ss, cs := cmpSet(bl), cmpSet(sl), cmpSet(cl)
		key := func(l string) string {
			_, k := propKey(l)
			if k == "" {
				return l
			}
			return k
		}
		seen := map[string]bool{}
		for _, l := range sl {
			k := key(l)
			if (cs[k] || !bs[k]) && !seen[k] {
				out.lines = append(out.lines, l)
				seen[k] = true
			}
		}
		for _, l := range cl {
			k := key(l)
			if !ss[k] && !bs[k] && !seen[k] {
				out.lines = append(out.lines, l)
				seen[k] = true
			}
		}
	}
	// Children, matched by name and position among their namesakes.
	type slot struct{ b, s, c *mnode }
	var keys []string
	slots := map[string]*slot{}
	index := func(n *mnode, set func(*slot, *mnode)) {
		if n == nil {
			return
		}
		count := map[string]int{}
		for _, ch := range n.children {
			k := fmt.Sprintf("%s#%d", ch.name, count[ch.name])
			count[ch.name]++
			sl := slots[k]
			if sl == nil {
				sl = &slot{}
				slots[k] = sl
				keys = append(keys, k)
			}
			set(sl, ch)
		}
	}
	index(s, func(x *slot, n *mnode) { x.s = n })
	index(c, func(x *slot, n *mnode) { x.c = n })
	index(b, func(x *slot, n *mnode) { x.b = n })
	for _, k := range keys {
		x := slots[k]
		switch {
		case x.s != nil && x.c != nil:
			out.children = append(out.children, mergeNode(x.b, x.s, x.c, serverNewer))
		case x.s != nil:
			if x.b == nil || x.b.String() != x.s.String() {
				out.children = append(out.children, x.s) // added, or changed on the server
			}
		case x.c != nil:
			if x.b == nil || x.b.String() != x.c.String() {
				out.children = append(out.children, x.c)
			}
		}
	}
	return out
}
