package web_test

import (
	"anchorage/admin"
	"anchorage/store"
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestDevicesPage(t *testing.T) {
	e := newEnv(t)
	e.addUser("alice", "pw", false)
	now := time.Now()
	e.device("alice", "fresh-phone", now.Add(-time.Hour), "")
	e.device("alice", "old-phone", now.Add(-80*time.Hour), "server busy")
	b := e.browser()
	b.login("alice", "pw")
	page := b.mustGet("/devices")
	contains(t, "devices page", page, "fresh-phone", "old-phone", "SyncML", "Nokia E51 phone", "OVERDUE", "server busy", ">3<")
	if n := strings.Count(page, "OVERDUE"); n != 1 {
		t.Errorf("%d devices OVERDUE, want 1", n)
	}
	// Reset and remove go through a confirmation page.
	page = b.mustGet("/devices/confirm?action=reset&device=old-phone")
	contains(t, "reset confirmation", page, "Reset device old-phone?", `action="/devices/reset"`)
	if code, _, hdr := b.post("/devices/reset", url.Values{"device": {"old-phone"}}); code != http.StatusSeeOther || !strings.HasPrefix(hdr.Get("Location"), "/devices?done=") {
		t.Fatalf("reset = %d %s", code, hdr.Get("Location"))
	}
	reps, _ := e.eng.Devices(t.Context(), "alice")
	for _, r := range reps {
		if r.Device.DeviceID != "old-phone" {
			continue
		}
		// A reset keeps the datastores listed but forgets their anchors:
		// the next sync is slow.
		for _, p := range r.Datastores {
			if p.ClientAnchor != "" || p.ServerAnchor != "" || p.AckSeq != 0 {
				t.Errorf("old-phone keeps its sync state after reset: %+v", p)
			}
		}
	}
	// A wipe is asked for behind a confirmation; the device's data on the
	// server stays, and the page shows the wipe's state.
	page = b.mustGet("/devices/confirm?action=wipe&device=old-phone")
	contains(t, "wipe confirmation", page, "Wipe device old-phone?", `action="/devices/wipe"`, "account_only")
	// An account-only wipe needs a device speaking EAS 16.1: refused
	// with the reason.
	if code, body, _ := b.post("/devices/wipe", url.Values{"device": {"old-phone"}, "account_only": {"1"}}); code != http.StatusConflict || !strings.Contains(body, "needs an ActiveSync device speaking EAS 16.1") {
		t.Errorf("account-only wipe of a device that never spoke EAS = %d\n%s", code, body)
	}
	if code, _, hdr := b.post("/devices/wipe", url.Values{"device": {"old-phone"}}); code != http.StatusSeeOther || !strings.HasPrefix(hdr.Get("Location"), "/devices?done=") {
		t.Fatalf("wipe = %d %s", code, hdr.Get("Location"))
	}
	contains(t, "devices page after wipe", b.mustGet("/devices"), "Remote wipe", "pending since")
	reps, _ = e.eng.Devices(t.Context(), "alice")
	for _, r := range reps {
		if r.Device.DeviceID == "old-phone" && (r.Device.Wipe.State != store.WipePending || r.Device.Wipe.AccountOnly) {
			t.Errorf("old-phone's wipe after the web request: %+v", r.Device.Wipe)
		}
	}
	b.mustGet("/devices/confirm?action=remove&device=old-phone")
	if code, _, _ := b.post("/devices/remove", url.Values{"device": {"old-phone"}}); code != http.StatusSeeOther {
		t.Fatalf("remove = %d", code)
	}
	if reps, _ := e.eng.Devices(t.Context(), "alice"); len(reps) != 1 || reps[0].Device.DeviceID != "fresh-phone" {
		t.Errorf("devices after remove: %+v", reps)
	}
}

func TestDataAndHistory(t *testing.T) {
	e := newEnv(t)
	e.addUser("alice", "pw", false)
	now := time.Now()
	e.put("alice", "contacts", "g1", card("Ann Lee", "0111")+"", "phone-a", now.Add(-3*time.Hour))
	e.put("alice", "contacts", "g1", card("Ann Lee-Ross", "0222"), "phone-b", now.Add(-2*time.Hour))
	e.put("alice", "contacts", "g2", card("Bob Stone", "0333"), "phone-a", now.Add(-2*time.Hour))
	e.put("alice", "calendar", "ev", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:ev\r\nSUMMARY:Dentist\r\n"+
		"DTSTART:20250301T091500Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", "phone-a", now.Add(-time.Hour))
	b := e.browser()
	b.login("alice", "pw")
	page := b.mustGet("/data")
	contains(t, "contacts", page, "Ann Lee-Ross", "0222", "Bob Stone", "2 of 2 items")
	page = b.mustGet("/data?ds=contacts&q=ross")
	contains(t, "search", page, "Ann Lee-Ross", "1 of 2 items")
	if strings.Contains(page, "Bob Stone") {
		t.Errorf("search for ross shows Bob Stone")
	}
	contains(t, "calendar", b.mustGet("/data?ds=calendar"), "Dentist", "2025-03-01 09:15 UTC")

	page = b.mustGet("/item?ds=contacts&guid=g1")
	contains(t, "history", page, "phone-a", "phone-b", "Restore this version", "Changes from version 1 to 2",
		`<tr class="changed"><td>FN</td><td>Ann Lee</td><td>Ann Lee-Ross</td></tr>`,
		`<tr class="changed"><td>TEL</td><td>0111</td><td>0222</td></tr>`)
	if code, _, _ := b.post("/item/restore", url.Values{"ds": {"contacts"}, "guid": {"g1"}, "version": {"1"}}); code != http.StatusOK {
		t.Fatalf("restore version 1 = %d", code)
	}
	vs, _ := e.eng.ItemVersions(t.Context(), "alice", "contacts", "g1")
	if len(vs) != 3 || vs[2].Summary != "Ann Lee" || vs[2].Origin != admin.OriginRestore {
		t.Errorf("after restore: %d versions, last %q from %q; want 3, Ann Lee from restore", len(vs), vs[len(vs)-1].Summary, vs[len(vs)-1].Origin)
	}
	if code, _, _ := b.post("/item/restore", url.Values{"ds": {"contacts"}, "guid": {"g1"}, "version": {"9"}}); code != http.StatusNotFound && code != http.StatusBadRequest {
		t.Errorf("restore of a missing version = %d, want 404 or 400", code)
	}
}

func TestRecentlyDeleted(t *testing.T) {
	e := newEnv(t)
	e.addUser("alice", "pw", false)
	now := time.Now()
	for _, n := range []string{"Ann", "Bob", "Cy", "Di"} {
		e.put("alice", "contacts", "g-"+n, card(n, "1"), "phone", now.Add(-3*time.Hour))
	}
	for _, n := range []string{"Ann", "Bob", "Cy"} {
		e.put("alice", "contacts", "g-"+n, "", "butterfingers-phone", now.Add(-time.Hour))
	}
	b := e.browser()
	b.login("alice", "pw")
	page := b.mustGet("/deleted?ds=contacts")
	contains(t, "recently deleted", page, "Ann", "Bob", "Cy", "butterfingers-phone", "Restore all 3")
	if code, _, _ := b.post("/deleted/restore", url.Values{"ds": {"contacts"}, "guid": {"g-Bob"}}); code != http.StatusOK {
		t.Fatalf("restore one = %d", code)
	}
	if got := liveSummaries(t, e); !slices.Equal(got, []string{"Bob", "Di"}) {
		t.Errorf("after restoring Bob: %q", got)
	}
	page = b.mustGet("/deleted?ds=contacts")
	if strings.Contains(page, "Bob") || !strings.Contains(page, "Restore all 2") {
		t.Errorf("recently deleted after restoring Bob still lists him or miscounts")
	}
	if code, _, _ := b.post("/deleted/restore", url.Values{"ds": {"contacts"}, "all": {"1"}}); code != http.StatusOK {
		t.Fatalf("restore all = %d", code)
	}
	if got := liveSummaries(t, e); !slices.Equal(got, []string{"Ann", "Bob", "Cy", "Di"}) {
		t.Errorf("after restoring all: %q", got)
	}
	contains(t, "recently deleted, all restored", b.mustGet("/deleted?ds=contacts"), "Nothing deleted.")
}

func liveSummaries(t *testing.T, e *env) []string {
	t.Helper()
	its, err := e.eng.LiveItems(t.Context(), "alice", "contacts")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, it := range its {
		out = append(out, it.Summary)
	}
	slices.Sort(out)
	return out
}

var summaryRE = regexp.MustCompile(`id="summary">(\d+) come back · (\d+) change · (\d+) go away<`)

// TestUndoPreviewIsApplied: the numbers the preview shows are what
// applying does, and afterwards the datastore is as it was then.
func TestUndoPreviewIsApplied(t *testing.T) {
	e := newEnv(t)
	e.addUser("alice", "pw", false)
	now := time.Now()
	for i, n := range []string{"Ann", "Bob", "Cy", "Di", "Ed", "Flo"} {
		e.put("alice", "contacts", "g-"+n, card(n, string(rune('1'+i))), "phone", now.Add(-3*time.Hour))
	}
	then := now.Add(-2 * time.Hour)
	e.put("alice", "contacts", "g-Ann", "", "phone", now.Add(-time.Hour))
	e.put("alice", "contacts", "g-Bob", "", "phone", now.Add(-time.Hour))
	e.put("alice", "contacts", "g-Cy", card("Cy Garbled", "0"), "phone", now.Add(-time.Hour))
	e.put("alice", "contacts", "g-New", card("Newcomer", "9"), "phone", now.Add(-time.Hour))
	asOfRes, _ := e.eng.Export(t.Context(), "alice", "contacts", admin.ExportOptions{AsOf: then})
	asOf := asOfRes.Data

	b := e.browser()
	b.login("alice", "pw")
	at := then.UTC().Format(time.RFC3339Nano)
	page := b.mustGet("/undo?ds=contacts&at=" + url.QueryEscape(at))
	m := summaryRE.FindStringSubmatch(page)
	if m == nil || m[1] != "2" || m[2] != "1" || m[3] != "1" {
		t.Fatalf("preview = %v, want 2 back, 1 changed, 1 away\n%s", m, page)
	}
	if got := liveSummaries(t, e); !slices.Equal(got, []string{"Cy Garbled", "Di", "Ed", "Flo", "Newcomer"}) {
		t.Errorf("the preview changed data: %q", got)
	}
	code, page, _ := b.post("/undo", url.Values{"ds": {"contacts"}, "at": {at}})
	if code != http.StatusOK {
		t.Fatalf("apply = %d", code)
	}
	if a := summaryRE.FindStringSubmatch(page); !slices.Equal(a, m) {
		t.Errorf("applied %v, previewed %v", a, m)
	}
	contains(t, "applied", page, "Done: 2 came back, 1 changed back, 1 went away")
	now2Res, _ := e.eng.Export(t.Context(), "alice", "contacts", admin.ExportOptions{})
	now2 := now2Res.Data
	if !bytes.Equal(now2, asOf) {
		t.Errorf("after the undo the contacts are not as they were:\nnow:\n%s\nthen:\n%s", now2, asOf)
	}
}

func TestExport(t *testing.T) {
	e := newEnv(t)
	e.addUser("alice", "pw", false)
	now := time.Now()
	e.put("alice", "contacts", "g1", card("Ann", "1"), "phone", now.Add(-3*time.Hour))
	e.put("alice", "contacts", "g2", card("Bob", "2"), "phone", now.Add(-time.Hour))
	e.put("alice", "calendar", "ev", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:ev\r\nSUMMARY:Dentist\r\n"+
		"DTSTART:20250301T091500Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", "phone", now.Add(-time.Hour))
	b := e.browser()
	b.login("alice", "pw")
	contains(t, "export form", b.mustGet("/export"), `action="/export/download"`)
	code, body, hdr := b.get("/export/download?ds=contacts&format=vcf")
	if code != http.StatusOK || strings.Count(body, "BEGIN:VCARD") != 2 || !strings.HasPrefix(hdr.Get("Content-Type"), "text/vcard") ||
		!strings.Contains(hdr.Get("Content-Disposition"), `contacts-now.vcf`) {
		t.Errorf("export now = %d %q %q, %d cards", code, hdr.Get("Content-Type"), hdr.Get("Content-Disposition"), strings.Count(body, "BEGIN:VCARD"))
	}
	at := now.Add(-2 * time.Hour).UTC().Format("2006-01-02T15:04:05")
	_, body, hdr = b.get("/export/download?ds=contacts&at=" + url.QueryEscape(at))
	if strings.Count(body, "BEGIN:VCARD") != 1 || !strings.Contains(body, "FN:Ann") || !strings.Contains(hdr.Get("Content-Disposition"), ".vcf") {
		t.Errorf("export as of %s: %q", at, body)
	}
	_, body, hdr = b.get("/export/download?ds=calendar&format=vcs")
	if !strings.Contains(body, "VERSION:1.0") || !strings.Contains(body, "Dentist") || !strings.Contains(hdr.Get("Content-Disposition"), ".vcs") {
		t.Errorf("vcs export: %q %q", hdr.Get("Content-Disposition"), body)
	}
	_, body, _ = b.get("/export/download?ds=calendar&format=ics")
	if !strings.Contains(body, "BEGIN:VCALENDAR") || !strings.Contains(body, "VERSION:2.0") {
		t.Errorf("ics export: %q", body)
	}
}

// upload posts a file to the Import page.
func (b *browser) upload(ds, name, content string) (int, string) {
	b.e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("csrf", b.csrf)
	_ = mw.WriteField("ds", ds)
	fw, _ := mw.CreateFormFile("file", name)
	_, _ = io.WriteString(fw, content)
	mw.Close()
	resp, err := b.c.Post(b.e.srv.URL+"/import", mw.FormDataContentType(), &buf)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func TestImport(t *testing.T) {
	e := newEnv(t)
	e.addUser("alice", "pw", false)
	b := e.browser()
	b.login("alice", "pw")
	contains(t, "import form", b.mustGet("/import"), `enctype="multipart/form-data"`)
	file := card("Ann", "1") + "BEGIN:VCARD\r\nVERSION:3.0\r\nthis is not a card\r\n" + card("Bob", "2")
	code, page := b.upload("contacts", "book.vcf", file)
	if code != http.StatusOK {
		t.Fatalf("import = %d\n%s", code, page)
	}
	contains(t, "import report", page, "book.vcf: 2 added, 0 already there, 0 updated, 1 rejected", "book.vcf:")
	if got := liveSummaries(t, e); !slices.Equal(got, []string{"Ann", "Bob"}) {
		t.Errorf("after import: %q", got)
	}
	_, page = b.upload("contacts", "book.vcf", file)
	contains(t, "second import", page, "0 added, 2 already there")
	if code, _ := b.upload("contacts", "virus.exe", "MZ"); code != http.StatusUnsupportedMediaType {
		t.Errorf("import of .exe = %d, want 415", code)
	}
	if code, _ := b.upload("contacts", "huge.vcf", strings.Repeat("x", 17<<20)); code != http.StatusRequestEntityTooLarge {
		t.Errorf("import of 17 MiB = %d, want 413", code)
	}
	csrf := b.csrf
	b.csrf = "forged"
	if code, _ := b.upload("contacts", "book.vcf", card("Eve", "6")); code != http.StatusForbidden {
		t.Errorf("import with a forged CSRF token = %d, want 403", code)
	}
	b.csrf = csrf
}

func TestAdminPages(t *testing.T) {
	e := newEnv(t)
	e.addUser("root", "rootpw", true)
	e.addUser("alice", "pw", false)
	now := time.Now()
	e.device("alice", "stale-phone", now.Add(-100*time.Hour), "")
	e.device("root", "new-phone", now.Add(-time.Minute), "")
	b := e.browser()
	b.login("root", "rootpw")
	contains(t, "nav", b.mustGet("/devices"), `href="/admin/users"`)
	contains(t, "users", b.mustGet("/admin/users"), "alice", "root", "(admin)", "merge")

	if code, _, _ := b.post("/admin/users/add", url.Values{"name": {"carol"}, "password": {"c-pw"}}); code != http.StatusSeeOther {
		t.Fatalf("add user = %d", code)
	}
	if code, _, _ := b.post("/admin/users/add", url.Values{"name": {"carol"}, "password": {"x"}}); code != http.StatusConflict {
		t.Errorf("adding carol twice = %d, want 409", code)
	}
	if code, _, _ := b.post("/admin/users/add", url.Values{"name": {""}, "password": {"x"}}); code != http.StatusBadRequest {
		t.Errorf("adding a nameless user = %d, want 400", code)
	}
	carol := e.browser()
	carol.login("carol", "c-pw")

	if code, _, _ := b.post("/admin/users/conflict", url.Values{"name": {"alice"}, "ds": {"contacts"}, "policy": {"server-wins"}, "delete_wins": {"1"}}); code != http.StatusSeeOther {
		t.Fatalf("set conflict rule = %d", code)
	}
	rules, _ := e.eng.ConflictRules(t.Context(), "alice")
	for _, r := range rules {
		if r.Datastore == "contacts" && (r.Rules.Policy != "server-wins" || !r.Rules.DeleteWins) {
			t.Errorf("alice's contacts rule = %+v, want server-wins, delete wins", r.Rules)
		}
	}
	if code, _, _ := b.post("/admin/users/conflict", url.Values{"name": {"alice"}, "policy": {"chaos"}}); code != http.StatusBadRequest {
		t.Errorf("unknown policy = %d, want 400", code)
	}

	if code, _, _ := b.post("/admin/users/disable", url.Values{"name": {"carol"}, "disabled": {"1"}}); code != http.StatusSeeOther {
		t.Fatalf("disable = %d", code)
	}
	// A disabled user's session ends and she cannot log in again.
	if code, _, hdr := carol.get("/devices"); code != http.StatusSeeOther || hdr.Get("Location") != "/login" {
		t.Errorf("disabled user's session: %d %s, want a redirect to /login", code, hdr.Get("Location"))
	}
	again := e.browser()
	again.get("/login")
	if code, _, _ := again.post("/login", url.Values{"user": {"carol"}, "password": {"c-pw"}}); code != http.StatusUnauthorized {
		t.Errorf("disabled user's login = %d, want 401", code)
	}
	if code, _, _ := b.post("/admin/users/disable", url.Values{"name": {"root"}, "disabled": {"1"}}); code != http.StatusBadRequest {
		t.Errorf("disabling oneself = %d, want 400", code)
	}

	page := b.mustGet("/admin/devices")
	contains(t, "all devices", page, "stale-phone", "new-phone", "alice", "OVERDUE")
	page = b.mustGet("/admin/devices?overdue=1")
	if !strings.Contains(page, "stale-phone") || strings.Contains(page, "new-phone") {
		t.Errorf("overdue filter: stale-phone shown %v, new-phone hidden %v", strings.Contains(page, "stale-phone"), !strings.Contains(page, "new-phone"))
	}
	page = b.mustGet("/admin/status")
	contains(t, "status", page, "test", "SQLite (test)", "<dt>Users</dt><dd>3</dd>", "<dt>Devices syncing in the last hour</dt><dd>1</dd>",
		"<dt>Web logins in the last hour</dt><dd>")
}
