package admin

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"anchorage/protocol/engine"
	"anchorage/protocol/pim"
	"anchorage/store"
)

// Import seeds a datastore from .vcf, .ics, .vcs (or, for notes, .txt)
// streams. Files are cut
// into items line by line (splitImport), so a malformed entry is reported
// with its line and skipped while the rest is imported; twin matching
// follows the slow sync's rules.

// ImportReport tells what importing one file did.
type ImportReport struct {
	File    string
	Added   int // new items
	Matched int // already there, equivalent: nothing written
	Updated int // the same item (by UID or match key), different: a new version
	// Rejected counts the entries skipped; Problems says why and where,
	// one "file:line: reason" each.
	Rejected int
	Problems []string
}

// importEntry is one item cut out of an import file.
type importEntry struct {
	line        int // where it begins, from 1
	contentType string
	data        []byte
}

// importProblem is a malformed or unusable part of an import file.
type importProblem struct {
	line int
	msg  string
}

// datastoreKind is the kind of item each datastore holds.
var datastoreKind = map[string]pim.Kind{
	engine.Contacts: pim.KindContact, engine.Calendar: pim.KindEvent, engine.Tasks: pim.KindTask, engine.Notes: pim.KindNote,
}

// Import adds the items of one file to a user's datastore, writing every
// change of the file in one transaction: a failure writes nothing. Each
// entry is matched against the live items like a slow sync matches a
// device's: an equivalent item means nothing to write, an item with the
// same UID (else the same match key) gets the entry as a new version, and
// anything else is added. Importing the same file twice adds nothing.
// Malformed entries are skipped and reported with their line; the rest
// are imported. Writes have origin OriginImport, so devices receive them
// on their next sync.
func (e *Admin) Import(ctx context.Context, user, datastore, file string, data []byte) (*ImportReport, error) {
	name, ok := engine.ResolveDatastore(datastore)
	if !ok {
		return nil, unknownDatastore(datastore)
	}
	entries, problems, err := splitImport(name, data)
	if err != nil {
		return nil, fmt.Errorf("admin: import %s: %w", file, err)
	}
	valid := entries[:0]
	for _, en := range entries {
		switch kind := pim.DetectKind(en.contentType, en.data); {
		case kind != datastoreKind[name]:
			problems = append(problems, importProblem{en.line, fmt.Sprintf("%s, not for the %s datastore", withArticle(kind.String()), name)})
		case int64(len(en.data)) > e.maxObjSize:
			problems = append(problems, importProblem{en.line, fmt.Sprintf("%d bytes, more than the largest object the server accepts (%d)", len(en.data), e.maxObjSize)})
		default:
			valid = append(valid, en)
		}
	}
	rep := &ImportReport{File: file}
	err = e.updateDatastore(ctx, user, name, func(tx store.Tx, userID int64, ds string) error {
		claimed := map[string]bool{} // items an earlier entry of the file matched
		now := e.now()
		for _, en := range valid {
			info := pim.Describe(en.contentType, en.data)
			twin, equal, err := importTwin(ctx, tx, userID, ds, en, info, claimed)
			if err != nil {
				return err
			}
			if equal {
				rep.Matched++
				continue
			}
			guid := engine.NewGUID(e.now())
			if twin != nil {
				guid = twin.GUID
				claimed[guid] = true
				if info.UID == "" || info.UID != twin.UID {
					// Paired by identity, not as a version of the item:
					// what only the item holds stays (pairing.go).
					tct, tdata := twin.Canon()
					en.contentType, en.data, _ = pim.Preserve(tct, tdata, en.contentType, en.data, pim.Caps{Props: map[string]int{}})
					if engine.Equivalent(twin, en.contentType, en.data) {
						rep.Matched++
						continue
					}
					info = pim.Describe(en.contentType, en.data)
				}
			}
			if _, err := tx.WriteItem(ctx, engine.WithCanonical(&store.ItemWrite{UserID: userID, Datastore: ds, GUID: guid,
				ContentType: en.contentType, Data: en.data, UID: info.UID, MatchKey: info.MatchKey,
				Summary: info.Summary, Origin: OriginImport, Time: now})); err != nil {
				return fmt.Errorf("admin: import %s:%d: %w", file, en.line, err)
			}
			if twin != nil {
				rep.Updated++
			} else {
				rep.Added++
				claimed[guid] = true
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(problems, func(a, b importProblem) int { return a.line - b.line })
	for _, p := range problems {
		rep.Problems = append(rep.Problems, fmt.Sprintf("%s:%d: %s", file, p.line, p.msg))
	}
	rep.Rejected = len(problems)
	return rep, nil
}

// importTwin finds the live item an entry is a version of: equal reports
// an equivalent item (nothing to write); otherwise twin is the item not
// yet claimed by another entry that the identity rule pairs it with
// (pickTwin), nil for a new item.
func importTwin(ctx context.Context, tx store.Tx, userID int64, ds string, en importEntry, info pim.Info,
	claimed map[string]bool) (twin *store.Item, equal bool, err error) {
	if info.UID == "" && info.MatchKey == "" {
		return nil, false, nil
	}
	cands, err := tx.FindTwins(ctx, userID, ds, info.UID, info.MatchKey)
	if err != nil {
		return nil, false, fmt.Errorf("admin: find twins: %w", err)
	}
	for i := range cands {
		if engine.Equivalent(&cands[i], en.contentType, en.data) {
			return &cands[i], true, nil // even one an earlier entry claimed
		}
	}
	twin, _, _ = engine.PickTwin(cands, en.contentType, en.data, claimed)
	return twin, false, nil
}

// splitImport cuts a file into the items of a datastore: each vCard
// (contacts), each event, task or journal with the VTIMEZONEs it refers
// to in a VCALENDAR of its own (calendar, tasks, notes from .ics/.vcs),
// each vNote, or each plain-text note between form-feed lines (the
// separator ConcatNotes writes). err is for files that cannot be read at
// all.
func splitImport(ds string, data []byte) ([]importEntry, []importProblem, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if bytes.IndexByte(data, 0) >= 0 {
		return nil, nil, errors.New("the file holds NUL bytes (UTF-16 or binary?); convert it to UTF-8")
	}
	lines := strings.Split(string(data), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSuffix(l, "\r")
	}
	head := strings.ToUpper(strings.TrimSpace(string(data[:min(len(data), 64)])))
	var entries []importEntry
	var problems []importProblem
	switch {
	case ds == engine.Contacts:
		entries, problems = splitComponents(lines, "VCARD")
	case ds == engine.Notes && strings.HasPrefix(head, "BEGIN:VNOTE"):
		entries, problems = splitComponents(lines, "VNOTE")
	case ds == engine.Notes && !strings.HasPrefix(head, "BEGIN:VCALENDAR"):
		entries = splitNotes(lines)
	default:
		entries, problems = splitCalendars(lines)
	}
	return entries, problems, nil
}

// contentLine splits a content line into its upper-cased name (without
// parameters) and its value; ok is false for a line that is none.
func contentLine(l string) (name, value string, ok bool) {
	k, v, ok := strings.Cut(l, ":")
	if !ok || k == "" || strings.TrimSpace(k) != k {
		return "", "", false
	}
	name, _, _ = strings.Cut(k, ";")
	return strings.ToUpper(name), v, true
}

// isContinuation tells whether a line continues the one before (RFC 6350
// 3.2, RFC 5545 3.1 folding).
func isContinuation(l string) bool { return l != "" && (l[0] == ' ' || l[0] == '\t') }

// softBreak tells whether a vCard 2.1 QUOTED-PRINTABLE line goes on in the
// next line (which then need not start with white space).
func softBreak(l string) bool {
	return strings.HasSuffix(l, "=") && strings.Contains(strings.ToUpper(l), "QUOTED-PRINTABLE")
}

// junk collects runs of lines outside any item, reported once per run.
type junk struct {
	start    int
	problems []importProblem
}

func (j *junk) line(n int) {
	if j.start == 0 {
		j.start = n
	}
}

func (j *junk) flush(what string) {
	if j.start != 0 {
		j.problems = append(j.problems, importProblem{j.start, "text outside any " + what})
		j.start = 0
	}
}

// splitComponents cuts BEGIN:name .. END:name blocks (VCARD, VNOTE) out of
// lines. A vCard 2.1 AGENT may hold a nested vCard; any other BEGIN inside
// a block means the block never ended.
func splitComponents(lines []string, name string) ([]importEntry, []importProblem) {
	ct := map[string]string{"VCARD": "text/vcard", "VNOTE": "text/x-vnote"}[name]
	var (
		entries []importEntry
		j       junk
		cur     []string
		start   int
		depth   int
		bad     *importProblem
		last    string // name of the last property in the block
		qp      bool   // a QUOTED-PRINTABLE soft line break is open
	)
	unterminated := func() {
		j.problems = append(j.problems, importProblem{start, fmt.Sprintf("BEGIN:%s without END:%s", name, name)})
		cur = nil
	}
	for i, l := range lines {
		n := i + 1
		if cur != nil && (qp || isContinuation(l)) {
			cur = append(cur, l)
			qp = qp && strings.HasSuffix(l, "=")
			continue
		}
		qp = false
		if strings.TrimSpace(l) == "" {
			continue
		}
		prop, value, ok := contentLine(l)
		value = strings.ToUpper(strings.TrimSpace(value))
		switch {
		case prop == "BEGIN" && value == name:
			if cur != nil && last == "AGENT" {
				depth++
				cur = append(cur, l)
				continue
			}
			if cur != nil {
				unterminated()
			}
			j.flush(name)
			cur, start, depth, bad, last = []string{l}, n, 1, nil, ""
		case prop == "END" && value == name:
			if cur == nil {
				j.problems = append(j.problems, importProblem{n, fmt.Sprintf("END:%s without BEGIN:%s", name, name)})
				continue
			}
			cur = append(cur, l)
			if depth--; depth > 0 {
				continue
			}
			if bad != nil {
				j.problems = append(j.problems, *bad)
			} else {
				data := []byte(strings.Join(cur, "\r\n") + "\r\n")
				typ := ct
				if name == "VCARD" && itemFormat("", data) == FormatVCard21 {
					typ = "text/x-vcard"
				}
				entries = append(entries, importEntry{line: start, contentType: typ, data: data})
			}
			cur = nil
		case cur == nil:
			j.line(n)
		case !ok:
			if bad == nil {
				bad = &importProblem{n, fmt.Sprintf("not a content line (in the %s that begins on line %d)", name, start)}
			}
			cur = append(cur, l)
		default:
			cur = append(cur, l)
			last, qp = prop, softBreak(l)
		}
	}
	if cur != nil {
		unterminated()
	}
	j.flush(name)
	return entries, j.problems
}

// splitNotes cuts a plain-text file into notes at lines holding only a
// form feed.
func splitNotes(lines []string) []importEntry {
	var entries []importEntry
	var cur []string
	start := 0
	flush := func() {
		for len(cur) > 0 && strings.TrimSpace(cur[len(cur)-1]) == "" {
			cur = cur[:len(cur)-1]
		}
		if len(cur) > 0 {
			entries = append(entries, importEntry{line: start, contentType: "text/plain",
				data: []byte(strings.Join(cur, "\r\n") + "\r\n")})
		}
		cur = nil
	}
	for i, l := range lines {
		if strings.Trim(l, " \t") == "\f" {
			flush()
			continue
		}
		if len(cur) == 0 && strings.TrimSpace(l) == "" {
			continue
		}
		if len(cur) == 0 {
			start = i + 1
		}
		cur = append(cur, l)
	}
	flush()
	return entries
}

// calSection is one VCALENDAR of an import file, or the components found
// outside any.
type calSection struct {
	props []string            // calendar properties, each with its folded lines
	zones map[string][]string // VTIMEZONE blocks by TZID
	comps []*calComponent     // events, tasks and journals, in file order
}

// calComponent is one top-level component of a calendar.
type calComponent struct {
	name  string
	start int
	lines []string
	bad   *importProblem
}

// calItems are the components that become items; VTIMEZONEs go with them.
var calItems = map[string]bool{"VEVENT": true, "VTODO": true, "VJOURNAL": true}

// splitCalendars cuts every VEVENT, VTODO and VJOURNAL out of the
// VCALENDARs in lines (or standing alone) and wraps each, together with
// the components sharing its UID (recurrence exceptions) and the
// VTIMEZONEs they refer to, into a VCALENDAR of its own.
func splitCalendars(lines []string) ([]importEntry, []importProblem) {
	var (
		j     junk
		secs  []*calSection
		cal   *calSection // the open VCALENDAR
		bare  *calSection // components outside any VCALENDAR
		comp  *calComponent
		depth int // nesting inside comp
	)
	section := func() *calSection {
		if cal != nil {
			return cal
		}
		if bare == nil {
			bare = &calSection{zones: map[string][]string{}}
			secs = append(secs, bare)
		}
		return bare
	}
	problem := func(n int, format string, args ...any) {
		j.problems = append(j.problems, importProblem{n, fmt.Sprintf(format, args...)})
	}
	unterminated := func() {
		problem(comp.start, "BEGIN:%s without END:%s", comp.name, comp.name)
		comp = nil
	}
	calStart := 0
	for i, l := range lines {
		n := i + 1
		if isContinuation(l) {
			switch sec := cal; {
			case comp != nil:
				comp.lines = append(comp.lines, l)
			case sec != nil && len(sec.props) > 0:
				sec.props[len(sec.props)-1] += "\r\n" + l
			default:
				j.line(n)
			}
			continue
		}
		if strings.TrimSpace(l) == "" {
			continue
		}
		prop, value, ok := contentLine(l)
		value = strings.ToUpper(strings.TrimSpace(value))
		switch {
		case prop == "BEGIN" && value == "VCALENDAR":
			if comp != nil {
				unterminated()
			}
			if cal != nil {
				problem(calStart, "BEGIN:VCALENDAR without END:VCALENDAR")
			}
			j.flush("calendar")
			cal, calStart = &calSection{zones: map[string][]string{}}, n
			secs = append(secs, cal)
		case prop == "BEGIN" && (comp == nil || calItems[value] || value == "VTIMEZONE"):
			if comp != nil { // these do not nest: the open one never ended
				unterminated()
			}
			j.flush("calendar")
			comp, depth = &calComponent{name: value, start: n, lines: []string{l}}, 1
		case prop == "BEGIN":
			comp.lines = append(comp.lines, l)
			depth++
		case prop == "END" && value == "VCALENDAR" && cal != nil:
			if comp != nil {
				unterminated()
			}
			cal = nil
		case prop == "END" && comp != nil:
			comp.lines = append(comp.lines, l)
			if depth--; depth > 0 {
				continue
			}
			if value != comp.name && comp.bad == nil {
				comp.bad = &importProblem{n, fmt.Sprintf("END:%s ends BEGIN:%s of line %d", value, comp.name, comp.start)}
			}
			addComponent(section(), comp, &j)
			comp = nil
		case prop == "END":
			problem(n, "END:%s without BEGIN:%s", value, value)
		case comp != nil:
			if !ok && comp.bad == nil {
				comp.bad = &importProblem{n, fmt.Sprintf("not a content line (in the %s that begins on line %d)", comp.name, comp.start)}
			}
			comp.lines = append(comp.lines, l)
		case cal != nil && ok:
			cal.props = append(cal.props, l)
		case cal != nil:
			problem(n, "not a content line (in the VCALENDAR that begins on line %d)", calStart)
		default:
			j.line(n)
		}
	}
	if comp != nil {
		unterminated()
	}
	if cal != nil {
		problem(calStart, "BEGIN:VCALENDAR without END:VCALENDAR")
	}
	j.flush("calendar")
	var entries []importEntry
	for _, sec := range secs {
		entries = append(entries, sec.items()...)
	}
	return entries, j.problems
}

// addComponent files a finished component in its calendar.
func addComponent(sec *calSection, c *calComponent, j *junk) {
	switch {
	case c.bad != nil:
		j.problems = append(j.problems, *c.bad)
	case c.name == "VTIMEZONE":
		if id := topProp(c.lines, "TZID"); id != "" {
			sec.zones[id] = c.lines
		}
	case calItems[c.name]:
		sec.comps = append(sec.comps, c)
	default:
		j.problems = append(j.problems, importProblem{c.start, "a " + c.name + " component, which no datastore holds"})
	}
}

// tzidParam finds TZID parameters (RFC 5545 3.2.19).
var tzidParam = regexp.MustCompile(`(?i);TZID=("[^"]*"|[^;:]*)`)

// items wraps each group of components sharing a UID into a VCALENDAR with
// the calendar's VERSION (and, for vCalendar 1.0, its TZ and DAYLIGHT) and
// the VTIMEZONEs the group refers to.
func (sec *calSection) items() []importEntry {
	version, prodID := "2.0", "PRODID:"+pim.ProdID
	var extra []string
	for _, p := range sec.props {
		name, value, _ := contentLine(p)
		switch name {
		case "VERSION":
			version = strings.TrimSpace(value)
		case "PRODID":
			prodID = p
		case "TZ", "DAYLIGHT", "CALSCALE":
			extra = append(extra, p)
		}
	}
	ct := "text/calendar"
	if version == "1.0" {
		ct = "text/x-vcalendar"
	}
	var order []string
	groups := map[string][]*calComponent{}
	for i, c := range sec.comps {
		key := fmt.Sprint("#", i) // no UID: an item of its own
		if uid := topProp(c.lines, "UID"); uid != "" {
			key = c.name + ":" + uid
		}
		if groups[key] == nil {
			order = append(order, key)
		}
		groups[key] = append(groups[key], c)
	}
	var entries []importEntry
	for _, key := range order {
		out := append([]string{"BEGIN:VCALENDAR", "VERSION:" + version, prodID}, extra...)
		seen := map[string]bool{}
		var body []string
		for _, c := range groups[key] {
			for _, m := range tzidParam.FindAllStringSubmatch(strings.Join(unfold(c.lines), "\n"), -1) {
				id := strings.Trim(m[1], `"`)
				if zone, ok := sec.zones[id]; ok && !seen[id] {
					seen[id] = true
					out = append(out, zone...)
				}
			}
			body = append(body, c.lines...)
		}
		out = append(append(out, body...), "END:VCALENDAR")
		entries = append(entries, importEntry{line: groups[key][0].start, contentType: ct,
			data: []byte(strings.Join(out, "\r\n") + "\r\n")})
	}
	return entries
}

// unfold joins folded lines.
func unfold(lines []string) []string {
	var out []string
	for _, l := range lines {
		if isContinuation(l) && len(out) > 0 {
			out[len(out)-1] += l[1:]
			continue
		}
		out = append(out, l)
	}
	return out
}

// topProp returns the trimmed value of a property of a component itself,
// not of a component nested in it.
func topProp(lines []string, name string) string {
	depth := 0
	for _, l := range unfold(lines) {
		prop, value, ok := contentLine(l)
		switch {
		case !ok:
		case prop == "BEGIN":
			depth++
		case prop == "END":
			depth--
		case depth == 1 && prop == name:
			return strings.TrimSpace(value)
		}
	}
	return ""
}
