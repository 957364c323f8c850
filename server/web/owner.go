package web

import (
	"anchorage/admin"
	"encoding/xml"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"anchorage/protocol/pim"
	"anchorage/store"
)

// overdueAfter is when a device that has not synced counts as overdue, as
// `anchorage device list` says by default.
const overdueAfter = 48 * time.Hour

// deviceRow is a device as the Devices pages show it.
type deviceRow struct {
	User, ID, Protocol, Type string
	LastSync                 time.Time
	DaysSince                string
	Overdue                  bool
	LastError                string
	Wipe                     string // a remote wipe's state, when one was asked for
	Datastores               []string
	Holds                    []holdRow // open holds of the mass-deletion guard
}

func (h *Handler) deviceRows(reps []admin.DeviceReport) []deviceRow {
	now := h.now()
	rows := make([]deviceRow, 0, len(reps))
	for _, rep := range reps {
		row := deviceRow{User: rep.User, ID: rep.Device.DeviceID, Protocol: rep.Protocol, Type: deviceType(rep.Device.DevInf),
			LastSync: rep.LastSync, Overdue: rep.Overdue(now, overdueAfter), LastError: rep.Device.LastError, DaysSince: "-"}
		if ws := rep.Device.Wipe; ws.State != store.WipeNone {
			row.Wipe = string(ws.State) + " since " + ws.Changed.UTC().Format("2006-01-02 15:04 UTC")
		}
		if d, ok := rep.SinceSync(now); ok {
			row.DaysSince = strconv.Itoa(int(d.Hours() / 24))
		}
		for _, p := range rep.Datastores {
			row.Datastores = append(row.Datastores, p.Datastore)
		}
		row.Holds = holdRows(rep.Holds)
		rows = append(rows, row)
	}
	return rows
}

// deviceType reads manufacturer, model and type from a device's DevInf
// (OMA DS DevInf 1.2, 5.3); "" when it sent none.
func deviceType(devinf []byte) string {
	var d struct {
		Man, Mod, DevTyp string
	}
	if len(devinf) == 0 || xml.Unmarshal(devinf, &d) != nil {
		return ""
	}
	s := d.Man
	for _, p := range []string{d.Mod, d.DevTyp} {
		if p != "" {
			if s != "" {
				s += " "
			}
			s += p
		}
	}
	return s
}

func (h *Handler) devices(w http.ResponseWriter, r *http.Request) {
	reps, err := h.ops.Devices(r.Context(), sessionOf(r).user.Name)
	if err != nil {
		h.internal(w, r, err)
		return
	}
	h.render(w, r, "devices", "Devices", struct {
		Devices []deviceRow
		Done    string
	}{h.deviceRows(reps), r.URL.Query().Get("done")})
}

// ownDevice checks that the device belongs to the logged-in user.
func (h *Handler) ownDevice(w http.ResponseWriter, r *http.Request, id string) bool {
	reps, err := h.ops.Devices(r.Context(), sessionOf(r).user.Name)
	if err != nil {
		h.internal(w, r, err)
		return false
	}
	if !slices.ContainsFunc(reps, func(rep admin.DeviceReport) bool { return rep.Device.DeviceID == id }) {
		h.fail(w, r, http.StatusNotFound, "You have no device "+strconv.Quote(id)+".")
		return false
	}
	return true
}

func (h *Handler) deviceConfirm(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	action, id := q.Get("action"), q.Get("device")
	if action != "reset" && action != "remove" && action != "wipe" {
		h.fail(w, r, http.StatusBadRequest, "Unknown device action; use reset, remove or wipe.")
		return
	}
	if !h.ownDevice(w, r, id) {
		return
	}
	h.render(w, r, "confirm_device", "Confirm", struct{ Action, Device string }{action, id})
}

func (h *Handler) deviceReset(w http.ResponseWriter, r *http.Request) {
	id := r.FormValue("device")
	if !h.ownDevice(w, r, id) {
		return
	}
	if _, err := h.ops.ResetDevice(r.Context(), sessionOf(r).user.Name, id, ""); err != nil {
		h.internal(w, r, err)
		return
	}
	http.Redirect(w, r, "/devices?done="+url.QueryEscape("Device "+id+" was reset: its next sync is a slow sync."), http.StatusSeeOther)
}

func (h *Handler) deviceRemove(w http.ResponseWriter, r *http.Request) {
	id := r.FormValue("device")
	if !h.ownDevice(w, r, id) {
		return
	}
	if err := h.ops.RemoveDevice(r.Context(), sessionOf(r).user.Name, id); err != nil {
		h.internal(w, r, err)
		return
	}
	http.Redirect(w, r, "/devices?done="+url.QueryEscape("Device "+id+" was removed; its items stay."), http.StatusSeeOther)
}

// deviceWipe asks for a remote wipe of an ActiveSync device; with
// account_only only this account is removed from it (EAS 16.1). The data
// on the server stays.
func (h *Handler) deviceWipe(w http.ResponseWriter, r *http.Request) {
	id := r.FormValue("device")
	if !h.ownDevice(w, r, id) {
		return
	}
	accountOnly := r.FormValue("account_only") == "1"
	already, err := h.ops.WipeDevice(r.Context(), sessionOf(r).user.Name, id, accountOnly)
	var plain *admin.PlainError
	if errors.As(err, &plain) {
		// E.g. an account-only wipe of a device older than EAS 16.1.
		h.fail(w, r, http.StatusConflict, plain.Msg)
		return
	} else if err != nil {
		h.internal(w, r, err)
		return
	}
	msg := "A wipe of device " + id + " is pending: it is sent at the device's next connection. Your data on the server stays."
	if already != store.WipeNone {
		msg = "A wipe of device " + id + " was already asked for (" + string(already) + "); remove the device to end it."
	}
	http.Redirect(w, r, "/devices?done="+url.QueryEscape(msg), http.StatusSeeOther)
}

// datastoreParam reads the ds parameter: one of the four datastores,
// contacts when absent.
func (h *Handler) datastoreParam(w http.ResponseWriter, r *http.Request) (string, bool) {
	ds := r.FormValue("ds")
	if ds == "" {
		return "contacts", true
	}
	if !slices.Contains(datastores, ds) {
		h.fail(w, r, http.StatusBadRequest, "Unknown datastore "+strconv.Quote(ds)+": use contacts, calendar, tasks or notes.")
		return "", false
	}
	return ds, true
}

func (h *Handler) data(w http.ResponseWriter, r *http.Request) {
	ds, ok := h.datastoreParam(w, r)
	if !ok {
		return
	}
	its, err := h.ops.LiveItems(r.Context(), sessionOf(r).user.Name, ds)
	if err != nil {
		h.internal(w, r, err)
		return
	}
	q := r.FormValue("q")
	var cards []card
	for i := range its {
		if c := makeCard(ds, &its[i]); q == "" || c.matches(q) {
			cards = append(cards, c)
		}
	}
	slices.SortStableFunc(cards, func(a, b card) int { return compareFold(a.Title, b.Title) })
	h.render(w, r, "data", "Data", struct {
		DS, Query string
		Cards     []card
		Total     int
	}{ds, q, cards, len(its)})
}

// versionView is one version on an item's history page.
type versionView struct {
	Version int64
	Time    time.Time
	Origin  string
	Deleted bool
	Summary string
}

func (h *Handler) item(w http.ResponseWriter, r *http.Request) {
	ds, ok := h.datastoreParam(w, r)
	if !ok {
		return
	}
	guid := r.FormValue("guid")
	vs, err := h.ops.ItemVersions(r.Context(), sessionOf(r).user.Name, ds, guid)
	if errors.Is(err, store.ErrNotFound) {
		h.fail(w, r, http.StatusNotFound, "There is no such item in your "+ds+".")
		return
	}
	if err != nil {
		h.internal(w, r, err)
		return
	}
	// Compare version a with version b: by default the last one with the
	// one before it.
	b := versionParam(r, "b", vs[len(vs)-1].Version)
	a := versionParam(r, "a", max(b-1, vs[0].Version))
	va, vb := findVersion(vs, a), findVersion(vs, b)
	if va == nil || vb == nil {
		h.fail(w, r, http.StatusNotFound, "This item has no such version.")
		return
	}
	views := make([]versionView, len(vs))
	for i, v := range vs {
		views[len(vs)-1-i] = versionView{v.Version, v.Modified, v.Origin, v.Deleted, v.Summary}
	}
	cur := vs[len(vs)-1]
	h.render(w, r, "item", "History of "+cur.Summary, struct {
		DS, GUID string
		Current  card
		Versions []versionView
		A, B     int64
		Diff     []diffRow
		Latest   int64
	}{ds, guid, makeCard(ds, &cur), views, a, b, diffFields(fieldsOf(va), fieldsOf(vb)), cur.Version})
}

func fieldsOf(it *store.Item) []pim.Field {
	if it.Deleted {
		return nil
	}
	ct, data := it.Canon()
	return pim.Fields(ct, data)
}

func findVersion(vs []store.Item, v int64) *store.Item {
	for i := range vs {
		if vs[i].Version == v {
			return &vs[i]
		}
	}
	return nil
}

func versionParam(r *http.Request, name string, def int64) int64 {
	if v, err := strconv.ParseInt(r.FormValue(name), 10, 64); err == nil {
		return v
	}
	return def
}

func (h *Handler) itemRestore(w http.ResponseWriter, r *http.Request) {
	ds, ok := h.datastoreParam(w, r)
	if !ok {
		return
	}
	guid := r.FormValue("guid")
	v, err := strconv.ParseInt(r.FormValue("version"), 10, 64)
	if err != nil || v <= 0 {
		h.fail(w, r, http.StatusBadRequest, "Say which version to restore.")
		return
	}
	rep, err := h.ops.RestoreItem(r.Context(), sessionOf(r).user.Name, ds, guid, v, false)
	if errors.Is(err, store.ErrNotFound) {
		h.fail(w, r, http.StatusNotFound, "There is no such item or version in your "+ds+".")
		return
	}
	if err != nil {
		h.fail(w, r, http.StatusBadRequest, "The version could not be restored: "+err.Error())
		return
	}
	h.render(w, r, "restored", "Restored", struct {
		DS     string
		Report *admin.RestoreReport
		Back   string
	}{ds, rep, "/item?ds=" + url.QueryEscape(ds) + "&guid=" + url.QueryEscape(guid)})
}

func compareFold(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) }
