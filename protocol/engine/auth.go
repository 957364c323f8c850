package engine

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"golang.org/x/crypto/bcrypt"

	"anchorage/protocol/syncml"
	"anchorage/store"
)

// authResult is the outcome of checking a session's credentials.
type authResult struct {
	user *store.User
	// status is 212 (accepted), 401 (wrong credentials) or 407 (missing).
	status int
	// nonce is the nonce an accepted MD5 digest was computed with; the
	// session's first write spends it (spendNonce).
	nonce string
	md5   bool
}

// authenticate checks the credentials of a session's first message. With
// syncml:auth-md5 the user is named by the header's Source LocName and the
// digest must use the nonce the server issued to this device and that no
// session used yet (nonce.go); on first contact there is none, so the
// device gets 401 with a fresh one to retry with. Basic credentials that passed bcrypt once are cached for a
// while so that the KDF does not dominate a session's cost.
func (e *Engine) authenticate(ctx context.Context, tx store.Tx, hdr *syncml.Header) (authResult, error) {
	if hdr.Cred == nil || hdr.Cred.Data == "" {
		return authResult{status: 407}, nil
	}
	var res authResult
	err := func() error {
		switch hdr.Cred.Type {
		case syncml.AuthBasic, "":
			name, pass, err := syncml.BasicCredentials(hdr.Cred.Data)
			if err != nil {
				res.status = 401
				return nil
			}
			u, err := tx.UserByName(ctx, name)
			if errors.Is(err, store.ErrNotFound) {
				res.status = 401
				return nil
			} else if err != nil {
				return err
			}
			if !e.checkPassword(u, pass) {
				res.status = 401
				return nil
			}
			res = authResult{user: u, status: 212}
		case syncml.AuthMD5:
			name := hdr.Source.Name
			if name == "" {
				res.status = 401
				return nil
			}
			u, err := tx.UserByName(ctx, name)
			if errors.Is(err, store.ErrNotFound) {
				res.status = 401
				return nil
			} else if err != nil {
				return err
			}
			if u.MD5Secret == "" {
				res.status = 401
				return nil
			}
			nonce, err := currentNonce(ctx, tx, u.ID, hdr.Source.URI)
			if err != nil {
				return err
			}
			if nonce == "" || !syncml.EqualDigest(syncml.MD5Digest(u.MD5Secret, []byte(nonce)), hdr.Cred.Data) {
				res.status = 401
				return nil
			}
			res = authResult{user: u, status: 212, nonce: nonce, md5: true}
		default:
			res.status = 401
		}
		return nil
	}()
	if err != nil {
		return authResult{}, fmt.Errorf("engine: authenticate: %w", err)
	}
	if res.user != nil && res.user.Disabled {
		return authResult{status: 401}, nil
	}
	return res, nil
}

// checkPassword runs bcrypt unless the same credentials passed recently.
func (e *Engine) checkPassword(u *store.User, password string) bool {
	key := e.basicCache.key(u, password)
	if e.basicCache.valid(key, e.now()) {
		return true
	}
	if bcrypt.CompareHashAndPassword(u.PasswordHash, []byte(password)) != nil {
		return false
	}
	e.basicCache.remember(key, e.now())
	return true
}

func (c *credentialCache) key(u *store.User, password string) [32]byte {
	m := hmac.New(sha256.New, c.secret[:])
	fmt.Fprintf(m, "%d\x00%s\x00%s\x00", u.ID, u.PasswordHash, password)
	var k [32]byte
	copy(k[:], m.Sum(nil))
	return k
}

func (c *credentialCache) valid(k [32]byte, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	exp, ok := c.ok[k]
	if ok && now.After(exp) {
		delete(c.ok, k)
		return false
	}
	return ok
}

func (c *credentialCache) remember(k [32]byte, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.ok) > 10000 { // bound memory; entries are cheap to recompute
		for key, exp := range c.ok {
			if now.After(exp) {
				delete(c.ok, key)
			}
		}
		if len(c.ok) > 10000 {
			c.ok = make(map[[32]byte]time.Time)
		}
	}
	c.ok[k] = now.Add(c.ttl)
}

// newNonce returns a fresh MD5 nonce (raw bytes as a string) and its base64
// form for the Chal's NextNonce.
func newNonce() (raw, b64 string) {
	raw = newID()[:16]
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

// HashPassword returns the bcrypt hash and the MD5 secret for a new
// password; the MD5 secret is empty when md5 is false.
func HashPassword(name, password string, md5 bool) (hash []byte, md5Secret string, err error) {
	hash, err = bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return nil, "", fmt.Errorf("engine: hash password: %w", err)
	}
	if md5 {
		md5Secret = syncml.MD5Secret(name, password)
	}
	return hash, md5Secret, nil
}
