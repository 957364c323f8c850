package realclient_test

import (
	"os"
	"strings"
	"testing"
)

// TestVCard21Device: a vCard 2.1 / vCalendar 1.0 device and a vCard 3.0 /
// iCalendar 2.0 device share one account; each receives the other's items
// in its own format, with non-ASCII text intact, and an edit on the 2.1
// device reaches the 3.0 device as vCard 3.0.
func TestVCard21Device(t *testing.T) {
	shared := needRealClient(t)
	srv := startServer(t)
	srv.addUser(t, "fmt", "pw")
	a := newDevice(t, shared, srv, "fmt-a", "fmt", "pw", "", "contacts", "calendar")
	c := newDevice(t, shared, srv, "fmt-c", "fmt", "pw", "", "contacts21", "calendar10")
	seedDevice(t, a)
	a.mustSync(t, "slow")

	r := c.mustSync(t, "two-way")
	expect(t, "2.1 device first sync", r, "contacts21", map[string]int{"local_added": 20, "remote_added": 0})
	expect(t, "2.1 device first sync", r, "calendar10", map[string]int{"local_added": 3, "remote_added": 0})
	cc := c.files(t, "contacts21")
	for name, body := range cc {
		if !strings.Contains(body, "VERSION:2.1") {
			t.Errorf("%s on the 2.1 device is not vCard 2.1:\n%s", name, body)
		}
	}
	for name, body := range c.files(t, "calendar10") {
		if !strings.Contains(body, "VERSION:1.0") {
			t.Errorf("%s on the vCalendar device is not vCalendar 1.0:\n%s", name, body)
		}
	}
	if got, want := keySet21(cc), keySet(a.files(t, "contacts"), "FN"); !equalLists(got, want) {
		t.Errorf("2.1 device names %q\n3.0 device names %q", got, want)
	}

	// C edits Jörg Müller's phone; A receives it as vCard 3.0.
	waitForMtime()
	edited := false
	for name, body := range cc {
		if strings.Contains(decode21(body), "Jörg Müller") {
			body = strings.Replace(body, "+491700000002", "+491708888888", 1)
			if err := os.WriteFile(c.path("contacts21", name), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
			edited = true
		}
	}
	if !edited {
		t.Fatal("the 2.1 device has no Jörg Müller")
	}
	r = c.mustSync(t, "two-way")
	expect(t, "2.1 device edit", r, "contacts21", map[string]int{"remote_updated": 1})
	r = a.mustSync(t, "two-way")
	expect(t, "3.0 device receives", r, "contacts", map[string]int{"local_updated": 1})
	found := false
	for _, body := range a.files(t, "contacts") {
		if strings.Contains(body, "FN:Jörg Müller") {
			found = true
			if !strings.Contains(body, "VERSION:3.0") || !strings.Contains(body, "+491708888888") {
				t.Errorf("Jörg Müller on the 3.0 device after the 2.1 edit:\n%s", body)
			}
		}
	}
	if !found {
		t.Error("the 3.0 device lost Jörg Müller")
	}
	confirmNothing(t, a)
	confirmNothing(t, c)
}

// keySet21 lists the FNs of vCard 2.1 items, decoding quoted-printable.
func keySet21(items map[string]string) []string {
	dec := map[string]string{}
	for k, v := range items {
		dec[k] = decode21(v)
	}
	return keySet(dec, "FN")
}

// decode21 turns a vCard 2.1's QUOTED-PRINTABLE UTF-8 values into text.
func decode21(s string) string {
	var out []string
	for _, l := range unfold(strings.ReplaceAll(s, "=\r\n", "")) {
		if i := strings.IndexByte(l, ':'); i > 0 && strings.Contains(strings.ToUpper(l[:i]), "QUOTED-PRINTABLE") {
			head := l[:i]
			for _, p := range []string{";ENCODING=QUOTED-PRINTABLE", ";CHARSET=UTF-8"} {
				head = strings.ReplaceAll(head, p, "")
			}
			l = head + ":" + qp(l[i+1:])
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

func qp(s string) string {
	var b []byte
	for i := 0; i < len(s); i++ {
		if s[i] == '=' && i+2 < len(s) {
			var v byte
			for _, c := range s[i+1 : i+3] {
				v <<= 4
				switch {
				case c >= '0' && c <= '9':
					v |= byte(c - '0')
				case c >= 'A' && c <= 'F':
					v |= byte(c-'A') + 10
				case c >= 'a' && c <= 'f':
					v |= byte(c-'a') + 10
				}
			}
			b = append(b, v)
			i += 2
			continue
		}
		b = append(b, s[i])
	}
	return string(b)
}
