package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

// page is what every template gets: the layout's parts and the page's own
// data in Body.
type page struct {
	Title string
	User  string
	Admin bool
	CSRF  string
	Nav   string // the current section, for the menu
	Body  any
}

var funcs = template.FuncMap{
	"when": func(t time.Time) string {
		if t.IsZero() {
			return "never"
		}
		return t.UTC().Format("2006-01-02 15:04 UTC")
	},
	"iso":        func(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) },
	"datastores": func() []string { return datastores },
	"prev":       func(v int64) int64 { return v - 1 },
}

// parsePages parses each page template together with the layout.
func parsePages() (map[string]*template.Template, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		base := strings.TrimSuffix(path.Base(n), ".html")
		if base == "layout" {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", n)
		if err != nil {
			return nil, fmt.Errorf("web: template %s: %w", n, err)
		}
		pages[base] = t
	}
	return pages, nil
}

func (h *Handler) render(w http.ResponseWriter, r *http.Request, name, title string, body any) {
	h.renderCode(w, r, http.StatusOK, name, title, body)
}

// renderCode renders a page into a buffer first, so that a template error
// becomes a clean 500 rather than half a page.
func (h *Handler) renderCode(w http.ResponseWriter, r *http.Request, code int, name, title string, body any) {
	p := page{Title: title, Body: body, Nav: strings.Split(strings.TrimPrefix(r.URL.Path, "/"), "/")[0]}
	if s := sessionOf(r); s != nil {
		p.User, p.Admin, p.CSRF = s.user.Name, s.user.Admin, s.csrf
	}
	var buf bytes.Buffer
	if err := h.pages[name].Execute(&buf, p); err != nil {
		h.log.Error("web: rendering page", "page", name, "err", err)
		http.Error(w, "Internal error rendering the page.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_, _ = w.Write(buf.Bytes())
}

// fail answers with an error page and the HTTP status.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, code int, msg string) {
	if code >= 400 && code != http.StatusNotFound {
		h.log.Warn("web: request refused", "status", code, "path", r.URL.Path, "remote", r.RemoteAddr, "reason", msg)
	}
	h.renderCode(w, r, code, "error", http.StatusText(code), msg)
}

// internal answers 500 and logs the error; the browser gets no details.
func (h *Handler) internal(w http.ResponseWriter, r *http.Request, err error) {
	h.log.Error("web: request failed", "path", r.URL.Path, "err", err)
	h.renderCode(w, r, http.StatusInternalServerError, "error", "Internal error",
		"Something went wrong on the server. The error is in its log.")
}
