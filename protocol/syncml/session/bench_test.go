package session

import (
	"anchorage/protocol/engine"
	"context"
	"fmt"
	"net/url"
	"strconv"
	"testing"
	"time"

	"anchorage/protocol/syncml"
	"anchorage/store"
)

// benchDevice drives the engine directly with SyncML messages, the way a
// client that needs nothing from the server runs a fast sync.
type benchDevice struct {
	e      *Handler
	id     string
	last   string
	msgSeq int
}

func (d *benchDevice) msg(msgID int, key string, final bool, cmds ...*syncml.Command) *Response {
	m := &syncml.Message{Header: syncml.Header{VerDTD: "1.2", VerProto: "SyncML/1.2",
		SessionID: strconv.Itoa(d.msgSeq), MsgID: strconv.Itoa(msgID),
		Target: syncml.Loc{URI: "http://127.0.0.1/sync"}, Source: syncml.Loc{URI: d.id, Name: "bench"}},
		Commands: cmds, Final: final}
	if key == "" {
		m.Header.Cred = &syncml.Cred{Type: syncml.AuthBasic, Format: "b64", Data: syncml.BasicCredentialsData("bench", "pw")}
	}
	body, err := syncml.Encode(m)
	if err != nil {
		panic(err)
	}
	resp, err := d.e.HandleSyncML(context.Background(), Request{Body: body, SessionKey: key, BaseURL: "http://127.0.0.1/sync"})
	if err != nil {
		panic(err)
	}
	return resp
}

// fastSync runs one complete two-way session with no changes either way.
func (d *benchDevice) fastSync(b *testing.B) {
	d.msgSeq++
	next := fmt.Sprintf("a%d", d.msgSeq)
	alert := &syncml.Command{Name: "Alert", CmdID: "1", Data: "200", NumberOfChanges: -1,
		Items: []syncml.Item{{Target: syncml.Loc{URI: "contacts"}, Source: syncml.Loc{URI: "./contacts"},
			Meta: &syncml.Meta{Anchor: &syncml.Anchor{Last: d.last, Next: next}}}}}
	r := d.msg(1, "", true, alert)
	reply, err := syncml.Decode(r.Body)
	if err != nil {
		b.Fatal(err)
	}
	u, _ := url.Parse(reply.Header.RespURI)
	key := u.Query().Get("sessionid")
	sync := &syncml.Command{Name: "Sync", CmdID: "1", NumberOfChanges: -1,
		Target: syncml.Loc{URI: "contacts"}, Source: syncml.Loc{URI: "./contacts"}}
	d.msg(2, key, true, sync)
	d.msg(3, key, true)
	d.last = next
}

func benchEngine(b testing.TB, items int) *benchDevice {
	e, st := testHandler(b, "bench.db", "bench", true, engine.Options{}, Options{})
	return seedBench(b, e, st, items)
}

// seedBench gives user "bench" of e's store st items contacts and a device
// whose partnership is synced up to them.
func seedBench(b testing.TB, e *Handler, st store.Store, items int) *benchDevice {
	ctx := context.Background()
	var uid int64
	err := st.Update(ctx, func(tx store.Tx) error {
		u, err := tx.UserByName(ctx, "bench")
		if err != nil {
			return err
		}
		uid = u.ID
		for i := 0; i < items; i++ {
			data := fmt.Sprintf("BEGIN:VCARD\r\nVERSION:3.0\r\nN:Person;P%d;;;\r\nFN:P%d Person\r\nTEL:+49170%07d\r\nEND:VCARD\r\n", i, i, i)
			if _, err := tx.WriteItem(ctx, &store.ItemWrite{UserID: uid, Datastore: engine.Contacts, GUID: fmt.Sprintf("g%07d", i),
				ContentType: "text/vcard", Data: []byte(data), Origin: "seed", Time: time.Now()}); err != nil {
				return err
			}
		}
		seq, err := tx.LastSeq(ctx, uid, engine.Contacts)
		if err != nil {
			return err
		}
		if err := tx.PutDevice(ctx, &store.Device{UserID: uid, DeviceID: "bench-dev", FirstSeen: time.Now()}); err != nil {
			return err
		}
		return tx.PutPartnership(ctx, &store.Partnership{UserID: uid, DeviceID: "bench-dev", Datastore: engine.Contacts,
			ClientAnchor: "a0", ServerAnchor: "s0", AckSeq: seq, LastSync: time.Now(), LastSyncMode: 200})
	})
	if err != nil {
		b.Fatal(err)
	}
	return &benchDevice{e: e, id: "bench-dev", last: "a0"}
}

// BenchmarkFastSyncNoChanges is one whole fast sync session (3 messages)
// with nothing to exchange; its cost must not grow with the datastore.
func BenchmarkFastSyncNoChanges(b *testing.B) {
	for _, n := range []int{1000, 100000} {
		b.Run(fmt.Sprintf("items=%d", n), func(b *testing.B) { d := benchEngine(b, n); d.benchFastSyncs(b) })
	}
}

// benchFastSyncs runs b.N fast syncs after a first one and reports their
// CPU time per session.
func (d *benchDevice) benchFastSyncs(b *testing.B) {
	d.fastSync(b) // warm the credential cache
	b.ResetTimer()
	c0 := cpuTime()
	for i := 0; i < b.N; i++ {
		d.fastSync(b)
	}
	// CPU time holds up on a shared machine; ns/op does not.
	b.ReportMetric(float64((cpuTime()-c0).Microseconds())/float64(b.N), "cpu-µs/op")
}
