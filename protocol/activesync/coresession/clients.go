package coresession

import (
	"encoding/binary"
	"errors"

	"anchorage/protocol/activesync"
	"anchorage/protocol/engine"
)

// The ClientIds of a folder's Adds (ClientId -> ServerId and a digest of
// the content, apply.go) grow with every item the device uploads. They are
// rows of the store (engine.ClientID), one per ClientId: a request looks
// up those its Adds carry and writes the new ones, and the device state,
// read and written by every request, no longer grows with them. A state
// written before held them itself, packed (folderState.OldClients:
// ClientId, ServerId and digest, each length-prefixed) or, older still,
// as JSON objects; the first unit of work that writes such a state moves
// them to rows.

// addClientIDs returns the ClientIds of the commands' Adds, once each.
func addClientIDs(cmds []activesync.ClientCommand) []string {
	var out []string
	seen := map[string]bool{}
	for _, c := range cmds {
		if c.Kind == activesync.CmdAdd && c.ClientID != "" && !seen[c.ClientID] {
			seen[c.ClientID] = true
			out = append(out, c.ClientID)
		}
	}
	return out
}

// moveClients writes the ClientIds a state holds itself (written before
// they had rows) to their rows and drops them from the state, which the
// unit of work then saves.
func (s *Session) moveClients(w *engine.Work, st *deviceState) error {
	for id, fs := range st.Folders {
		if fs == nil || len(fs.OldIDs) == 0 && len(fs.OldClients) == 0 {
			continue
		}
		ids, err := oldClients(fs)
		if err != nil {
			return err
		}
		if err := w.PutClientIDs(s.user.ID, s.dev.ID, id, ids); err != nil {
			return err
		}
		s.core.Logger().Info("EAS ClientIds moved from the device state to rows of their own",
			"user", s.user.Name, "device", s.dev.ID, "folder", id, "client_ids", len(ids))
		fs.OldIDs, fs.OldSums, fs.OldClients = nil, nil, nil
	}
	return nil
}

// oldClients reads the ClientIds a folder's state holds: the JSON objects
// and the packed list.
func oldClients(fs *folderState) (map[string]engine.ClientID, error) {
	ids := make(map[string]engine.ClientID, len(fs.OldIDs))
	for cid, sid := range fs.OldIDs {
		ids[cid] = engine.ClientID{ServerID: sid, Sum: fs.OldSums[cid]}
	}
	for b := fs.OldClients; len(b) > 0; {
		var f [3]string
		for i := range f {
			n, k := binary.Uvarint(b)
			if k <= 0 || uint64(len(b)-k) < n {
				return nil, errors.New("coresession: damaged ClientId list")
			}
			f[i], b = string(b[k:k+int(n)]), b[k+int(n):]
		}
		ids[f[0]] = engine.ClientID{ServerID: f[1], Sum: f[2]}
	}
	// apply recorded neither an empty ClientId nor an empty ServerId.
	for cid, c := range ids {
		if cid == "" || c.ServerID == "" {
			delete(ids, cid)
		}
	}
	return ids, nil
}
