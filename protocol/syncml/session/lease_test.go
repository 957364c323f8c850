package session

import (
	"anchorage/protocol/engine"
	"context"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"anchorage/protocol/syncml"
	"anchorage/store"
)

// devMessage is message() from another device of user u.
func devMessage(t *testing.T, dev, msgID string, cred bool, cmds ...*syncml.Command) []byte {
	t.Helper()
	m := &syncml.Message{Header: syncml.Header{VerDTD: "1.2", VerProto: "SyncML/1.2", SessionID: "1", MsgID: msgID,
		Target: syncml.Loc{URI: "http://h/sync"}, Source: syncml.Loc{URI: dev, Name: "u"}}, Commands: cmds, Final: true}
	if cred {
		m.Header.Cred = &syncml.Cred{Type: syncml.AuthBasic, Format: "b64", Data: syncml.BasicCredentialsData("u", "pw")}
	}
	b, err := syncml.Encode(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// alertStatus returns the status the reply gives the device's Alert.
func alertStatus(t *testing.T, body []byte) (code, key string) {
	t.Helper()
	m, err := syncml.Decode(body)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range m.Commands {
		if c.Name == "Status" && c.Cmd == "Alert" {
			code = c.Data
		}
	}
	u, _ := url.Parse(m.Header.RespURI)
	return code, u.Query().Get("sessionid")
}

// TestLeaseWait: a first message alerting a datastore that another
// device's session holds leaves its transaction, waits, and goes on once
// the other session completes (or gets 503 when it does not in time).
func TestLeaseWait(t *testing.T) {
	var skew atomic.Int64 // lets the test run the clock forward
	e := limitEngine(t, engine.Options{Now: func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }}, Options{})
	ctx := context.Background()
	handle := func(dev, msgID, key string, cmds ...*syncml.Command) []byte {
		t.Helper()
		resp, err := e.HandleSyncML(ctx, Request{Body: devMessage(t, dev, msgID, key == "", cmds...), SessionKey: key, BaseURL: "http://h/sync"})
		if err != nil {
			t.Fatalf("%s message %s: %v", dev, msgID, err)
		}
		return resp.Body
	}
	code, keyA := alertStatus(t, handle("dev-a", "1", "", alertCmd()))
	if code != "200" {
		t.Fatalf("dev-a alert: %s", code)
	}

	// dev-b waits while dev-a's session runs, then gets the datastore.
	var wg sync.WaitGroup
	var respB *Response
	var errB error
	bodyB := devMessage(t, "dev-b", "1", true, alertCmd())
	wg.Add(1)
	go func() {
		defer wg.Done()
		respB, errB = e.HandleSyncML(ctx, Request{Body: bodyB, BaseURL: "http://h/sync"})
	}()
	time.Sleep(200 * time.Millisecond)
	syncCmd := &syncml.Command{Name: "Sync", CmdID: "1", NumberOfChanges: -1,
		Target: syncml.Loc{URI: "contacts"}, Source: syncml.Loc{URI: "./c"}}
	handle("dev-a", "2", keyA, syncCmd)
	handle("dev-a", "3", keyA)
	wg.Wait()
	if errB != nil {
		t.Fatalf("dev-b message 1: %v", errB)
	}
	if codeB, _ := alertStatus(t, respB.Body); codeB != "200" {
		t.Errorf("dev-b alert after dev-a completed: %s, want 200", codeB)
	}

	// dev-b's session now holds it; dev-c gives up after the wait: 503.
	skewed := make(chan struct{})
	go func() {
		defer close(skewed)
		time.Sleep(100 * time.Millisecond)
		skew.Store(int64(engine.LeaseWait + time.Second))
	}()
	codeC, keyC := alertStatus(t, handle("dev-c", "1", "", alertCmd()))
	<-skewed
	if codeC != "503" {
		t.Errorf("dev-c alert while dev-b holds the datastore: %s, want 503", codeC)
	}
	if keyC == "" {
		t.Errorf("dev-c got no session")
	}
}

// TestLeaseOfOpeningSession: a session that waited for a datastore holds
// its lease before the transaction that saves its first message commits,
// so for a moment the lease has no session row. Another device's session
// must wait for it then (503 when the wait runs out), never take it over:
// the opening session's next message would find its datastore gone.
func TestLeaseOfOpeningSession(t *testing.T) {
	var skew atomic.Int64
	e, st := testHandler(t, "a.db", "u", false,
		engine.Options{Now: func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }}, Options{})
	ctx := context.Background()
	err := st.Update(ctx, func(tx store.Tx) error {
		u, err := tx.UserByName(ctx, "u")
		if err != nil {
			return err
		}
		now := e.now()
		_, _, err = tx.AcquireLease(ctx, u.ID, "contacts", "opening", now, now.Add(24*time.Hour)) // outlasts the clock jumps
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// The clock jumps past the wait every so often, whenever the message
	// starts waiting (checking the password takes a while).
	stop := jumpClock(&skew)
	resp, err := e.HandleSyncML(ctx, Request{Body: devMessage(t, "dev-b", "1", true, alertCmd()), BaseURL: "http://h/sync"})
	stop()
	if err != nil {
		t.Fatal(err)
	}
	if code, _ := alertStatus(t, resp.Body); code != "503" {
		t.Errorf("dev-b alert while an opening session holds the datastore: %s, want 503", code)
	}
}

// jumpClock moves skew past the lease wait every 100 ms until the
// returned stop is called, so that a message waiting for a lease runs out
// of its wait without the test sleeping through it.
func jumpClock(skew *atomic.Int64) (stop func()) {
	done, skewed := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(skewed)
		for {
			select {
			case <-done:
				return
			case <-time.After(100 * time.Millisecond):
				skew.Add(int64(engine.LeaseWait + time.Second))
			}
		}
	}()
	return func() { close(done); <-skewed }
}
