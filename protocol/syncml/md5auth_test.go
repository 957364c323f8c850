package syncml

import (
	"encoding/base64"
	"testing"
)

func TestMD5Vector(t *testing.T) {
	// SyncEvolution's first message for user "test", password "secret",
	// before the server sent any nonce.
	if got := MD5Secret("test", "secret"); got != "i20da3+1Z6VdfXz+tHkdSA==" {
		t.Errorf("MD5Secret = %s", got)
	}
	if got := MD5Digest(MD5Secret("test", "secret"), nil); got != "MraccrRHny5AADBfmPIGpQ==" {
		t.Errorf("MD5Digest = %s", got)
	}
	if MD5Credentials("test", "secret", []byte{}) != "MraccrRHny5AADBfmPIGpQ==" {
		t.Error("MD5Credentials")
	}
}

func TestMD5Captures(t *testing.T) {
	m := loadCapture(t, "01", "msg1-client-to-server.xml")
	if m.Header.Cred.Type != AuthMD5 || !EqualDigest(MD5Digest(MD5Secret("test", "secret"), nil), m.Header.Cred.Data) {
		t.Errorf("capture 01 msg1 cred %+v", m.Header.Cred)
	}
	// Capture 12 retries with password "WRONG", each time hashing the
	// base64-decoded NextNonce of the server's previous Chal.
	for _, pair := range [][2]string{
		{"msg1-server-to-client.xml", "msg2-client-to-server.xml"},
		{"msg2-server-to-client.xml", "msg3-client-to-server.xml"},
	} {
		chal := loadCapture(t, "12", pair[0]).Commands[0].Chal
		nonce, err := base64.StdEncoding.DecodeString(chal.NextNonce)
		if err != nil {
			t.Fatal(err)
		}
		cred := loadCapture(t, "12", pair[1]).Header.Cred
		if got := MD5Credentials("test", "WRONG", nonce); got != cred.Data {
			t.Errorf("%s: digest %s, client sent %s", pair[1], got, cred.Data)
		}
		if MD5Credentials("test", "secret", nonce) == cred.Data {
			t.Errorf("%s: right password matches a wrong one", pair[1])
		}
	}
}

func TestBasicCredentialsCapture(t *testing.T) {
	m := loadCapture(t, "11", "msg1-client-to-server.xml")
	if m.Header.Cred.Type != AuthBasic {
		t.Fatalf("cred %+v", m.Header.Cred)
	}
	if u, p, err := BasicCredentials(m.Header.Cred.Data); err != nil || u != "test" || p != "secret" {
		t.Errorf("capture 11: %q %q %v", u, p, err)
	}
}

func TestBasicCredentials(t *testing.T) {
	for data, want := range map[string][2]string{
		BasicCredentialsData("joe", "a:b"): {"joe", "a:b"},
		"dGVzdDpzZWNyZXQ":                  {"test", "secret"}, // unpadded
		" dGVzdDpzZWNyZXQ= \n":             {"test", "secret"},
		BasicCredentialsData("", ""):       {"", ""},
	} {
		u, p, err := BasicCredentials(data)
		if err != nil || u != want[0] || p != want[1] {
			t.Errorf("%q: %q %q %v", data, u, p, err)
		}
	}
	for _, bad := range []string{"", "!!!", base64.StdEncoding.EncodeToString([]byte("nocolon"))} {
		if _, _, err := BasicCredentials(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestEqualDigest(t *testing.T) {
	if !EqualDigest("abc", "abc") || EqualDigest("abc", "abd") || EqualDigest("abc", "ab") || EqualDigest("", "x") {
		t.Error("EqualDigest")
	}
}
