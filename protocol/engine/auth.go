package engine

import (
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"time"

	"golang.org/x/crypto/bcrypt"

	"anchorage/store"
)

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
