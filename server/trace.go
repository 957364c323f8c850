package server

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// tracer writes the protocol trace: every request and response of every
// session as files, DIR/<device>/<session>/NN-in.xml and NN-out.xml. A nil
// tracer writes nothing.
type tracer struct {
	dir string
	log *slog.Logger
}

func (t *tracer) write(device, session string, msgNo int, in, out []byte) {
	if t == nil {
		return
	}
	if session == "" {
		session = "nosession-" + time.Now().UTC().Format("20060102T150405.000000000")
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
