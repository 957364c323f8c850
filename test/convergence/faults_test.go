package convergence

import (
	"context"
	"testing"
	"time"

	"anchorage/test/simclient"
)

// leaseTTL is longer than the engine's datastore lease (2 min): advancing
// the clock by it stands for a killed client that is restarted later.
const leaseTTL = 3 * time.Minute

func TestRetransmission(t *testing.T) {
	ts := startServer(t, engineOpts())
	ctx := context.Background()
	a := ts.device("dev-a", nil)
	b := ts.device("dev-b", func(o *simclient.Options) { o.Auth = simclient.AuthBasic })

	checkResent := func(rep *simclient.Report, want ...int) {
		t.Helper()
		if len(rep.Resent) != len(want) {
			t.Fatalf("resent %d messages, want %d", len(rep.Resent), len(want))
		}
		for i, r := range rep.Resent {
			// Faults count messages without the MD5 client's retry of
			// message 1 after its first contact's 401 (a new nonce).
			if n := r.MsgID - rep.AuthRetries; n != want[i] {
				t.Errorf("resent message %d, want %d", n, want[i])
			}
			if !r.Identical {
				t.Errorf("message %d re-sent: response differs\nfirst: %s\nagain: %s", r.MsgID, r.First, r.Again)
			}
		}
	}
	checkCounts := func(live, versions int) {
		t.Helper()
		if n := len(ts.live(t)); n != live {
			t.Errorf("server has %d live items, want %d", n, live)
		}
		if n := len(ts.versions(t)); n != versions {
			t.Errorf("server has %d versions, want %d (a re-sent change applied twice?)", n, versions)
		}
	}

	// Message 2 carries the device's changes: the resend must not apply
	// them again.
	var luids []string
	for i := 0; i < 5; i++ {
		l, _ := a.Add("contacts", card(i, 1))
		luids = append(luids, l)
	}
	a.Faults.DropResponse = []int{2}
	rep, err := a.Sync(ctx, simclient.TwoWay)
	if err != nil {
		t.Fatal(err)
	}
	checkResent(rep, 2)
	checkCounts(5, 5)

	a.Edit("contacts", luids[0], card(0, 2))
	a.Edit("contacts", luids[1], card(1, 2))
	a.Delete("contacts", luids[2])
	a.Add("contacts", card(5, 1))
	a.Faults.DropResponse = []int{2, 3}
	rep, err = a.Sync(ctx, simclient.TwoWay)
	if err != nil {
		t.Fatal(err)
	}
	checkResent(rep, 2, 3)
	checkCounts(5, 9) // 6 adds, 2 edits, 1 tombstone

	// A new device: message 2's response carries the server's Adds, message
	// 3 the device's statuses and Map.
	b.Faults.DropResponse = []int{2, 3}
	rep, err = b.Sync(ctx, simclient.TwoWay)
	if err != nil {
		t.Fatal(err)
	}
	checkResent(rep, 2, 3)
	if got := rep.Stores["contacts"].RecvAdds; got != 5 {
		t.Errorf("b received %d adds, want 5", got)
	}
	checkCounts(5, 9)

	// A device with a small MaxMsgSize: the server's package spans
	// messages (the device asks for each with Alert 222) and a large item
	// comes in chunks; every response is lost once.
	c := ts.device("dev-c", func(o *simclient.Options) { o.MaxMsgSize = 1500; o.VerDTD = "1.1" })
	a.Add("contacts", bigCard(6, 1, 4000))
	syncAll(t, a)
	for n := 2; n <= 40; n++ {
		c.Faults.DropResponse = append(c.Faults.DropResponse, n)
	}
	rep, err = c.Sync(ctx, simclient.TwoWay)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Messages < 10 {
		t.Fatalf("c's session took %d requests; want a package over several messages", rep.Messages)
	}
	if s := rep.Stores["contacts"]; s.RecvAdds != 6 || s.Chunks == 0 {
		t.Errorf("c received %d adds in %d chunks, want 6 adds and some chunks", s.RecvAdds, s.Chunks)
	}
	var want []int
	for n := 2; n <= len(rep.Resent)+1; n++ {
		want = append(want, n)
	}
	checkResent(rep, want...)
	checkCounts(6, 10)
	syncAll(t, a, b, c, a)
	if d := converged(t, ts, a, b, c); len(d) > 0 {
		t.Errorf("not converged:\n%v", d)
	}
	checkCounts(6, 10)
}

// TestRetransmittedFirstMessage: a device whose first response was lost
// sends message 1 again (same SessionID and MsgID).
func TestRetransmittedFirstMessage(t *testing.T) {
	for _, auth := range []string{simclient.AuthBasic, simclient.AuthMD5} {
		t.Run(auth, func(t *testing.T) {
			ts := startServerClock(t, engineOpts(), 100) // the 45 s lease wait takes 0.45 s
			ctx := context.Background()
			a := ts.device("dev-a", func(o *simclient.Options) { o.Auth = auth })
			a.Add("contacts", card(1, 1))
			syncAll(t, a)
			a.Add("contacts", card(2, 1))
			a.Faults.DropResponse = []int{1}
			rep, err := a.Sync(ctx, simclient.TwoWay)
			if err != nil {
				t.Errorf("sync after a lost first response: %v", err)
			}
			if len(rep.Resent) == 1 && !rep.Resent[0].Identical {
				t.Errorf("re-sent message 1 got a different answer:\nfirst: %s\nagain: %s", rep.Resent[0].First, rep.Resent[0].Again)
			}
		})
	}
}
