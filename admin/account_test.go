package admin

import (
	"errors"
	"testing"

	"anchorage/protocol/engine"
	"anchorage/store"
)

func TestLoginAndFlags(t *testing.T) {
	env := newArchEnv(t)
	ctx := t.Context()
	if err := env.eng.AddUser(ctx, "bob", "s3cret", false); err != nil {
		t.Fatal(err)
	}
	u, err := env.eng.Login(ctx, "bob", "s3cret", "127.0.0.1:1")
	if err != nil || u.Name != "bob" || u.Admin {
		t.Fatalf("Login(right password) = %+v, %v", u, err)
	}
	for _, c := range []struct{ name, pass string }{{"bob", "wrong"}, {"nobody", "s3cret"}, {"bob", ""}} {
		if _, err := env.eng.Login(ctx, c.name, c.pass, "127.0.0.1:1"); !errors.Is(err, ErrLoginRefused) {
			t.Errorf("Login(%q, %q) = %v, want ErrLoginRefused", c.name, c.pass, err)
		}
	}
	yes := true
	if err := env.eng.SetUserFlags(ctx, "bob", &yes, nil); err != nil {
		t.Fatal(err)
	}
	if u, err := env.eng.User(ctx, "bob"); err != nil || !u.Admin || u.Disabled {
		t.Errorf("after --admin: %+v, %v", u, err)
	}
	if err := env.eng.SetUserFlags(ctx, "bob", nil, &yes); err != nil {
		t.Fatal(err)
	}
	if _, err := env.eng.Login(ctx, "bob", "s3cret", "127.0.0.1:2"); !errors.Is(err, ErrLoginRefused) {
		t.Errorf("Login(disabled user) = %v, want ErrLoginRefused", err)
	}
	if err := env.eng.SetUserFlags(ctx, "nobody", &yes, nil); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SetUserFlags(nobody) = %v, want ErrNotFound", err)
	}
}

func TestLiveItemsAndVersions(t *testing.T) {
	env := newArchEnv(t)
	ctx := t.Context()
	env.put(engine.Contacts, "g1", archCard("Ann", "1"), "dev", archT0)
	env.put(engine.Contacts, "g1", archCard("Ann B", "1"), "dev", archT0.Add(1))
	env.put(engine.Contacts, "g2", archCard("Bo", "2"), "dev", archT0.Add(2))
	env.put(engine.Contacts, "g2", "", "dev", archT0.Add(3))
	its, err := env.eng.LiveItems(ctx, "alice", "contacts")
	if err != nil || len(its) != 1 || its[0].GUID != "g1" || len(its[0].Data) == 0 {
		t.Fatalf("LiveItems = %+v, %v; want g1 with content", its, err)
	}
	vs, err := env.eng.ItemVersions(ctx, "alice", "contacts", "g2")
	if err != nil || len(vs) != 2 || !vs[1].Deleted || len(vs[0].Data) == 0 {
		t.Fatalf("ItemVersions(g2) = %+v, %v", vs, err)
	}
	if _, err := env.eng.ItemVersions(ctx, "alice", "contacts", "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("ItemVersions(missing) = %v, want ErrNotFound", err)
	}
}

// TestLoginSharesSyncThrottle: web login failures count in the same
// record as sync login failures (per user and address), and a success
// clears it.
func TestLoginSharesSyncThrottle(t *testing.T) {
	env := newArchEnv(t)
	ctx := t.Context()
	if err := env.eng.AddUser(ctx, "bob", "s3cret", false); err != nil {
		t.Fatal(err)
	}
	for range engine.FreeLoginFailures {
		_, _ = env.eng.Login(ctx, "bob", "guess", "10.0.0.1:5000")
	}
	// The next failure from that address, by either door, is delayed.
	if d := env.eng.core.LoginFailed("bob", "10.0.0.1:6000"); d <= 0 {
		t.Errorf("after %d failed web logins a sync failure is not delayed", engine.FreeLoginFailures)
	}
	if _, err := env.eng.Login(ctx, "bob", "s3cret", "10.0.0.1:7000"); err != nil {
		t.Fatal(err)
	}
	if d := env.eng.core.LoginFailed("bob", "10.0.0.1:6000"); d != 0 {
		t.Errorf("after a successful login the next failure is delayed %v", d)
	}
}
