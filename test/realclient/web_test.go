package realclient_test

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestWebUndoChanges is the web interface's core flow in a real browser:
// a SyncEvolution device syncs 20 contacts; the owner sees the device and
// the contacts; the device deletes 8 and edits 2; the owner undoes that
// on the Undo changes page (preview: 8 back, 2 changed) and the device's
// next sync brings the 20 back exactly. Then one deleted contact comes
// back from Recently deleted, and a second user cannot open the first
// user's pages. Screenshots at phone width go to the test's artifact
// directory (go test -artifacts).
func TestWebUndoChanges(t *testing.T) {
	shared := needRealClient(t)
	if chromiumPath() == "" {
		t.Skip("chromium not found (apt-get install chromium): the browser tests need headless Chromium")
	}
	srv := startServer(t)
	base := strings.TrimSuffix(srv.url, "/sync")
	srv.addUser(t, "owner", "pw")
	srv.addUser(t, "other", "pw2")
	dev := newDevice(t, shared, srv, "web-phone", "owner", "pw", "", "contacts")
	for i, n := range contactNames {
		dev.write(t, "contacts", fmt.Sprintf("c%02d.vcf", i),
			vcard30(n.given, n.family, fmt.Sprintf("+4917000000%02d", i), fmt.Sprintf("person%02d@example.com", i)))
	}
	dev.mustSync(t, "slow")
	wantFNs, wantPhones := contactSet(t, dev), keySet(dev.files(t, "contacts"), "TEL")
	if len(wantFNs) != 20 {
		t.Fatalf("device holds %d contacts, want 20", len(wantFNs))
	}

	b := newBrowser(t, t.ArtifactDir())
	b.login(base, "owner", "pw")
	if got := b.text(".device h3"); !strings.Contains(got, "web-phone") {
		t.Errorf("devices page shows %q, want the device web-phone", got)
	}
	b.shot("devices")
	b.run(chromedp.Navigate(base + "/data?ds=contacts"))
	if n := b.count(".card.item"); n != 20 {
		t.Errorf("data page shows %d contact cards, want 20", n)
	}
	if got := b.text(".cards"); !strings.Contains(got, "Grace Hopper") || !strings.Contains(got, "+491700000009") {
		t.Errorf("data page lacks Grace Hopper and her phone:\n%s", got)
	}
	b.shot("contacts")

	// A moment the device's changes come after, to the second (the Undo
	// page's time field has seconds).
	before := time.Now().Add(time.Second).Truncate(time.Second)
	waitForMtime()
	waitForMtime()
	for i, n := range contactNames[:10] {
		fn := n.given + " " + n.family
		name := fileWith(t, dev, fn)
		if i < 8 {
			if err := os.Remove(dev.path("contacts", name)); err != nil {
				t.Fatal(err)
			}
			continue
		}
		body := dev.files(t, "contacts")[name]
		dev.write(t, "contacts", name, strings.Replace(body, "FN:"+fn, fmt.Sprintf("FN:Xq%d Garbage", i), 1))
	}
	r := dev.mustSync(t, "two-way")
	expect(t, "device sends its changes", r, "contacts", map[string]int{"remote_deleted": 8, "remote_updated": 2})

	b.run(chromedp.Navigate(base+"/undo?ds=contacts"),
		chromedp.SetValue(chromedp.ID("at"), before.UTC().Format("2006-01-02T15:04:05")),
		chromedp.Click(chromedp.CSS(`main button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("summary")))
	if got := b.text("#summary"); got != "8 come back · 2 change · 0 go away" {
		t.Errorf("undo preview = %q, want 8 back, 2 changed", got)
	}
	b.shot("undo-preview")
	b.run(chromedp.Click(chromedp.ID("apply")), chromedp.WaitVisible(chromedp.CSS(".flash")))
	if got := b.text(".flash"); !strings.Contains(got, "8 came back, 2 changed back, 0 went away") {
		t.Errorf("undo result = %q", got)
	}
	b.shot("undo-done")

	r = dev.mustSync(t, "two-way")
	if mode := r.sources["contacts"]["mode"]; mode != "two-way" {
		t.Errorf("sync after the undo was %s, want a fast two-way", mode)
	}
	expect(t, "device receives the undo", r, "contacts", map[string]int{"local_added": 8, "local_updated": 2, "local_deleted": 0})
	if got := contactSet(t, dev); !slices.Equal(got, wantFNs) {
		t.Errorf("after the undo the device holds %q\nwant %q", got, wantFNs)
	}
	if got := keySet(dev.files(t, "contacts"), "TEL"); !slices.Equal(got, wantPhones) {
		t.Errorf("after the undo the device's phones are %q\nwant %q", got, wantPhones)
	}

	// An edited contact's history shows both devices' versions and the
	// field that changed.
	b.run(chromedp.Navigate(base+"/data?ds=contacts&q=grace"),
		chromedp.Click(chromedp.CSS(".card.item h3 a")),
		chromedp.WaitVisible(chromedp.CSS("table.diff")))
	if got := b.text("table.diff"); !strings.Contains(got, "Xq9 Garbage") || !strings.Contains(got, "Grace Hopper") {
		t.Errorf("Grace Hopper's history diff = %q, want the garbled and the restored name", got)
	}
	if n := b.count(".card.version"); n != 3 {
		t.Errorf("Grace Hopper's history has %d versions, want 3 (added, garbled, restored)", n)
	}
	b.shot("history")

	// One contact deleted on the device comes back from Recently deleted.
	waitForMtime()
	if err := os.Remove(dev.path("contacts", fileWith(t, dev, "Ken Thompson"))); err != nil {
		t.Fatal(err)
	}
	dev.mustSync(t, "two-way")
	b.run(chromedp.Navigate(base + "/deleted?ds=contacts"))
	if got := b.text(".card.deleted"); !strings.Contains(got, "Ken Thompson") || !strings.Contains(got, "web-phone") {
		t.Errorf("recently deleted shows %q, want Ken Thompson deleted by web-phone", got)
	}
	b.shot("recently-deleted")
	itemURL := b.attr(".card.deleted h3 a", "href")
	b.run(chromedp.Click(chromedp.CSS(`.card.deleted button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(".flash")))
	r = dev.mustSync(t, "two-way")
	expect(t, "device receives the restored contact", r, "contacts", map[string]int{"local_added": 1})
	if got := contactSet(t, dev); !slices.Equal(got, wantFNs) {
		t.Errorf("after restoring one contact the device holds %q\nwant %q", got, wantFNs)
	}

	// A second user cannot open the first user's item.
	other := newBrowser(t, t.ArtifactDir())
	other.n = 10
	other.login(base, "other", "pw2")
	other.run(chromedp.Navigate(base + itemURL))
	if got := other.text("main"); !strings.Contains(got, "Not Found") || strings.Contains(got, "Ken") {
		t.Errorf("other user opening %s sees %q, want Not Found", itemURL, got)
	}
	other.shot("other-user-refused")
	other.run(chromedp.Navigate(base + "/data?ds=contacts"))
	if n := other.count(".card.item"); n != 0 {
		t.Errorf("other user's data page shows %d cards, want 0", n)
	}
}
