package convergence

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"anchorage/protocol/pim"
	"anchorage/test/simclient/eas"
)

// EAS devices (test/simclient/eas) in the randomized scenarios: the same
// user's contacts, WBXML over HTTP to the same server, next to the SyncML
// devices.

// easStats counts what the EAS devices did.
type easStats struct {
	devices, sessions, requests                 int
	drops, crashes, forgotAdds, badKeys, resets int
	initial, paged                              int
}

// easCard is the EAS form of card (and of bigCard when big > 0). The
// "#id rN" tag is in FirstName, which the server keeps in N and FN; no
// FileAs is sent (the server files it as X-EVOLUTION-FILE-AS, which a
// SyncML device's later edit would not change).
func easCard(id, rev, big int) eas.Item {
	name := names[id%len(names)]
	it := eas.Item{
		"LastName":          name,
		"FirstName":         fmt.Sprintf("#%d r%d", id, rev),
		"MobilePhoneNumber": fmt.Sprintf("+49170%07d", id*1000+rev),
		"Email1Address":     fmt.Sprintf("p%d@example.org", id),
	}
	if big > 0 {
		var sb strings.Builder
		for i := 0; sb.Len() < big; i++ {
			fmt.Fprintf(&sb, "Zeile %d: Größe & <Maß> \"ñ\" 漢字; ", i)
		}
		it["Body"] = sb.String()
	}
	return it
}

// easKey is norm's result for an EAS contact: the tag of FileAs (which the
// server makes from FN), else of FirstName.
func easKey(it eas.Item) string {
	var tels []string
	for k, v := range it {
		if strings.HasSuffix(k, "PhoneNumber") {
			tels = append(tels, v)
		}
	}
	return contentKey(it["FileAs"], it["FirstName"], tels)
}

// easTag is the item's id and revision.
func easTag(it eas.Item) string {
	if m := tagRe.FindString(it["FileAs"]); m != "" {
		return m
	}
	return tagRe.FindString(it["FirstName"])
}

// easView is the norm key of a server vCard as an EAS device sees it
// (FileAs made from N, one mobile number): the EAS devices are compared
// with the server's items through the server's converter, whose fields
// the round-trip tests of protocol/pim check.
func easView(t testing.TB, data []byte) string {
	fields, _, err := pim.VCardToEASContact(data)
	if err != nil {
		t.Fatalf("server item does not convert for EAS: %v\n%s", err, data)
	}
	it := eas.Item{}
	for _, f := range fields {
		it[f.Name] = f.Value
	}
	return easKey(it)
}

// addEASDevice adds an EAS device with a random window and batch size.
func (sc *scenario) addEASDevice() {
	id := fmt.Sprintf("eas-%d", len(sc.eas))
	window := []int{1, 2, 3, 7, 100}[sc.rng.IntN(5)]
	batch := []int{1, 3, 50}[sc.rng.IntN(3)]
	version := []string{"14.0", "14.1", "16.1", "12.1"}[sc.rng.IntN(4)]
	d := sc.ts.easDevice(id, func(o *eas.Options) {
		o.WindowSize, o.MaxCommands, o.Version = window, batch, version
	})
	sc.logf("%s: EAS %s, WindowSize %d, %d commands a request", id, version, window, batch)
	sc.eas = append(sc.eas, d)
	sc.st.eas.devices++
}

// easEdit makes random local changes on an EAS device.
func (sc *scenario) easEdit(d *eas.Device) {
	for range sc.rng.IntN(5) {
		ids := d.IDs()
		switch op := sc.rng.IntN(10); {
		case op < 4 || len(ids) == 0:
			sc.nextID++
			sc.nextRev++
			lid := d.Add(easCard(sc.nextID, sc.nextRev, sc.bigSize()))
			sc.logf("%s: add %s #%d r%d", d.ID(), lid, sc.nextID, sc.nextRev)
		case op < 8:
			lid := ids[sc.rng.IntN(len(ids))]
			m := idRe.FindStringSubmatch(easTag(d.Items()[lid]))
			if m == nil {
				sc.t.Fatalf("%s: item %s has no id: %v", d.ID(), lid, d.Items()[lid])
			}
			id, _ := strconv.Atoi(m[1])
			sc.nextRev++
			d.Edit(lid, easCard(id, sc.nextRev, sc.bigSize()))
			sc.logf("%s: edit %s #%d r%d", d.ID(), lid, id, sc.nextRev)
		default:
			lid := ids[sc.rng.IntN(len(ids))]
			d.Delete(lid)
			sc.logf("%s: delete %s", d.ID(), lid)
		}
	}
}

// bigSize is now and then the size of a long note.
func (sc *scenario) bigSize() int {
	if sc.rng.IntN(12) == 0 {
		return 2000 + sc.rng.IntN(6000)
	}
	return 0
}

// easSync runs one EAS sync, with random faults when faults is set.
func (sc *scenario) easSync(d *eas.Device, faults bool) error {
	var f eas.Faults
	var desc []string
	st := &sc.st.eas
	if faults {
		if sc.rng.IntN(20) == 0 {
			sc.ts.restart()
			sc.st.restarts++
			desc = append(desc, "server restarted before")
		}
		if sc.rng.IntN(6) == 0 {
			f.DropResponse = []int{1 + sc.rng.IntN(3)}
			st.drops++
			desc = append(desc, fmt.Sprintf("answer %d lost", f.DropResponse[0]))
		}
		if sc.rng.IntN(10) == 0 {
			f.Crash = 1 + sc.rng.IntN(3)
			st.crashes++
			desc = append(desc, fmt.Sprintf("killed after answer %d", f.Crash))
		}
		if sc.rng.IntN(10) == 0 {
			f.ForgetAdds = 1 + sc.rng.IntN(2)
			st.forgotAdds++
			desc = append(desc, fmt.Sprintf("ServerIds of answer %d not stored", f.ForgetAdds))
		}
		if sc.rng.IntN(15) == 0 {
			f.BadKey = true
			st.badKeys++
			desc = append(desc, "invalid SyncKey")
		}
	}
	d.Faults = f
	rep, err := d.Sync(context.Background())
	sc.st.sessions++
	st.sessions++
	if rep != nil {
		st.requests += rep.Requests
		st.resets += rep.Resets
		st.initial += rep.InitialSyncs
		st.paged += rep.PagedWindows
		for _, it := range rep.Acked {
			sc.easAcked = append(sc.easAcked, easKey(it))
		}
		sc.logf("%s: EAS sync, %s: sent +%d ~%d -%d, got +%d ~%d -%d, statuses %v, %d requests, %d resets",
			d.ID(), strings.Join(desc, ", "), rep.SentAdds, rep.SentChanges, rep.SentDeletes,
			rep.RecvAdds, rep.RecvChanges, rep.RecvDeletes, rep.Statuses, rep.Requests, rep.Resets)
		for _, r := range rep.Resent {
			if !r.Identical && !r.Shrunk && !r.KeptKey {
				err = errors.Join(err, fmt.Errorf("request %d sent again: different answer", r.Request))
			}
		}
	}
	if errors.Is(err, eas.ErrAbandoned) {
		err = nil
	}
	return err
}

// easContents are an EAS device's items as norm keys.
func easContents(d *eas.Device) map[string]int {
	m := map[string]int{}
	for _, it := range d.Items() {
		m[easKey(it)]++
	}
	return m
}
