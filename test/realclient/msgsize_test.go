package realclient_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/beevik/etree"

	"anchorage/protocol/wbxml"
)

// TestSmallMaxMsgSize: SyncEvolution with the smallest maxMsgSize it
// honours (10240) uploads many contacts under long file names (its LUIDs),
// so that our Statuses for one of its messages outgrow that size and
// spill into the next messages of our package. Every answer stays within
// the MaxMsgSize its request declared, the syncs succeed, and every
// contact is stored and delivered once; deleting them all does the same
// for the Deletes.
func TestSmallMaxMsgSize(t *testing.T) {
	shared := needRealClient(t)
	const maxMsg = 10240
	n := 300
	if testing.Short() {
		n = 60
	}
	for _, enc := range []string{"xml", "wbxml"} {
		t.Run(enc, func(t *testing.T) {
			trace := t.TempDir()
			srv := startServer(t, "--trace", trace, "--hold-percent", "100") // the deletes below are wanted
			srv.addUser(t, "mm", "pw")
			a := newDevice(t, shared, srv, "mm-a-"+enc, "mm", "pw", "", "contacts")
			b := newDevice(t, shared, srv, "mm-b-"+enc, "mm", "pw", "", "contacts")
			for i := 0; i < n; i++ {
				name := fmt.Sprintf("%04d-%s", i, strings.Repeat("x", 230))
				a.write(t, "contacts", name, fmt.Sprintf("BEGIN:VCARD\r\nVERSION:3.0\r\nN:P%d;;;;\r\nFN:P%d\r\nEND:VCARD\r\n", i, i))
			}
			size := strconv.Itoa(maxMsg)
			r := a.mustSync(t, "slow", "--max-msg-size", size, "--"+enc)
			expect(t, "upload", r, "contacts", map[string]int{"remote_added": n, "remote_rejected": 0})
			if got := len(splitStream(srv.export(t, "mm", "contacts"), "VCARD")); got != n {
				t.Errorf("server holds %d contacts, want %d", got, n)
			}
			r = b.mustSync(t, "slow", "--max-msg-size", size, "--"+enc)
			expect(t, "download", r, "contacts", map[string]int{"local_added": n, "local_rejected": 0})
			if got := len(b.files(t, "contacts")); got != n {
				t.Errorf("device B holds %d contacts, want %d", got, n)
			}
			r = a.mustSync(t, "two-way", "--max-msg-size", size, "--"+enc)
			expectNothing(t, "confirmation", r, "contacts")
			// Our Status for a Delete is longer than the Delete: deleting
			// everything carries statuses over in either encoding.
			for name := range a.files(t, "contacts") {
				if err := os.Remove(a.path("contacts", name)); err != nil {
					t.Fatal(err)
				}
			}
			r = a.mustSync(t, "two-way", "--max-msg-size", size, "--"+enc)
			expect(t, "deletes", r, "contacts", map[string]int{"remote_deleted": n})
			r = b.mustSync(t, "two-way", "--max-msg-size", size, "--"+enc)
			expect(t, "deletes on B", r, "contacts", map[string]int{"local_deleted": n})
			if got := len(splitStream(srv.export(t, "mm", "contacts"), "VCARD")); got != 0 {
				t.Errorf("server holds %d contacts after the deletes, want 0", got)
			}
			answers, carried, nextMsg := checkAnswerSizes(t, trace)
			if carried == 0 {
				t.Errorf("no answer carried statuses over to a later message; the test proves nothing")
			}
			t.Logf("%d answers within their MaxMsgSize, %d statuses carried over, %d requests for the next message",
				answers, carried, nextMsg)
		})
	}
}

// checkAnswerSizes compares each traced answer with the MaxMsgSize its
// request declared (and checks the request's credentials are redacted), and counts the Statuses answering an earlier message
// than the one answered (carried over) and the requests that ask for the
// next message of our package (Alert 222).
func checkAnswerSizes(t *testing.T, trace string) (answers, carried, nextMsg int) {
	t.Helper()
	ins, _ := filepath.Glob(filepath.Join(trace, "*", "*", "*-in.*"))
	for _, in := range ins {
		doc := readTraced(t, in)
		if d := doc.FindElement("//SyncHdr/Cred/Data"); d != nil && !strings.HasPrefix(d.Text(), "REDACTED") {
			t.Errorf("trace %s holds the credentials %q unredacted", in, d.Text())
		}
		if doc.FindElement("//SyncBody/Alert[Data='222']") != nil {
			nextMsg++
		}
		limit := 0
		if e := doc.FindElement("//SyncHdr/Meta/MaxMsgSize"); e != nil {
			limit, _ = strconv.Atoi(strings.TrimSpace(e.Text()))
		}
		out, _ := filepath.Glob(strings.Replace(in, "-in.", "-out.", 1)[:len(in)-len(filepath.Ext(in))+1] + "*")
		msgID := doc.FindElement("//SyncHdr/MsgID")
		for _, o := range out {
			for _, st := range readTraced(t, o).FindElements("//SyncBody/Status/MsgRef") {
				if msgID != nil && st.Text() != msgID.Text() {
					carried++
				}
			}
			fi, err := os.Stat(o)
			if err != nil {
				t.Fatal(err)
			}
			answers++
			if limit > 0 && fi.Size() > int64(limit) {
				t.Errorf("answer %s is %d bytes, more than the MaxMsgSize %d of its request", o, fi.Size(), limit)
			}
		}
	}
	if answers == 0 {
		t.Fatalf("no traced answers in %s", trace)
	}
	return answers, carried, nextMsg
}

// readTraced parses a traced message, XML or WBXML.
func readTraced(t *testing.T, name string) *etree.Document {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasSuffix(name, ".wbxml") {
		doc, err := wbxml.Decode(data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return doc
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return doc
}
