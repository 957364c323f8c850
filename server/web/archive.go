package web

import (
	"anchorage/admin"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"anchorage/store"
)

// deletedRow is a deleted item on the Recently deleted page.
type deletedRow struct {
	GUID, Summary, Device string
	Time                  time.Time
}

// deletedItems lists the items of a datastore that are deleted now, most
// recent delete first, with the device (origin) that deleted them.
func (h *Handler) deletedItems(r *http.Request, ds string) ([]deletedRow, error) {
	user := sessionOf(r).user.Name
	tombs, err := h.ops.History(r.Context(), user, ds, admin.HistoryQuery{DeletedOnly: true})
	if err != nil {
		return nil, err
	}
	live, err := h.ops.LiveItems(r.Context(), user, ds)
	if err != nil {
		return nil, err
	}
	alive := map[string]bool{}
	for _, it := range live {
		alive[it.GUID] = true
	}
	seen := map[string]bool{}
	var rows []deletedRow
	for _, t := range slices.Backward(tombs) { // newest first: an item's last delete
		if alive[t.GUID] || seen[t.GUID] {
			continue
		}
		seen[t.GUID] = true
		rows = append(rows, deletedRow{GUID: t.GUID, Summary: t.Summary, Device: t.Origin, Time: t.Time})
	}
	return rows, nil
}

func (h *Handler) deleted(w http.ResponseWriter, r *http.Request) {
	ds, ok := h.datastoreParam(w, r)
	if !ok {
		return
	}
	rows, err := h.deletedItems(r, ds)
	if err != nil {
		h.internal(w, r, err)
		return
	}
	h.render(w, r, "deleted", "Recently deleted", struct {
		DS    string
		Items []deletedRow
	}{ds, rows})
}

// deletedRestore brings back one deleted item (guid) or, with all=1,
// every deleted item of the datastore: each gets its last version with
// content written again.
func (h *Handler) deletedRestore(w http.ResponseWriter, r *http.Request) {
	ds, ok := h.datastoreParam(w, r)
	if !ok {
		return
	}
	var guids []string
	if r.FormValue("all") == "1" {
		rows, err := h.deletedItems(r, ds)
		if err != nil {
			h.internal(w, r, err)
			return
		}
		for _, row := range rows {
			guids = append(guids, row.GUID)
		}
	} else {
		guids = []string{r.FormValue("guid")}
	}
	total := &admin.RestoreReport{}
	for _, g := range guids {
		rep, err := h.ops.RestoreItem(r.Context(), sessionOf(r).user.Name, ds, g, 0, false)
		if errors.Is(err, store.ErrNotFound) {
			h.fail(w, r, http.StatusNotFound, "There is no such deleted item in your "+ds+".")
			return
		}
		if err != nil {
			h.fail(w, r, http.StatusBadRequest, "The item could not be restored: "+err.Error())
			return
		}
		total.Changes = append(total.Changes, rep.Changes...)
		total.Unchanged += rep.Unchanged
	}
	h.render(w, r, "restored", "Restored", struct {
		DS     string
		Report *admin.RestoreReport
		Back   string
	}{ds, total, "/deleted?ds=" + url.QueryEscape(ds)})
}

// undoView is the Undo changes page: the form, and the preview of what
// restoring the datastore as of At would do.
type undoView struct {
	DS, At  string
	Preview *admin.RestoreReport
	Back    int // items that come back (deleted since)
	Revert  int // items whose content goes back
	Away    int // items created since, which go
	Applied bool
}

func (v *undoView) count(rep *admin.RestoreReport) {
	v.Preview = rep
	v.Back, v.Revert, v.Away = rep.Count("add"), rep.Count("update"), rep.Count("delete")
}

func (h *Handler) undoForm(w http.ResponseWriter, r *http.Request) {
	ds, ok := h.datastoreParam(w, r)
	if !ok {
		return
	}
	v := undoView{DS: ds, At: r.FormValue("at")}
	if v.At != "" {
		at, ok := h.timeParam(w, r, v.At)
		if !ok {
			return
		}
		rep, err := h.ops.RestoreAsOf(r.Context(), sessionOf(r).user.Name, ds, at, true)
		if err != nil {
			h.internal(w, r, err)
			return
		}
		v.count(rep)
	}
	h.render(w, r, "undo", "Undo changes", v)
}

func (h *Handler) undoApply(w http.ResponseWriter, r *http.Request) {
	ds, ok := h.datastoreParam(w, r)
	if !ok {
		return
	}
	at, ok := h.timeParam(w, r, r.FormValue("at"))
	if !ok {
		return
	}
	rep, err := h.ops.RestoreAsOf(r.Context(), sessionOf(r).user.Name, ds, at, false)
	if err != nil {
		h.internal(w, r, err)
		return
	}
	h.log.Info("web: undo changes", "user", sessionOf(r).user.Name, "datastore", ds, "as_of", at, "changes", len(rep.Changes))
	v := undoView{DS: ds, At: r.FormValue("at"), Applied: true}
	v.count(rep)
	h.render(w, r, "undo", "Undo changes", v)
}

// timeParam parses a time the user gave; one in the future is refused.
func (h *Handler) timeParam(w http.ResponseWriter, r *http.Request, s string) (time.Time, bool) {
	t, ok := parseTime(s)
	if !ok {
		h.fail(w, r, http.StatusBadRequest, fmt.Sprintf("%q is not a time: use 2024-05-06T07:08 (UTC).", s))
		return time.Time{}, false
	}
	if t.After(h.now()) {
		h.fail(w, r, http.StatusBadRequest, "That time is in the future.")
		return time.Time{}, false
	}
	return t, true
}

func (h *Handler) exportForm(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, "export", "Export", nil)
}

// exportFormats maps the Export page's choice to the engine's format and
// the file's extension and type, per datastore.
var exportFormats = map[string]struct{ format, ext, mime string }{
	"contacts/vcf": {"vcard30", ".vcf", "text/vcard"},
	"contacts/":    {"", ".vcf", "text/vcard"},
	"calendar/ics": {"ical", ".ics", "text/calendar"},
	"calendar/vcs": {"vcal", ".vcs", "text/x-vcalendar"},
	"calendar/":    {"", ".ics", "text/calendar"},
	"tasks/ics":    {"ical", ".ics", "text/calendar"},
	"tasks/vcs":    {"vcal", ".vcs", "text/x-vcalendar"},
	"tasks/":       {"", ".ics", "text/calendar"},
	"notes/":       {"", ".txt", "text/plain"},
	"notes/txt":    {"", ".txt", "text/plain"},
}

func (h *Handler) exportDownload(w http.ResponseWriter, r *http.Request) {
	ds, ok := h.datastoreParam(w, r)
	if !ok {
		return
	}
	f, ok := exportFormats[ds+"/"+r.FormValue("format")]
	if !ok {
		h.fail(w, r, http.StatusBadRequest, "Unknown format for "+ds+": contacts export as vcf, calendar and tasks as ics or vcs.")
		return
	}
	opts := admin.ExportOptions{Format: f.format}
	stamp := "now"
	if s := r.FormValue("at"); s != "" {
		if opts.AsOf, ok = h.timeParam(w, r, s); !ok {
			return
		}
		stamp = opts.AsOf.UTC().Format("20060102T1504Z")
	}
	res, err := h.ops.Export(r.Context(), sessionOf(r).user.Name, ds, opts)
	if err != nil {
		h.internal(w, r, err)
		return
	}
	// An item that cannot be written in the chosen format is left out of
	// the file, as with the CLI; the owner sees how many in a header and
	// the operator in the log.
	for _, sk := range res.Skipped {
		h.log.Warn("export: item left out", "user", sessionOf(r).user.Name, "datastore", ds, "guid", sk.GUID, "err", sk.Err)
	}
	if len(res.Skipped) > 0 {
		w.Header().Set("X-Anchorage-Skipped", fmt.Sprint(len(res.Skipped)))
	}
	data := res.Data
	w.Header().Set("Content-Type", f.mime+"; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-%s%s"`, ds, stamp, f.ext))
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(data)
}

func (h *Handler) importForm(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, "import", "Import", struct{ Report *admin.ImportReport }{})
}

func (h *Handler) importUpload(w http.ResponseWriter, r *http.Request) {
	ds, ok := h.datastoreParam(w, r)
	if !ok {
		return
	}
	f, hdr, err := r.FormFile("file")
	if err != nil {
		h.fail(w, r, http.StatusBadRequest, "Choose a .vcf or .ics file to import.")
		return
	}
	defer f.Close()
	name := filepath.Base(hdr.Filename)
	switch strings.ToLower(filepath.Ext(name)) {
	case ".vcf", ".ics", ".vcs", ".txt":
	default:
		h.fail(w, r, http.StatusUnsupportedMediaType, "Import takes .vcf, .ics or .vcs files (.txt for notes).")
		return
	}
	data, err := io.ReadAll(f)
	if err != nil {
		h.fail(w, r, http.StatusBadRequest, "The file could not be read.")
		return
	}
	rep, err := h.ops.Import(r.Context(), sessionOf(r).user.Name, ds, name, data)
	if err != nil {
		h.fail(w, r, http.StatusBadRequest, "Nothing was imported: "+err.Error())
		return
	}
	h.log.Info("web: import", "user", sessionOf(r).user.Name, "datastore", ds, "file", name,
		"added", rep.Added, "updated", rep.Updated, "rejected", rep.Rejected)
	h.render(w, r, "import", "Import", struct{ Report *admin.ImportReport }{rep})
}
