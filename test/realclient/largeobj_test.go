package realclient_test

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"math/rand"
	"strings"
	"testing"
)

// photoContact is a vCard 3.0 with a PHOTO of n random bytes (base64,
// folded at 76 columns as address books write it).
func photoContact(i, n int) string {
	rng := rand.New(rand.NewSource(int64(i)))
	raw := make([]byte, n)
	rng.Read(raw)
	b64 := base64.StdEncoding.EncodeToString(raw)
	var folded strings.Builder
	folded.WriteString("PHOTO;ENCODING=b;TYPE=JPEG:")
	for len(b64) > 0 {
		k := min(len(b64), 74)
		folded.WriteString(b64[:k])
		b64 = b64[k:]
		if len(b64) > 0 {
			folded.WriteString("\r\n ")
		}
	}
	return "BEGIN:VCARD\r\nVERSION:3.0\r\n" +
		fmt.Sprintf("N:Photo;Person%03d;;;\r\nFN:Person%03d Photo\r\nTEL;TYPE=CELL:+4916%08d\r\n", i, i, i) +
		folded.String() + "\r\nEND:VCARD\r\n"
}

// photoDigest identifies a contact's photo bytes, whatever the folding.
func photoDigest(item string) string {
	for _, l := range unfold(item) {
		if strings.HasPrefix(strings.ToUpper(l), "PHOTO") {
			v := l[strings.IndexByte(l, ':')+1:]
			raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(v))
			if err != nil {
				return "bad base64: " + err.Error()
			}
			return fmt.Sprintf("%x", sha256.Sum256(raw))
		}
	}
	return "no photo"
}

func photoSet(items map[string]string) map[string]string {
	out := map[string]string{}
	for _, it := range items {
		fn := props(it, "FN")
		if len(fn) > 0 {
			out[fn[0]] = photoDigest(it)
		}
	}
	return out
}

// TestLargeObjects syncs contacts with 50 KB photos through 4000-byte
// messages in both directions: every photo arrives byte for byte.
func TestLargeObjects(t *testing.T) {
	shared := needRealClient(t)
	n := 200
	if testing.Short() {
		n = 5
	}
	for _, enc := range []string{"xml", "wbxml"} {
		t.Run(enc, func(t *testing.T) {
			srv := startServer(t)
			srv.addUser(t, "lo", "pw")
			a := newDevice(t, shared, srv, "lo-a-"+enc, "lo", "pw", "", "contacts")
			b := newDevice(t, shared, srv, "lo-b-"+enc, "lo", "pw", "", "contacts")
			want := map[string]string{}
			for i := 0; i < n; i++ {
				c := photoContact(i, 50*1024)
				a.write(t, "contacts", fmt.Sprintf("p%03d.vcf", i), c)
				want[fmt.Sprintf("Person%03d Photo", i)] = photoDigest(c)
			}
			r := a.mustSync(t, "slow", "--max-msg-size", "4000", "--"+enc)
			expect(t, "upload", r, "contacts", map[string]int{"remote_added": n, "remote_rejected": 0})
			if got := photoSet(splitStream(srv.export(t, "lo", "contacts"), "VCARD")); !sameMap(got, want) {
				t.Errorf("server photos differ from the device's: %s", mapDiff(got, want))
			}
			r = b.mustSync(t, "slow", "--max-msg-size", "4000", "--"+enc)
			expect(t, "download", r, "contacts", map[string]int{"local_added": n, "local_rejected": 0})
			if got := photoSet(b.files(t, "contacts")); !sameMap(got, want) {
				t.Errorf("device B photos differ: %s", mapDiff(got, want))
			}
			confirmNothing(t, b)
		})
	}
}

func sameMap(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func mapDiff(got, want map[string]string) string {
	var d []string
	for k, v := range want {
		if got[k] != v {
			d = append(d, fmt.Sprintf("%s: got %.12s want %.12s", k, got[k], v))
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			d = append(d, "unexpected "+k)
		}
	}
	if len(d) > 5 {
		d = append(d[:5], fmt.Sprintf("... %d more", len(d)-5))
	}
	return strings.Join(d, "; ")
}
