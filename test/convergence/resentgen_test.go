package convergence

import (
	"context"
	"fmt"
	"strconv"
	"testing"

	"anchorage/protocol/engine"
	"anchorage/store"
	"anchorage/test/simclient"
)

// Resent Adds in the randomized scenarios. A SyncML device killed before
// its Map holds the server's Adds under LUIDs the server never learned; a
// first one-way sync from the server holds such an Add back, a second one
// sends it again, and the device may hold the item twice; its next
// two-way or slow sync sends the older copy, which the server must
// recognise and delete on the device (protocol/engine/resent.go). Drawn
// modes rarely line this up, so after such a kill the device's next two
// syncs are one-way from the server (mostly), and a copy it then holds
// twice is now and then edited before its next two-way or slow sync.

// resentStats counts what actually happened on that path: from the
// server's store (resent_adds rows) and the devices' items.
type resentStats struct {
	scenarios    int // scenarios in which the server recorded a resent Add
	lostMaps     int // killed sessions in which the device received Adds
	recorded     int // resent_adds rows the server recorded
	heldTwice    int // items a device held twice after a one-way sync from the server
	olderDeleted int // copies held twice deleted on the device by a two-way or slow sync
	editedGone   int // of those, copies the device had edited
}

func (r resentStats) String() string {
	return fmt.Sprintf("in %d scenarios: %d devices killed before their Map after receiving Adds; %d Adds re-sent by a second one-way sync from the server (resent_adds rows), %d items then held twice on a device, %d older copies deleted on the device by a two-way or slow sync (%d of them edited)",
		r.scenarios, r.lostMaps, r.recorded, r.heldTwice, r.olderDeleted, r.editedGone)
}

// resentGen is the scenario's state for that path.
type resentGen struct {
	// oneWay counts a device's next syncs in the rounds that are one-way
	// from the server.
	oneWay map[string]int
	// rows are the resent_adds rows last seen of each device (GUID and
	// version).
	rows map[string]map[string]bool
	// edited are the copies held twice that the scenario edited (device
	// and LUID).
	edited map[string]bool
	// seen: the server recorded a resent Add in this scenario.
	seen bool
}

func newResentGen() resentGen {
	return resentGen{oneWay: map[string]int{}, rows: map[string]map[string]bool{}, edited: map[string]bool{}}
}

// killBeforeMap draws whether a two-way or slow sync in the rounds dies
// after the server's first message of changes, before the device's Map
// (the other kills are drawn at any message).
func (sc *scenario) killBeforeMap(mode int) bool {
	return (mode == simclient.TwoWay || mode == simclient.Slow) && sc.rng.IntN(10) == 0
}

// roundMode is a device's mode in a round: one-way from the server while
// its lost Map calls for it, else drawn.
func (sc *scenario) roundMode(d *simclient.Device) int {
	if sc.resent.oneWay[d.ID()] > 0 {
		sc.resent.oneWay[d.ID()]--
		return simclient.OneWayFromServer
	}
	return sc.mode()
}

// finishOneWay runs, before the final two-way syncs, the one-way syncs
// from the server that the rounds left to a device killed before its Map
// in one of the last rounds.
func (sc *scenario) finishOneWay() []string {
	var problems []string
	for _, d := range sc.devs {
		for sc.resent.oneWay[d.ID()] > 0 {
			sc.resent.oneWay[d.ID()]--
			if err := sc.sync(d, simclient.OneWayFromServer, false); err != nil {
				problems = append(problems, fmt.Sprintf("one-way sync after a lost Map, %s: %v", d.ID(), err))
			}
		}
	}
	return problems
}

// twice returns the LUIDs of the items a device holds more than once
// (by their "#id" tag), by id.
func twice(d *simclient.Device) map[string][]string {
	byID := map[string][]string{}
	for _, luid := range d.LUIDs("contacts") {
		if m := idRe.FindStringSubmatch(d.Items("contacts")[luid]); m != nil {
			byID[m[1]] = append(byID[m[1]], luid)
		}
	}
	for id, luids := range byID {
		if len(luids) < 2 {
			delete(byID, id)
		}
	}
	return byID
}

// afterSync follows the resent-Add path after one session of d: before
// are the items d held twice when it started.
func (sc *scenario) afterSync(d *simclient.Device, rep *simclient.Report, faults bool, before map[string][]string) {
	if rep == nil {
		return
	}
	s := rep.Stores["contacts"]
	if s == nil {
		return
	}
	st := &sc.st.resent
	id := d.ID()
	if rep.Abandoned && s.RecvAdds > s.MapsSent {
		st.lostMaps++
		if faults && sc.rng.IntN(4) != 0 {
			sc.resent.oneWay[id] = 2
			sc.logf("%s: killed before its Map: its next two syncs are one-way from the server", id)
		}
	}
	sc.countResent(id)
	after := twice(d)
	switch s.Mode {
	case simclient.OneWayFromServer:
		for tag := range after {
			if before[tag] == nil {
				st.heldTwice++
			}
		}
		if rep.Complete && len(after) > 0 && sc.rng.IntN(2) == 0 {
			sc.editTwice(d, after)
		}
	case simclient.TwoWay, simclient.Slow:
		items := d.Items("contacts")
		for tag, luids := range before {
			if len(after[tag]) > 0 || !holds(items, tag) {
				continue // no copy deleted, or the item went
			}
			for _, luid := range luids {
				if _, ok := items[luid]; !ok {
					st.olderDeleted++
					if sc.resent.edited[id+"/"+luid] {
						st.editedGone++
					}
				}
			}
		}
	}
}

// holds tells whether items hold an item with the "#id" tag.
func holds(items map[string]string, tag string) bool {
	for _, c := range items {
		if m := idRe.FindStringSubmatch(c); m != nil && m[1] == tag {
			return true
		}
	}
	return false
}

// editTwice edits the older copy (the lower LUID) of an item d holds
// twice, and now and then the newer one too.
func (sc *scenario) editTwice(d *simclient.Device, held map[string][]string) {
	var tags []string
	for tag := range held {
		tags = append(tags, tag)
	}
	tag := tags[sc.rng.IntN(len(tags))]
	n, _ := strconv.Atoi(tag)
	luids := held[tag]
	edit := []string{luids[0]}
	if sc.rng.IntN(4) == 0 {
		edit = append(edit, luids[len(luids)-1])
	}
	for _, luid := range edit {
		sc.nextRev++
		// Only its content ties the older copy to its item: the edit
		// keeps the person's name (see keepName).
		c := keepName(sc.card(n, sc.nextRev), d.Items("contacts")[luid])
		d.Edit("contacts", luid, c)
		sc.resent.edited[d.ID()+"/"+luid] = true
		sc.logf("%s: edit copy %s of #%d held twice r%d", d.ID(), luid, n, sc.nextRev)
	}
}

// countResent counts the resent_adds rows of a device the server recorded
// since the last look.
func (sc *scenario) countResent(id string) {
	now := map[string]bool{}
	for _, a := range sc.ts.resentAdds(sc.t, id) {
		now[fmt.Sprintf("%s v%d", a.GUID, a.Version)] = true
	}
	for k := range now {
		if !sc.resent.rows[id][k] {
			sc.st.resent.recorded++
			sc.resent.seen = true
			sc.logf("%s: server recorded a resent Add %s", id, k)
		}
	}
	sc.resent.rows[id] = now
}

// resentAdds returns the resent Adds the server keeps of a device's
// contacts.
func (ts *testServer) resentAdds(t testing.TB, deviceID string) []store.ResentAdd {
	t.Helper()
	var out []store.ResentAdd
	ctx := context.Background()
	err := ts.store().View(ctx, func(tx store.Tx) error {
		u, err := tx.UserByName(ctx, testUser)
		if err != nil {
			return err
		}
		out, err = tx.ResentAdds(ctx, u.ID, deviceID, engine.Contacts)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
