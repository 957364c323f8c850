package session

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"anchorage/admin"
	"anchorage/protocol/engine"
	"anchorage/protocol/syncml"
	"anchorage/store"
)

// benchSession is a minimal client for the bulk benchmarks: md5 auth (no
// bcrypt), retrying once with the nonce of the server's 401, 300 items per message and
// MaxMsgSize 150000 as SyncEvolution sends them. It answers every server
// command with a Status and every Add with a Map entry. server sums the
// time spent inside HandleSyncML (the engine's share of the session).
type benchSession struct {
	e      *Handler
	dev    string
	id     string
	key    string
	msgID  int
	nonce  []byte
	server time.Duration
}

func (s *benchSession) send(b testing.TB, final bool, cmds ...*syncml.Command) *syncml.Message {
	s.msgID++
	id := 0
	var number func([]*syncml.Command)
	number = func(cs []*syncml.Command) {
		for _, c := range cs {
			id++
			c.CmdID = strconv.Itoa(id)
			number(c.Commands)
		}
	}
	number(cmds)
	m := &syncml.Message{Header: syncml.Header{VerDTD: "1.2", VerProto: "SyncML/1.2", SessionID: s.id,
		MsgID: strconv.Itoa(s.msgID), Target: syncml.Loc{URI: "http://127.0.0.1/sync"},
		Source: syncml.Loc{URI: s.dev, Name: "bench"}, MaxMsgSize: 150000}, Commands: cmds, Final: final}
	if s.key == "" {
		m.Header.Cred = &syncml.Cred{Type: syncml.AuthMD5, Format: "b64", Data: syncml.MD5Credentials("bench", "pw", s.nonce)}
	}
	body, err := syncml.Encode(m)
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	resp, err := s.e.HandleSyncML(context.Background(), Request{Body: body, SessionKey: s.key, BaseURL: "http://127.0.0.1/sync"})
	s.server += time.Since(start)
	if err != nil {
		b.Fatal(err)
	}
	reply, err := syncml.Decode(resp.Body)
	if err != nil {
		b.Fatal(err)
	}
	if s.key == "" && s.nonce == nil && len(reply.Commands) > 0 && reply.Commands[0].Data == "401" && reply.Commands[0].Chal != nil {
		// First contact: retry with the nonce the server issued.
		if s.nonce, err = base64.StdEncoding.DecodeString(reply.Commands[0].Chal.NextNonce); err != nil {
			b.Fatal(err)
		}
		return s.send(b, final, cmds...)
	}
	if s.key == "" {
		u, _ := url.Parse(reply.Header.RespURI)
		s.key = u.Query().Get("sessionid")
	}
	return reply
}

// answer builds the statuses (and Map) for a server message.
func (s *benchSession) answer(reply *syncml.Message) (out []*syncml.Command, received int) {
	ref := reply.Header.MsgID
	out = []*syncml.Command{syncml.NewHeaderStatus(reply.Header, syncml.StatusOK)}
	var maps []syncml.MapItem
	for _, c := range reply.Commands {
		if c.Name == "Status" {
			continue
		}
		out = append(out, syncml.NewStatus(ref, c, syncml.StatusOK))
		for _, ch := range c.Commands {
			st := syncml.NewStatus(ref, ch, syncml.StatusOK)
			out = append(out, st)
			if ch.Name == "Add" {
				received++
				maps = append(maps, syncml.MapItem{Target: ch.Items[0].Source.URI, Source: fmt.Sprintf("l%d", received+s.msgID*1000)})
			}
		}
	}
	if len(maps) > 0 {
		out = append(out, &syncml.Command{Name: "Map", Target: syncml.Loc{URI: "contacts"},
			Source: syncml.Loc{URI: "./contacts"}, MapItems: maps, NumberOfChanges: -1})
	}
	if !reply.Final {
		out = append(out, &syncml.Command{Name: "Alert", Data: "222", NumberOfChanges: -1,
			Items: []syncml.Item{{Target: syncml.Loc{URI: "contacts"}, Source: syncml.Loc{URI: "./contacts"}}}})
	}
	return out, received
}

// run alerts mode, uploads adds in messages of 300 and answers the server
// until it has nothing more to say; it returns the items received.
func (s *benchSession) run(b testing.TB, mode int, adds []string) int {
	alert := &syncml.Command{Name: "Alert", Data: strconv.Itoa(mode), NumberOfChanges: -1,
		Items: []syncml.Item{{Target: syncml.Loc{URI: "contacts"}, Source: syncml.Loc{URI: "./contacts"},
			Meta: &syncml.Meta{Anchor: &syncml.Anchor{Next: "n1"}}}}}
	reply := s.send(b, true, alert)
	meta, meta21 := &syncml.Meta{Type: "text/vcard"}, &syncml.Meta{Type: "text/x-vcard"}
	for first := true; first || len(adds) > 0; first = false {
		n := min(300, len(adds))
		sync := &syncml.Command{Name: "Sync", Target: syncml.Loc{URI: "contacts"}, Source: syncml.Loc{URI: "./contacts"},
			NumberOfChanges: -1}
		for i, data := range adds[:n] {
			meta := meta
			if strings.Contains(data, "VERSION:2.1") {
				meta = meta21
			}
			sync.Commands = append(sync.Commands, &syncml.Command{Name: "Add", Meta: meta, NumberOfChanges: -1,
				Items: []syncml.Item{{Source: syncml.Loc{URI: strconv.Itoa(s.msgID*1000 + i)}, Data: data}}})
		}
		adds = adds[n:]
		out, _ := s.answer(reply)
		reply = s.send(b, len(adds) == 0, append(out, sync)...)
	}
	total := 0
	for msgs := 0; !benchDone(reply); msgs++ {
		if msgs > 1000 {
			b.Fatal("session does not end")
		}
		out, got := s.answer(reply)
		total += got
		reply = s.send(b, true, out...)
	}
	return total
}

func benchDone(m *syncml.Message) bool {
	if !m.Final {
		return false
	}
	for _, c := range m.Commands {
		if c.Name != "Status" {
			return false
		}
	}
	return true
}

// benchVCard is a contact of about 300 bytes with a UID, as the load tool
// and bench-peer upload them.
func benchVCard(dev string, i int) string {
	return fmt.Sprintf("BEGIN:VCARD\r\nVERSION:3.0\r\nUID:bench-%s-%06d\r\nN:Person%d;%s;;;\r\nFN:%s Person%d\r\n"+
		"TEL;TYPE=CELL:+49 170 %07d\r\nEMAIL;TYPE=INTERNET:p%d@%s.example.com\r\n"+
		"ADR;TYPE=HOME:;;Main Street %d;Berlin;;10115;Germany\r\nORG:Bench Inc.\r\nEND:VCARD\r\n",
		dev, i, i, dev, dev, i, i, i, dev, i%200+1)
}

// benchVCard21 is benchVCard as a vCard 2.1 phone (and SyncEvolution's
// contacts21 source) sends it: 2.1 type parameters, a non-ASCII name in
// QUOTED-PRINTABLE UTF-8.
func benchVCard21(dev string, i int) string {
	return fmt.Sprintf("BEGIN:VCARD\r\nVERSION:2.1\r\nUID:bench-%s-%06d\r\n"+
		"N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=D0=98=D0=B2=D0=B0=D0=BD=D0=BE=D0=B2%d;%s\r\n"+
		"FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:%s =D0=98=D0=B2=D0=B0=D0=BD=D0=BE=D0=B2%d\r\n"+
		"TEL;CELL:+49 170 %07d\r\nEMAIL;INTERNET:p%d@%s.example.com\r\n"+
		"ADR;HOME:;;Main Street %d;Berlin;;10115;Germany\r\nORG:Bench Inc.\r\nEND:VCARD\r\n",
		dev, i, i, dev, dev, i, i, i, dev, i%200+1)
}

func benchStore(b testing.TB) (*Handler, store.Store) {
	return testHandler(b, fmt.Sprintf("bench-%d.db", time.Now().UnixNano()), "bench", true, engine.Options{}, Options{})
}

// cpuTime is the process's user+system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkSlowUploadEngine is bench-peer's workload (a) at the engine: a
// fresh device uploads N contacts to an empty datastore in a slow sync.
// server-ms/op is the time inside HandleSyncML; cpu-ms/op is the whole
// process (client encoding and decoding included).
func BenchmarkSlowUploadEngine(b *testing.B) {
	for _, tc := range []struct {
		n       int
		version string
	}{{1000, "3.0"}, {5000, "3.0"}, {5000, "2.1"}} {
		b.Run(fmt.Sprintf("items=%d/vcard=%s", tc.n, tc.version), func(b *testing.B) {
			adds := make([]string, tc.n)
			for i := range adds {
				if tc.version == "2.1" {
					adds[i] = benchVCard21("up", i)
				} else {
					adds[i] = benchVCard("up", i)
				}
			}
			var server, cpu time.Duration
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				e, _ := benchStore(b)
				s := &benchSession{e: e, dev: "up", id: "1"}
				c0 := cpuTime()
				b.StartTimer()
				s.run(b, int(syncml.AlertSlowSync), adds)
				b.StopTimer()
				cpu += cpuTime() - c0
				server += s.server
			}
			b.ReportMetric(float64(server.Milliseconds())/float64(b.N), "server-ms/op")
			b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu-ms/op")
		})
	}
}

// BenchmarkRefreshEngine is workload (d) at the engine: a fresh device asks
// for refresh-from-server of a datastore of N contacts, answering every
// server message with statuses and Map.
func BenchmarkRefreshEngine(b *testing.B) {
	for _, n := range []int{1000, 5000} {
		b.Run(fmt.Sprintf("items=%d", n), func(b *testing.B) {
			e, _ := benchStore(b)
			adds := make([]string, n)
			for i := range adds {
				adds[i] = benchVCard("up", i)
			}
			(&benchSession{e: e, dev: "up", id: "1"}).run(b, int(syncml.AlertSlowSync), adds)
			var server, cpu time.Duration
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				s := &benchSession{e: e, dev: fmt.Sprintf("dl-%d", i), id: "1"}
				c0 := cpuTime()
				if got := s.run(b, int(syncml.AlertRefreshFromServer), nil); got != n {
					b.Fatalf("received %d items, want %d", got, n)
				}
				cpu += cpuTime() - c0
				server += s.server
			}
			b.ReportMetric(float64(server.Milliseconds())/float64(b.N), "server-ms/op")
			b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu-ms/op")
		})
	}
}

// benchFewer21 is benchVCard as a vCard 2.1 phone holds the same person:
// no UID, address or organisation, the e-mail upper-cased, the number
// spaced another way.
func benchFewer21(dev string, i int) string {
	return fmt.Sprintf("BEGIN:VCARD\r\nVERSION:2.1\r\nN:Person%d;%s\r\nTEL;CELL:+4917 0%07d\r\n"+
		"EMAIL;INTERNET:P%d@%s.EXAMPLE.COM\r\nEND:VCARD\r\n", i, dev, i, i, strings.ToUpper(dev))
}

// BenchmarkReinstalledSlowSyncEngine: the account holds N contacts; a
// re-installed phone (a new device each time) slow-syncs the same people,
// as the account holds them (vCard 3.0) or with fewer fields in vCard 2.1.
// Every item must pair: no new item, no version written, nothing sent.
func BenchmarkReinstalledSlowSyncEngine(b *testing.B) {
	for _, tc := range []struct {
		n      int
		fewer  bool
		suffix string
	}{{2000, false, "same"}, {5000, false, "same"}, {2000, true, "fewer-2.1"}, {5000, true, "fewer-2.1"}} {
		b.Run(fmt.Sprintf("items=%d/%s", tc.n, tc.suffix), func(b *testing.B) {
			e, _ := benchStore(b)
			adds, phone := make([]string, tc.n), make([]string, tc.n)
			for i := range adds {
				adds[i] = benchVCard("up", i)
				phone[i] = adds[i]
				if tc.fewer {
					phone[i] = benchFewer21("up", i)
				}
			}
			(&benchSession{e: e, dev: "up", id: "1"}).run(b, int(syncml.AlertSlowSync), adds)
			var server, cpu time.Duration
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				s := &benchSession{e: e, dev: fmt.Sprintf("phone-%d", i), id: "1"}
				c0 := cpuTime()
				got := s.run(b, int(syncml.AlertSlowSync), phone)
				cpu += cpuTime() - c0
				server += s.server
				b.StopTimer()
				h, err := admin.New(e.Core()).History(context.Background(), "bench", "contacts", admin.HistoryQuery{})
				if err != nil || got != 0 || len(h) != tc.n {
					b.Fatalf("phone received %d items, server holds %d versions (%v); want 0 and %d", got, len(h), err, tc.n)
				}
				b.StartTimer()
			}
			b.ReportMetric(float64(server.Milliseconds())/float64(b.N), "server-ms/op")
			b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu-ms/op")
		})
	}
}
