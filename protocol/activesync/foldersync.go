package activesync

import (
	"hash/fnv"
	"sort"
	"strconv"
	"strings"

	"github.com/beevik/etree"
)

// FolderSync (MS-ASCMD 2.2.1.5). The folders are fixed per user (one per
// datastore), so the hierarchy SyncKey is a hash of the folder list: a
// device whose key is not the current one gets the whole list again, and
// one with the current key gets no changes. A device that needs a mail
// Inbox (some refuse an account without one) gets an empty one; Sync on it
// answers no changes.

// inboxID is the ServerId of the empty Inbox.
const inboxID = "inbox"

func (c *conn) folderSync(in *etree.Element) (*etree.Element, error) {
	if in == nil || in.Tag != "FolderSync" {
		return nil, badRequest("FolderSync: no <FolderSync> body")
	}
	folders, err := c.folders()
	if err != nil {
		return nil, err
	}
	key := hierarchyKey(folders)
	out := newRoot("FolderSync", "FolderHierarchy:")
	addInt(out, "Status", FolderSyncOK)
	add(out, "SyncKey", key)
	ch := add(out, "Changes", "")
	if text(in, "SyncKey") == key {
		addInt(ch, "Count", 0)
		return out, nil
	}
	addInt(ch, "Count", len(folders))
	for _, f := range folders {
		a := add(ch, "Add", "")
		add(a, "ServerId", f.ServerID)
		add(a, "ParentId", f.ParentID)
		add(a, "DisplayName", f.DisplayName)
		addInt(a, "Type", f.Type)
	}
	return out, nil
}

// folders returns the backend's folders plus the empty Inbox.
func (c *conn) folders() ([]Folder, error) {
	fs, err := c.sess.Folders(c.r.Context())
	if err != nil {
		return nil, err
	}
	out := append([]Folder{{ServerID: inboxID, ParentID: "0", DisplayName: "Inbox", Type: FolderInbox, Class: ClassEmail}}, fs...)
	for i := range out {
		if out[i].ParentID == "" {
			out[i].ParentID = "0"
		}
	}
	return out, nil
}

// folder finds a folder by ServerId.
func (c *conn) folder(id string) (Folder, bool, error) {
	fs, err := c.folders()
	if err != nil {
		return Folder{}, false, err
	}
	for _, f := range fs {
		if f.ServerID == id {
			return f, true, nil
		}
	}
	return Folder{}, false, nil
}

// hierarchyKey is a SyncKey for a folder list; never "0".
func hierarchyKey(fs []Folder) string {
	lines := make([]string, len(fs))
	for i, f := range fs {
		lines[i] = f.ServerID + "\x00" + f.ParentID + "\x00" + f.DisplayName + "\x00" + strconv.Itoa(int(f.Type))
	}
	sort.Strings(lines)
	h := fnv.New32a()
	h.Write([]byte(strings.Join(lines, "\n")))
	return strconv.FormatUint(uint64(h.Sum32())|1<<32, 10)
}
