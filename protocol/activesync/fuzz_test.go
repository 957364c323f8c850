package activesync

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
)

// FuzzServe posts arbitrary bodies and query strings to the front end (with
// the in-memory test backend): a request may be refused, never crash the
// server. The seeds are TbSync's recorded request bodies.
func FuzzServe(f *testing.F) {
	dir := filepath.Join("..", "..", "..", "shared", "conformance", "activesync", "captures", "tbsync-14.0")
	files, _ := filepath.Glob(filepath.Join(dir, "*.req.wbxml"))
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add("Cmd=Sync&User=testuser&DeviceId=D&DeviceType=T", b)
			f.Add("Cmd=FolderSync&User=testuser&DeviceId=D&DeviceType=T", b)
		}
	}
	f.Add("jAkJBAJEMQAGVGJTeW5jCAh0ZXN0dXNlcg==", []byte{0x03, 0x01, 0x6A, 0x00})
	srv := New(Options{Backend: newMemBackend(), Converter: PIMConverter{}, Provisioning: ProvisionLoose,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	f.Fuzz(func(t *testing.T, query string, body []byte) {
		for _, cmd := range []string{"", "Sync", "ItemOperations", "GetItemEstimate", "Provision", "Settings"} {
			q := query
			if cmd != "" {
				q = "Cmd=" + cmd + "&User=testuser&DeviceId=D&DeviceType=T"
			}
			req := httptest.NewRequest(http.MethodPost, Path, bytes.NewReader(body))
			req.URL.RawQuery = q // as received, not as NewRequest would parse it
			req.SetBasicAuth("testuser", "secret")
			req.Header.Set("MS-ASProtocolVersion", "14.0")
			srv.ServeHTTP(httptest.NewRecorder(), req)
		}
	})
}
