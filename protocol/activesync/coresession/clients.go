package coresession

import (
	"encoding/binary"
	"errors"
)

// The ClientIds of a folder's Adds grow with every item the device
// uploads, and the state is written with each request: as JSON objects
// they cost a sorted key and a reflected map entry each, most of a large
// upload's state CPU. They are stored packed instead (folderState.Clients:
// ClientId, ServerId and digest, each length-prefixed, one base64 string
// in JSON); the objects of a state written before are still read.

// packClients moves the ClientId maps of each folder into Clients for
// writing, and returns a function that puts them back.
func packClients(st *deviceState) (restore func()) {
	type saved struct {
		fs        *folderState
		ids, sums map[string]string
	}
	var kept []saved
	for _, fs := range st.Folders {
		if len(fs.ClientIDs) == 0 {
			continue
		}
		n := 0
		for cid, sid := range fs.ClientIDs {
			n += len(cid) + len(sid) + len(fs.ClientSums[cid]) + 3*binary.MaxVarintLen32
		}
		b := make([]byte, 0, n)
		for cid, sid := range fs.ClientIDs {
			for _, s := range [3]string{cid, sid, fs.ClientSums[cid]} {
				b = binary.AppendUvarint(b, uint64(len(s)))
				b = append(b, s...)
			}
		}
		kept = append(kept, saved{fs, fs.ClientIDs, fs.ClientSums})
		fs.Clients, fs.ClientIDs, fs.ClientSums = b, nil, nil
	}
	return func() {
		for _, k := range kept {
			k.fs.Clients, k.fs.ClientIDs, k.fs.ClientSums = nil, k.ids, k.sums
		}
	}
}

// unpackClients reads each folder's Clients into its ClientId maps.
func unpackClients(st *deviceState) error {
	for _, fs := range st.Folders {
		if fs == nil || len(fs.Clients) == 0 {
			continue
		}
		if fs.ClientIDs == nil {
			fs.ClientIDs = map[string]string{}
		}
		if fs.ClientSums == nil {
			fs.ClientSums = map[string]string{}
		}
		for b := fs.Clients; len(b) > 0; {
			var f [3]string
			for i := range f {
				n, k := binary.Uvarint(b)
				if k <= 0 || uint64(len(b)-k) < n {
					return errors.New("coresession: damaged ClientId list")
				}
				f[i], b = string(b[k:k+int(n)]), b[k+int(n):]
			}
			fs.ClientIDs[f[0]] = f[1]
			if f[2] != "" {
				fs.ClientSums[f[0]] = f[2]
			}
		}
		fs.Clients = nil
	}
	return nil
}
