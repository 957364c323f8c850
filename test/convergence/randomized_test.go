package convergence

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"anchorage/protocol/syncml"
	"anchorage/protocol/syncml/session"
	"anchorage/test/simclient"
	"anchorage/test/simclient/eas"
)

var (
	flagScenarios = flag.Int("scenarios", 200, "randomized scenarios to run (20 with -short)")
	flagSeed      = flag.Uint64("seed", 0, "run only the randomized scenario with this seed")
	flagDump      = flag.Int("dumpid", 0, "log the server's versions of item #N after every session (with -seed)")
)

// stats counts what the randomized scenarios did.
type stats struct {
	scenarios, sessions, restarts          int
	drops, kills, midRestarts, itemsChecks int
	archived, chunks, long                 int
	modes                                  map[int]int
	eas                                    easStats
	resent                                 resentStats
}

// TestRandomizedConvergence runs many randomized scenarios: one user, 2-3
// devices, rounds of random adds, edits and deletes synced in random modes
// with faults (lost responses, killed clients, server restarts), then two
// rounds of two-way syncs. Every device must then hold exactly the server's
// live set, nothing duplicated, and every content a device synced must be
// among the server's versions.
func TestRandomizedConvergence(t *testing.T) {
	n := *flagScenarios
	if testing.Short() && n > 20 {
		n = 20
	}
	seeds := make([]uint64, n)
	for i := range seeds {
		seeds[i] = uint64(i + 1)
	}
	if *flagSeed != 0 {
		seeds = []uint64{*flagSeed}
	}
	st := &stats{modes: map[int]int{}}
	start := time.Now()
	failed := 0
	for _, seed := range seeds {
		// A subtest per scenario, so that its server and store are closed
		// when it ends.
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			if problems := runScenario(t, seed, st); len(problems) > 0 {
				failed++
				t.Errorf("scenario seed %d failed (replay: go test ./test/convergence/ -run TestRandomizedConvergence -seed %d -v):\n  %s",
					seed, seed, strings.Join(problems, "\n  "))
			}
		})
		if failed >= 5 {
			break // the figures of what ran are logged
		}
	}
	t.Logf("%d scenarios in %v: %d sessions (modes %v), %d faults injected (%d lost responses, %d killed clients, %d server restarts between and %d within sessions), %d device items and %d archived contents checked; %d sessions of more than 4 messages, %d chunks received",
		st.scenarios, time.Since(start).Round(time.Millisecond), st.sessions, st.modes,
		st.drops+st.kills+st.restarts+st.midRestarts, st.drops, st.kills, st.restarts, st.midRestarts,
		st.itemsChecks, st.archived, st.long, st.chunks)
	e := st.eas
	t.Logf("EAS: %d devices, %d syncs of %d Sync requests (%d with SyncKey 0, %d windows with MoreAvailable, %d status 3 re-syncs); faults: %d lost answers, %d killed devices, %d Add answers not stored (ClientIds sent again), %d invalid SyncKeys",
		e.devices, e.sessions, e.requests, e.initial, e.paged, e.resets, e.drops, e.crashes, e.forgotAdds, e.badKeys)
	t.Logf("Resent Adds: %v", st.resent)
	if failed >= 5 {
		t.Fatalf("stopped after %d failed scenarios", failed)
	}
}

var idRe = regexp.MustCompile(`#(\d+) r`)

// scenario is one randomized run.
type scenario struct {
	t       *testing.T
	rng     *rand.Rand
	ts      *testServer
	devs    []*simclient.Device
	eas     []*eas.Device
	st      *stats
	nextID  int
	nextRev int
	acked   []string // norm keys of the contents the server acknowledged
	// easAcked are the EAS devices' (easKey).
	easAcked []string
	// unpaired are the devices holding reduced copies whose first sync
	// has not completed: nothing but its content ties a copy to an item.
	unpaired map[string]bool
	resent   resentGen
	log      []string // what happened, for a failing scenario's report
}

func runScenario(t *testing.T, seed uint64, st *stats) []string {
	rng := rand.New(rand.NewPCG(seed, seed*0x9e3779b97f4a7c15))
	opts := session.Options{}
	if rng.IntN(4) == 0 {
		opts.MaxMsgSize = int64(2000 + rng.IntN(3000)) // the devices must split their packages
	}
	// The engine's clock runs 10 times faster than real time, so that an
	// unexpected lease wait (45 s) costs 4.5 s.
	sc := &scenario{t: t, rng: rng, ts: startServerClock(t, opts, 10), st: st,
		unpaired: map[string]bool{}, resent: newResentGen()}
	sc.logf("seed %d: server MaxMsgSize %d", seed, opts.MaxMsgSize)
	for i := range 2 + rng.IntN(2) {
		id := fmt.Sprintf("dev-%d", i)
		d := sc.ts.device(id, func(o *simclient.Options) {
			if rng.IntN(3) == 0 {
				o.Auth = simclient.AuthBasic
			}
			if rng.IntN(5) == 0 {
				o.VerDTD = "1.1"
			}
			if rng.IntN(4) == 0 {
				o.MaxMsgSize = int64(1500 + rng.IntN(2500)) // the server must split its package
			}
			sc.logf("%s: auth %s, VerDTD %s, MaxMsgSize %d", id, o.Auth, o.VerDTD, o.MaxMsgSize)
		})
		sc.devs = append(sc.devs, d)
	}
	for range sc.rng.IntN(3) {
		sc.addEASDevice()
	}
	var problems []string
	rounds := 3 + rng.IntN(4)
	joins := -1 // the round before which a phone with reduced copies joins
	if rng.IntN(3) == 0 {
		joins = 1 + rng.IntN(rounds-1)
	}
	for r := range rounds {
		if r == joins {
			sc.addReducedCopyDevice()
		}
		for _, i := range rng.Perm(len(sc.devs) + len(sc.eas)) {
			if i >= len(sc.devs) {
				e := sc.eas[i-len(sc.devs)]
				sc.easEdit(e)
				if err := sc.easSync(e, true); err != nil {
					problems = append(problems, fmt.Sprintf("round %d, %s: %v", r, e.ID(), err))
				}
				continue
			}
			d := sc.devs[i]
			sc.edit(d)
			if err := sc.sync(d, sc.roundMode(d), true); err != nil {
				problems = append(problems, fmt.Sprintf("round %d, %s: %v", r, d.ID(), err))
			}
		}
	}
	problems = append(problems, sc.finishOneWay()...)
	for r := range 2 {
		for _, d := range sc.devs {
			if err := sc.sync(d, simclient.TwoWay, false); err != nil {
				problems = append(problems, fmt.Sprintf("final round %d, %s: %v", r, d.ID(), err))
			}
		}
		for _, e := range sc.eas {
			if err := sc.easSync(e, false); err != nil {
				problems = append(problems, fmt.Sprintf("final round %d, %s: %v", r, e.ID(), err))
			}
		}
	}
	problems = append(problems, sc.check()...)
	st.scenarios++
	if sc.resent.seen {
		st.resent.scenarios++
	}
	if len(problems) > 0 {
		problems = append(problems, "log:\n    "+strings.Join(sc.log, "\n    "))
	}
	return problems
}

func (sc *scenario) logf(format string, args ...any) {
	sc.log = append(sc.log, fmt.Sprintf(format, args...))
}

// addReducedCopyDevice adds a device that already holds, as a phone
// would, copies of some of the server's live items with fewer fields (no
// EMAIL) and the name written in capitals: its first (slow) sync must pair
// them with the server's items, not duplicate them. When that sync is
// abandoned and another device edits an item first, the retry holds a
// reduced copy of an earlier version: stale, paired with the item, not
// added (versiontwin.go).
func (sc *scenario) addReducedCopyDevice() {
	id := fmt.Sprintf("dev-%d", len(sc.devs))
	d := sc.ts.device(id, nil)
	for _, it := range sc.ts.live(sc.t) {
		if sc.rng.IntN(3) == 0 || !idRe.Match(it.Data) {
			continue
		}
		var keep []string
		for _, l := range strings.Split(strings.ReplaceAll(string(it.Data), "\r\n", "\n"), "\n") {
			switch up := strings.ToUpper(l); {
			case strings.HasPrefix(up, "EMAIL"):
			case strings.HasPrefix(up, "N:"):
				keep = append(keep, "N:"+strings.ToUpper(l[2:]))
			default:
				keep = append(keep, l)
			}
		}
		luid, _ := d.Add("contacts", strings.Join(keep, "\n"))
		sc.logf("%s: holds a reduced copy %s of %s", id, luid, idRe.Find(it.Data))
	}
	sc.devs = append(sc.devs, d)
	sc.unpaired[id] = true
	// Its first sync is slow; it runs at once, while the copies are of
	// the server's current versions (faults included).
	if err := sc.sync(d, simclient.TwoWay, true); err != nil {
		sc.t.Errorf("%s: first sync: %v", id, err)
	}
}

// mode picks a sync mode: mostly two-way.
func (sc *scenario) mode() int {
	switch p := sc.rng.IntN(100); {
	case p < 68:
		return simclient.TwoWay
	case p < 78:
		return simclient.Slow
	case p < 84:
		return simclient.OneWayFromClient
	case p < 90:
		return simclient.OneWayFromServer
	case p < 95:
		return simclient.RefreshFromServer
	default:
		return simclient.RefreshFromClient
	}
}

// edit makes random local changes on a device.
func (sc *scenario) edit(d *simclient.Device) {
	for range sc.rng.IntN(5) {
		luids := d.LUIDs("contacts")
		switch op := sc.rng.IntN(10); {
		case op < 4 || len(luids) == 0:
			sc.nextID++
			sc.nextRev++
			luid, _ := d.Add("contacts", sc.card(sc.nextID, sc.nextRev))
			sc.logf("%s: add %s #%d r%d", d.ID(), luid, sc.nextID, sc.nextRev)
		case op < 8:
			luid := luids[sc.rng.IntN(len(luids))]
			m := idRe.FindStringSubmatch(d.Items("contacts")[luid])
			if m == nil {
				sc.t.Fatalf("%s: item %s has no id", d.ID(), luid)
			}
			id, _ := strconv.Atoi(m[1])
			sc.nextRev++
			c := sc.card(id, sc.nextRev)
			if sc.unpaired[d.ID()] || unsynced(d, luid) {
				c = keepName(c, d.Items("contacts")[luid])
			}
			d.Edit("contacts", luid, c)
			sc.logf("%s: edit %s #%d r%d", d.ID(), luid, id, sc.nextRev)
		default:
			luid := luids[sc.rng.IntN(len(luids))]
			d.Delete("contacts", luid)
			sc.logf("%s: delete %s", d.ID(), luid)
		}
	}
}

// unsynced tells whether no completed session synced a device's item:
// one the device added, or received in a session killed before its Map
// (or in a one-way sync from the server, which marks nothing as synced).
// Its next sync sends it as new: if the server never learned its LUID,
// only its content ties it to the item (keepName).
func unsynced(d *simclient.Device, luid string) bool {
	added, _, _ := d.Changes("contacts")
	return slices.Contains(added, luid)
}

// keepName returns the content c with the name (the N line) of old. An
// edit of a copy that no sync paired with its item yet keeps the person's
// name: only its content tells the server which item the copy is, by the
// identity rule (pim.Match: equal names, a shared number or address), and
// card's N lacks the "#id rN" given name that easCard writes into the N
// of the items an EAS device added or edited. Replacing the name would
// make the copy another person, whom the server rightly keeps apart.
func keepName(c, old string) string {
	var n string
	for _, l := range strings.Split(strings.ReplaceAll(old, "\r\n", "\n"), "\n") {
		if strings.HasPrefix(strings.ToUpper(l), "N:") {
			n = l
		}
	}
	if n == "" {
		return c
	}
	lines := strings.Split(c, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "N:") {
			lines[i] = n + l[len(strings.TrimSuffix(l, "\r")):] // the line end c has
		}
	}
	return strings.Join(lines, "\n")
}

// card makes a content, now and then a large one (chunked when the
// device's or server's message limit is small).
func (sc *scenario) card(id, rev int) string {
	c := card(id, rev)
	if sc.rng.IntN(12) == 0 {
		c = bigCard(id, rev, 2000+sc.rng.IntN(6000))
	}
	if sc.rng.IntN(3) == 0 {
		c = strings.ReplaceAll(c, "\n", "\r\n")
	}
	return c
}

// sync runs one session, with random faults when faults is set.
func (sc *scenario) sync(d *simclient.Device, mode int, faults bool) error {
	var f simclient.Faults
	var desc []string
	if faults {
		if sc.rng.IntN(20) == 0 {
			sc.ts.restart()
			sc.st.restarts++
			desc = append(desc, "server restarted before")
		}
		if sc.rng.IntN(8) == 0 {
			f.DropResponse = []int{1 + sc.rng.IntN(4)}
			sc.st.drops++
			desc = append(desc, fmt.Sprintf("response %d lost", f.DropResponse[0]))
		}
		// Slow syncs are abandoned more often: their retry must not
		// undo what other devices did meanwhile.
		if sc.rng.IntN(10) == 0 || mode == simclient.Slow && sc.rng.IntN(4) == 0 {
			f.AbandonAfter = 1 + sc.rng.IntN(4)
			f.Unread = sc.rng.IntN(2) == 0
			sc.st.kills++
			desc = append(desc, fmt.Sprintf("killed after message %d (unread %v)", f.AbandonAfter, f.Unread))
		}
		if f.AbandonAfter == 0 && sc.killBeforeMap(mode) {
			f.AbandonAfter = 2 // after the server's package 2 (its first message), before the Map
			sc.st.kills++
			desc = append(desc, "killed before its Map")
		}
		if sc.rng.IntN(15) == 0 {
			at := 2 + sc.rng.IntN(3)
			f.BeforeSend = func(n int) {
				if n == at {
					sc.ts.restart()
				}
			}
			sc.st.midRestarts++
			desc = append(desc, fmt.Sprintf("server restarted before message %d", at))
		}
	}
	d.Faults = f
	before := twice(d)
	rep, err := d.Sync(context.Background(), mode)
	defer sc.dump()
	sc.st.sessions++
	if rep != nil {
		for _, s := range rep.Stores {
			for _, c := range s.Acked {
				sc.acked = append(sc.acked, norm(c))
			}
			sc.st.chunks += s.Chunks
			sc.st.modes[s.Mode]++
			sc.logf("%s: sync %d -> mode %d (alert %d), %s: sent +%d ~%d -%d, got +%d ~%d -%d, statuses %v, %d msgs",
				d.ID(), mode, s.Mode, s.AlertStatus, strings.Join(desc, ", "), s.SentAdds, s.SentReplaces,
				s.SentDeletes, s.RecvAdds, s.RecvReplaces, s.RecvDeletes, s.Statuses, rep.Messages)
		}
		if rep.Messages > 4 {
			sc.st.long++
		}
	}
	sc.afterSync(d, rep, faults, before)
	if err != nil {
		// The device is restarted later, after its dead session's leases
		// expired.
		sc.ts.clock.advance(leaseTTL)
	}
	if err == nil {
		delete(sc.unpaired, d.ID())
	}
	if errors.Is(err, simclient.ErrAbandoned) {
		err = nil
	}
	if rep != nil {
		for _, r := range rep.Resent {
			if !r.Identical && !refused(r.First) {
				err = errors.Join(err, fmt.Errorf("message %d re-sent: different response:\n%s\n---\n%s", r.MsgID, r.First, r.Again))
			}
		}
	}
	return err
}

// check compares every device with the server and the archive with what
// the devices synced.
func (sc *scenario) check() []string {
	t := sc.t
	problems := converged(t, sc.ts, sc.devs...)
	live := sc.ts.live(t)
	easWant := map[string]int{}
	for _, it := range live {
		easWant[easView(t, it.Data)]++
	}
	for _, e := range sc.eas {
		problems = append(problems, compareSets(e.ID(), easContents(e), easWant)...)
	}
	ids := map[string]int{}
	for _, it := range live {
		if m := idRe.FindStringSubmatch(string(it.Data)); m != nil {
			ids[m[1]]++
		}
	}
	var forks []string
	for id, n := range ids {
		if n > 1 {
			forks = append(forks, fmt.Sprintf("server: item #%s is live %d times (forked)", id, n))
		}
	}
	problems = append(problems, forks...)
	archive, easArchive := map[string]bool{}, map[string]bool{}
	for _, v := range sc.ts.versions(t) {
		if !v.Deleted {
			archive[norm(string(v.Data))] = true
			easArchive[easView(t, v.Data)] = true
		}
	}
	for _, c := range sc.easAcked {
		if !easArchive[c] && !archive[c] {
			problems = append(problems, "archive lacks a version an EAS device synced: "+c)
		}
	}
	for _, c := range sc.acked {
		if !archive[c] {
			problems = append(problems, "archive lacks a synced version: "+c)
		}
	}
	sc.st.archived += len(sc.acked) + len(sc.easAcked)
	for _, d := range sc.devs {
		sc.st.itemsChecks += len(d.Items("contacts"))
	}
	for _, e := range sc.eas {
		sc.st.itemsChecks += len(e.IDs())
	}
	return problems
}

// dump logs the server's versions of item #-dumpid, to follow it through a
// replayed scenario.
func (sc *scenario) dump() {
	if *flagDump == 0 {
		return
	}
	tag := fmt.Sprintf("#%d r", *flagDump)
	for _, v := range sc.ts.versions(sc.t) {
		if strings.Contains(string(v.Data), tag) || v.Deleted {
			sc.logf("    %s v%d seq %d deleted %v origin %s %s", v.GUID, v.Version, v.Seq, v.Deleted, v.Origin, norm(string(v.Data)))
		}
	}
}

// refused tells whether a reply refused the credentials (401/407): a
// refusal opens no session, so its resend is answered afresh, with a new
// nonce to retry with.
func refused(reply []byte) bool {
	m, err := syncml.Decode(reply)
	if err != nil || len(m.Commands) == 0 {
		return false
	}
	code := m.Commands[0].Data
	return m.Commands[0].Cmd == "SyncHdr" && (code == "401" || code == "407")
}
