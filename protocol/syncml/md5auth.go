package syncml

import (
	"crypto/md5"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"strings"
)

// Credential types (RepPro 5.1.5 Cred; Sync Protocol 1.2, Authentication).
const (
	AuthBasic = "syncml:auth-basic"
	AuthMD5   = "syncml:auth-md5"
)

// MD5Secret is what a server can store instead of a password for
// syncml:auth-md5: B64(MD5(user ":" password)).
func MD5Secret(user, password string) string {
	sum := md5.Sum([]byte(user + ":" + password))
	return base64.StdEncoding.EncodeToString(sum[:])
}

// MD5Digest is the syncml:auth-md5 credential (Sync Protocol 1.2 / RepPro
// 5.1.5, MD5 digest access authentication) for a secret from MD5Secret and
// a nonce: B64(MD5(secret ":" nonce)). The nonce is the raw bytes, i.e.
// the NextNonce the server sent, base64-decoded; it is empty if the server
// never sent one.
func MD5Digest(secret string, nonce []byte) string {
	b := make([]byte, 0, len(secret)+1+len(nonce))
	b = append(append(append(b, secret...), ':'), nonce...)
	sum := md5.Sum(b)
	return base64.StdEncoding.EncodeToString(sum[:])
}

// MD5Credentials is the Cred Data a client sends for syncml:auth-md5.
func MD5Credentials(user, password string, nonce []byte) string {
	return MD5Digest(MD5Secret(user, password), nonce)
}

// BasicCredentials decodes syncml:auth-basic Cred Data, B64(user ":"
// password) (RepPro 5.1.5). The password is everything after the first
// colon.
func BasicCredentials(data string) (user, pass string, err error) {
	s := strings.TrimSpace(data)
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		raw, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "="))
	}
	if err != nil {
		return "", "", errors.New("syncml: basic credentials: not base64")
	}
	user, pass, ok := strings.Cut(string(raw), ":")
	if !ok {
		return "", "", errors.New("syncml: basic credentials: no colon between user and password")
	}
	return user, pass, nil
}

// BasicCredentialsData is the Cred Data for syncml:auth-basic.
func BasicCredentialsData(user, password string) string {
	return base64.StdEncoding.EncodeToString([]byte(user + ":" + password))
}

// EqualDigest compares two credentials in constant time (for equal
// lengths), so a timing difference does not reveal how much of a guess
// was right.
func EqualDigest(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
