package server

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// tracer writes the protocol trace: every request and response of every
// session as files, DIR/<device>/<session>/NN-in.xml and NN-out.xml. A nil
// tracer writes nothing.
type tracer struct {
	dir string
	log *slog.Logger
	mu  sync.Mutex // serialises the summary file's appends
}

// maxSummary bounds the file of unauthenticated requests' summaries.
const maxSummary = 1 << 20

// summary traces a request that opened no session (failed credentials,
// refused messages) as one line of DIR/unauthenticated.log: no body, and no
// directory per attempt, so that password guessing cannot fill the disk.
func (t *tracer) summary(device string, status, inBytes, outBytes int) {
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	name := filepath.Join(t.dir, "unauthenticated.log")
	if fi, err := os.Stat(name); err == nil && fi.Size() >= maxSummary {
		return
	}
	f, err := os.OpenFile(name, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o640)
	if err != nil {
		t.log.Warn("trace: open summary", "err", err)
		return
	}
	defer f.Close()
	fmt.Fprintf(f, "%s device=%s status=%d in_bytes=%d out_bytes=%d\n",
		time.Now().UTC().Format(time.RFC3339Nano), safeName(device), status, inBytes, outBytes)
}

func (t *tracer) write(device, session string, msgNo int, in, out []byte) {
	if t == nil {
		return
	}
	if session == "" {
		t.summary(device, 200, len(in), len(out))
		return
	}
	in, ok := redact(in)
	if !ok {
		t.log.Warn("trace: request not traced: its credentials could not be redacted", "device", device, "session", session)
		in = nil
	}
	dir := filepath.Join(t.dir, safeName(device), safeName(session))
	if err := os.MkdirAll(dir, 0o750); err != nil {
		t.log.Warn("trace: create dir", "err", err)
		return
	}
	write := func(suffix string, data []byte) {
		if data == nil {
			return
		}
		ext := "xml"
		if len(data) > 0 && data[0] < 0x04 { // a WBXML version byte, not '<'
			ext = "wbxml"
		}
		name := filepath.Join(dir, fmt.Sprintf("%02d-%s.%s", msgNo, suffix, ext))
		if err := os.WriteFile(name, data, 0o640); err != nil {
			t.log.Warn("trace: write", "file", name, "err", err)
		}
	}
	write("in", in)
	write("out", out)
}

// safeName turns a device or session id into one path element: ids come
// from the network and must not escape the trace directory.
func safeName(s string) string {
	if s == "" {
		return "unknown"
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	name := b.String()
	if name == "." || name == ".." {
		name = "_"
	}
	if len(name) > 100 {
		name = name[:100]
	}
	return name
}
