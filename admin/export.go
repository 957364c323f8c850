package admin

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"anchorage/protocol/engine"
	"anchorage/protocol/pim"
	"anchorage/store"
)

// Export formats (ExportOptions.Format), named by what they hold.
const (
	FormatVCard30 = "vcard30" // vCard 3.0
	FormatVCard21 = "vcard21" // vCard 2.1
	FormatVCard40 = "vcard40" // vCard 4.0 (stored as received; not an export choice)
	FormatICal    = "ical"    // iCalendar 2.0
	FormatVCal    = "vcal"    // vCalendar 1.0
)

// ExportFormats lists the formats each datastore can be exported in.
var ExportFormats = map[string][]string{
	engine.Contacts: {FormatVCard30, FormatVCard21},
	engine.Calendar: {FormatICal, FormatVCal},
	engine.Tasks:    {FormatICal, FormatVCal},
}

// formatTypes maps export format names to the MIME types pim converts.
var formatTypes = map[string]string{
	FormatVCard30: "text/vcard", FormatVCard21: "text/x-vcard", FormatVCard40: "text/vcard;version=4.0",
	FormatICal: "text/calendar", FormatVCal: "text/x-vcalendar",
}

// streamTypes is the type an item is converted to for a datastore's
// export without --format, when it is not stored in a form the stream
// holds (SIF).
var streamTypes = map[string]string{
	engine.Contacts: "text/vcard", engine.Calendar: "text/calendar", engine.Tasks: "text/calendar", engine.Notes: "text/plain",
}

// ExportOptions select what Export writes.
type ExportOptions struct {
	// AsOf exports the items as they were at that time; zero exports the
	// live items.
	AsOf time.Time
	// Format is the format of the items in the stream: "" keeps each as
	// stored where the stream can hold it (SIF is written as its canonical
	// form); for contacts "vcard30" or "vcard21", for calendar and tasks
	// "ical" or "vcal" (see ExportFormats).
	Format string
}

// ExportResult is an export stream and the items it could not hold.
type ExportResult struct {
	Data    []byte
	Items   int // items in Data
	Skipped []ExportSkip
}

// ExportSkip is an item left out of an export, and why.
type ExportSkip struct {
	GUID    string
	Summary string
	Err     error
}

// Export returns the items of a user's datastore as one stream: a .vcf
// for contacts, an .ics (a .vcs with Format "vcal") for calendar and
// tasks, plain text for notes. Every item is read in the form the stream
// needs: as stored, else its canonical form, else converted from that. An
// item none of these gives is left out and listed in Skipped, so that one
// bad item never costs the backup of the others.
func (e *Admin) Export(ctx context.Context, user, datastore string, opts ExportOptions) (*ExportResult, error) {
	if name, ok := engine.ResolveDatastore(datastore); ok {
		if err := checkExportFormat(name, opts.Format); err != nil {
			return nil, err
		}
	}
	var (
		items []store.Item
		name  string
	)
	err := e.viewDatastore(ctx, user, datastore, func(tx store.Tx, userID int64, ds string) error {
		name = ds
		after := ""
		for {
			var page []store.Item
			var err error
			if opts.AsOf.IsZero() {
				page, err = tx.LiveItems(ctx, userID, ds, after, pageSize)
			} else {
				page, err = tx.ItemsAsOf(ctx, userID, ds, opts.AsOf, after, pageSize)
			}
			if err != nil {
				return fmt.Errorf("admin: export %s of %q: %w", ds, user, err)
			}
			if len(page) == 0 {
				return nil
			}
			for _, it := range page {
				if !it.Deleted {
					items = append(items, it)
				}
			}
			after = page[len(page)-1].GUID
		}
	})
	if err != nil {
		return nil, err
	}
	res := &ExportResult{}
	datas := make([][]byte, 0, len(items))
	for i := range items {
		out, err := exportItem(&items[i], name, opts.Format)
		if err != nil {
			res.Skipped = append(res.Skipped, ExportSkip{GUID: items[i].GUID, Summary: items[i].Summary, Err: err})
			continue
		}
		datas = append(datas, out)
	}
	res.Items = len(datas)
	switch name {
	case engine.Contacts:
		res.Data = pim.ConcatVCards(datas)
	case engine.Calendar, engine.Tasks:
		out, err := pim.MergeCalendars(datas)
		if err != nil {
			return nil, fmt.Errorf("admin: export %s of %q: %w", name, user, err)
		}
		if opts.Format == FormatVCal {
			out = vcalendarHeader(out)
		}
		res.Data = out
	default:
		res.Data = pim.ConcatNotes(datas)
	}
	return res, nil
}

// exportItem returns an item's content as the export stream of datastore
// ds holds it in format ("": any the stream holds): as stored, else its
// canonical form, else converted from the canonical form (from the content
// when there is none).
func exportItem(it *store.Item, ds, format string) ([]byte, error) {
	ct, data := it.ContentType, it.Data
	if streamHolds(ds, format, ct, data) == nil {
		return data, nil
	}
	if len(it.Canonical) > 0 {
		ct, data = it.CanonicalType, it.Canonical
		if streamHolds(ds, format, ct, data) == nil {
			return data, nil
		}
	}
	to := streamTypes[ds]
	if format != "" {
		to = formatTypes[format]
	}
	out, err := pim.Convert(data, ct, to, pim.ConvertOptions{})
	if err != nil {
		return nil, err
	}
	if err := streamHolds(ds, format, to, out); err != nil {
		return nil, err
	}
	return out, nil
}

// streamHolds tells why the export stream of datastore ds in format
// cannot hold content as it is; nil when it can.
func streamHolds(ds, format, contentType string, data []byte) error {
	if pim.IsSIF(contentType) {
		return errors.New("stored as SIF")
	}
	switch ds {
	case engine.Contacts:
		if !containsFold(data, "BEGIN:VCARD") || !containsFold(data, "END:VCARD") {
			return errors.New("no VCARD")
		}
	case engine.Calendar, engine.Tasks:
		if err := pim.CheckCalendarItem(data); err != nil {
			return err
		}
	}
	if f := itemFormat(contentType, data); format != "" && f != format {
		return fmt.Errorf("stored as %s, not %s", f, format)
	}
	return nil
}

// checkExportFormat tells why format is no export format of ds, naming
// the formats there are.
func checkExportFormat(ds, format string) error {
	if format == "" || slices.Contains(ExportFormats[ds], format) {
		return nil
	}
	const names = "vcard30 or vcard21 for contacts, ical or vcal for calendar and tasks"
	if _, known := formatTypes[format]; !known || format == FormatVCard40 {
		for _, f := range []string{FormatVCard30, FormatVCard21, FormatICal, FormatVCal} {
			if strings.EqualFold(f, format) {
				return plainf("unknown format %q: format names are lower case (%s)", format, f)
			}
		}
		return plainf("unknown format %q (formats: %s)", format, names)
	}
	if len(ExportFormats[ds]) == 0 {
		return plainf("%s are exported in one format only (plain text); drop --format %s", ds, format)
	}
	return plainf("%s cannot be exported as %s (use %s)", ds, format, strings.Join(ExportFormats[ds], " or "))
}

// itemFormat tells the format of a stored item by its VERSION, else by
// its content type.
func itemFormat(contentType string, data []byte) string {
	version := ""
	for _, l := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.EqualFold(strings.TrimSpace(k), "VERSION") {
			version = strings.TrimSpace(v)
			break
		}
	}
	ct := strings.ToLower(contentType)
	switch pim.DetectKind(contentType, data) {
	case pim.KindContact:
		switch {
		case version == "4.0":
			return FormatVCard40
		case version == "3.0", version == "" && ct != "text/x-vcard":
			return FormatVCard30
		}
		return FormatVCard21
	case pim.KindEvent, pim.KindTask:
		if version == "1.0" || version == "" && ct == "text/x-vcalendar" {
			return FormatVCal
		}
		return FormatICal
	}
	return ""
}

// vcalendarHeader makes a merged calendar a vCalendar 1.0 stream: the
// items' components are copied as they are, so only the header changes.
func vcalendarHeader(cal []byte) []byte {
	return bytes.Replace(cal, []byte("\r\nVERSION:2.0\r\n"), []byte("\r\nVERSION:1.0\r\n"), 1)
}

// containsFold is strings.Contains(strings.ToUpper(data), upper) without
// copying data when it spells the name in upper case, as nearly all do.
func containsFold(data []byte, upper string) bool {
	return bytes.Contains(data, []byte(upper)) || strings.Contains(strings.ToUpper(string(data)), upper)
}
