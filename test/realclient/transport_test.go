package realclient_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSyncML11 syncs a device that speaks SyncML 1.1 both ways.
func TestSyncML11(t *testing.T) {
	shared := needRealClient(t)
	srv := startServer(t)
	srv.addUser(t, "v11", "pw")
	a := newDevice(t, shared, srv, "v11-a", "v11", "pw", "")
	b := newDevice(t, shared, srv, "v11-b", "v11", "pw", "")
	seedDevice(t, a)
	r := a.mustSync(t, "slow", "--syncml-version", "1.1")
	expect(t, "1.1 upload", r, "contacts", map[string]int{"remote_added": 20})
	expect(t, "1.1 upload", r, "calendar", map[string]int{"remote_added": 3})
	r = b.mustSync(t, "two-way", "--syncml-version", "1.1")
	expect(t, "1.1 download", r, "contacts", map[string]int{"local_added": 20})
	assertConverged(t, srv, "v11", a, b)
	r = b.mustSync(t, "two-way", "--syncml-version", "1.1")
	for _, src := range b.sources {
		expectNothing(t, "1.1 confirmation", r, src)
	}
}

// TestTLS syncs over https with a self-signed certificate.
func TestTLS(t *testing.T) {
	shared := needRealClient(t)
	cert, key := selfSignedCert(t)
	srv := startServer(t, "--tls-cert", cert, "--tls-key", key)
	if !strings.HasPrefix(srv.url, "https://") {
		t.Fatalf("server URL %q is not https", srv.url)
	}
	srv.addUser(t, "tls", "pw")
	a := newDevice(t, shared, srv, "tls-a", "tls", "pw", "", "contacts")
	addContacts(t, a, "sec", 0, 3)
	r := a.mustSync(t, "slow", "--insecure")
	expect(t, "https upload", r, "contacts", map[string]int{"remote_added": 3})
	if got := serverContacts(t, srv, "tls"); len(got) != 3 {
		t.Errorf("server holds %v after the https sync", got)
	}
}

// selfSignedCert writes a certificate for 127.0.0.1 and its key (PEM).
func selfSignedCert(t *testing.T) (certFile, keyFile string) {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:    x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}
