package realclient_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"anchorage/test/easclient"
	"anchorage/test/testserver"
)

// easClient is a simulated EAS device (package easclient) that fails the
// test on errors, for what TbSync does not do (Ping).
type easClient struct{ easclient.Client }

func newEASClient(base, user, pass, device string) *easClient {
	return &easClient{easclient.Client{Base: base, User: user, Password: pass, DeviceID: device}}
}

// sync sends one Sync and returns the next key and the server's changes.
func (c *easClient) sync(t *testing.T, folder, key, commands string) (string, easclient.Changes) {
	t.Helper()
	r, err := c.Sync(context.Background(), folder, key, commands)
	if err != nil {
		t.Fatal(err)
	}
	return r.Key, r.Changes
}

func (c *easClient) initialSync(t *testing.T, folder string) string {
	t.Helper()
	key, err := c.InitialSync(context.Background(), folder)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func (c *easClient) addContact(t *testing.T, folder, key, clientID, given, family string) string {
	t.Helper()
	next, _, err := c.AddContact(context.Background(), folder, key, clientID, given, family)
	if err != nil {
		t.Fatal(err)
	}
	return next
}

// pingAnswer is a Ping's answer or its error.
type pingAnswer struct {
	*easclient.PingResult
	err error
}

// pingAsync parks a Ping for folders in the background.
func (c *easClient) pingAsync(heartbeat int, folders ...string) <-chan pingAnswer {
	ch := make(chan pingAnswer, 1)
	go func() {
		r, err := c.Ping(context.Background(), heartbeat, folders...)
		ch <- pingAnswer{r, err}
	}()
	return ch
}

// waitParked waits until the node at base holds n parked Pings (its
// anchorage_parked_pings gauge), so that a following write happens while
// the Ping is parked.
func waitParked(t *testing.T, base string, n int) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if testserver.MustScrapeMetrics(t, base)["anchorage_parked_pings"] == float64(n) {
			return
		}
	}
	t.Fatalf("%s never held %d parked Pings", base, n)
}

// awaitPing waits for a parked Ping's answer. The server answers at the
// heartbeat at the latest; the bound here only keeps a broken server
// from hanging the test.
func awaitPing(t *testing.T, ch <-chan pingAnswer, heartbeat int) *easclient.PingResult {
	t.Helper()
	select {
	case r := <-ch:
		if r.err != nil {
			t.Fatalf("Ping: %v", r.err)
		}
		return r.PingResult
	case <-time.After(time.Duration(heartbeat+60) * time.Second):
		t.Fatal("the Ping did not answer within its heartbeat of " + strconv.Itoa(heartbeat) + " s")
		return nil
	}
}
