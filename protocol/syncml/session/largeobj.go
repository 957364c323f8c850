package session

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"unicode/utf8"

	"anchorage/protocol/syncml"
)

// Large objects (OMA DS 1.2 Sync Protocol 6.7.3 / RepPro MoreData): an item
// bigger than a message travels in chunks, each but the last flagged
// MoreData, the first carrying the total Size in its Meta.

// incomingObject is a large object a device is sending in chunks. It lives
// in the session until complete; a half-received object is never stored.
type incomingObject struct {
	Datastore string `json:"datastore"`
	Cmd       string `json:"cmd"`
	LUID      string `json:"luid"`
	Size      int64  `json:"size"`
	Data      string `json:"data"`
	Type      string `json:"type,omitempty"`
	Format    string `json:"format,omitempty"`
	// LastChunk is the hash of the last chunk added; Resumed is set when a
	// session resuming the one that began the object took it over, so
	// that a chunk the device sends again (its Status was lost with the
	// interrupted session) is not added twice.
	LastChunk string `json:"last_chunk,omitempty"`
	Resumed   bool   `json:"resumed,omitempty"`
}

// outgoingObject is a large server item being sent in chunks.
type outgoingObject struct {
	Cmd    *syncml.Command `json:"cmd"` // the whole command, Data complete
	Sent   sentCommand     `json:"sent"`
	Offset int             `json:"offset"`
	// Acked is the offset up to which the device acknowledged chunks
	// (213); ChunkKey ("msgID/cmdID") and ChunkEnd name the last chunk
	// sent. A resumed session goes on from Acked (resume.go).
	Acked    int    `json:"acked,omitempty"`
	ChunkKey string `json:"chunk_key,omitempty"`
	ChunkEnd int    `json:"chunk_end,omitempty"`
}

// assembleChunk adds one chunk of a device's item. It returns the complete
// item (nil while more is to come) and a status: 213 for a chunk accepted,
// 413 when the announced size exceeds the limit, 424 when the assembled
// size differs from the announced one, 0 when the item is complete.
func (e *Handler) assembleChunk(st *sessionState, ds *syncedStore, c *syncml.Command, it *syncml.Item, luid string, meta metaValues) (*syncml.Item, int) {
	in := st.Incoming
	if in != nil && (in.Datastore != ds.Name || in.LUID != luid || in.Cmd != c.Name) {
		e.log.Warn("large object abandoned by the device", "device", st.DeviceID, "luid", in.LUID,
			"received", len(in.Data), "size", in.Size)
		st.Incoming, in = nil, nil
	}
	if in == nil {
		if !it.MoreData {
			return it, 0 // an ordinary item
		}
		if meta.size > e.maxObjSize {
			e.log.Info("object too large", "device", st.DeviceID, "luid", luid, "size", meta.size, "max", e.maxObjSize)
			return nil, 413
		}
		in = &incomingObject{Datastore: ds.Name, Cmd: c.Name, LUID: luid, Size: meta.size, Type: meta.contentType, Format: meta.format}
		st.Incoming = in
	}
	if in.Resumed && in.LastChunk == chunkHash(it.Data) && it.MoreData {
		// The chunk that ended the interrupted session, sent again.
		in.Resumed = false
		return nil, 213
	}
	in.Resumed = false
	in.Data += it.Data
	in.LastChunk = chunkHash(it.Data)
	if int64(len(in.Data)) > e.maxObjSize {
		st.Incoming = nil
		return nil, 413
	}
	if it.MoreData {
		return nil, 213
	}
	st.Incoming = nil
	if in.Size > 0 && !sizeMatches(in.Data, in.Size) {
		e.log.Info("large object size mismatch", "device", st.DeviceID, "luid", luid, "size", in.Size, "received", len(in.Data))
		return nil, 424
	}
	whole := *it
	whole.Data, whole.MoreData = in.Data, false
	if whole.Meta == nil && (in.Type != "" || in.Format != "") {
		whole.Meta = &syncml.Meta{Type: in.Type, Format: in.Format}
	}
	return &whole, 0
}

// sizeMatches compares the assembled data with the announced Size. XML
// parsing turns CRLF into LF (XML 1.0, 2.11), so an object sent with CRLF
// line ends arrives shorter by its number of line ends.
func sizeMatches(data string, size int64) bool {
	n := int64(len(data))
	return n == size || n+int64(strings.Count(data, "\n")) == size
}

// metaValues are the Meta values that apply to an item, from the item, its
// command or the enclosing Sync, in that order of precedence.
type metaValues struct {
	contentType string
	format      string
	size        int64
}

func itemMeta(it *syncml.Item, metas ...*syncml.Meta) metaValues {
	var mv metaValues
	for _, m := range append([]*syncml.Meta{it.Meta}, metas...) {
		if m == nil {
			continue
		}
		if mv.contentType == "" {
			mv.contentType = m.Type
		}
		if mv.format == "" {
			mv.format = m.Format
		}
		if mv.size == 0 {
			mv.size = m.Size
		}
	}
	return mv
}

// nextChunk emits the next chunk of an outgoing large object into sync,
// using at most budget bytes of the message. It reports whether the object
// is complete.
func (e *Handler) nextChunk(st *sessionState, ds *syncedStore, r *reply, sync *syncml.Command) bool {
	out := ds.Outgoing
	data := out.Cmd.Items[0].Data
	chunk := *out.Cmd
	item := out.Cmd.Items[0]
	item.Data = ""
	if out.Offset == 0 {
		m := syncml.Meta{}
		if item.Meta != nil {
			m = *item.Meta
		}
		if chunk.Meta != nil && m.Type == "" {
			m.Type = chunk.Meta.Type
		}
		m.Size = int64(len(data))
		item.Meta = &m
	}
	item.MoreData = true
	chunk.Items = []syncml.Item{item}
	chunk.CmdID = strconv.Itoa(r.nextID) // measured as it will be numbered
	overhead := syncml.EncodedSize(&chunk)
	room := r.limit - r.size - overhead - 64
	if room < 256 {
		room = 256 // always make progress, even if the device's limit is absurdly small
	}
	// Escaping can grow text (& -> &amp;, CR -> &#xD;): shrink until it fits.
	n := len(data) - out.Offset
	if n > room {
		n = room
	}
	for {
		end := out.Offset + n
		for end < len(data) && end > out.Offset && !utf8.RuneStart(data[end]) {
			end-- // never split a UTF-8 sequence
		}
		item.Data = data[out.Offset:end]
		item.MoreData = end < len(data)
		chunk.Items = []syncml.Item{item}
		size := syncml.EncodedSize(&chunk)
		if r.fits(size) || n <= 256 {
			c := chunk
			if item.MoreData {
				r.addChild(sync, &c, size)
				out.ChunkKey, out.ChunkEnd = strconv.Itoa(st.NextMsgID)+"/"+c.CmdID, end
			} else {
				e.recordSent(st, ds, r, sync, &c, out.Sent, size)
			}
			out.Offset = end
			return end >= len(data)
		}
		n /= 2
	}
}

// chunkHash names a chunk's data compactly.
func chunkHash(data string) string {
	h := sha256.Sum256([]byte(data))
	return hex.EncodeToString(h[:8])
}

// chunkStatus records the device's Status for a chunk of an outgoing large
// object. A 213 moves Acked on; any other answer means the device does not
// hold the beginning (a resumed session whose device dropped it): the item
// goes again, whole, after the others (OMA DS 1.2: the receiver of a
// resumed large object may ask for it from the start). It reports whether
// key named such a chunk.
func (e *Handler) chunkStatus(st *sessionState, key string, code int) bool {
	for _, ds := range st.Datastores {
		out := ds.Outgoing
		if out == nil || out.ChunkKey != key {
			continue
		}
		out.ChunkKey = ""
		if code == int(syncml.StatusChunkAccepted) || code >= 200 && code < 300 {
			out.Acked = out.ChunkEnd
			return true
		}
		e.log.Info("device refused a chunk; the item goes again from the start", "device", st.DeviceID,
			"datastore", ds.Name, "guid", out.Sent.GUID, "status", code, "offset", out.ChunkEnd)
		ds.Outgoing = nil
		ds.Resend = append(ds.Resend, out.Sent.GUID)
		return true
	}
	return false
}
