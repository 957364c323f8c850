package simclient_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"anchorage/admin"
	"anchorage/test/simclient"
	"anchorage/test/testserver"
)

// resumeContacts makes n distinct contacts; big, if set, gets a PHOTO of
// that many bytes, so that it travels as a large object.
func resumeContacts(prefix string, n, big int) []string {
	out := make([]string, n)
	for i := range n {
		c := fmt.Sprintf("BEGIN:VCARD\nVERSION:3.0\nN:%s%03d;Pat\nFN:Pat %s%03d\nTEL:+49301%s%04d\nEND:VCARD\n",
			prefix, i, prefix, i, fmt.Sprint(len(prefix)), i)
		if i == n/2 && big > 0 {
			c = strings.Replace(c, "END:VCARD", "NOTE:"+strings.Repeat("x", big)+"\nEND:VCARD", 1)
		}
		out[i] = c
	}
	return out
}

// TestSuspendResumeLargeSlowSync is issue 20's suspend and resume: a
// phone's first (slow) sync with a server holding 240 contacts, one of them
// a large object, is suspended (Alert 224) every few messages and resumed
// (Alert 225) each time until it completes. The server resumes every time;
// nothing is sent twice in either direction, nothing is lost, and the
// large object interrupted half-way continues after its last acknowledged
// chunk.
func TestSuspendResumeLargeSlowSync(t *testing.T) {
	ctx := context.Background()
	s, seed, phone := seeded(t, 240, 60000)
	for _, c := range resumeContacts("Phone", 60, 0) {
		phone.Add("contacts", c)
	}

	var recv, sent, suspends, chunkSuspends, resumed int
	phone.Faults = simclient.Faults{SuspendAfter: 3}
	rep, err := phone.Sync(ctx, simclient.TwoWay)
	for round := 0; ; round++ {
		if rep != nil {
			st := rep.Stores["contacts"]
			recv += st.RecvAdds
			sent += st.SentAdds
			if st.RecvAgain > 0 {
				t.Errorf("round %d: %d items received again", round, st.RecvAgain)
			}
			if round > 0 && !st.Resumed {
				t.Fatalf("round %d: the server did not resume (Alert status %d, mode %d)", round, st.AlertStatus, st.Mode)
			}
			if round > 0 {
				resumed++
			}
			if st.ChunkPending {
				chunkSuspends++
			}
		}
		if err == nil {
			break
		}
		if !errors.Is(err, simclient.ErrSuspended) || round > 200 {
			t.Fatalf("round %d: %v", round, err)
		}
		suspends++
		phone.Faults = simclient.Faults{SuspendAfter: 3}
		rep, err = phone.Resume(ctx)
	}
	t.Logf("%d suspends, %d resumed sessions, %d with a half-received large object; %d received, %d sent",
		suspends, resumed, chunkSuspends, recv, sent)
	if suspends < 5 {
		t.Errorf("only %d suspends: the test did not interrupt the slow sync", suspends)
	}
	if chunkSuspends == 0 {
		t.Error("no suspend fell in the middle of the large object")
	}
	if recv != 240 || sent != 60 {
		t.Errorf("received %d (want 240: each server item once), sent %d (want 60: each phone item once)", recv, sent)
	}
	if n := len(phone.Items("contacts")); n != 300 {
		t.Errorf("phone holds %d contacts, want 300", n)
	}
	if big := bigItems(phone.Items("contacts")); big != 1 {
		t.Errorf("phone holds %d whole large contacts, want 1", big)
	}
	if n := strings.Count(export(t, s), "BEGIN:VCARD"); n != 300 {
		t.Errorf("server holds %d contacts, want 300", n)
	}
	// The resumed session completed: the next sync is fast and empty, and
	// the seed gets the phone's 60, once.
	if rep, err := phone.Sync(ctx, simclient.TwoWay); err != nil || rep.Stores["contacts"].Mode != simclient.TwoWay ||
		rep.Stores["contacts"].RecvAdds+rep.Stores["contacts"].SentAdds != 0 {
		t.Errorf("phone's next sync: %v, %+v", err, rep.Stores["contacts"])
	}
	if rep, err := seed.Sync(ctx, simclient.TwoWay); err != nil || rep.Stores["contacts"].RecvAdds != 60 {
		t.Errorf("seed's next sync: %v, received %d, want 60", err, rep.Stores["contacts"].RecvAdds)
	}
}

// TestResumeAfterAbandon: a session broken off in the middle of the
// server's package (the device dies; no suspend) is resumed by the device's
// next session: the changes whose Status was lost come again and are taken
// as the same items, nothing is lost or doubled on either side.
func TestResumeAfterAbandon(t *testing.T) {
	ctx := context.Background()
	s, _, phone := seeded(t, 120, 30000)
	phone.Faults = simclient.Faults{AbandonAfter: 4}
	if _, err := phone.Sync(ctx, simclient.TwoWay); !errors.Is(err, simclient.ErrAbandoned) {
		t.Fatalf("first sync: %v, want abandoned", err)
	}
	rep, err := phone.Resume(ctx)
	if err != nil {
		t.Fatalf("resume: %v", err)
	}
	if st := rep.Stores["contacts"]; !st.Resumed {
		t.Fatalf("not resumed: Alert status %d", st.AlertStatus)
	}
	if n := len(phone.Items("contacts")); n != 120 {
		t.Errorf("phone holds %d contacts, want 120", n)
	}
	if big := bigItems(phone.Items("contacts")); big != 1 {
		t.Errorf("phone holds %d whole large contacts, want 1", big)
	}
	if rep, err := phone.Sync(ctx, simclient.TwoWay); err != nil || rep.Stores["contacts"].RecvAdds+rep.Stores["contacts"].SentAdds != 0 {
		t.Errorf("phone's next sync: %v, %+v", err, rep.Stores["contacts"])
	}
	if n := strings.Count(export(t, s), "BEGIN:VCARD"); n != 120 {
		t.Errorf("server holds %d contacts, want 120", n)
	}
}

// TestResumeRefusedAfterReset: when the partnership moved on since the
// session was interrupted (here `device reset`), Alert 225 gets 508 and a
// slow sync, which loses and doubles nothing.
func TestResumeRefusedAfterReset(t *testing.T) {
	ctx := context.Background()
	s := testserver.Start(t, []string{"bob"})
	phone := simclient.New(simclient.Options{URL: s.URL, User: "bob", Password: testserver.Password, DeviceID: "phone",
		MaxMsgSize: 6000})
	for _, c := range resumeContacts("Phone", 40, 0) {
		phone.Add("contacts", c)
	}
	if _, err := phone.Sync(ctx, simclient.TwoWay); err != nil {
		t.Fatal(err)
	}
	seed := simclient.New(simclient.Options{URL: s.URL, User: "bob", Password: testserver.Password, DeviceID: "seed"})
	for _, c := range resumeContacts("Seed", 40, 0) {
		seed.Add("contacts", c)
	}
	if _, err := seed.Sync(ctx, simclient.TwoWay); err != nil {
		t.Fatal(err)
	}
	phone.Faults = simclient.Faults{SuspendAfter: 3}
	if _, err := phone.Sync(ctx, simclient.TwoWay); !errors.Is(err, simclient.ErrSuspended) {
		t.Fatalf("sync: %v, want suspended", err)
	}
	if _, err := s.Admin.ResetDevice(ctx, "bob", "phone", ""); err != nil {
		t.Fatal(err)
	}
	rep, err := phone.Resume(ctx)
	if err != nil {
		t.Fatalf("resume: %v", err)
	}
	if st := rep.Stores["contacts"]; st.Resumed || st.AlertStatus != 508 || st.Mode != simclient.Slow {
		t.Errorf("resume after reset: resumed %v, Alert status %d, mode %d; want 508 and a slow sync", st.Resumed, st.AlertStatus, st.Mode)
	}
	if n := len(phone.Items("contacts")); n != 80 {
		t.Errorf("phone holds %d contacts, want 80", n)
	}
	if n := strings.Count(export(t, s), "BEGIN:VCARD"); n != 80 {
		t.Errorf("server holds %d contacts, want 80", n)
	}
}

// seeded starts a server whose user bob has n contacts (one with a large
// NOTE of big bytes), synced by the device "seed", and returns it with the
// seed and a new device "phone" that takes messages of at most 12000 bytes.
func seeded(t *testing.T, n, big int) (*testserver.Server, *simclient.Device, *simclient.Device) {
	t.Helper()
	s := testserver.Start(t, []string{"bob"})
	seed := simclient.New(simclient.Options{URL: s.URL, User: "bob", Password: testserver.Password, DeviceID: "seed"})
	for _, c := range resumeContacts("Seed", n, big) {
		seed.Add("contacts", c)
	}
	if rep, err := seed.Sync(t.Context(), simclient.TwoWay); err != nil || !rep.Complete {
		t.Fatalf("seed sync: %v", err)
	}
	phone := simclient.New(simclient.Options{URL: s.URL, User: "bob", Password: testserver.Password, DeviceID: "phone",
		MaxMsgSize: 12000})
	return s, seed, phone
}

// bigItems counts the contacts that carry the large NOTE whole.
func bigItems(items map[string]string) int {
	n := 0
	for _, c := range items {
		if strings.Contains(c, "NOTE:xxxx") && strings.Contains(c, "x\nEND:VCARD") {
			n++
		}
	}
	return n
}

// export returns the server's contacts of bob as one vCard stream.
func export(t *testing.T, s *testserver.Server) string {
	t.Helper()
	res, err := s.Admin.Export(context.Background(), "bob", "contacts", admin.ExportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return string(res.Data)
}
