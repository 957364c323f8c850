package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"anchorage/admin"
	"anchorage/store"
)

// holdRow is an open hold of the mass-deletion guard as the Devices page
// shows it under its device.
type holdRow struct {
	ID        int64
	Datastore string
	Items     int
	Live      int
	Created   time.Time
}

func holdRows(hs []store.Hold) []holdRow {
	rows := make([]holdRow, 0, len(hs))
	for _, h := range hs {
		rows = append(rows, holdRow{ID: h.ID, Datastore: h.Datastore, Items: h.Items, Live: h.Live, Created: h.Created})
	}
	return rows
}

// ownHold reads the hold parameter: an open hold of the logged-in user.
func (h *Handler) ownHold(w http.ResponseWriter, r *http.Request) (admin.HoldReport, bool) {
	id, err := strconv.ParseInt(r.FormValue("hold"), 10, 64)
	if err != nil {
		h.fail(w, r, http.StatusBadRequest, "No hold named.")
		return admin.HoldReport{}, false
	}
	hs, err := h.ops.Holds(r.Context(), sessionOf(r).user.Name, false)
	if err != nil {
		h.internal(w, r, err)
		return admin.HoldReport{}, false
	}
	i := slices.IndexFunc(hs, func(rep admin.HoldReport) bool { return rep.ID == id })
	if i < 0 {
		h.fail(w, r, http.StatusNotFound, "You have no open hold "+strconv.FormatInt(id, 10)+": it was decided already, or is not yours.")
		return admin.HoldReport{}, false
	}
	return hs[i], true
}

// holdConfirm asks before a hold is accepted or rejected, listing what
// it holds.
func (h *Handler) holdConfirm(w http.ResponseWriter, r *http.Request) {
	action := r.FormValue("action")
	if action != "accept" && action != "reject" {
		h.fail(w, r, http.StatusBadRequest, "Unknown hold action; use accept or reject.")
		return
	}
	rep, ok := h.ownHold(w, r)
	if !ok {
		return
	}
	items, err := h.ops.HeldItems(r.Context(), rep.ID)
	if err != nil {
		h.internal(w, r, err)
		return
	}
	h.render(w, r, "confirm_hold", "Confirm", struct {
		Action string
		Hold   admin.HoldReport
		Items  []store.Item
	}{action, rep, items})
}

func (h *Handler) holdAccept(w http.ResponseWriter, r *http.Request) {
	rep, ok := h.ownHold(w, r)
	if !ok {
		return
	}
	_, n, err := h.ops.AcceptHold(r.Context(), rep.ID)
	if err != nil {
		h.internal(w, r, err)
		return
	}
	msg := strconv.Itoa(n) + " " + rep.Datastore + " item(s) deleted as " + rep.DeviceID + " asked; your other devices delete them at their next sync."
	http.Redirect(w, r, "/devices?done="+url.QueryEscape(msg), http.StatusSeeOther)
}

func (h *Handler) holdReject(w http.ResponseWriter, r *http.Request) {
	rep, ok := h.ownHold(w, r)
	if !ok {
		return
	}
	if _, err := h.ops.RejectHold(r.Context(), rep.ID); err != nil {
		h.internal(w, r, err)
		return
	}
	msg := "The " + strconv.Itoa(rep.Items) + " " + rep.Datastore + " item(s) stay; " + rep.DeviceID + " gets them back at its next sync."
	http.Redirect(w, r, "/devices?done="+url.QueryEscape(msg), http.StatusSeeOther)
}
