package web

import (
	"anchorage/admin"
	"errors"
	"net/http"
	"net/url"
	"runtime/debug"
	"time"

	"anchorage/conflict"
	"anchorage/protocol/engine"
	"anchorage/store"
)

// userRow is a user on the admin Users page.
type userRow struct {
	Name            string
	Admin, Disabled bool
	Created         time.Time
	Rules           []admin.ConflictReport
}

func (h *Handler) adminUsers(w http.ResponseWriter, r *http.Request) {
	users, err := h.ops.Users(r.Context())
	if err != nil {
		h.internal(w, r, err)
		return
	}
	rows := make([]userRow, 0, len(users))
	for _, u := range users {
		rules, err := h.ops.ConflictRules(r.Context(), u.Name)
		if err != nil {
			h.internal(w, r, err)
			return
		}
		rows = append(rows, userRow{u.Name, u.Admin, u.Disabled, u.Created, rules})
	}
	h.render(w, r, "admin_users", "Users", struct {
		Users    []userRow
		Policies []conflict.Policy
		Done     string
	}{rows, conflict.Policies, r.FormValue("done")})
}

func doneRedirect(w http.ResponseWriter, r *http.Request, to, msg string) {
	http.Redirect(w, r, to+"?done="+url.QueryEscape(msg), http.StatusSeeOther)
}

func (h *Handler) adminAddUser(w http.ResponseWriter, r *http.Request) {
	name, pass := r.FormValue("name"), r.FormValue("password")
	if name == "" || pass == "" {
		h.fail(w, r, http.StatusBadRequest, "A new user needs a name and a password.")
		return
	}
	err := h.ops.AddUser(r.Context(), name, pass, r.FormValue("md5") == "1")
	if errors.Is(err, store.ErrExists) {
		h.fail(w, r, http.StatusConflict, "There is a user "+name+" already.")
		return
	}
	if err == nil && r.FormValue("admin") == "1" {
		yes := true
		err = h.ops.SetUserFlags(r.Context(), name, &yes, nil)
	}
	if err != nil {
		h.internal(w, r, err)
		return
	}
	h.log.Info("web: user added", "by", sessionOf(r).user.Name, "user", name)
	doneRedirect(w, r, "/admin/users", "User "+name+" was added.")
}

func (h *Handler) adminConflict(w http.ResponseWriter, r *http.Request) {
	name, ds, policy := r.FormValue("name"), r.FormValue("ds"), r.FormValue("policy")
	if ds != "" && !isDatastore(ds) {
		h.fail(w, r, http.StatusBadRequest, "Unknown datastore.")
		return
	}
	var rules *conflict.Rules
	if policy != "default" {
		p, err := conflict.ParsePolicy(policy)
		if err != nil {
			h.fail(w, r, http.StatusBadRequest, err.Error())
			return
		}
		rules = &conflict.Rules{Policy: p, DeleteWins: r.FormValue("delete_wins") == "1"}
	}
	err := h.ops.SetConflictRules(r.Context(), name, ds, rules)
	if errors.Is(err, store.ErrNotFound) {
		if policy == "default" {
			doneRedirect(w, r, "/admin/users", "Nothing to reset.")
			return
		}
		h.fail(w, r, http.StatusNotFound, "There is no user "+name+".")
		return
	}
	if err != nil {
		h.internal(w, r, err)
		return
	}
	doneRedirect(w, r, "/admin/users", "Conflict rule of "+name+" was set.")
}

func (h *Handler) adminDisable(w http.ResponseWriter, r *http.Request) {
	name := r.FormValue("name")
	disabled := r.FormValue("disabled") == "1"
	if name == sessionOf(r).user.Name && disabled {
		h.fail(w, r, http.StatusBadRequest, "You cannot disable yourself.")
		return
	}
	err := h.ops.SetUserFlags(r.Context(), name, nil, &disabled)
	if errors.Is(err, store.ErrNotFound) {
		h.fail(w, r, http.StatusNotFound, "There is no user "+name+".")
		return
	}
	if err != nil {
		h.internal(w, r, err)
		return
	}
	what := "enabled"
	if disabled {
		what = "disabled"
	}
	h.log.Info("web: user "+what, "by", sessionOf(r).user.Name, "user", name)
	doneRedirect(w, r, "/admin/users", "User "+name+" was "+what+".")
}

func isDatastore(ds string) bool {
	_, ok := engine.ResolveDatastore(ds)
	return ok
}

func (h *Handler) adminDevices(w http.ResponseWriter, r *http.Request) {
	reps, err := h.ops.Devices(r.Context(), "")
	if err != nil {
		h.internal(w, r, err)
		return
	}
	rows := h.deviceRows(reps)
	overdue := r.FormValue("overdue") == "1"
	if overdue {
		kept := rows[:0]
		for _, d := range rows {
			if d.Overdue {
				kept = append(kept, d)
			}
		}
		rows = kept
	}
	h.render(w, r, "admin_devices", "All devices", struct {
		Devices []deviceRow
		Overdue bool
	}{rows, overdue})
}

func (h *Handler) adminStatus(w http.ResponseWriter, r *http.Request) {
	now := h.now()
	hourAgo := now.Add(-time.Hour)
	var web int
	if err := h.store.View(r.Context(), func(tx store.Tx) error {
		var err error
		web, err = tx.CountWebSessionsSince(r.Context(), hourAgo)
		return err
	}); err != nil {
		h.internal(w, r, err)
		return
	}
	reps, err := h.ops.Devices(r.Context(), "")
	if err != nil {
		h.internal(w, r, err)
		return
	}
	synced := 0
	for _, rep := range reps {
		if !rep.Device.LastSeen.Before(hourAgo) {
			synced++
		}
	}
	users, err := h.ops.Users(r.Context())
	if err != nil {
		h.internal(w, r, err)
		return
	}
	version := h.version
	if version == "" {
		if bi, ok := debug.ReadBuildInfo(); ok {
			version = bi.Main.Version + " (" + bi.GoVersion + ")"
		}
	}
	h.render(w, r, "admin_status", "Server status", struct {
		Version, Store         string
		Started                time.Time
		Uptime                 string
		Users, Devices         int
		SyncDevices, WebLogins int
	}{version, h.info, h.started, now.Sub(h.started).Round(time.Second).String(), len(users), len(reps), synced, web})
}
