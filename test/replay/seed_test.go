package replay_test

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"time"

	"anchorage/protocol/engine"
	"anchorage/protocol/pim"
	"anchorage/protocol/syncml"
	"anchorage/store"
	"anchorage/test/simclient"
)

// seed gives our server the server-side changes a recorded session's
// answers contain (what Horde's testPre() applied through its backend),
// the way a user would make them: adds of vCard/vCalendar items through the
// admin import (admin.Import), anything the importer does not take (SIF,
// a task in the calendar) and changes of existing items by direct writes
// with origin "admin". A Replace or Delete names the device's LUID; the
// item is the one our server mapped to it.
func (h *harness) seed(servers [][]byte) {
	h.t.Helper()
	for _, raw := range servers {
		m, err := syncml.Decode(raw)
		if err != nil {
			h.t.Fatalf("recorded server message: %v", err)
		}
		for _, c := range flatten(m) {
			switch c.name {
			case "Add":
				h.seedAdd(c.ds, c.ct, c.data)
			case "Replace", "Delete":
				h.adminWrite(c.ds, h.guidOf(c.ds, c.luid), c.ct, c.data, c.name == "Delete")
			}
		}
	}
}

var importKind = map[string]pim.Kind{
	engine.Contacts: pim.KindContact, engine.Calendar: pim.KindEvent, engine.Tasks: pim.KindTask,
}

func (h *harness) seedAdd(ds, ct string, data []byte) {
	h.t.Helper()
	sif := strings.HasPrefix(strings.ToLower(ct), "text/x-s4j-") // pim reads SIF; the importer takes files
	if k, ok := importKind[ds]; ok && !sif && pim.DetectKind(ct, data) == k {
		rep, err := h.eng.Import(h.ctx, h.user, ds, "seed.txt", data)
		if err != nil {
			h.t.Fatalf("import into %s: %v", ds, err)
		}
		if rep.Added != 1 {
			h.t.Fatalf("import into %s: %+v, want one item added\n%s", ds, rep, data)
		}
		return
	}
	var b [10]byte
	_, _ = rand.Read(b[:])
	h.adminWrite(ds, "admin"+hex.EncodeToString(b[:]), ct, data, false)
}

// guidOf is the server item our server mapped to a device LUID.
func (h *harness) guidOf(ds, luid string) string {
	h.t.Helper()
	uid := h.userID()
	var guid string
	err := h.st.View(h.ctx, func(tx store.Tx) error {
		m, err := tx.MapByLUID(h.ctx, uid, h.device, ds, luid)
		if err == nil {
			guid = m.GUID
		}
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		h.t.Fatalf("server bug: no mapping for the device's item %s in %s: the server lost track of an item it acknowledged", luid, ds)
	} else if err != nil {
		h.t.Fatal(err)
	}
	return guid
}

// adminWrite writes an item version (or a tombstone) as the admin does.
func (h *harness) adminWrite(ds, guid, ct string, data []byte, del bool) {
	h.t.Helper()
	uid := h.userID()
	info := pim.Describe(ct, data)
	w := &store.ItemWrite{UserID: uid, Datastore: ds, GUID: guid, Delete: del, Origin: "admin", Time: time.Now()}
	if !del {
		w.ContentType, w.Data = ct, data
		w.UID, w.MatchKey, w.Summary = info.UID, info.MatchKey, info.Summary
	}
	if err := h.st.Update(h.ctx, func(tx store.Tx) error {
		_, err := tx.WriteItem(h.ctx, w)
		return err
	}); err != nil {
		h.t.Fatalf("admin write %s/%s: %v", ds, guid, err)
	}
}

// probe syncs a second, empty device (slow sync) and returns the titles of
// the items it received per datastore, sorted: what another device of the
// user gets of the replayed device's data.
func (h *harness) probe(datastores ...string) map[string][]string {
	h.t.Helper()
	var cfg []simclient.Datastore
	for _, ds := range datastores {
		cfg = append(cfg, simclient.Datastore{Name: ds, Local: "./probe-" + ds, Remote: ds})
	}
	d := simclient.New(simclient.Options{URL: h.srv.URL + "/sync", User: h.user, Password: h.pass,
		DeviceID: "replay-probe", Auth: simclient.AuthBasic, Datastores: cfg, HTTPClient: client})
	if _, err := d.Sync(h.ctx, simclient.Slow); err != nil {
		h.fatalf("second device's slow sync: %v", err)
	}
	out := map[string][]string{}
	for _, ds := range datastores {
		titles := []string{}
		for _, content := range d.Items(ds) {
			titles = append(titles, summary("", []byte(content)))
		}
		slices.Sort(titles)
		out[ds] = titles
	}
	return out
}

// checkProbe compares what a second device receives with the expected
// titles.
func (h *harness) checkProbe(want map[string][]string) {
	h.t.Helper()
	var names []string
	for ds := range want {
		names = append(names, ds)
	}
	slices.Sort(names)
	got := h.probe(names...)
	for _, ds := range names {
		w := slices.Clone(want[ds])
		slices.Sort(w)
		if !slices.Equal(got[ds], w) {
			h.errorf("a second device gets %s = %q, want %q", ds, got[ds], w)
		}
	}
}
