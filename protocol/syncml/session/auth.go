package session

import (
	"encoding/base64"
	"errors"

	"anchorage/protocol/engine"
	"anchorage/protocol/syncml"
)

// authResult is the outcome of checking a session's credentials.
type authResult struct {
	user *engine.User
	// status is 212 (accepted), 401 (wrong credentials) or 407 (missing).
	status int
	// nonce is the nonce an accepted MD5 digest was computed with; the
	// session's first write spends it (spendNonce).
	nonce string
	md5   bool
	// unchecked: an MD5 digest the server could not check, because it
	// issued the device no nonce yet (a first contact) or the nonce is
	// spent. No password was tried, so it is answered with a challenge and
	// not counted as a failed login: a household or an office behind one
	// address adds its devices without being throttled.
	unchecked bool
}

// authenticate checks the credentials of a session's first message. With
// syncml:auth-md5 the user is named by the header's Source LocName and the
// digest must use the nonce the server issued to this device and that no
// session used yet (nonce.go); on first contact there is none, so the
// device gets 401 with a fresh one to retry with. The password of basic credentials is checked by the core
// (which caches a bcrypt check for a while).
func (e *Handler) authenticate(w *engine.Work, hdr *syncml.Header) (authResult, error) {
	if hdr.Cred == nil || hdr.Cred.Data == "" {
		return authResult{status: 407}, nil
	}
	var u *engine.User
	var err error
	nonce := ""
	switch hdr.Cred.Type {
	case syncml.AuthBasic, "":
		name, pass, perr := syncml.BasicCredentials(hdr.Cred.Data)
		if perr != nil {
			return authResult{status: 401}, nil
		}
		u, err = w.Login(name, pass)
	case syncml.AuthMD5:
		u, nonce, err = e.checkDigest(w, hdr)
		if errors.Is(err, errNoNonce) {
			return authResult{status: 401, unchecked: true}, nil
		}
	default:
		return authResult{status: 401}, nil
	}
	if errors.Is(err, engine.ErrUnauthorized) {
		return authResult{status: 401}, nil
	} else if err != nil {
		return authResult{}, err
	}
	return authResult{user: u, status: 212, nonce: nonce, md5: nonce != ""}, nil
}

// checkDigest checks syncml:auth-md5 credentials against the user's stored
// secret and the nonce issued to the device; it returns that nonce.
func (e *Handler) checkDigest(w *engine.Work, hdr *syncml.Header) (*engine.User, string, error) {
	name := hdr.Source.Name
	if name == "" {
		return nil, "", engine.ErrUnauthorized
	}
	u, secret, err := w.DigestSecret(name)
	if err != nil {
		return nil, "", err
	}
	p, err := issuedNonce(w, u.ID, hdr.Source.URI)
	if err != nil {
		return nil, "", err
	}
	if p.PendingNonce == "" {
		return nil, "", errNoNonce
	}
	if !syncml.EqualDigest(syncml.MD5Digest(secret, []byte(p.PendingNonce)), hdr.Cred.Data) {
		return nil, "", engine.ErrUnauthorized
	}
	return u, p.PendingNonce, nil
}

// errNoNonce: the device holds no nonce the server issued and nobody used.
var errNoNonce = errors.New("session: no unused nonce issued to the device")

// newNonce returns a fresh MD5 nonce (raw bytes as a string) and its base64
// form for the Chal's NextNonce.
func newNonce() (raw, b64 string) {
	raw = engine.NewID()[:16]
	return raw, base64.StdEncoding.EncodeToString([]byte(raw))
}

// chal builds the challenge sent with 212/401/407: MD5 with a NextNonce when
// the user can use MD5 (or is unknown), basic otherwise.
func chal(md5 bool, nonceB64 string) *syncml.Meta {
	if !md5 {
		return &syncml.Meta{Type: syncml.AuthBasic, Format: "b64"}
	}
	return &syncml.Meta{Type: syncml.AuthMD5, Format: "b64", NextNonce: nonceB64}
}
