package web

import (
	"anchorage/admin"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"mime"
	"net/http"

	"anchorage/server/forwarded"
	"anchorage/store"
)

// Cookies: the login session, and the token that protects the login form
// itself (login CSRF) before a session exists.
const (
	sessionCookie    = "anchorage_session"
	loginTokenCookie = "anchorage_login"
)

// session is the logged-in user of a request.
type session struct {
	user *store.User
	csrf string
	id   []byte // hash of the cookie value
}

type ctxKey struct{}

func sessionOf(r *http.Request) *session { s, _ := r.Context().Value(ctxKey{}).(*session); return s }

// randomToken returns 32 random bytes, base64url.
func randomToken() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("web: crypto/rand: %v", err)) // the system's randomness is gone
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func hashID(v string) []byte { s := sha256.Sum256([]byte(v)); return s[:] }

func sameToken(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

func (h *Handler) setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: forwarded.Scheme(r) == "https"})
}

// lookup returns the request's session, or nil when it has none (no
// cookie, unknown, expired, or its user disabled or gone).
func (h *Handler) lookup(r *http.Request) (*session, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return nil, nil
	}
	id := hashID(c.Value)
	var s *session
	err = h.store.View(r.Context(), func(tx store.Tx) error {
		ws, err := tx.WebSession(r.Context(), id)
		if err != nil {
			return err
		}
		if !h.now().Before(ws.Expires) {
			return store.ErrNotFound
		}
		u, err := tx.UserByID(r.Context(), ws.UserID)
		if err != nil {
			return err
		}
		if !u.Disabled {
			s = &session{user: u, csrf: ws.CSRF, id: id}
		}
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	return s, err
}

// owner wraps a handler that needs a logged-in user. A POST must carry the
// session's CSRF token.
func (h *Handler) owner(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s, err := h.lookup(r)
		if err != nil {
			h.internal(w, r, err)
			return
		}
		if s == nil {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/login", http.StatusSeeOther)
				return
			}
			h.fail(w, r, http.StatusUnauthorized, "Your session has ended. Log in again.")
			return
		}
		if r.Method == http.MethodPost {
			if !h.parseForm(w, r) {
				return
			}
			if !sameToken(r.FormValue("csrf"), s.csrf) {
				h.log.Warn("web: CSRF token missing or wrong", "user", s.user.Name, "path", r.URL.Path, "remote", r.RemoteAddr)
				h.fail(w, r, http.StatusForbidden, "This form has expired or did not come from this site. Go back, reload the page and try again.")
				return
			}
		}
		next(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, s)))
	}
}

// admin wraps a handler of the admin pages: a logged-in admin only.
func (h *Handler) admin(next http.HandlerFunc) http.HandlerFunc {
	return h.owner(func(w http.ResponseWriter, r *http.Request) {
		if s := sessionOf(r); !s.user.Admin {
			h.log.Warn("web: admin page refused", "user", s.user.Name, "path", r.URL.Path)
			h.fail(w, r, http.StatusForbidden, "Only administrators can open this page.")
			return
		}
		next(w, r)
	})
}

// parseForm reads a POST's form, bounded by maxUpload; a body too large or
// unreadable gets its HTTP error.
func (h *Handler) parseForm(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxUpload)
	var err error
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
		err = r.ParseMultipartForm(1 << 20)
	} else {
		err = r.ParseForm()
	}
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		h.fail(w, r, http.StatusRequestEntityTooLarge, fmt.Sprintf("The upload is larger than %d MiB.", maxUpload>>20))
		return false
	case err != nil:
		h.fail(w, r, http.StatusBadRequest, "The form could not be read: "+err.Error())
		return false
	}
	return true
}

func (h *Handler) home(w http.ResponseWriter, r *http.Request) {
	s, err := h.lookup(r)
	if err != nil {
		h.internal(w, r, err)
		return
	}
	if s == nil {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/devices", http.StatusSeeOther)
}

type loginPage struct {
	Token, Name, Error string
}

func (h *Handler) loginForm(w http.ResponseWriter, r *http.Request) {
	h.showLogin(w, r, http.StatusOK, "", "")
}

func (h *Handler) showLogin(w http.ResponseWriter, r *http.Request, code int, name, msg string) {
	tok := randomToken()
	h.setCookie(w, r, loginTokenCookie, tok, 3600)
	h.renderCode(w, r, code, "login", "Log in", loginPage{Token: tok, Name: name, Error: msg})
}

func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	c, err := r.Cookie(loginTokenCookie)
	if err != nil || !sameToken(r.FormValue("csrf"), c.Value) {
		h.log.Warn("web: login CSRF token missing or wrong", "remote", r.RemoteAddr)
		h.fail(w, r, http.StatusForbidden, "This login form has expired. Reload the page and try again.")
		return
	}
	name := r.FormValue("user")
	u, err := h.ops.Login(r.Context(), name, r.FormValue("password"), r.RemoteAddr)
	if errors.Is(err, admin.ErrLoginRefused) {
		h.showLogin(w, r, http.StatusUnauthorized, name, "Wrong user name or password.")
		return
	}
	if err != nil {
		h.internal(w, r, err)
		return
	}
	value := randomToken()
	now := h.now()
	err = h.store.Update(r.Context(), func(tx store.Tx) error {
		if _, err := tx.DeleteWebSessionsBefore(r.Context(), now); err != nil {
			return err
		}
		return tx.PutWebSession(r.Context(), &store.WebSession{IDHash: hashID(value), UserID: u.ID,
			CSRF: randomToken(), Created: now, Expires: now.Add(h.ttl)})
	})
	if err != nil {
		h.internal(w, r, err)
		return
	}
	h.log.Info("web login", "user", u.Name, "remote", r.RemoteAddr)
	h.setCookie(w, r, loginTokenCookie, "", -1)
	h.setCookie(w, r, sessionCookie, value, int(h.ttl.Seconds()))
	http.Redirect(w, r, "/devices", http.StatusSeeOther)
}

func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	s := sessionOf(r)
	if err := h.store.Update(r.Context(), func(tx store.Tx) error { return tx.DeleteWebSession(r.Context(), s.id) }); err != nil {
		h.internal(w, r, err)
		return
	}
	h.setCookie(w, r, sessionCookie, "", -1)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}
