// Package web is Anchorage's web interface: owners see their devices and
// data, browse every item's history and undo what a device destroyed;
// admins manage users. Pages are rendered on the server (html/template,
// embedded files, plain CSS, no JavaScript), so they work on a phone and
// without scripts. The archive operations are not reimplemented here: the
// handlers call them through Ops, the same operations the CLI uses.
package web

import (
	"anchorage/admin"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"anchorage/conflict"
	"anchorage/server/forwarded"
	"anchorage/store"
)

// Ops are the account and archive operations the web interface calls.
// *admin.Admin implements them.
type Ops interface {
	Login(ctx context.Context, name, password, remote string) (*store.User, error)
	Users(ctx context.Context) ([]store.User, error)
	AddUser(ctx context.Context, name, password string, md5 bool) error
	SetUserFlags(ctx context.Context, name string, admin, disabled *bool) error
	SetConflictRules(ctx context.Context, user, datastore string, rules *conflict.Rules) error
	ConflictRules(ctx context.Context, user string) ([]admin.ConflictReport, error)

	Devices(ctx context.Context, user string) ([]admin.DeviceReport, error)
	ResetDevice(ctx context.Context, user, device, datastore string) (int, error)
	RemoveDevice(ctx context.Context, user, device string) error
	WipeDevice(ctx context.Context, user, device string, accountOnly bool) (store.WipeState, error)

	// Holds of the mass-deletion guard (admin/holds.go).
	Holds(ctx context.Context, user string, all bool) ([]admin.HoldReport, error)
	HeldItems(ctx context.Context, id int64) ([]store.Item, error)
	AcceptHold(ctx context.Context, id int64) (admin.HoldReport, int, error)
	RejectHold(ctx context.Context, id int64) (admin.HoldReport, error)

	LiveItems(ctx context.Context, user, datastore string) ([]store.Item, error)
	ItemVersions(ctx context.Context, user, datastore, guid string) ([]store.Item, error)
	History(ctx context.Context, user, datastore string, q admin.HistoryQuery) ([]admin.HistoryEntry, error)
	RestoreItem(ctx context.Context, user, datastore, guid string, version int64, dryRun bool) (*admin.RestoreReport, error)
	RestoreAsOf(ctx context.Context, user, datastore string, at time.Time, dryRun bool) (*admin.RestoreReport, error)
	Export(ctx context.Context, user, datastore string, opts admin.ExportOptions) (*admin.ExportResult, error)
	Import(ctx context.Context, user, datastore, file string, data []byte) (*admin.ImportReport, error)
}

// Options configure the web interface.
type Options struct {
	Ops Ops
	// Store keeps the web sessions, so that any server process sharing
	// the database serves a logged-in browser.
	Store  store.Store
	Logger *slog.Logger
	// Version, Started and StoreInfo are shown on the admin status page.
	Version   string
	Started   time.Time
	StoreInfo string
	// SessionTTL is how long a login lasts; 0 means DefaultSessionTTL.
	SessionTTL time.Duration
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// DefaultSessionTTL is how long a web login lasts.
const DefaultSessionTTL = 12 * time.Hour

// maxUpload bounds an import upload.
const maxUpload = 16 << 20

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Handler serves the web interface.
type Handler struct {
	ops     Ops
	store   store.Store
	log     *slog.Logger
	version string
	started time.Time
	info    string
	ttl     time.Duration
	now     func() time.Time
	pages   map[string]*template.Template
	mux     *http.ServeMux
}

// New returns the web interface's handler.
func New(opts Options) (*Handler, error) {
	h := &Handler{ops: opts.Ops, store: opts.Store, log: opts.Logger, version: opts.Version,
		started: opts.Started, info: opts.StoreInfo, ttl: opts.SessionTTL, now: opts.Now}
	if h.ops == nil || h.store == nil {
		return nil, errors.New("web: Ops and Store are required")
	}
	if h.log == nil {
		h.log = slog.Default()
	}
	if h.ttl <= 0 {
		h.ttl = DefaultSessionTTL
	}
	if h.now == nil {
		h.now = time.Now
	}
	if h.started.IsZero() {
		h.started = h.now()
	}
	var err error
	if h.pages, err = parsePages(); err != nil {
		return nil, err
	}
	static, err := fs.Sub(staticFS, "static")
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	m := http.NewServeMux()
	m.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	m.HandleFunc("GET /{$}", h.home)
	m.HandleFunc("GET /login", h.loginForm)
	m.HandleFunc("POST /login", h.login)
	m.HandleFunc("POST /logout", h.owner(h.logout))

	m.HandleFunc("GET /devices", h.owner(h.devices))
	m.HandleFunc("GET /devices/confirm", h.owner(h.deviceConfirm))
	m.HandleFunc("POST /devices/reset", h.owner(h.deviceReset))
	m.HandleFunc("POST /devices/remove", h.owner(h.deviceRemove))
	m.HandleFunc("POST /devices/wipe", h.owner(h.deviceWipe))
	m.HandleFunc("GET /holds/confirm", h.owner(h.holdConfirm))
	m.HandleFunc("POST /holds/accept", h.owner(h.holdAccept))
	m.HandleFunc("POST /holds/reject", h.owner(h.holdReject))
	m.HandleFunc("GET /data", h.owner(h.data))
	m.HandleFunc("GET /item", h.owner(h.item))
	m.HandleFunc("POST /item/restore", h.owner(h.itemRestore))
	m.HandleFunc("GET /deleted", h.owner(h.deleted))
	m.HandleFunc("POST /deleted/restore", h.owner(h.deletedRestore))
	m.HandleFunc("GET /undo", h.owner(h.undoForm))
	m.HandleFunc("POST /undo", h.owner(h.undoApply))
	m.HandleFunc("GET /export", h.owner(h.exportForm))
	m.HandleFunc("GET /export/download", h.owner(h.exportDownload))
	m.HandleFunc("GET /import", h.owner(h.importForm))
	m.HandleFunc("POST /import", h.owner(h.importUpload))

	m.HandleFunc("GET /admin/users", h.admin(h.adminUsers))
	m.HandleFunc("POST /admin/users/add", h.admin(h.adminAddUser))
	m.HandleFunc("POST /admin/users/conflict", h.admin(h.adminConflict))
	m.HandleFunc("POST /admin/users/disable", h.admin(h.adminDisable))
	m.HandleFunc("GET /admin/devices", h.admin(h.adminDevices))
	m.HandleFunc("GET /admin/status", h.admin(h.adminStatus))
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		h.fail(w, r, http.StatusNotFound, "There is no page at "+r.URL.Path+".")
	})
	h.mux = m
	return h, nil
}

// ServeHTTP sets the security headers every response carries, then
// routes.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	// No scripts at all; forms post only here; no framing (clickjacking).
	hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; "+
		"form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Referrer-Policy", "same-origin")
	if r.Method != http.MethodGet && r.Method != http.MethodHead && !sameOrigin(r) {
		h.fail(w, r, http.StatusForbidden, "This form was sent from another site.")
		return
	}
	h.mux.ServeHTTP(w, r)
}

// sameOrigin tells whether a state-changing request comes from this
// site: the browser's Origin header, when sent, must name this host. The
// CSRF token is the main defence; this is a second one.
func sameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" || o == "null" {
		return o == ""
	}
	return o == forwarded.Scheme(r)+"://"+r.Host
}
