package pim

import "slices"

// Identifiers returns the strong identifiers of an item: values that name
// one item even after its content was edited, so that a device's edited
// copy of an item it never confirmed can still be told to be that item
// (the engine pairs it only with items it sent that device, and only when
// exactly one of them shares an identifier). Each is prefixed with its
// kind, sorted, without duplicates; nil when the item has none.
//
//   - every kind: "uid:" + its UID;
//   - contacts: "email:" + each normalised EMAIL, "tel:" + each normalised
//     TEL (a name alone is not one: two people may share it);
//   - events and tasks: their match key (lower-cased SUMMARY with DTSTART,
//     DUE for tasks), when both parts are there;
//   - notes: "line:" + the first non-empty line, as typed (a note's title:
//     an edit usually appends and keeps it; a short or generic title is
//     only used when no other pending item of the device has it too).
//
// Long values are hashed as match keys are.
func Identifiers(contentType string, data []byte) (ids []string) {
	defer func() {
		// Runs on whatever a device sends; see Describe.
		if recover() != nil {
			ids = nil
		}
	}()
	if sifKind(contentType, data) != KindUnknown {
		ct, canon, err := Canonical(contentType, data)
		if err != nil {
			return nil
		}
		return Identifiers(ct, canon)
	}
	add := func(prefix, v string) {
		if v != "" {
			ids = append(ids, matchKey(prefix, v))
		}
	}
	switch kind := DetectKind(contentType, data); kind {
	case KindContact:
		card := parse(data).find("VCARD")
		if card == nil {
			return nil
		}
		add("uid:", card.text("UID"))
		for i := range card.props {
			p := &card.props[i]
			switch p.name {
			case "EMAIL":
				add("email:", normEmail(p.value))
			case "TEL":
				add("tel:", normPhone(unescape(p.value)))
			}
		}
	case KindEvent, KindTask:
		root := parse(data)
		c := calendarItem(root, kind)
		if c == nil {
			return nil
		}
		add("uid:", c.text("UID"))
		summary, when := foldText(c.text("SUMMARY")), calendarWhen(root, c, kind)
		if summary != "" && when != "" {
			ids = append(ids, describeCalendar(root, c, kind).MatchKey)
		}
	case KindNote:
		info := describeNote(data)
		add("uid:", info.UID)
		text, _ := noteText(data)
		add("line:", firstLine(text))
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}
