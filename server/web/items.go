package web

import (
	"slices"
	"strings"
	"time"

	"anchorage/protocol/pim"
	"anchorage/store"
)

// datastores are the datastores every user has, in menu order.
var datastores = []string{"contacts", "calendar", "tasks", "notes"}

// card is an item as the Data page shows it.
type card struct {
	GUID    string
	Title   string
	Lines   []line
	Text    string // a note's text
	Deleted bool
}

type line struct{ Label, Value string }

// cardFields are the properties a card shows per datastore, with labels.
var cardFields = map[string][]line{
	"contacts": {{"TEL", "Phone"}, {"EMAIL", "E-mail"}, {"ORG", "Organisation"}},
	"calendar": {{"DTSTART", "Starts"}, {"DTEND", "Ends"}, {"LOCATION", "Where"}, {"RRULE", "Repeats"}},
	"tasks":    {{"DUE", "Due"}, {"STATUS", "Status"}, {"PRIORITY", "Priority"}},
	"notes":    {},
}

// noteText are the properties holding a note's text.
var noteText = []string{"TEXT", "BODY", "DESCRIPTION"}

func makeCard(ds string, it *store.Item) card {
	c := card{GUID: it.GUID, Title: it.Summary, Deleted: it.Deleted}
	ct, data := it.Canon()
	fields := pim.Fields(ct, data)
	for _, want := range cardFields[ds] {
		for _, f := range fields {
			if f.Name == want.Label {
				c.Lines = append(c.Lines, line{want.Value, readableValue(f.Name, f.Value)})
			}
		}
	}
	if ds == "notes" {
		for _, f := range fields {
			if slices.Contains(noteText, f.Name) {
				c.Text = f.Value
				break
			}
		}
	}
	if c.Title == "" {
		c.Title = "(no title)"
	}
	return c
}

// matches tells whether a card contains the search words (all of them,
// case-insensitively).
func (c card) matches(q string) bool {
	var all strings.Builder
	all.WriteString(c.Title + "\n" + c.Text)
	for _, l := range c.Lines {
		all.WriteString("\n" + l.Value)
	}
	hay := strings.ToLower(all.String())
	for _, w := range strings.Fields(strings.ToLower(q)) {
		if !strings.Contains(hay, w) {
			return false
		}
	}
	return true
}

// readableValue formats iCalendar dates and times (20240506T120000Z,
// 20240506) for people; other values are returned as they are.
func readableValue(name, v string) string {
	switch name {
	case "DTSTART", "DTEND", "DUE", "COMPLETED", "BDAY", "ANNIVERSARY":
	default:
		return v
	}
	for _, l := range []struct{ in, out string }{
		{"20060102T150405Z", "2006-01-02 15:04 UTC"},
		{"20060102T150405", "2006-01-02 15:04"},
		{"20060102", "2006-01-02"},
		{"2006-01-02", "2006-01-02"},
	} {
		if t, err := time.Parse(l.in, v); err == nil {
			return t.Format(l.out)
		}
	}
	return v
}

// diffRow is one property in the comparison of two versions.
type diffRow struct {
	Name     string
	Old, New string
	Kind     string // "same", "changed", "added", "removed"
}

// diffFields compares two versions property by property: values present
// in both are "same"; the rest of a property's values are paired in order
// as "changed", and the leftovers are "added" or "removed".
func diffFields(a, b []pim.Field) []diffRow {
	var order []string
	olds, news := map[string][]string{}, map[string][]string{}
	for _, f := range a {
		if _, ok := olds[f.Name]; !ok && news[f.Name] == nil {
			order = append(order, f.Name)
		}
		olds[f.Name] = append(olds[f.Name], f.Value)
	}
	for _, f := range b {
		if _, ok := olds[f.Name]; !ok && news[f.Name] == nil {
			order = append(order, f.Name)
		}
		news[f.Name] = append(news[f.Name], f.Value)
	}
	var rows []diffRow
	for _, name := range order {
		o, n := slices.Clone(olds[name]), slices.Clone(news[name])
		var restO []string
		for _, v := range o {
			if i := slices.Index(n, v); i >= 0 {
				rows = append(rows, diffRow{Name: name, Old: v, New: v, Kind: "same"})
				n = slices.Delete(n, i, i+1)
			} else {
				restO = append(restO, v)
			}
		}
		for i := 0; i < max(len(restO), len(n)); i++ {
			switch {
			case i < len(restO) && i < len(n):
				rows = append(rows, diffRow{Name: name, Old: restO[i], New: n[i], Kind: "changed"})
			case i < len(restO):
				rows = append(rows, diffRow{Name: name, Old: restO[i], Kind: "removed"})
			default:
				rows = append(rows, diffRow{Name: name, New: n[i], Kind: "added"})
			}
		}
	}
	return rows
}

// parseTime reads the time a form or URL gives: a browser's
// datetime-local value (2006-01-02T15:04), RFC 3339, or the CLI's forms;
// times without a zone are UTC, like the CLI's.
func parseTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, l := range []string{time.RFC3339Nano, "2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(l, s, time.UTC); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
