package main

import (
	"anchorage/test/testserver"
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"anchorage/store"
	"anchorage/store/sqlite"
)

// testServer runs engine and HTTP server in-process on 127.0.0.1 with the
// given users (password "pw", MD5 enabled).
func testServer(t *testing.T, users ...string) (*httptest.Server, *sqlite.Store) {
	t.Helper()
	s := testserver.Start(t, users)
	return s.HTTP, s.Store
}

func testClient(ts *httptest.Server, auth string) *Client {
	return &Client{HTTP: ts.Client(), URL: ts.URL + "/sync", Auth: auth, Datastore: "contacts",
		MaxItemsPerMsg: 7, MaxMsgSize: 150000}
}

// liveItems returns the data of a user's live contacts by GUID.
func liveItems(t *testing.T, st *sqlite.Store, user string) map[string]string {
	t.Helper()
	ctx := context.Background()
	out := map[string]string{}
	err := st.View(ctx, func(tx store.Tx) error {
		u, err := tx.UserByName(ctx, user)
		if err != nil {
			return err
		}
		items, err := tx.LiveItems(ctx, u.ID, "contacts", "", 0)
		for _, it := range items {
			out[it.GUID] = string(it.Data)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func noErrors(t *testing.T, sum Summary) {
	t.Helper()
	if sum.Failed > 0 || sum.OK == 0 {
		t.Fatalf("%s: %d ok, %d failed: %v %v", sum.Name, sum.OK, sum.Failed, sum.Errors, sum.ErrorSamples)
	}
	if sum.Slow508 > 0 {
		t.Errorf("%s: %d sessions were forced to slow sync", sum.Name, sum.Slow508)
	}
}

// TestSessionsPerDeviceUsers runs both phases against a real server: each
// device its own user, basic and md5 auth; uploads span several messages.
func TestSessionsPerDeviceUsers(t *testing.T) {
	for _, auth := range []string{"basic", "md5"} {
		t.Run(auth, func(t *testing.T) {
			users := []string{"u0", "u1", "u2", "u3"}
			ts, st := testServer(t, users...)
			c := testClient(ts, auth)
			var devs []*Device
			for i, u := range users {
				devs = append(devs, NewDevice(fmt.Sprintf("dev-%d", i), u, "pw", 20))
			}
			ctx := context.Background()
			slow := RunSlow(ctx, c, devs, 3).Summary("slow")
			noErrors(t, slow)
			if slow.OK != len(devs) {
				t.Fatalf("slow: %d ok, want %d", slow.OK, len(devs))
			}
			// 20 items at 7 per message: 3 messages of package 2, plus
			// message 1 and the closing statuses. An MD5 device's first
			// contact is refused with a fresh nonce (no nonce has been
			// issued to it yet) and retried with it: one message more.
			want := 5 * len(devs)
			if auth == "md5" {
				want += len(devs)
				if slow.AuthRetries != len(devs) {
					t.Errorf("slow: %d md5 retries, want one per new device (%d)", slow.AuthRetries, len(devs))
				}
			}
			if slow.PerMsg[0].N != len(devs) || slow.Messages != want {
				t.Errorf("slow: %d messages (%d first), want %d", slow.Messages, slow.PerMsg[0].N, want)
			}
			for _, u := range users {
				if n := len(liveItems(t, st, u)); n != 20 {
					t.Errorf("user %s holds %d items after the slow sync, want 20", u, n)
				}
			}

			fast := RunFast(ctx, c, devs, FastPlan{Concurrency: 4, Sessions: 40, ChangeShare: 0.25}).Summary("fast")
			noErrors(t, fast)
			if fast.OK != 40 || fast.WithChanges != 10 {
				t.Errorf("fast: %d ok, %d with changes; want 40 and 10", fast.OK, fast.WithChanges)
			}
			if fast.Messages != 3*40 {
				t.Errorf("fast: %d messages, want 3 per session", fast.Messages)
			}
			if fast.AuthRetries > 0 {
				t.Errorf("fast: %d md5 retries: the device did not keep the server's nonce", fast.AuthRetries)
			}
			// The Replaces arrived: every device's changed items are on
			// the server in their latest version, and nothing was added.
			for _, d := range devs {
				items := liveItems(t, st, d.User)
				if len(items) != 20 {
					t.Errorf("user %s holds %d items, want 20", d.User, len(items))
				}
				have := map[string]bool{}
				for _, data := range items {
					have[data] = true
				}
				for _, it := range d.items {
					if !have[it.data] {
						t.Errorf("device %s item %s (version %d) not on the server", d.ID, it.luid, it.version)
					}
				}
			}
		})
	}
}

// TestSessionsSharedUser: devices of one user receive each other's items
// (server Adds answered with Map, then Replaces) and the shared datastore
// serialises their sessions without errors.
func TestSessionsSharedUser(t *testing.T) {
	ts, st := testServer(t, "shared")
	c := testClient(ts, "md5")
	ctx := context.Background()
	a := NewDevice("dev-a", "shared", "pw", 5)
	b := NewDevice("dev-b", "shared", "pw", 3)
	for _, d := range []*Device{a, b} {
		if _, err := c.Sync(ctx, d, modeSlow); err != nil {
			t.Fatalf("slow sync of %s: %v", d.ID, err)
		}
	}
	if b.Items() != 8 {
		t.Fatalf("b holds %d items after its slow sync, want its 3 + a's 5", b.Items())
	}
	r, err := c.Sync(ctx, a, modeTwoWay)
	if err != nil {
		t.Fatal(err)
	}
	if r.Received != 3 || a.Items() != 8 {
		t.Fatalf("a received %d (holds %d), want b's 3 (8)", r.Received, a.Items())
	}
	// An item b got from a (so b maps it) changes on b and reaches a.
	var fromA *localItem
	for _, it := range b.items {
		if strings.Contains(it.data, "UID:load-dev-a-") {
			fromA = it
			break
		}
	}
	fromA.data = strings.Replace(fromA.data, "NOTE:version 0", "NOTE:edited on b", 1)
	b.dirty = append(b.dirty, fromA.luid)
	if r, err := c.Sync(ctx, b, modeTwoWay); err != nil || r.Sent != 1 {
		t.Fatalf("b's change: sent %v, %v", r, err)
	}
	r, err = c.Sync(ctx, a, modeTwoWay)
	if err != nil || r.Received != 1 {
		t.Fatalf("a got %v, %v; want b's one Replace", r, err)
	}
	found := false
	for _, it := range a.items {
		found = found || strings.Contains(it.data, "NOTE:edited on b")
	}
	if !found {
		t.Error("a's copy does not hold b's edit")
	}
	if n := len(liveItems(t, st, "shared")); n != 8 {
		t.Errorf("server holds %d items, want 8", n)
	}

	// Both devices in parallel, with changes: serialised by the server.
	fast := RunFast(ctx, c, []*Device{a, b}, FastPlan{Concurrency: 2, Duration: 500 * time.Millisecond, ChangeShare: 0.5}).Summary("fast")
	noErrors(t, fast)
}

// TestStaleNonce: an md5 device that lost the server's nonce gets 401 and a
// fresh nonce, retries once and completes the session.
func TestStaleNonce(t *testing.T) {
	ts, _ := testServer(t, "u")
	c := testClient(ts, "md5")
	d := NewDevice("dev", "u", "pw", 3)
	ctx := context.Background()
	if _, err := c.Sync(ctx, d, modeSlow); err != nil {
		t.Fatal(err)
	}
	d.nonce = nil
	r, err := c.Sync(ctx, d, modeTwoWay)
	if err != nil || r.AuthRetries != 1 || r.Mode != modeTwoWay {
		t.Fatalf("session with a stale nonce: %+v, %v; want one retry and a two-way sync", r, err)
	}
	if _, err := c.Sync(ctx, d, modeTwoWay); err != nil {
		t.Fatalf("next session (datastore must not be left leased): %v", err)
	}
}

// TestWrongPassword: a refused session is an error of kind auth-401.
func TestWrongPassword(t *testing.T) {
	ts, _ := testServer(t, "u")
	for _, auth := range []string{"basic", "md5"} {
		c := testClient(ts, auth)
		_, err := c.Sync(context.Background(), NewDevice("dev-"+auth, "u", "wrong", 1), modeSlow)
		var le *Error
		if !asError(err, &le) || le.Kind != "auth-401" {
			t.Errorf("%s: wrong password gave %v, want auth-401", auth, err)
		}
	}
}

func asError(err error, target **Error) bool {
	e, ok := err.(*Error)
	if ok {
		*target = e
	}
	return ok
}

func TestChangeAt(t *testing.T) {
	for _, share := range []float64{0, 0.1, 0.25, 1} {
		n := 0
		for k := int64(0); k < 1000; k++ {
			if changeAt(k, share) {
				n++
			}
		}
		if want := int(share * 1000); n != want {
			t.Errorf("share %v: %d of 1000, want %d", share, n, want)
		}
	}
}

func TestPercentiles(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	p := percentiles(d)
	if p.P50 != 50*time.Millisecond || p.P99 != 99*time.Millisecond || p.Max != 100*time.Millisecond {
		t.Errorf("percentiles = %+v", p)
	}
}

func TestCheckLoopback(t *testing.T) {
	for u, ok := range map[string]bool{
		"http://127.0.0.1:8080/sync": true, "http://localhost/sync": true, "http://[::1]:9/sync": true,
		"http://127.8.9.10/sync": true, "http://10.0.0.1/sync": false, "http://example.com/sync": false, "/sync": false,
	} {
		if err := checkLoopback(u); (err == nil) != ok {
			t.Errorf("checkLoopback(%q) = %v, want ok=%v", u, err, ok)
		}
	}
}
