package admin

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"anchorage/protocol/engine"
	"anchorage/protocol/pim"
	"anchorage/store"
	"anchorage/store/sqlite"
)

// archEnv is an engine on a real SQLite file with one user, "alice", and
// a clock the test sets.
type archEnv struct {
	t     *testing.T
	eng   *Admin
	st    *sqlite.Store
	user  int64
	clock time.Time
}

// archT0 is the first instant of the archive tests.
var archT0 = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)

func newArchEnv(t *testing.T) *archEnv {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "anchorage.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	env := &archEnv{t: t, st: st, clock: archT0}
	env.eng = New(engine.New(engine.Options{Store: st, Now: func() time.Time { return env.clock }}))
	env.user = env.addUser("alice")
	return env
}

func (env *archEnv) addUser(name string) int64 {
	env.t.Helper()
	u := &store.User{Name: name, PasswordHash: []byte("x"), Created: archT0}
	if err := env.st.Update(env.t.Context(), func(tx store.Tx) error { return tx.CreateUser(env.t.Context(), u) }); err != nil {
		env.t.Fatal(err)
	}
	return u.ID
}

// archCard is a vCard 3.0 contact.
func archCard(name, phone string) string {
	return "BEGIN:VCARD\r\nVERSION:3.0\r\nN:" + name + ";;;;\r\nFN:" + name + "\r\nTEL;TYPE=CELL:" + phone + "\r\nEND:VCARD\r\n"
}

// put writes an item as a device would, at time at; data "" deletes.
func (env *archEnv) put(ds, guid, data, origin string, at time.Time) *store.Item {
	env.t.Helper()
	w := &store.ItemWrite{UserID: env.user, Datastore: ds, GUID: guid, Delete: data == "", Origin: origin, Time: at}
	if data != "" {
		info := pim.Describe(engine.DefaultContentType(ds), []byte(data))
		w.ContentType, w.Data, w.UID, w.MatchKey, w.Summary = engine.DefaultContentType(ds), []byte(data), info.UID, info.MatchKey, info.Summary
	}
	var it *store.Item
	err := env.st.Update(env.t.Context(), func(tx store.Tx) error {
		var err error
		it, err = tx.WriteItem(env.t.Context(), w)
		return err
	})
	if err != nil {
		env.t.Fatalf("write %s: %v", guid, err)
	}
	return it
}

// live returns the live contacts as "guid=summary", sorted.
func (env *archEnv) live(user int64, ds string) []string {
	env.t.Helper()
	var out []string
	err := env.st.View(env.t.Context(), func(tx store.Tx) error {
		its, err := tx.LiveItems(env.t.Context(), user, ds, "", 0)
		for _, it := range its {
			out = append(out, it.GUID+"="+it.Summary)
		}
		return err
	})
	if err != nil {
		env.t.Fatal(err)
	}
	return out
}

func (env *archEnv) lastSeq(ds string) int64 {
	env.t.Helper()
	var seq int64
	err := env.st.View(env.t.Context(), func(tx store.Tx) error {
		var err error
		seq, err = tx.LastSeq(env.t.Context(), env.user, ds)
		return err
	})
	if err != nil {
		env.t.Fatal(err)
	}
	return seq
}

// changesFor lists what a fast sync of device would send after seq.
func (env *archEnv) changesFor(device string, after int64) []string {
	env.t.Helper()
	var out []string
	err := env.st.View(env.t.Context(), func(tx store.Tx) error {
		its, err := tx.Changes(env.t.Context(), env.user, engine.Contacts, after, 1<<40, device, 0)
		for _, it := range its {
			out = append(out, fmt.Sprintf("%s:%s", it.GUID, it.Origin))
		}
		return err
	})
	if err != nil {
		env.t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

func restoreOps(rep *RestoreReport) []string {
	var out []string
	for _, c := range rep.Changes {
		out = append(out, c.Op+" "+c.GUID)
	}
	slices.Sort(out)
	return out
}

func TestRestoreItem(t *testing.T) {
	env := newArchEnv(t)
	ctx := t.Context()
	h := func(n int) time.Time { return archT0.Add(time.Duration(n) * time.Hour) }
	env.put(engine.Contacts, "a", archCard("Alice Smith", "+4911"), "phone", h(1))
	env.put(engine.Contacts, "a", archCard("Xx Junk", "000"), "phone", h(2))
	env.clock = h(3)

	dry, err := env.eng.RestoreItem(ctx, "alice", "contacts", "a", 0, true)
	if err != nil {
		t.Fatal(err)
	}
	if got := restoreOps(dry); !slices.Equal(got, []string{"update a"}) || dry.Changes[0].From != 1 || dry.Changes[0].Version != 0 {
		t.Errorf("dry run = %+v", dry.Changes)
	}
	if seq := env.lastSeq(engine.Contacts); seq != 2 {
		t.Errorf("dry run wrote: last seq %d, want 2", seq)
	}

	rep, err := env.eng.RestoreItem(ctx, "alice", "contacts", "a", 0, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := restoreOps(rep); !slices.Equal(got, []string{"update a"}) || rep.Changes[0].Version != 3 {
		t.Errorf("undo overwrite = %+v", rep.Changes)
	}
	if got := env.live(env.user, engine.Contacts); !slices.Equal(got, []string{"a=Alice Smith"}) {
		t.Errorf("after undo: %q", got)
	}
	// The phone that made the overwrite receives the restore.
	if got := env.changesFor("phone", 2); !slices.Equal(got, []string{"a:restore"}) {
		t.Errorf("changes for the phone after the restore: %q", got)
	}

	// Undo a delete: the latest version with content comes back.
	env.put(engine.Contacts, "a", "", "phone", h(4))
	rep, err = env.eng.RestoreItem(ctx, "alice", "contacts", "a", 0, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := restoreOps(rep); !slices.Equal(got, []string{"add a"}) || rep.Changes[0].From != 3 || rep.Changes[0].Version != 5 {
		t.Errorf("undo delete = %+v", rep.Changes)
	}
	// An explicit version; the current one changes nothing.
	if rep, err = env.eng.RestoreItem(ctx, "alice", "contacts", "a", 2, false); err != nil || rep.Count("update") != 1 {
		t.Errorf("restore version 2 = %+v, %v", rep, err)
	}
	if rep, err = env.eng.RestoreItem(ctx, "alice", "contacts", "a", 6, false); err != nil || len(rep.Changes) != 0 || rep.Unchanged != 1 {
		t.Errorf("restore the current version = %+v, %v", rep, err)
	}
	// Restoring a tombstone deletes.
	if rep, err = env.eng.RestoreItem(ctx, "alice", "contacts", "a", 4, false); err != nil || rep.Count("delete") != 1 {
		t.Errorf("restore version 4 (a tombstone) = %+v, %v", rep, err)
	}
	if _, err := env.eng.RestoreItem(ctx, "alice", "contacts", "a", 99, false); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("restore version 99: %v, want ErrNotFound", err)
	}
	if _, err := env.eng.RestoreItem(ctx, "alice", "contacts", "nope", 0, false); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("restore a missing item: %v, want ErrNotFound", err)
	}
	env.put(engine.Contacts, "b", archCard("Bob", "+4912"), "phone", h(5))
	if _, err := env.eng.RestoreItem(ctx, "alice", "contacts", "b", 0, false); err == nil {
		t.Errorf("restore of an item with one version succeeded")
	}
	hist, err := env.eng.History(ctx, "alice", "contacts", HistoryQuery{GUID: "a"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range hist {
		got = append(got, fmt.Sprintf("%d %s %s %s", e.Version, e.Op, e.Origin, e.Summary))
	}
	want := []string{"1 add phone Alice Smith", "2 update phone Xx Junk", "3 update restore Alice Smith",
		"4 delete phone Alice Smith", "5 add restore Alice Smith", "6 update restore Xx Junk", "7 delete restore Xx Junk"}
	if !slices.Equal(got, want) {
		t.Errorf("history of a:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestRestoreAsOf(t *testing.T) {
	env := newArchEnv(t)
	ctx := t.Context()
	h := func(n int) time.Time { return archT0.Add(time.Duration(n) * time.Hour) }
	for _, g := range []string{"a", "b", "c", "d", "f"} {
		env.put(engine.Contacts, g, archCard("Person "+g, "+49"+g), "phone", h(1))
	}
	env.put(engine.Contacts, "b", archCard("Person b", "+49b-2"), "phone", h(2))
	env.put(engine.Contacts, "c", "", "tablet", h(2))
	then := h(2).Add(30 * time.Minute)
	var want []string
	err := env.st.View(ctx, func(tx store.Tx) error {
		its, err := tx.ItemsAsOf(ctx, env.user, engine.Contacts, then, "", 0)
		for _, it := range its {
			if !it.Deleted {
				want = append(want, fmt.Sprintf("%s=%s", it.GUID, it.Data))
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	env.put(engine.Contacts, "a", archCard("Junk", "0"), "tablet", h(3))
	env.put(engine.Contacts, "b", "", "phone", h(3))
	env.put(engine.Contacts, "c", archCard("Person c again", "+49c"), "phone", h(3))
	env.put(engine.Contacts, "d", archCard("Person d edited", "+49d"), "phone", h(3))
	env.put(engine.Contacts, "e", archCard("Person e", "+49e"), "phone", h(3))
	env.put(engine.Contacts, "a", "", "phone", h(4))
	env.clock = h(5)
	seq := env.lastSeq(engine.Contacts)

	wantOps := []string{"add a", "add b", "delete c", "delete e", "update d"}
	dry, err := env.eng.RestoreAsOf(ctx, "alice", "contacts", then, true)
	if err != nil {
		t.Fatal(err)
	}
	if got := restoreOps(dry); !slices.Equal(got, wantOps) || dry.Unchanged != 1 {
		t.Errorf("dry run = %q (%d unchanged), want %q (1)", got, dry.Unchanged, wantOps)
	}
	if s := env.lastSeq(engine.Contacts); s != seq {
		t.Errorf("dry run wrote: last seq %d, want %d", s, seq)
	}
	rep, err := env.eng.RestoreAsOf(ctx, "alice", "contacts", then, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := restoreOps(rep); !slices.Equal(got, wantOps) || rep.Unchanged != 1 {
		t.Errorf("restore = %q (%d unchanged), want %q (1)", got, rep.Unchanged, wantOps)
	}
	var got []string
	err = env.st.View(ctx, func(tx store.Tx) error {
		its, err := tx.LiveItems(ctx, env.user, engine.Contacts, "", 0)
		for _, it := range its {
			got = append(got, fmt.Sprintf("%s=%s", it.GUID, it.Data))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Errorf("after restore:\n%q\nwant the state of then:\n%q", got, want)
	}
	// Every device receives every restored item on its next fast sync.
	wantChanges := []string{"a:restore", "b:restore", "c:restore", "d:restore", "e:restore"}
	for _, dev := range []string{"phone", "tablet"} {
		if got := env.changesFor(dev, seq); !slices.Equal(got, wantChanges) {
			t.Errorf("changes for %s after the restore: %q, want %q", dev, got, wantChanges)
		}
	}
	// Restoring again changes nothing.
	again, err := env.eng.RestoreAsOf(ctx, "alice", "contacts", then, false)
	if err != nil || len(again.Changes) != 0 || again.Unchanged != 6 {
		t.Errorf("second restore = %+v, %v; want no changes", again, err)
	}
	if _, err := env.eng.RestoreAsOf(ctx, "alice", "pictures", then, false); err == nil {
		t.Errorf("restore of an unknown datastore succeeded")
	}
	if _, err := env.eng.RestoreAsOf(ctx, "nobody", "contacts", then, false); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("restore for an unknown user: %v", err)
	}

	// History: the deletes, with their origins.
	hist, err := env.eng.History(ctx, "alice", "contacts", HistoryQuery{DeletedOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	var dels []string
	for _, e := range hist {
		dels = append(dels, e.GUID+" "+e.Origin+" "+e.Op)
	}
	if want := []string{"c tablet delete", "b phone delete", "a phone delete", "c restore delete", "e restore delete"}; !slices.Equal(dels, want) {
		t.Errorf("deleted history = %q, want %q", dels, want)
	}
	if hist, err := env.eng.History(ctx, "alice", "contacts", HistoryQuery{Since: h(5)}); err != nil || len(hist) != 5 {
		t.Errorf("history since the restore: %d entries, %v; want 5", len(hist), err)
	}
}

func TestPrune(t *testing.T) {
	env := newArchEnv(t)
	ctx := t.Context()
	d := func(n int) time.Time { return archT0.Add(time.Duration(n) * 24 * time.Hour) }
	for i := range 5 { // x: 5 versions, a day apart
		env.put(engine.Contacts, "x", archCard(fmt.Sprint("X ", i), "+491"), "phone", d(i))
	}
	env.put(engine.Contacts, "y", archCard("Y", "+492"), "phone", d(0))
	env.put(engine.Contacts, "y", "", "phone", d(1))
	env.put(engine.Notes, "n", "note 1", "phone", d(0))
	env.put(engine.Notes, "n", "note 2", "phone", d(4))
	env.clock = d(10)
	versions := func(ds, guid string) []int64 {
		var out []int64
		err := env.st.View(ctx, func(tx store.Tx) error {
			vs, err := tx.Versions(ctx, env.user, ds, guid)
			for _, v := range vs {
				out = append(out, v.Version)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	total := func(rs []PruneResult) (n int) {
		for _, r := range rs {
			n += r.Versions
		}
		return n
	}

	// No policy stored or given: nothing goes.
	rs, err := env.eng.Prune(ctx, "", PruneOptions{})
	if err != nil || total(rs) != 0 || len(rs) != 4 || rs[0].Source != "none" {
		t.Fatalf("prune without a policy = %+v, %v", rs, err)
	}
	// A dry run of keep 2 versions, saved: nothing removed, nothing saved.
	keep2 := &store.Retention{KeepVersions: 2}
	rs, err = env.eng.Prune(ctx, "alice", PruneOptions{Policy: keep2, Save: true, DryRun: true})
	if err != nil || total(rs) != 3 || rs[0].Source != "given" {
		t.Fatalf("dry run = %+v, %v; want x's versions 1 to 3", rs, err)
	}
	if got := versions(engine.Contacts, "x"); len(got) != 5 {
		t.Errorf("dry run removed versions: x has %v", got)
	}
	if rs, err := env.eng.Prune(ctx, "alice", PruneOptions{DryRun: true}); err != nil || rs[0].Source != "none" {
		t.Errorf("a dry run saved its policy: %+v, %v", rs, err)
	}
	// Save keep 4 versions for alice, then prune by the stored policy.
	if _, err := env.eng.Prune(ctx, "alice", PruneOptions{Policy: &store.Retention{KeepVersions: 4}, Save: true}); err != nil {
		t.Fatal(err)
	}
	if got := versions(engine.Contacts, "x"); !slices.Equal(got, []int64{2, 3, 4, 5}) {
		t.Errorf("after keep 4: x versions %v", got)
	}
	rs, err = env.eng.Prune(ctx, "", PruneOptions{})
	if err != nil || rs[0].Source != "user" || rs[0].Policy.KeepVersions != 4 || total(rs) != 0 {
		t.Errorf("prune by the stored policy = %+v, %v", rs, err)
	}
	// Keep 7 days (from day 3): x keeps the version current then (3) and
	// the newer ones; y keeps its tombstone (its latest) only; n keeps
	// both, its first version being current until day 4.
	if _, err := env.eng.Prune(ctx, "", PruneOptions{Policy: &store.Retention{KeepDays: 7}}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		ds, guid string
		want     []int64
	}{{engine.Contacts, "x", []int64{3, 4, 5}}, {engine.Contacts, "y", []int64{2}}, {engine.Notes, "n", []int64{1, 2}}} {
		if got := versions(c.ds, c.guid); !slices.Equal(got, c.want) {
			t.Errorf("after keep 7 days: %s versions %v, want %v", c.guid, got, c.want)
		}
	}
	// The latest versions stay, whatever the policy.
	if _, err := env.eng.Prune(ctx, "alice", PruneOptions{Policy: &store.Retention{KeepVersions: 1, KeepDays: 0}}); err != nil {
		t.Fatal(err)
	}
	if got := env.live(env.user, engine.Contacts); !slices.Equal(got, []string{"x=X 4"}) {
		t.Errorf("live contacts after keep 1: %q", got)
	}
	if got := versions(engine.Contacts, "y"); !slices.Equal(got, []int64{2}) {
		t.Errorf("y after keep 1: %v, want its tombstone", got)
	}
	// Restoring to a time whose versions were pruned leaves such items be.
	rep, err := env.eng.RestoreAsOf(ctx, "alice", "contacts", d(1), true)
	if err != nil || len(rep.Changes) != 0 || rep.Pruned != 1 {
		t.Errorf("restore into pruned history = %+v, %v; want x left as it is", rep, err)
	}
	if _, err := env.eng.Prune(ctx, "nobody", PruneOptions{}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("prune of an unknown user: %v", err)
	}
}

func TestDeviceReportOverdue(t *testing.T) {
	now := archT0
	for _, c := range []struct {
		last, first time.Time
		overdue     bool
	}{
		{now.Add(-time.Hour), now.Add(-100 * time.Hour), false},
		{now.Add(-49 * time.Hour), now.Add(-100 * time.Hour), true},
		{time.Time{}, now.Add(-time.Hour), false},
		{time.Time{}, now.Add(-72 * time.Hour), true},
	} {
		r := DeviceReport{LastSync: c.last, Device: store.Device{FirstSeen: c.first}}
		if got := r.Overdue(now, 48*time.Hour); got != c.overdue {
			t.Errorf("Overdue(last %v, first %v) = %v, want %v", c.last, c.first, got, c.overdue)
		}
		if d, ok := r.SinceSync(now); ok != !c.last.IsZero() || (ok && d != now.Sub(c.last)) {
			t.Errorf("SinceSync(last %v) = %v, %v", c.last, d, ok)
		}
	}
}
