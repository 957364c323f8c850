package server

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"anchorage/protocol/engine"
	"anchorage/protocol/syncml/session"
	"anchorage/store/sqlite"
)

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestReadyzFollowsTheStore: /readyz is 200 while the store answers and
// 503 once it does not; /healthz stays 200.
func TestReadyzFollowsTheStore(t *testing.T) {
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "anchorage.db"))
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := New(Options{SyncML: session.New(engine.New(engine.Options{Store: st, Logger: log}), session.Options{}), Logger: log, Ready: st.Ready})
	ts := httptest.NewServer(srv)
	defer ts.Close()

	if code, body := get(t, ts.URL+"/readyz"); code != http.StatusOK {
		t.Fatalf("/readyz with the store open: %d %s", code, body)
	}
	st.Close() // the store becomes unreachable
	if code, body := get(t, ts.URL+"/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "store") {
		t.Errorf("/readyz with the store closed: %d %q, want 503 naming the store", code, body)
	}
	if code, _ := get(t, ts.URL+"/healthz"); code != http.StatusOK {
		t.Errorf("/healthz with the store closed: %d, want 200", code)
	}
}

// TestReadyzFailsOnShutdown: once graceful shutdown began, /readyz on the
// operations listener answers 503.
func TestReadyzFailsOnShutdown(t *testing.T) {
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "anchorage.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	srv := New(Options{SyncML: session.New(engine.New(engine.Options{Store: st}), session.Options{}), Ready: func(context.Context) error { return nil }})
	ops := httptest.NewServer(srv.OpsHandler(nil))
	defer ops.Close()
	if code, _ := get(t, ops.URL+"/readyz"); code != http.StatusOK {
		t.Fatalf("/readyz before shutdown: %d", code)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, l, "", "") }()
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if code, _ := get(t, ops.URL+"/readyz"); code != http.StatusServiceUnavailable {
		t.Errorf("/readyz after shutdown began: %d, want 503", code)
	}
}
