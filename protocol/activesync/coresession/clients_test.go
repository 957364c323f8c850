package coresession

import (
	"encoding/json"
	"fmt"
	"testing"
)

// BenchmarkDeviceState writes and reads a device state holding the
// ClientIds of 2,000 uploaded contacts, as each request of an upload does.
func BenchmarkDeviceState(b *testing.B) {
	fs := &folderState{Key: 42, ClientIDs: map[string]string{}, ClientSums: map[string]string{}}
	for i := range 2000 {
		cid := fmt.Sprint(i)
		fs.ClientIDs[cid] = fmt.Sprintf("%032x", i)
		fs.ClientSums[cid] = fmt.Sprintf("%064x", i)
	}
	st := &deviceState{Folders: map[string]*folderState{"contacts": fs}}
	for range b.N {
		restore := packClients(st)
		data, err := json.Marshal(st)
		restore()
		if err != nil {
			b.Fatal(err)
		}
		var back deviceState
		if err := json.Unmarshal(data, &back); err != nil || unpackClients(&back) != nil {
			b.Fatal(err)
		}
		if len(back.Folders["contacts"].ClientIDs) != 2000 || len(back.Folders["contacts"].ClientSums) != 2000 {
			b.Fatal("state lost ClientIds")
		}
	}
}

// TestClientsStored: the ClientId maps come back from the packed form,
// and from the JSON objects of a state written before it.
func TestClientsStored(t *testing.T) {
	fs := &folderState{Key: 3, ClientIDs: map[string]string{"c1": "s1", "c\\t2": "s2"}, ClientSums: map[string]string{"c1": "d1"}}
	st := &deviceState{Folders: map[string]*folderState{"contacts": fs}}
	restore := packClients(st)
	data, err := json.Marshal(st)
	restore()
	if err != nil {
		t.Fatal(err)
	}
	if len(fs.ClientIDs) != 2 || fs.Clients != nil {
		t.Fatalf("the state in memory changed: %+v", fs)
	}
	old := []byte(`{"folders":{"contacts":{"key":3,"client_ids":{"c1":"s1","c\\t2":"s2"},"client_sums":{"c1":"d1"}}}}`)
	for _, b := range [][]byte{data, old} {
		var back deviceState
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		if err := unpackClients(&back); err != nil {
			t.Fatal(err)
		}
		got := back.Folders["contacts"]
		if fmt.Sprint(got.ClientIDs) != fmt.Sprint(fs.ClientIDs) || fmt.Sprint(got.ClientSums) != fmt.Sprint(fs.ClientSums) || got.Key != 3 {
			t.Errorf("read back from %s: %+v", b, got)
		}
	}
}
